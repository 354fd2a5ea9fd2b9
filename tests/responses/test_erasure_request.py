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
