"""Faults made real on the running stack: PostgreSQL, Redis or the mail server cut at its proxy and restored.

What must hold (issue 22): respondents get a clear 503 with Retry-After and keep what they typed on every
respondent route while the database is away, and carry on afterwards; staff can log in and personal links work
while Redis is away (rate limits fall back to per-process memory, with a warning in the log); mail waits for
the server and is sent once; nothing is lost or doubled (rows counted afterwards); no token reaches the log.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.system.conftest import Stack, logged_in
from tests.system.htmlforms import form_posting_to
from tests.system.respondents import Respondent, invite

pytestmark = pytest.mark.system
TYPED = "Typed while the database was away"


def _wait_for_text(path: Path, text: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = path.read_text(errors="replace")
        if text in content:
            return content
        time.sleep(0.2)
    raise AssertionError(
        f"{text!r} not in {path} within {timeout} s:\n{path.read_text(errors='replace')[-3000:]}"
    )


def _answers_of(stack: Stack, respondent: Respondent) -> list[tuple[str, str]]:
    return stack.rows(
        "SELECT a.item_key, a.value FROM answers a JOIN responses r ON r.id = a.response_id "
        "JOIN invitations i ON i.id = r.invitation_id JOIN contacts c ON c.id = i.contact_id "
        "WHERE c.email = %s ORDER BY a.item_key",
        respondent.email,
    )


def _started_on_second_page(stack: Stack, name: str) -> tuple[Respondent, str, list[tuple[str, str]]]:
    """A respondent who saved the first page and has the second one open, filled in but not yet sent."""
    respondent = invite(stack, name)
    respondent.open_link()
    first = respondent.first_page()
    saved = respondent.answer_page(first)
    assert saved.status == 303
    second = urllib.parse.urlsplit(saved.header("Location") or "").path
    form = form_posting_to(respondent.browser.get(second).text, second)
    return respondent, second, [*form.filled(TYPED), ("action", "next")]


def test_stack_postgres_down_every_respondent_route_is_503_with_retry_after_and_typed_answers_kept(
    services_up: Stack,
):
    respondent, second, filled = _started_on_second_page(services_up, "pgdown")
    saved_before = _answers_of(services_up, respondent)
    survey = respondent.survey

    with services_up.postgres.down():
        link = respondent.browser.get(respondent.link)
        start = respondent.browser.get(survey)
        page = respondent.browser.get(second)
        save = respondent.browser.post(second, filled)
        review = respondent.browser.get(f"{survey}/review")
        submit = respondent.browser.post(f"{survey}/submit", [("csrf_token", dict(filled)["csrf_token"])])

    # Retry-After: 30 seconds (on the personal link, the rate limiter restates it from its own clock: 29 or 30).
    outcomes = {
        name: (answer.status, int(answer.header("Retry-After") or 0) in (29, 30))
        for name, answer in {
            "link": link, "start": start, "page": page, "save": save, "review": review, "submit": submit,
        }.items()
    }  # fmt: skip
    assert outcomes == {name: (503, True) for name in outcomes}
    assert "Traceback" not in save.text
    # The page that was sent comes back with what was typed, ready to send again.
    again = form_posting_to(save.text, second)
    assert sorted(pair for pair in again.hidden() if pair[0] != "csrf_token") == sorted(
        pair for pair in filled if pair[0] != "csrf_token"
    )
    assert _answers_of(services_up, respondent) == saved_before


def test_stack_postgres_back_the_same_answers_save_once_and_the_survey_completes(services_up: Stack):
    respondent, second, filled = _started_on_second_page(services_up, "pgback")
    with services_up.postgres.down():
        refused = respondent.browser.post(second, filled)

    again = respondent.browser.post(second, filled)
    twice = respondent.browser.post(second, filled)
    next_page = urllib.parse.urlsplit(again.header("Location") or "").path
    while not next_page.endswith("/review"):
        saved = respondent.answer_page(next_page)
        assert saved.status == 303
        next_page = urllib.parse.urlsplit(saved.header("Location") or "").path
    submitted = respondent.submit()

    answers = _answers_of(services_up, respondent)
    responses = services_up.rows(
        "SELECT r.status FROM responses r JOIN invitations i ON i.id = r.invitation_id "
        "JOIN contacts c ON c.id = i.contact_id WHERE c.email = %s",
        respondent.email,
    )
    assert (refused.status, again.status, twice.status, submitted.status) == (503, 303, 303, 303)
    assert responses == [("completed",)]
    assert len(answers) == len({key for key, _ in answers})  # no answer twice
    assert [value for _, value in answers].count(TYPED) == sum(1 for _, value in filled if value == TYPED)


def test_stack_redis_down_staff_log_in_links_open_and_limits_hold_per_process(services_up: Stack):
    respondent = invite(services_up, "redisdown")
    services_up.cli("tick")
    mails_before = len(services_up.mail.handler.messages())
    log_before = len(services_up.log())

    with services_up.redis.down():
        browser = logged_in(services_up, "researcher@demo.example")
        home = browser.get("/")
        link = respondent.browser.get(respondent.link)
        forgot = services_up.browser().submit("/forgot-password", {"email": "researcher@demo.example"})
        stranger = services_up.browser()
        token = stranger.get("/login").csrf()
        attempts = [
            stranger.post(
                "/login", {"csrf_token": token, "email": "admin@demo.example", "password": "wrong"}
            ).status
            for _ in range(11)
        ]
        log = services_up.log()[log_before:]

    assert (home.status, link.status, forgot.status) == (200, 302, 302)
    # Five failed logins per account and process, two worker processes: the eleventh cannot get through.
    assert attempts[:5] == [422] * 5
    assert 429 in attempts
    assert "Rate limit storage unreachable - falling back to in-memory storage" in log
    assert "Traceback" not in log
    # The worker stopped its RQ worker while Redis was away and starts a new one now (tests/system/conftest.py
    # started `surveyapp worker` as systemd would).
    worker_log = _wait_for_text(services_up.worker_log, "starting the RQ worker again")
    # (said by the supervisor when it noticed first, or when the RQ worker, in the middle of a job, ended first)
    assert (
        "surveyapp worker: lost Redis" in worker_log or "surveyapp worker: the RQ worker ended" in worker_log
    )
    # The reset email was kept in the outbox while its job could not be queued: the next tick sends it, once.
    services_up.cli("tick")
    messages = services_up.wait_for_mail(mails_before + 1)
    to_researcher = [m for m in messages[mails_before:] if "researcher@demo.example" in str(m["To"])]
    assert len(to_researcher) == 1


def test_stack_smtp_down_invitations_wait_in_the_outbox_and_each_is_sent_once_after(services_up: Stack):
    contacts = services_up.folder / "smtp-down.csv"
    emails = [f"smtp-down-{n}@kempenretail.example" for n in range(3)]
    contacts.write_text(
        "account,email,name,role,language,side\n"
        + "".join(f"Kempen Retail,{email},Smtp {n},Buyer,en,client\n" for n, email in enumerate(emails))
    )
    services_up.cli("import", "contacts", "--study", "brightline-2026", str(contacts))

    with services_up.smtp.down():
        services_up.cli("invitations", "send", "--study", "brightline-2026")
        services_up.cli("tick")
        time.sleep(2)  # the worker's delivery job finds the server gone
        waiting = services_up.rows(
            "SELECT recipient, status FROM outbox_messages WHERE recipient LIKE 'smtp-down-%%' ORDER BY recipient"
        )
    # A minute passes (the retry delay after an outage), then cron's tick runs again.
    services_up.execute(
        "UPDATE outbox_messages SET next_attempt_at = now() WHERE recipient LIKE 'smtp-down-%%'"
    )
    services_up.cli("tick")
    deadline = time.monotonic() + 120
    received: list[str] = []
    while time.monotonic() < deadline:
        received = [str(m["To"]) for m in services_up.mail.handler.messages() if "smtp-down-" in str(m["To"])]
        if len(received) >= 3:
            break
        time.sleep(0.2)
    time.sleep(1)  # anything sent twice would arrive now
    received = [str(m["To"]) for m in services_up.mail.handler.messages() if "smtp-down-" in str(m["To"])]

    assert [status for _, status in waiting] == ["pending"] * 3
    assert sorted(address for address in emails if any(address in to for to in received)) == sorted(emails)
    assert len(received) == 3
    assert services_up.rows(
        "SELECT DISTINCT status FROM outbox_messages WHERE recipient LIKE 'smtp-down-%%'"
    ) == [("sent",)]


def test_stack_log_never_holds_a_personal_link_token(services_up: Stack):
    respondent = invite(services_up, "logged")
    token = respondent.link.rsplit("/", 1)[1]
    fakes = {f"/{route}/{'secret' + route.replace('-', '') + 'TOKEN1234567890'}" for route in
             ("opt-out", "deal-check", "set-password")}  # fmt: skip
    log_before = len(services_up.log())

    with services_up.postgres.down():
        answers = [services_up.browser().get(path).status for path in (respondent.link, *sorted(fakes))]
    answers.append(services_up.browser().get("/s/secretsTOKEN1234567890-unknown").status)
    log = services_up.log()[log_before:]

    # (a password link is put in the session and redirected to a page without it before any database work)
    assert answers[:4] == [503, 503, 503, 302]
    assert token not in services_up.log()
    assert not re.search(r"secret\w*TOKEN1234567890", log)
    assert "/s/…" in log
    assert "database unavailable on GET /s/…" in log
