"""Every command the README shows, run the way a user runs it: the installed `.venv/bin/surveyapp` script in a
subprocess, against a fresh instance (SQLite; or a PostgreSQL database of its own when
SURVEYAPP_TEST_DATABASE_URL is set), never through click's test runner (which pushes an app context the real
script may lack). Also the commands `make run` runs (its Makefile recipe), `flask --app surveyapp`, which the
README says reaches the same commands, and the README's promise about errors: one line on stderr, exit status 1.

The README and this file cannot drift apart: `STEPS` maps each command line of the README's ```sh blocks
(and each `$(BIN)/surveyapp` line of the Makefile's `run` recipe), exactly as shown, to how it is run here
and what it must print. A test fails when the README shows a line that no step covers, and when a step
covers a line the README no longer shows.

Two instances: `script`, a fresh database on which the README's "study from the command line" runs in
order (supplier, users, study, imports, phases, invitations, reminders, tick, responses, privacy, the RQ
worker), then the bad inputs; and `demo`, set up as `make run` does (init-db, demo, tick), on which the
analysis, reports, exports, backup, questionnaires, the development server and `flask --app surveyapp`
run. Both instances run at the same time and commands that only read run two at a time (see cli_helpers.py):
each command is a fresh Python process that needs about four seconds to start.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping

import pytest

from tests.conftest import TEST_DATABASE_URL
from tests.system.cli_helpers import (
    PROJECT,
    Instance,
    Lane,
    Outcome,
    RedisAccess,
    Step,
    drop_postgres_database,
    flush_redis,
    fresh_postgres_database,
    redis_reachable,
    run_lanes,
)

README = PROJECT / "README.md"
# What `tick` enqueues with Redis, in order (surveyapp/jobs/tasks.py SCHEDULED).
SCHEDULED_STEPS = (
    "expire_invitations",
    "queue_reminders",
    "queue_action_reminders",
    "apply_retention_periods",
    "deliver_outbox",
)
MAKEFILE = PROJECT / "Makefile"
REDIS_URL = "redis://127.0.0.1:6379/12"  # a database of its own on the local server, flushed before and after

SCRIPT = Lane("script", ("script", "script-redis", "script-errors"), frozenset({"script-errors"}))
DEMO = Lane("demo", ("demo-setup", "demo-read", "demo-reports"), frozenset({"demo-read"}))
LANES = (SCRIPT, DEMO)


# ---- what the README shows -----------------------------------------------------------------------------------


def readme_command_lines() -> list[str]:
    """The lines of the README's ```sh blocks that run the console script, without their `# comments`."""
    found = []
    in_sh_block = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_sh_block = not in_sh_block and line.strip() == "```sh"
            continue
        if in_sh_block and line.startswith(".venv/bin/surveyapp"):
            found.append(re.sub(r"\s+#.*$", "", line).strip())
    return found


def make_run_command_lines() -> list[str]:
    """The `$(BIN)/surveyapp ...` commands of the Makefile's `run` recipe (what `make run` runs)."""
    lines = MAKEFILE.read_text(encoding="utf-8").splitlines()
    start = lines.index(next(line for line in lines if line.startswith("run:"))) + 1
    recipe = []
    for line in lines[start:]:
        if not line.startswith("\t"):
            break
        recipe.append(line)
    return [command.strip() for command in re.findall(r"\$\(BIN\)/surveyapp[^;&|>\\\n]*", "\n".join(recipe))]


# ---- input files ------------------------------------------------------------------------------------------------

