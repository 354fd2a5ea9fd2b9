"""Simultaneous requests of one respondent: 20 final submits complete the response once (the database's
compare-and-set decides), and simultaneous first saves create one response (its unique invitation)."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from sqlalchemy import select

from surveyapp.invitations.models import InvitationEvent
from surveyapp.responses.models import COMPLETED, Response
from tests.responses.conftest import ABOUT, FIT, LOYALTY, count, events, location, submissions

COOKIE = "surveyapp_session"


def at_once(app: Flask, source: Any, requests: int, send) -> list[Any]:
    """Run `send(client)` from `requests` threads released together, each with its own client carrying the
    same browser session (as tabs of one browser, or a double click)."""
    cookie = source.get_cookie(COOKIE)
    barrier = threading.Barrier(requests)
    results: list[Any] = [None] * requests

    def worker(index: int) -> None:
        client = app.test_client()
        client.set_cookie(COOKIE, cookie.value)
        barrier.wait(timeout=30)
        try:
            results[index] = send(client)
        except Exception as error:  # reported through the assertions below
            results[index] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrency_twenty_simultaneous_submits_complete_the_response_once(
    app, db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY)):
        browser.save(section, data)
    token = browser.client.csrf_token()
    db.session.commit()

    results = at_once(
        app, browser.client, 20, lambda c: c.post(f"{browser.base}/submit", data={"csrf_token": token})
    )

    assert [(r.status_code, location(r)) for r in results] == [(303, f"{browser.base}/done")] * 20
    assert db.session.scalars(select(Response.status)).all() == [COMPLETED]
    assert len(submissions(db)) == 1
    assert count(db, InvitationEvent, InvitationEvent.status == "completed") == 1
    assert [status for status, _ in events(db, invitation.id)] == ["started", "completed"]


def test_concurrency_simultaneous_first_saves_create_one_response(
    app, db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    token = browser.client.csrf_token()
    db.session.commit()

    def first_save(client: Any) -> Any:
        return client.post(
            f"{browser.base}/page/about", data={**ABOUT, "action": "next", "csrf_token": token}
        )

    results = at_once(app, browser.client, 8, first_save)

    assert [(r.status_code, location(r)) for r in results] == [(303, f"{browser.base}/page/fit")] * 8
    assert count(db, Response) == 1
    assert events(db, invitation.id) == [("started", None)]
