"""The whole survey through the Flask client: every question type, show_if on the server, not applicable,
scores equal to the engine's, the invitation's history, and one batch of statements per page."""

from __future__ import annotations

from sqlalchemy import event, select

from surveyapp.enums import InvitationStatus, Perspective, Purpose, ResponseMode
from surveyapp.questionnaires.types import score_answers
from surveyapp.responses.models import COMPLETED, Answer, Response
from tests.responses.conftest import (
    ABOUT,
    ALL_TYPES,
    FIT,
    LOYALTY,
    events,
    location,
    stored,
    submissions,
    text_of,
    the_response,
)
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def test_flow_every_question_type_is_stored_scored_and_completed(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    browser = respondent(invitation)

    start = browser.get()
    first = browser.save("about", ABOUT)
    second = browser.save("fit", FIT)
    third = browser.save("loyalty", LOYALTY)
    review = browser.get("/review")
    submitted = browser.submit()
    done = browser.get("/done")

    response = the_response(db)
    expected = {
        "role": "user", "since": "2019-05-01", "hours": "12.5", "name": "Ann",
        "needs": "4", "workarounds": "2", "contact": "monthly", "channels": "mail|phone",
        "recommend": "6", "statements.clear": "3", "statements.late": "NA", "why": "Slow replies.",
        "consent": "yes",
    }  # fmt: skip
    assert (start.status_code, "Welcome, Globex." in text_of(start)) == (200, True)
    assert [location(r) for r in (first, second, third)] == [
        f"{browser.base}/page/fit", f"{browser.base}/page/loyalty", f"{browser.base}/review",
    ]  # fmt: skip
    assert review.status_code == 200
    assert (submitted.status_code, location(submitted)) == (303, f"/survey/{invitation.id}/done")
    assert "Your answers have been sent" in text_of(done)
    assert stored(db) == dict(sorted(expected.items()))
    assert (response.status, response.mode, response.perspective) == (
        COMPLETED,
        ResponseMode.SURVEY,
        Perspective.CLIENT,
    )
    assert (
        response.questionnaire_version_id
        == setup.study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY).version_id
    )
    assert (response.contact_id, response.account_id, response.language) == (
        setup.ben.id,
        setup.globex_id,
        "en",
    )
    assert [s.answers for s in submissions(db)] == [expected]
    assert [status for status, _ in events(db, invitation.id)] == ["started", "completed"]
    assert db.session.get(type(invitation), invitation.id).status == InvitationStatus.COMPLETED


def test_flow_scores_dimensions_and_weights_equal_the_engine(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY)):
        browser.save(section, data)

    rows = db.session.scalars(select(Answer).order_by(Answer.item_key)).all()
    engine = score_answers(ALL_TYPES, {row.item_key: row.value for row in rows})
    assert {row.item_key: row.score for row in rows if row.score is not None} == {
        k: v.score for k, v in engine.items()
    }
    assert {row.item_key: (row.dimension, row.weight) for row in rows} == {
        item.key: (item.dimension, item.weight)
        for item in ALL_TYPES.items
        if item.key in {row.item_key for row in rows}
    }
    assert [(row.item_key, row.not_applicable) for row in rows if row.not_applicable] == [
        ("statements.late", True)
    ]


