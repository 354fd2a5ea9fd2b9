"""surveyapp: a research platform for B2B client fit."""

from surveyapp.app import create_app

__all__ = ["create_app"]
