"""Mail and job settings are checked when the app starts, with a one-line reason."""

from __future__ import annotations

import pytest

from surveyapp.config import ConfigError


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"MAIL_BACKEND": "carrier-pigeon"},
            "SURVEYAPP_MAIL_BACKEND must be one of file, smtp, not 'carrier-pigeon'",
        ),
        ({"SMTP_SECURITY": "tls"}, "SURVEYAPP_SMTP_SECURITY must be one of none, starttls, ssl, not 'tls'"),
        ({"JOBS_MODE": "later"}, "SURVEYAPP_JOBS_MODE must be thread, cron, inline or rq, not 'later'"),
        ({"SMTP_TIMEOUT": 0}, "SURVEYAPP_SMTP_TIMEOUT must be greater than zero"),
        ({"SMTP_PORT": "twenty-five"}, "SURVEYAPP_SMTP_PORT must be a number, not 'twenty-five'"),
        (
            {"MAIL_FROM": "Research <r@example.org>\nBcc: x@example.org"},
            "SURVEYAPP_MAIL_FROM needs one address without line breaks, "
            "e.g. 'Research <research@example.org>', "
            "not 'Research <r@example.org>\\nBcc: x@example.org'",
        ),
    ],
)
def test_unusable_mail_settings_stop_the_app(make_app, overrides, message):
    with pytest.raises(ConfigError) as error:
        make_app(**overrides)

    assert str(error.value) == message


def test_settings_are_normalised(make_app):
    app = make_app(MAIL_BACKEND="SMTP", SMTP_SECURITY="StartTLS")

    assert (app.config["MAIL_BACKEND"], app.config["SMTP_SECURITY"]) == ("smtp", "starttls")


def test_jobs_run_in_a_thread_outside_tests_and_by_tick_in_tests(make_app):
    assert make_app().config["JOBS_MODE"] == "cron"
    assert make_app(TESTING=False).config["JOBS_MODE"] == "thread"