def test_flow_page_shows_texts_with_placeholders_progress_and_no_hidden_question(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study(supplier_name="Brightline")
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    page = text_of(browser.page("about"))

    assert "Since when do you work with Brightline?" in page
    assert "Page 1 of 2" in page
    assert '<progress class="r-progress-bar" max="2" value="1" aria-labelledby="progress-label">' in page
    assert 'name="q-hours"' not in page  # hidden until the role is buyer or user


def test_flow_answer_on_the_page_reveals_a_question_and_the_page_comes_back(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    saved = browser.save("about", {"q-role": "buyer"})
    again = browser.get(location(saved).removeprefix(browser.base))

    assert location(saved) == f"{browser.base}/page/about"
    assert 'name="q-hours"' in text_of(again)
    assert "Your answers brought up more questions on this page." in text_of(again)
    assert stored(db) == {"role": "buyer"}


def test_flow_show_if_hides_a_page_and_drops_its_stored_answers(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", {**ABOUT, "q-role": "user"})
    browser.save("fit", FIT)

    # As a browser sends it: text inputs always come along, empty or not.
    changed = browser.save("about", {"q-role": "other", "q-since": "", "q-name": "Ann"})
    hidden = browser.page("fit")

    assert location(changed) == f"{browser.base}/page/loyalty"  # the fit page is skipped for "other"
    assert (hidden.status_code, location(hidden)) == (303, f"{browser.base}/page/loyalty")
    assert stored(db) == {"name": "Ann", "role": "other"}
    assert "Page 1 of 2" in text_of(browser.page("about"))


def test_flow_show_if_paths_on_the_fit_page(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", {"q-role": "buyer"})
    browser.save("about", {"q-role": "buyer", "q-hours": "3"})

    # contact: needs >= 3 and not buyer -> hidden for a buyer; channels: needs answered or workarounds <= 2.
    buyer = browser.save("fit", {"q-needs": "5", "q-contact": "weekly", "q-channels": ["portal"]})
    as_buyer = stored(db)
    browser.save("about", {"q-role": "user", "q-hours": "3"})
    user = browser.save(
        "fit", {"q-needs": "NA", "q-workarounds": "5", "q-contact": "weekly", "q-channels": "mail"}
    )

    assert location(buyer) == f"{browser.base}/page/loyalty"
    assert {k: as_buyer.get(k) for k in ("needs", "contact", "channels")} == {
        "needs": "5", "contact": None, "channels": "portal",
    }  # fmt: skip
    # needs "not applicable": contact hidden (a comparison with NA is false), channels hidden (NA: no answer).
    assert location(user) == f"{browser.base}/page/loyalty"
    assert {k: v for k, v in stored(db).items() if k in ("needs", "workarounds", "contact", "channels")} == {
        "needs": "NA", "workarounds": "5",
    }  # fmt: skip


def test_flow_not_applicable_for_every_type_that_offers_it(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    browser.save("about", {"q-role": "user", "na-since": "y", "na-hours": "y"})
    browser.save("fit", {"q-needs": "3", "q-contact": "unsure", "q-channels": "NA"})
    browser.save("loyalty", {"q-recommend": "9", "q-statements-clear": "NA", "q-statements-late": "NA"})

    rows = {a.item_key: (a.value, a.not_applicable, a.score) for a in db.session.scalars(select(Answer))}
    assert rows == {
        "role": ("user", False, None), "since": ("NA", True, None), "hours": ("NA", True, None),
        "needs": ("3", False, 50.0), "contact": ("unsure", False, None), "channels": ("NA", True, None),
        "recommend": ("9", False, 90.0), "statements.clear": ("NA", True, None),
        "statements.late": ("NA", True, None),
    }  # fmt: skip


def test_flow_answers_to_hidden_questions_are_ignored(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", {"q-role": "other"})

    browser.save(
        "loyalty", {"q-recommend": "10", "q-why": "sneaked in", "q-consent": "yes", "q-when": "2030-01-01"}
    )
    hidden_page = browser.save("fit", {"q-needs": "5"})

    assert stored(db) == {"recommend": "10", "role": "other"}
    assert hidden_page.status_code == 303
    assert db.session.scalar(select(Response.current_section)) == "_review"


def test_flow_one_batch_of_statements_per_page_whatever_the_number_of_answers(
    db, app, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", {"q-role": "user"})
    writes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if (
            statement.lstrip()
            .upper()
            .startswith(("INSERT INTO ANSWERS", "DELETE FROM ANSWERS", "UPDATE ANSWERS"))
        ):
            writes.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        browser.save("fit", FIT)
        browser.save("loyalty", LOYALTY)
        browser.save("about", {"q-role": "other", "q-since": "", "q-name": ""})  # hides the whole fit page
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert writes == ["INSERT", "INSERT", "DELETE", "INSERT"]
    assert stored(db) == {
        "consent": "yes", "recommend": "6", "role": "other", "statements.clear": "3", "statements.late": "NA",
        "why": "Slow replies.",
    }  # fmt: skip


def test_flow_start_page_of_a_staff_survey_says_the_minutes_for_this_account(
    db, survey_study, make_invitation, respondent
):
    # Arrange: Sam rates Acme BV with fit-supplier, which states 9 minutes
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.sam, setup.acme_id, perspective=Perspective.SUPPLIER)

    # Act
    start = respondent(invitation).get()

    # Assert
    assert start.status_code == 200
    assert "It takes about 9 minutes for this account." in text_of(start)
