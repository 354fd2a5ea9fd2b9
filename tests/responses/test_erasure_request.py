"""Issue 23: the erasure route promised to respondents leads somewhere — a page from their personal link, whose
request waits on the privacy admin page until an admin erases the contact."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.enums import InvitationStatus, Phase, Role
from surveyapp.invitations.models import Invitation
from surveyapp.privacy.models import ErasureRequest
from surveyapp.studies.models import Contact
from tests.responses.conftest import ABOUT, text_of
from tests.studies.conftest import make_study, ready_study  # noqa: F401

NOTE = 'Please remove me <script>alert("x")</script>'


def requests_of(db):
    db.session.expire_all()
    return db.session.scalars(select(ErasureRequest).order_by(ErasureRequest.id)).all()


def test_erasure_request_from_the_link_lands_on_the_privacy_page_and_erasing_closes_it(
    db, app, survey_study, make_invitation, respondent, make_user, login
):
    # Arrange: Ben has his survey open; an admin in another browser
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)
    admin = app.test_client()
    login(make_user(Role.ADMIN), target=admin)

    # Act
    page = browser.get("/erasure")
    asked = browser.post("/erasure", {"note": NOTE})
    listing = admin.get("/admin/privacy").get_data(as_text=True)
    overview = admin.post_form("/admin/privacy/contact", {"email": "ben@globex.example"})
    erased = admin.post_form(
        "/admin/privacy/erase", {"email": "ben@globex.example", "confirm": "ben@globex.example"}
    )

    # Assert: the promise on the page, the request listed (escaped), closed and its note blanked by the erasure
    assert page.status_code == 200
    assert (
        "Your answers to the closed questions stay in the results without anything that identifies you."
        in (text_of(page))
    )
    assert asked.status_code == 200
    assert "Your request has been received." in text_of(asked)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in listing
    assert "<script>alert" not in listing
    assert "ben@globex.example" in listing
    assert (overview.status_code, erased.status_code) == (200, 302)
    [request] = requests_of(db)
    assert request.handled_at is not None
    assert request.note == ""
    assert "Erasure requests" not in admin.get("/admin/privacy").get_data(as_text=True)


def test_erasure_request_stops_email_to_the_contact(db, survey_study, make_invitation, respondent):
    # Arrange
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)

    # Act
    browser.post("/erasure", {"note": ""})

    # Assert
    contact = db.session.get(Contact, setup.ben.id)
    assert contact.opted_out_at is not None
    assert db.session.get(Invitation, invitation.id).status is InvitationStatus.OPTED_OUT
    assert [r.note for r in requests_of(db)] == [""]


def test_erasure_request_works_after_the_survey_closed_and_asking_twice_keeps_one(
    db, survey_study, make_invitation, respondent
):
    # Arrange: the study is being analysed
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)
    setup.study.phase = Phase.ANALYSE
    db.session.commit()

    # Act
    first = browser.post("/erasure", {"note": "First."})
    again = browser.post("/erasure", {"note": "Second."})

    # Assert
    assert (first.status_code, again.status_code) == (200, 200)
    assert [(r.note, r.handled_at) for r in requests_of(db)] == [("Second.", None)]


def test_erasure_request_note_too_long_is_refused_and_kept(db, survey_study, make_invitation, respondent):
    # Arrange
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    typed = "x" * 2001

    # Act
    refused = browser.post("/erasure", {"note": typed})

    # Assert
    assert refused.status_code == 422
    assert "Field cannot be longer than 2000 characters." in text_of(refused)
    assert typed in refused.get_data(as_text=True)
    assert requests_of(db) == []


def test_erasure_request_needs_the_personal_link(db, client, survey_study, make_invitation):
    # Arrange: a browser that never followed Ben's link
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)

    # Act
    response = client.post_form(f"/survey/{invitation.id}/erasure", {"note": "Not me."})

    # Assert
    assert response.status_code == 404
    assert requests_of(db) == []


def test_survey_pages_link_to_erasure_and_say_reply_only_when_replies_arrive(
    db, make_app, survey_study, make_invitation, respondent
):
    # Arrange: one app without any reply address, one with the operator's default
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    silent = respondent(invitation, target=make_app().test_client())
    replying = respondent(invitation, target=make_app(MAIL_REPLY_TO="research@agency.example").test_client())
    claim = "Questions about this survey? Reply to the email that brought you here."

    # Act
    without, with_reply = silent.get(), replying.get()

    # Assert
    assert f'href="/survey/{invitation.id}/erasure"' in without.get_data(as_text=True)
    assert claim not in text_of(without)
    assert claim in text_of(with_reply)


def _emailed_link(db, invitation) -> str:
    """The personal link the invitation's email carried (tokens are stored hashed)."""
    from surveyapp.invitations.models import InvitationToken
    from surveyapp.invitations.tokens import new_token, token_hash

    link = new_token()
    token = db.session.scalar(select(InvitationToken).where(InvitationToken.invitation_id == invitation.id))
    token.token_hash = token_hash(link)
    db.session.commit()
    return link


def test_erasure_request_from_a_link_past_its_deadline(db, client, survey_study, make_invitation):
    # Arrange: the deadline has passed; Ben follows the link from his email
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    link = _emailed_link(db, invitation)
    invitation.status = InvitationStatus.EXPIRED
    db.session.commit()

    # Act
    landing = client.get(f"/s/{link}")
    page = client.get(f"/s/{link}/erasure")
    token = client.csrf_token()
    asked = client.post(f"/s/{link}/erasure", data={"csrf_token": token, "note": NOTE})

    # Assert
    assert landing.status_code == 410
    assert f'href="/s/{link}/erasure"' in landing.get_data(as_text=True)
    assert page.status_code == 200
    assert asked.status_code == 200
    assert "Your request has been received." in text_of(asked)
    [request] = requests_of(db)
    assert (request.contact_id, request.note) == (setup.ben.id, NOTE)
    assert db.session.get(Contact, setup.ben.id).opted_out_at is not None


def test_erasure_request_offered_after_opting_out(db, client, survey_study, make_invitation):
    # Arrange
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    link = _emailed_link(db, invitation)

    # Act
    opted = client.post(f"/opt-out/{link}")
    landing = client.get(f"/s/{link}")

    # Assert
    assert opted.status_code == 200
    assert f'href="/s/{link}/erasure"' in opted.get_data(as_text=True)
    assert f'href="/s/{link}/erasure"' in landing.get_data(as_text=True)
    assert client.get(f"/s/{link}/erasure").status_code == 200


def test_erasure_request_refused_for_a_replaced_or_unknown_link(db, client, survey_study, make_invitation):
    # Arrange: Ben's link was replaced (it may have gone to a wrong address)
    from surveyapp.db import utcnow
    from surveyapp.invitations.models import InvitationToken

    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    link = _emailed_link(db, invitation)
    token = db.session.scalar(select(InvitationToken).where(InvitationToken.invitation_id == invitation.id))
    token.revoked_at = utcnow()
    db.session.commit()

    # Act
    landing = client.get(f"/s/{link}")
    replaced = client.get(f"/s/{link}/erasure")
    unknown = client.get("/s/not-a-real-link-at-all-0000000000/erasure")

    # Assert
    assert (landing.status_code, replaced.status_code, unknown.status_code) == (410, 410, 404)
    assert "/erasure" not in landing.get_data(as_text=True)
    assert requests_of(db) == []
