"""Cross-site request forgery and safe methods, over the whole URL map: every route that accepts POST, PUT,
PATCH or DELETE refuses a request without a valid CSRF token with 400, and changes nothing; the only exemption
is the opt-out, whose token is the proof (RFC 8058 one-click unsubscribe). And no GET changes anything, except
that opening a personal link records that it was opened."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.extensions import db
from tests.security import crawl

# The only state-changing route that takes no CSRF token: mail providers POST `List-Unsubscribe=One-Click`.
CSRF_EXEMPT = {"links.opt_out"}
# What opening a personal link may change: the invitation's status and time of opening, and its history.
# A download of personal data is written to the audit log before it is sent (who took which data out): a
# record of the read, not a change of anything the application shows or decides on.
DOWNLOAD_AUDIT = {"study.export", "prospects.exported"}
OPENED_COLUMNS = {
    "invitations.status",
    "invitations.opened_at",
    "invitations.updated_at",
    "invitation_events.(rows)",
}


@pytest.fixture(scope="module")
def app(database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with crawl.demo_app(database_url, tmp_path_factory.mktemp("csrf")) as application:
        yield application


@pytest.fixture(scope="module")
def browsers(app: Flask) -> dict[str, Any]:
    """Who may use each route: the admin, and for the survey pages a respondent who opened the personal link."""
    values = crawl.object_values(rendered_report=False)
    respondent = app.test_client()
    landed = respondent.get(crawl.personal_link(values["common"]["invitation_id"]))
    assert landed.status_code == 302
    return {"values": values, "admin": crawl.logged_in(app, "admin@demo.example"), "respondent": respondent}


def unsafe_requests(app: Flask, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(endpoint, method, address) for every state-changing method of every route, with real objects."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in crawl.unsafe_rules(app):
        known = {**crawl.values_for(values, rule.endpoint), "token": crawl.random_token()}
        arguments = {name: known[name] for name in rule.arguments}
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            found.append((rule.endpoint, method, adapter.build(rule.endpoint, arguments, method=method)))
    return found


def test_csrf_protection_is_on_for_the_app(app, browsers):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
    assert len(unsafe_requests(app, browsers["values"])) > 50


@pytest.mark.parametrize("token", ["missing", "another session's"])
def test_csrf_every_state_changing_route_refuses_a_request_without_a_valid_token(app, browsers, token):
    # Arrange: no token, or a valid one for someone else's session (a page the attacker loaded himself)
    forged = app.test_client().csrf_token()
    before = crawl.snapshot()

    # Act
    statuses = {}
    for endpoint, method, address in unsafe_requests(app, browsers["values"]):
        client = browsers["respondent" if endpoint.startswith("responses.survey") else "admin"]
        data = {"name": "forged", "csrf_token": forged} if token != "missing" else {"name": "forged"}
        headers = {"X-CSRFToken": forged} if token != "missing" else {}
        statuses[(endpoint, method)] = client.open(
            address, method=method, data=data, headers=headers
        ).status_code

    # Assert
    assert {key: status for key, status in statuses.items() if status != 400} == {
        (endpoint, "POST"): 404 for endpoint in CSRF_EXEMPT
    }
    assert crawl.changed_cells(before, crawl.snapshot()) == set()


def test_csrf_the_one_click_opt_out_works_without_a_token(app):
    # Arrange: the exemption exists for this request, so it must keep working
    from surveyapp.enums import Side
    from surveyapp.invitations.models import Invitation
    from surveyapp.studies.models import Contact

    invitation = db.session.scalars(
        select(Invitation).join(Contact).where(Contact.side == Side.CLIENT).order_by(Invitation.id.desc())
    ).first()
    token = crawl.personal_link(invitation.id).removeprefix("/s/")

    # Act
    response = app.test_client().post(f"/opt-out/{token}", data={"List-Unsubscribe": "One-Click"})

    # Assert
    assert response.status_code == 200
    assert db.session.get(Contact, invitation.contact_id).opted_out_at is not None


def test_csrf_no_get_changes_anything_but_an_opened_personal_link(app, browsers):
    # Arrange
    from surveyapp.enums import InvitationStatus
    from surveyapp.invitations.models import Invitation
    from surveyapp.studies.models import Study

    invitation = db.session.scalars(
        select(Invitation)
        .join(Study, Study.id == Invitation.study_id)
        .where(
            Study.slug == crawl.DEMO_FOLLOW_UP,
            Invitation.status == InvitationStatus.SENT,
            Invitation.opened_at.is_(None),
            Invitation.id != browsers["values"]["common"]["invitation_id"],
        )
        .order_by(Invitation.id)
    ).first()
    link = crawl.personal_link(invitation.id)
    browsers = [crawl.logged_in(app, email) for email in ("admin@demo.example", "accountteam@demo.example")]
    respondent = app.test_client()
    before = crawl.snapshot()

    # Act
    pages = [crawl.crawl(client, app, ["/"], limit=300, per_pattern=1).pages for client in browsers]
    survey = crawl.crawl(respondent, app, [link], limit=30, per_pattern=1).pages

    # Assert
    assert sum(len(found) for found in pages) > 40
    assert {page.endpoint for page in survey} >= {"links.landing", "responses.survey_start"}
    after = crawl.snapshot()
    assert crawl.changed_cells(before, after) - {"audit_events.(rows)"} <= OPENED_COLUMNS
    assert {row["action"] for row in crawl.new_rows(before, after, "audit_events")} <= DOWNLOAD_AUDIT
    assert db.session.get(Invitation, invitation.id).opened_at is not None
