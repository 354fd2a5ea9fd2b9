"""The app's questionnaire catalogue: read and checked once at start-up, shared read-only afterwards."""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.orm import Session

from surveyapp.config import ConfigError
from surveyapp.questionnaires.errors import QuestionnaireError
from surveyapp.questionnaires.loader import Catalogue, load_directory
from surveyapp.questionnaires.models import ScoringVersion
from surveyapp.questionnaires.services import ensure_scoring_version

EXTENSION_KEY = "surveyapp.catalogue"


def init_catalogue(app: Flask) -> Catalogue:
    """Load the questionnaire folder; an invalid shipped questionnaire stops start-up with every reason."""
    try:
        catalogue = load_directory(app.config["QUESTIONNAIRE_DIR"])
    except QuestionnaireError as exc:
        reasons = "; ".join(exc.messages[:5]) + ("; ..." if len(exc.messages) > 5 else "")
        raise ConfigError(f"invalid questionnaire files ({len(exc.messages)} errors): {reasons}") from None
    app.extensions[EXTENSION_KEY] = catalogue
    return catalogue


def catalogue() -> Catalogue:
    """The catalogue of the running app."""
    return current_app.extensions[EXTENSION_KEY]


def current_scoring_version(*, session: Session) -> ScoringVersion:
    """The stored version of the current scoring.yaml (stored the first time it is used)."""
    return ensure_scoring_version(session=session, scoring=catalogue().scoring)
