"""PostgreSQL statement limits (issue 22): every statement of an app that serves requests stops after
STATEMENT_TIMEOUT seconds; an app built for a command (inside a click command) has none."""

from __future__ import annotations

import click
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from surveyapp.config import ConfigError
from surveyapp.extensions import db as _db
from tests.conftest import is_postgres

pytestmark = pytest.mark.skipif(not is_postgres(), reason="statement_timeout is a PostgreSQL setting")


def _shown(app) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return str(_db.session.execute(text("SHOW statement_timeout")).scalar())


def test_statement_timeout_limits_every_statement_of_an_app_that_serves_requests(make_app):
    app = make_app()

    assert _shown(app) == "30s"


def test_statement_timeout_setting_changes_the_limit_and_zero_removes_it(make_app):
    assert _shown(make_app(STATEMENT_TIMEOUT=2.5)) == "2500ms"
    assert _shown(make_app(STATEMENT_TIMEOUT=0)) == "0"


def test_statement_timeout_is_off_for_an_app_built_by_a_command(make_app):
    with click.Context(click.Command("analysis")):
        app = make_app()

    assert _shown(app) == "0"


def test_statement_timeout_stops_a_runaway_query_with_an_error(make_app, database_url):
    # Another URL for the same database: the fixture's clean-up then does not run under this short limit.
    app = make_app(
        DATABASE_URL=database_url + "?application_name=statement-timeout-test", STATEMENT_TIMEOUT=0.2
    )

    with app.app_context(), pytest.raises(OperationalError, match="statement timeout"):
        _db.session.execute(text("SELECT pg_sleep(2)"))


def test_statement_timeout_that_is_not_a_number_is_a_one_line_error(make_app):
    with pytest.raises(
        ConfigError, match="SURVEYAPP_STATEMENT_TIMEOUT must be a number of seconds, not 'soon'"
    ):
        make_app(STATEMENT_TIMEOUT="soon")
