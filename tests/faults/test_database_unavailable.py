"""Fault: the database is locked by another connection (or unreachable) while a respondent saves a page.

The respondent gets a 503 with Retry-After and a calm "could not save, please try again" page that still holds
what they typed; nothing of the page is written; sending the same answers again once the lock is gone saves
them. On PostgreSQL only the writes wait (the page comes back whole, answers filled in); on SQLite every
transaction takes the write lock, so even reading the survey fails and the fallback page keeps the answers in
hidden fields behind one "Try again" button.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import is_postgres
from tests.faults.conftest import impatient_settings
from tests.responses.conftest import ABOUT, LOYALTY, location, stored, text_of


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    application = make_app(**impatient_settings())
    with application.app_context():
        yield application


class _Inputs(HTMLParser):
    """The hidden inputs of a page, as a browser would send them back."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.fields.append((str(found["name"]), found.get("value") or ""))


def hidden_fields(page: str) -> dict[str, Any]:
    parser = _Inputs()
    parser.feed(page)
    data: dict[str, Any] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def test_locked_database_on_save_gives_503_with_the_typed_answers_and_writes_nothing(
    db, survey_study, make_invitation, respondent, locked
):
    # Arrange
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)
    typed = {**ABOUT, "q-name": "Ann & <Bo>"}
    before = stored(db)
    db.session.commit()

    # Act
    with locked():
        response = browser.save("about", typed)

    # Assert
    page = text_of(response)
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "30")
    assert 'value="Ann &amp; &lt;Bo&gt;"' in page
    assert "please try again" in page or "please press the button again" in page
    assert stored(db) == before


def test_locked_database_save_succeeds_when_the_same_answers_are_sent_again(
    db, survey_study, make_invitation, respondent, locked
):
    # Arrange
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)
    browser.save(
        "fit", {"q-needs": "4", "q-workarounds": "2", "q-contact": "monthly", "q-channels": ["phone"]}
    )
    db.session.commit()
    with locked():
        refused = browser.save("loyalty", LOYALTY)
    fields = hidden_fields(text_of(refused))

    # Act
    if is_postgres():
        # The whole page came back, filled in: the respondent presses Next again.
        retried = browser.save("loyalty", LOYALTY)
    else:
        # The fallback page: its one button sends the hidden fields (with a fresh form token) again.
        retried = browser.client.post(browser.base + "/page/loyalty", data=fields)

    # Assert
    assert refused.status_code == 503
    assert (retried.status_code, location(retried)) == (303, f"{browser.base}/review")
    assert {key: stored(db)[key] for key in ("recommend", "why", "consent")} == {
        "recommend": "6",
        "why": "Slow replies.",
        "consent": "yes",
    }


def _unreachable_database_client(make_app: Any, browser: Any, tmp_path: Path) -> Any:
    """A test client with the respondent's session cookie on an app whose database cannot be reached at all."""
    if is_postgres():
        broken_url = "postgresql+psycopg://postgres@127.0.0.1:9/surveyapp_nowhere?connect_timeout=2"
    else:
        (tmp_path / "not-a-database").mkdir()
        broken_url = f"sqlite:///{tmp_path / 'not-a-database'}"
    broken = make_app(DATABASE_URL=broken_url)
    broken.test_client_class = type(browser.client)
    other = broken.test_client()
    other.set_cookie(
        "surveyapp_session", browser.client.get_cookie("surveyapp_session").value, domain="localhost"
    )
    return other


def test_unreachable_database_gives_the_retry_page_with_the_answers_in_hidden_fields(
    make_app, survey_study, make_invitation, respondent, tmp_path
):
    # Arrange: the same browser session, but an app whose database cannot be reached at all.
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    token = browser.client.csrf_token()
    other = _unreachable_database_client(make_app, browser, tmp_path)

    # Act
    response = other.post(browser.base + "/page/about", data={**ABOUT, "action": "next", "csrf_token": token})

    # Assert
    page = text_of(response)
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "30")
    assert hidden_fields(page)["q-name"] == "Ann"
    assert re.search(r'<form method="post" action="/survey/\d+/page/about"', page) is not None


@pytest.mark.parametrize(
    ("method", "route"), [("GET", ""), ("GET", "/page/about"), ("GET", "/review"), ("POST", "/submit")]
)
def test_unreachable_database_on_every_other_respondent_route_is_503_with_a_way_to_try_again(
    make_app, survey_study, make_invitation, respondent, tmp_path, method, route
):
    # Arrange: a respondent with a session, and an app whose database cannot be reached at all.
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    token = browser.client.csrf_token()
    other = _unreachable_database_client(make_app, browser, tmp_path)

    # Act
    response = other.open(
        browser.base + route, method=method, data={"csrf_token": token} if method == "POST" else None
    )

    # Assert: a page in the respondent's layout that asks again (a link after a GET, the same form after a POST).
    page = text_of(response)
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "30")
    assert "Traceback" not in page
    if method == "GET":
        assert "This page cannot be shown just now" in page
        assert f'<a href="{browser.base}{route}">' in page
    else:
        assert "Could not save, please try again" in page
        assert f'<form method="post" action="{browser.base}{route}"' in page
