"""The analysis core stays pure: plain rows in, plain dataclasses out (DESIGN.md layering).

No module imports Flask. Only the modules in `DATABASE_MODULES` may reach the database and the rest of the
app: `queries/` (the SQL aggregation), `snapshot.py` (reading on a second connection), `service.py` (the
app-facing entry points), `rescore.py` (rebuilding the stored scores) and `cli.py` (the `surveyapp analysis`
commands). Every other module imports nothing of
ours beyond `surveyapp.enums` and the analysis package itself.
"""

import ast
from pathlib import Path

import surveyapp.analysis

WEB = {"flask", "flask_sqlalchemy", "flask_login", "werkzeug"}
DATABASE = {"sqlalchemy", "psycopg", "sqlite3", "alembic"}
ALLOWED_OWN = ("surveyapp.analysis", "surveyapp.enums")
DATABASE_MODULES = frozenset({"snapshot.py", "service.py", "rescore.py", "cli.py"})
DATABASE_PACKAGES = ("queries/",)


def _imports(module: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_analysis_modules_import_no_web_database_or_other_layers():
    # Arrange
    package = Path(surveyapp.analysis.__file__).parent
    modules = sorted(package.rglob("*.py"))

    # Act
    offenders = []
    for module in modules:
        for name in _imports(module):
            root = name.split(".")[0]
            web = root in WEB
            other_layer = root in DATABASE or (root == "surveyapp" and not name.startswith(ALLOWED_OWN))
            path = module.relative_to(package).as_posix()
            database_module = path in DATABASE_MODULES or path.startswith(DATABASE_PACKAGES)
            if web or (other_layer and not database_module):
                offenders.append(f"{path}: {name}")

    # Assert
    assert modules
    assert offenders == []