ACCOUNTS_CSV = """\
name,segment,annual_revenue,effort_hours,billable_hours,external_id
Noordzee Havenbedrijf,Logistics,610000,5200,3900,CRM-1002
Stadsbank Utrecht,Finance,420000,3100,2900,CRM-1003
"""
CONTACTS_CSV = """\
account,email,name,role,language,side
Noordzee Havenbedrijf,anna@client.example,Anna de Vries,Facility manager,nl,client
Stadsbank Utrecht,ben@bank.example,Ben Bakker,Inkoper,en,client
Noordzee Havenbedrijf,sam@brightline.example,Sam Jansen,Account manager,nl,supplier
Stadsbank Utrecht,sam@brightline.example,Sam Jansen,Account manager,nl,supplier
"""
ANSWERS_CSV = """\
account,respondent,perspective,questionnaire,question,value,mode,submitted_at
Noordzee Havenbedrijf,anna@client.example,client,fit-client,needs_1,4,import,2026-05-04T10:00:00
Noordzee Havenbedrijf,anna@client.example,client,fit-client,rel_nps,9,import,2026-05-04T10:00:00
"""
PASSWORD = "a long enough password\n"


# ---- checks of what a command left behind -------------------------------------------------------------------


def file_starts_with(name: str, *prefixes: bytes):  # type: ignore[no-untyped-def]
    def check(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
        with outcome.file(name).open("rb") as handle:
            head = handle.read(max(len(prefix) for prefix in prefixes))
        assert any(head.startswith(prefix) for prefix in prefixes), (name, head)

    return check


def check_analysis_table(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    lines = outcome.stdout.splitlines()
    assert re.fullmatch(r"brightline-2025: scoring version [0-9a-f]{12} \(pinned\)", lines[0]), lines[0]
    assert "ACCOUNTS" in lines
    assert "PORTFOLIO" in lines
    # The demo's finished wave puts its accounts in every quadrant, and one is incomplete (README, "Start here").
    assert "quadrants: match 3, customer_swayed 2, blind_spot 1, misfit 1, incomplete 1" in lines
    # Method v2: marked indicative (*), the n behind each overall, the gap like for like (rules 6 and 17)
    assert (
        "Noordzee Havenbedrijf: customer_swayed* (client 76.8 n 2, supplier 29.7 n 2, gap +38.5 over 8 shared "
        "dimensions)"
    ) in lines


def check_analysis_json(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    document = json.loads(outcome.stdout)
    quadrants = {account["account"]: account["quadrant"] for account in document["accounts"]}
    assert (document["study"], document["provisional"]) == ("brightline-2025", False)
    assert set(quadrants.values()) == {"match", "customer_swayed", "blind_spot", "misfit", "incomplete"}
    assert quadrants["Noordzee Havenbedrijf"] == "customer_swayed"


def check_questionnaire_files(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    files = sorted((PROJECT / "questionnaires").glob("*.yaml"))
    lines = outcome.stdout.splitlines()
    assert len(lines) == len(files)
    assert all(line.startswith("OK ") for line in lines), lines


def check_questionnaire_list(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    lines = outcome.stdout.splitlines()
    slugs = sorted(
        path.stem for path in (PROJECT / "questionnaires").glob("*.yaml") if path.stem != "scoring"
    )
    assert lines[0].split() == ["slug", "phase", "purpose", "perspective", "version"]
    assert sorted(line.split()[0] for line in lines[1:-1]) == slugs
    assert re.fullmatch(r"scoring v[0-9a-f]{12} \(.*questionnaires\)", lines[-1]), lines[-1]


def check_contact_export(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    document = json.loads(outcome.file("anna.json").read_text(encoding="utf-8"))
    assert document["email"] == "anna@client.example"
    assert [contact["account"] for contact in document["contacts"]] == ["Noordzee Havenbedrijf"]


def check_answers_export(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    header = outcome.file("answers.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "\ufeffaccount,respondent,perspective,questionnaire,question,value,mode,submitted_at"


def check_themes_export(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    # The demo's open answers are ready to code, not coded: no theme yet.
    assert json.loads(outcome.file("themes.json").read_text(encoding="utf-8")) == []


def check_backup(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    backups = sorted(outcome.cwd.glob("surveyapp-*.db"))
    assert len(backups) == 1
    target = backups[0]
    assert re.fullmatch(r"surveyapp-\d{4}-\d{2}-\d{2}\.db", target.name)
    assert outcome.stdout == f"backup written to {target} ({target.stat().st_size:,} bytes)\n"
    file_starts_with(target.name, b"PGDMP" if outcome.postgres else b"SQLite format 3\x00")(outcome, {})


def check_served_health(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    assert outcome.served is not None
    status, body = outcome.served
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
    assert "Running on http://127.0.0.1:" in outcome.stderr


def same_stdout_as(step_id: str):  # type: ignore[no-untyped-def]
    def check(outcome: Outcome, others: Mapping[str, Outcome]) -> None:
        assert outcome.stdout == others[step_id].stdout

    return check


def check_worker_ran_the_tick(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    log = outcome.stdout + outcome.stderr
    for job in SCHEDULED_STEPS:
        assert f"Successfully completed {job}() job" in log, log
    assert "done, quitting" in log


def _unlisted_project_commands(help_text: str) -> list[str]:
    from surveyapp.cli import cli

    section = help_text.split("\nCommands:\n", 1)[1]
    listed = {line.split()[0] for line in section.splitlines() if line.startswith("  ")}
    return sorted(set(cli.commands) - listed)


def check_flask_lists_the_commands(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    assert _unlisted_project_commands(outcome.stdout) == []


def check_help_without_settings(outcome: Outcome, _others: Mapping[str, Outcome]) -> None:
    assert _unlisted_project_commands(outcome.stdout) == []
    assert outcome.stderr.startswith("surveyapp: SURVEYAPP_SECRET_KEY must be set")
    assert outcome.stderr.count("\n") == 1


# ---- the table: each documented command line, how it runs, what it must do ---------------------------------

DEMO_LOGINS = """\
demo data loaded; log in at http://127.0.0.1:5000/login with:
  admin        admin@demo.example  password: demo-admin-password
  researcher   researcher@demo.example  password: demo-researcher-password
  account_team accountteam@demo.example  password: demo-accountteam-password
  sales        sales@demo.example  password: demo-sales-password
"""
TICK = re.compile(
    r"expired: \d+ invitations\n"
    r"reminders: \d+ queued in \d+ emails\n"
    r"(action reminders: \d+ due soon, \d+ overdue\n)?"
    r"outbox: \d+ sent, 0 to retry, 0 failed, 0 cancelled\n"
    r"(reports: \d+ rendered\n)?"
)
NOTHING_TO_TICK = (
    "expired: 0 invitations\nreminders: 0 queued in 0 emails\n"
    "outbox: 0 sent, 0 to retry, 0 failed, 0 cancelled\n"
)
RESCORED = re.compile(
    r"rescored \d+ answers of \d+ responses: 0 changed \(score 0, dimension 0, weight 0, not applicable 0\)\n"
)
SUMS_EXACT = "response_dimension_sums: exact\naccount_item_sums: exact\n"
REPORT_WRITTEN = r"wrote {name}: \d+ pages, \d+ bytes, sha256 [0-9a-f]{{64}} \(report \d+\)\n"
STUDY_2026 = (
    '.venv/bin/surveyapp studies create brightline-2026 --supplier "Brightline" --name "Klantfit 2026" '
    "--deadline 2026-12-18"
)
PHASE_2026 = ".venv/bin/surveyapp studies phase brightline-2026 interview"
SEND_2026 = ".venv/bin/surveyapp invitations send --study brightline-2026"

STEPS: tuple[Step, ...] = (
    # -- `script`: the README's study from the command line, on a fresh database, in order --
    Step(
        "init-db",
        "script",
        ".venv/bin/surveyapp init-db",
        stdout="database is at the newest schema version\n",
    ),
    Step(
        "suppliers-create",
        "script",
        '.venv/bin/surveyapp suppliers create "Brightline" --language nl',
        stdout="created supplier Brightline (id 1)\n",
    ),
    Step(
        "users-create-password-on-stdin",
        "script",
        ".venv/bin/surveyapp users create anna@example.org --role researcher",
        stdin=PASSWORD,  # "asks for a password": standard input is not a terminal here
        stdout="created researcher anna@example.org\n",
    ),
    Step(
        "users-create-link",
        "script",
        '.venv/bin/surveyapp users create tom@example.org --role account_team --supplier "Brightline" --link',
        stdout=re.compile(
            r"created account_team tom@example\.org\n"
            r"password link \(works once\): http://127\.0\.0\.1:5000/set-password/[\w-]+\n"
        ),
    ),
    Step(
        "studies-create",
        "script",
        STUDY_2026,
        # The README's deadline lies in the past one day; invitations are refused after it.
        substitute=(("2026-12-18", "{next_year}"),),
        stdout="created study brightline-2026 for Brightline "
        "(fit-client, interview-guide, fit-supplier, interview-guide-supplier, intake)\n",
    ),
    Step(
        "import-accounts",
        "script",
        ".venv/bin/surveyapp import accounts --study brightline-2026 accounts.csv",
        files=(("accounts.csv", ACCOUNTS_CSV),),
        stdout="imported accounts: 2 new, 0 updated, 0 unchanged\n",
    ),
    Step(
        "import-contacts",
        "script",
        ".venv/bin/surveyapp import contacts --study brightline-2026 contacts.csv",
        files=(("contacts.csv", CONTACTS_CSV),),
        stdout="imported contacts: 3 new, 0 updated, 0 unchanged, 2 new staff assignments\n",
    ),
    Step(
        "studies-phase-refused",
        "script",
        PHASE_2026,
        status=1,
        stdout="",
        stderr="Error: The study cannot move to Interview yet. Send the supplier staff's invitations first "
        "(Invitations page): 2 of 2 staff assignments have no delivered invitation yet "
        "(Sam Jansen: Noordzee Havenbedrijf; Sam Jansen: Stadsbank Utrecht).\n",
    ),
    Step(
        "invitations-send-prepare",
        "script",
        SEND_2026,
        stdout="invitations: 2 queued in 1 emails (staff 2)\noutbox: 1 sent, 0 to retry, 0 failed, 0 cancelled\n",
    ),
    Step(
        "studies-phase-ready",
        "script",
        PHASE_2026,
        stdout="study brightline-2026 is now in the interview phase\n",
    ),
    Step(
        "invitations-send-interview",
        "script",
        SEND_2026,
        stdout="invitations: 2 queued in 2 emails (client 2)\nalready queued before: 2\n"
        "outbox: 2 sent, 0 to retry, 0 failed, 0 cancelled\n",
    ),
    Step(
        "reminders-send",
        "script",
        ".venv/bin/surveyapp reminders send",
        stdout="reminders: 0 queued in 0 emails\noutbox: 0 sent, 0 to retry, 0 failed, 0 cancelled\n",
    ),
    Step("tick", "script", ".venv/bin/surveyapp tick", stdout=NOTHING_TO_TICK),
    Step(
        "import-responses",
        "script",
        ".venv/bin/surveyapp import responses --study brightline-2026 answers.csv",
        files=(("answers.csv", ANSWERS_CSV),),
        stdout="imported responses: 1 new, 0 updated, 0 unchanged\n",
    ),
    Step(
        "export-contact",
        "script",
        ".venv/bin/surveyapp export contact anna@client.example -o anna.json",
        stdout="",
        check=check_contact_export,
    ),
    Step(
        "erase-contact-asks-first",
        "script",
        ".venv/bin/surveyapp erase contact anna@client.example",
        stdin="y\n",
        stdout="Erase every personal detail of anna@client.example? This cannot be undone [y/N]: "
        "erased 1 contact(s): 0 open answers, 0 responses deleted, 0 interviews, 1 emails, 1 files, "
        "0 reports withdrawn (0 queued again)\n",
    ),
    # -- with Redis: `tick` enqueues its steps, `worker --burst` runs them and stops --
    Step(
        "tick-with-redis",
        "script-redis",
        None,
        run="surveyapp tick",
        redis=True,
        stdout=f"enqueued: {', '.join(SCHEDULED_STEPS)}\n",
    ),
    Step(
        "worker",
        "script-redis",
        ".venv/bin/surveyapp worker",
        substitute=(("worker", "worker --burst"),),
        redis=True,
        check=check_worker_ran_the_tick,
    ),
    # -- `demo`: as `make run` sets it up --
    Step(
        "make-run-init-db",
        "demo-setup",
        "$(BIN)/surveyapp init-db",
        stdout="database is at the newest schema version\n",
    ),
    Step(
        "make-run-demo",
        "demo-setup",
        "$(BIN)/surveyapp demo",
        also_shown=(".venv/bin/surveyapp demo",),  # the same command (a second load: tests/test_cli.py)
        env=(("SURVEYAPP_BASE_URL", "http://127.0.0.1:5000"),),
        stdout=DEMO_LOGINS,
    ),
    # Right after the demo: the reports it queued are rendered by a tick only after a minute.
    Step("make-run-tick", "demo-setup", "$(BIN)/surveyapp tick", stdout=TICK),
    Step(
        "make-run-serve",
        "demo-read",
        "$(BIN)/surveyapp run --host 127.0.0.1 --port $(PORT) --no-reload",
        substitute=(("$(PORT)", "{port}"),),
        serve="/healthz",
        check=check_served_health,
    ),
    Step(
        "analysis-table",
        "demo-read",
        ".venv/bin/surveyapp analysis --study brightline-2025",
        check=check_analysis_table,
    ),
    Step(
        "analysis-json",
        "demo-read",
        ".venv/bin/surveyapp analysis --study brightline-2025 --format json",
        check=check_analysis_json,
    ),
    Step(
        "analysis-rescore",
        "demo-read",
        ".venv/bin/surveyapp analysis rescore --study brightline-2025",
        stdout=RESCORED,
    ),
    Step(
        "analysis-rescore-repin",
        "demo-read",
        ".venv/bin/surveyapp analysis rescore --study brightline-2026 --repin",
        # The current wave has the current files' questionnaires: only its scoring version, provisional until
        # the wave enters analyse, is pinned now.
        stdout=re.compile(
            r"repinned the scoring version: none \(provisional\) -> [0-9a-f]{12}\n" + RESCORED.pattern
        ),
    ),
    Step(
        "analysis-check-sums",
        "demo-read",
        ".venv/bin/surveyapp analysis check-sums [--repair]",
        substitute=(("[--repair]", ""),),
        stdout=SUMS_EXACT,
    ),
    Step(
        "questionnaires-check",
        "demo-read",
        ".venv/bin/surveyapp questionnaires check",
        check=check_questionnaire_files,
    ),
    Step(
        "questionnaires-list",
        "demo-read",
        ".venv/bin/surveyapp questionnaires list",
        check=check_questionnaire_list,
    ),
    Step(
        "export-answers",
        "demo-read",
        ".venv/bin/surveyapp export --study brightline-2025 --format csv -o answers.csv",
        stdout="exported answers of brightline-2025 as csv to answers.csv\n",
        check=check_answers_export,
    ),
    Step(
        "export-analysis",
        "demo-read",
        ".venv/bin/surveyapp export --study brightline-2025 --format xlsx --what analysis -o analysis.xlsx",
        stdout="exported analysis of brightline-2025 as xlsx to analysis.xlsx\n",
        check=file_starts_with("analysis.xlsx", b"PK\x03\x04"),
    ),
    Step(
        "export-themes",
        "demo-read",
        ".venv/bin/surveyapp export --study brightline-2025 --format json --what themes -o themes.json",
        stdout="exported themes of brightline-2025 as json to themes.json\n",
        check=check_themes_export,
    ),
    Step(
        "backup",
        "demo-read",
        ".venv/bin/surveyapp backup --to /var/backups/surveyapp-$(date +%F).db",
        substitute=(("/var/backups/", "{cwd}/"), ("$(date +%F)", "{today}")),
        check=check_backup,
    ),
    # -- `flask --app surveyapp` reaches the same commands (README, "The command line") --
    Step(
        "flask-help",
        "demo-read",
        None,
        run="flask --app surveyapp --help",
        check=check_flask_lists_the_commands,
    ),
    Step(
        "flask-analysis",
        "demo-read",
        None,
        run="flask --app surveyapp analysis --study brightline-2025",
        check=same_stdout_as("analysis-table"),
    ),
    # -- the first thing a new operator types, before any setting is made: help, and one line about it --
    Step(
        "help-without-settings",
        "script-errors",
        None,
        run="surveyapp --help",
        env=(("SURVEYAPP_ENV", "production"),),
        check=check_help_without_settings,
    ),
    # -- reports: one at a time, after the rest (on SQLite a render keeps the database busy) --
    Step(
        "report-account",
        "demo-reports",
        '.venv/bin/surveyapp report account --study brightline-2025 --account "Noordzee Havenbedrijf" '
        "--language en -o noordzee.pdf",
        stdout=re.compile(REPORT_WRITTEN.format(name=r"noordzee\.pdf")),
        check=file_starts_with("noordzee.pdf", b"%PDF-"),
    ),
    Step(
        "report-portfolio",
        "demo-reports",
        ".venv/bin/surveyapp report portfolio --study brightline-2025 -o portfolio.pdf",
        stdout=re.compile(REPORT_WRITTEN.format(name=r"portfolio\.pdf")),
        check=file_starts_with("portfolio.pdf", b"%PDF-"),
    ),
)


def _error(step_id: str, run: str, stderr: str) -> Step:
    return Step(step_id, "script-errors", None, run=run, status=1, stdout="", stderr=stderr)


# Bad input per command group, on the `script` instance after its study is set up: one line, exit status 1.
UNKNOWN_STUDY = "Error: unknown study 'nope'\n"
ERRORS: tuple[Step, ...] = (
    _error("analysis-unknown-study", "surveyapp analysis --study nope", UNKNOWN_STUDY),
    _error(
        "analysis-bad-format",
        "surveyapp analysis --study brightline-2026 --format xml",
        "Error: Invalid value for '--format': 'xml' is not one of 'json', 'table'. "
        "(see 'surveyapp analysis --help')\n",
    ),
    _error(
        "import-missing-file",
        "surveyapp import accounts --study brightline-2026 missing.csv",
        "Error: Invalid value for 'FILE': File 'missing.csv' does not exist. "
        "(see 'surveyapp import accounts --help')\n",
    ),
    _error(
        "report-missing-folder",
        "surveyapp report portfolio --study brightline-2026 -o missing/portfolio.pdf",
        "Error: cannot write missing/portfolio.pdf: folder missing does not exist\n",
    ),
    _error("export-unknown-study", "surveyapp export --study nope --format csv -o nope.csv", UNKNOWN_STUDY),
    _error(
        "export-contact-unknown",
        "surveyapp export contact nobody@example.org -o nobody.json",
        "Error: No contact has the email address nobody@example.org.\n",
    ),
    _error(
        "backup-existing-file",
        "surveyapp backup --to accounts.csv",
        "Error: accounts.csv already exists: choose a new file name\n",
    ),
    _error(
        "worker-unknown-queue",
        "surveyapp worker --queues default,mail",
        "Error: Invalid value for --queues: unknown queue 'mail': choose from default, reports "
        "(see 'surveyapp worker --help')\n",
    ),
)


# ---- running them -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    """Every step and bad input run once, in two fresh instances: what each did, by step id."""
    steps = (*STEPS, *ERRORS)
    assert {step.stage for step in steps} <= {stage for lane in LANES for stage in lane.stages}
    instances = [Instance(lane.name, tmp_path_factory.mktemp(f"readme-{lane.name}"), None) for lane in LANES]
    redis = RedisAccess(REDIS_URL, redis_reachable(REDIS_URL))
    try:
        for instance in instances:
            if TEST_DATABASE_URL:
                instance.database_url = fresh_postgres_database(TEST_DATABASE_URL, f"readme_{instance.name}")
        if redis.unreachable is None:
            flush_redis(REDIS_URL)
        yield run_lanes(list(zip(LANES, instances, strict=True)), steps, redis)
    finally:
        if redis.unreachable is None:
            flush_redis(REDIS_URL)
        for instance in instances:
            if instance.database_url:
                drop_postgres_database(instance.database_url)


def _assert_no_traceback(outcome: Outcome) -> None:
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert "Traceback" not in outcome.stdout, outcome.stdout


def _skip_without_redis(outcome: Outcome) -> None:
    if outcome.skipped:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {outcome.skipped}")
        pytest.skip(outcome.skipped)


# ---- the README and the table agree ------------------------------------------------------------------------------


def test_readme_command_lines_are_all_in_the_table():
    # Arrange
    covered = {line for step in STEPS for line in (step.shown, *step.also_shown)}

    # Act
    uncovered = [line for line in readme_command_lines() + make_run_command_lines() if line not in covered]

    # Assert
    assert uncovered == []


def test_table_command_lines_are_all_in_the_readme():
    # Arrange
    documented = set(readme_command_lines() + make_run_command_lines())
    shown = [line for step in STEPS for line in (step.shown, *step.also_shown) if line is not None]

    # Act
    gone = sorted(line for line in shown if line not in documented)

    # Assert
    assert gone == []


def test_readme_says_flask_reaches_the_same_commands():
    # Arrange
    text = README.read_text(encoding="utf-8")

    # Act
    claim = "(`.venv/bin/surveyapp`, or `flask --app surveyapp`)"

    # Assert: the flask-* steps check this claim; keep them while the README makes it.
    assert claim in text


def test_step_ids_are_unique():
    # Arrange
    ids = [step.id for step in (*STEPS, *ERRORS)]

    # Act
    duplicates = sorted({step_id for step_id in ids if ids.count(step_id) > 1})

    # Assert
    assert duplicates == []


# ---- every command runs as documented ---------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS, ids=[step.id for step in STEPS])
def test_readme_command_runs_as_documented(step: Step, outcomes: dict[str, Outcome]) -> None:
    # Arrange: the `outcomes` fixture ran the instance's earlier steps first
    _skip_without_redis(outcomes[step.id])

    # Act: the `outcomes` fixture ran it, as a subprocess
    outcome = outcomes[step.id]

    # Assert
    _assert_no_traceback(outcome)
    assert outcome.status == step.status, outcome.stdout + outcome.stderr
    if isinstance(step.stdout, str):
        assert outcome.stdout == step.stdout
    elif step.stdout is not None:
        assert step.stdout.fullmatch(outcome.stdout), outcome.stdout
    if step.stderr is not None:
        assert outcome.stderr == step.stderr
    if step.check is not None:
        step.check(outcome, outcomes)


@pytest.mark.parametrize("step", ERRORS, ids=[step.id for step in ERRORS])
def test_bad_input_is_one_line_on_stderr_with_status_1(step: Step, outcomes: dict[str, Outcome]) -> None:
    # Arrange: the `script` instance holds study brightline-2026, nothing called "nope"

    # Act: the `outcomes` fixture ran it, as a subprocess
    outcome = outcomes[step.id]

    # Assert
    _assert_no_traceback(outcome)
    assert (outcome.status, outcome.stdout, outcome.stderr) == (1, "", step.stderr)
