"""Fixtures for the questionnaire engine: the test fit model, the all-types questionnaires, file writing."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from hypothesis import settings

from surveyapp.questionnaires import Questionnaire, ScoringModel, load_questionnaire, load_scoring

DATA = Path(__file__).resolve().parent / "data"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# CI has two cores: `HYPOTHESIS_PROFILE=ci` keeps the property tests short there.
settings.register_profile("ci", max_examples=15, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE") in ("ci", "dev"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture(scope="session")
def scoring() -> ScoringModel:
    return load_scoring(DATA / "scoring.yaml")


@pytest.fixture(scope="session")
def all_types(scoring: ScoringModel) -> Questionnaire:
    return load_questionnaire(DATA / "all-types.yaml", scoring)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a file (dedented) into a fresh folder that also holds the test scoring.yaml."""
    (tmp_path / "scoring.yaml").write_text(
        (DATA / "scoring.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )

    def write_file(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture
def web() -> Flask:
    """A minimal Flask app with Babel and the project's templates, for forms and field rendering."""
    app = Flask("questionnaire-tests", template_folder=str(TEMPLATES))
    app.config.update(SECRET_KEY="test-only", WTF_CSRF_ENABLED=False)
    Babel(app)
    return app
