"""Validation and hostile input: 422 with an error summary and the typed input kept; values outside the scale
or the options; tampered fields; very long text; NUL bytes and unreadable characters refused clearly; emoji
and right-to-left text stored exactly and shown escaped; an expired form token mid-survey."""

from __future__ import annotations

import secrets
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from surveyapp.responses.models import Response
from tests.responses.conftest import ABOUT, CSRF_INPUT, FIT, count, location, stored, text_of
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def test_validation_missing_required_answer_is_422_with_summary_and_input_kept(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    response = browser.save("about", {"q-since": "2020-02-29", "q-name": "Ann <b>"})
    page = text_of(response)

    assert response.status_code == 422
    assert "<title>Error: About you" in page
    assert '<div class="q-error-summary" role="alert"' in page
    assert '<li><a href="#q-role-0"><span class="q-error-summary-question">What is your role?</span>' in page
    assert '<p class="q-error" id="error-role">' in page
    assert 'value="Ann &lt;b&gt;"' in page
    assert 'name="q-since" type="date" value="2020-02-29"' in page
    assert count(db, Response) == 0


def test_validation_values_outside_the_scale_or_options_are_refused(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)

    outside = browser.save("fit", {**FIT, "q-needs": "9"})
    unknown = browser.save("fit", {**FIT, "q-contact": "daily"})
    channels = browser.save("fit", {**FIT, "q-channels": ["mail", "fax"]})
    not_applicable_not_offered = browser.save("fit", {**FIT, "q-workarounds": "NA"})

    assert [r.status_code for r in (outside, unknown, channels, not_applicable_not_offered)] == [422] * 4
    assert all("Choose one of the options shown." in text_of(r) for r in (outside, unknown, channels))
    assert "needs" not in stored(db)


def test_validation_typed_number_and_date_problems(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    too_many = browser.save("about", {**ABOUT, "q-hours": "81"})
    not_a_date = browser.save("about", {**ABOUT, "q-since": "31-12-2020"})
    both = browser.save("about", {**ABOUT, "na-hours": "y"})

    assert [r.status_code for r in (too_many, not_a_date, both)] == [422] * 3
    assert "Enter a number of at most 80." in text_of(too_many)
    assert 'value="81"' in text_of(too_many)
    assert "Enter a date as YYYY-MM-DD, such as 2025-03-31." in text_of(not_a_date)
    assert "Give an answer or tick &#39;not applicable&#39;, not both." in text_of(both)
    assert count(db, Response) == 0


def test_validation_back_does_not_require_answers_but_refuses_invalid_ones(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    invalid = browser.save("about", {"q-role": "user", "q-hours": "lots"}, action="back")
    fine = browser.save("about", {"q-hours": "3"}, action="back")

    assert invalid.status_code == 422
    assert (fine.status_code, stored(db)) == (303, {})  # hours is hidden without a role: nothing to store


def test_validation_tampered_hidden_fields_are_ignored(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    response = browser.save("about", {**ABOUT, "return_to": "https://evil.example/", "action": "delete-all"})
    other_page = browser.save("about", {**ABOUT, "q-needs": "5", "q-recommend": "10"})

    assert location(response) == f"{browser.base}/page/fit"
    assert location(other_page) == f"{browser.base}/page/fit"
    assert stored(db) == {"hours": "12.5", "name": "Ann", "role": "user", "since": "2019-05-01"}


def test_validation_one_megabyte_of_text_is_a_length_error_not_a_crash(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    huge = "x" * (1024 * 1024)

    response = browser.save("about", {**ABOUT, "q-name": huge})

    assert response.status_code == 422
    assert "Use at most 20 characters (now 1048576)." in text_of(response)
    assert len(response.get_data()) < 200_000
    assert count(db, Response) == 0


def test_validation_body_over_the_size_limit_is_413_on_the_respondent_page(
    make_app, db, survey_study, make_invitation, respondent
):
    app = make_app(MAX_CONTENT_LENGTH=512 * 1024)
    with app.app_context():
        setup = survey_study()
        client = app.test_client()
        browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id), target=client)

        response = browser.save("about", {**ABOUT, "q-name": "x" * (600 * 1024)})

        assert response.status_code == 413
        assert "Your answer is too long" in text_of(response)


def test_validation_nul_bytes_are_refused_with_a_clear_message(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    text = browser.save("about", {**ABOUT, "q-name": "An\x00n"})
    radio = browser.save("about", {**ABOUT, "q-role": "user\x00"})

    assert (text.status_code, radio.status_code) == (422, 422)
    assert "Remove the invisible NUL character from your answer: it cannot be stored." in text_of(text)
    assert "Remove the invisible NUL character" in text_of(radio)
    assert count(db, Response) == 0


def test_validation_lone_surrogates_and_unreadable_characters_are_refused(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    token = browser.client.csrf_token()
    raw = f"csrf_token={token}&action=next&q-role=user&q-name=A%ED%A0%80n".encode()

    escaped = browser.client.post(
        f"{browser.base}/page/about", data=raw, content_type="application/x-www-form-urlencoded"
    )
    replaced = browser.save("about", {**ABOUT, "q-name": "A\ufffdn"})

    assert (escaped.status_code, replaced.status_code) == (422, 422)
    for response in (escaped, replaced):
        assert "Your answer contains a character that could not be read" in text_of(response)
    assert count(db, Response) == 0


def test_validation_emoji_and_right_to_left_text_are_stored_exactly_and_shown_escaped(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    why = "Fijn 👍🏽 שלום عليكم \u202etxt.exe <script>alert(1)</script> & ' \""
    browser.save("about", ABOUT)
    browser.save("fit", FIT)

    browser.save("loyalty", {"q-recommend": "3", "q-why": why})
    review = text_of(browser.get("/review"))

    assert stored(db)["why"] == why
    assert "<script>alert(1)</script>" not in review
    assert (
        "Fijn 👍🏽 שלום عليكم \u202etxt.exe &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39; &#34;" in review
    )


def _expired_token(client) -> str:
    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 9 * 3600

    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", secrets.token_hex(20))
    serializer = URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token", signer=LongAgo)
    return serializer.dumps(raw)


def test_validation_expired_form_token_brings_the_page_back_with_the_answers_to_confirm(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    data = {**ABOUT, "q-name": "Typed before lunch", "csrf_token": _expired_token(browser.client)}

    expired = browser.save("about", data)
    page = text_of(expired)
    fresh = CSRF_INPUT.search(page).group(1)
    confirmed = browser.save("about", {**data, "csrf_token": fresh})

    assert expired.status_code == 400
    assert "your answers on it have not been saved yet. Check them and press the button again" in page
    assert 'value="Typed before lunch"' in page
    assert fresh != data["csrf_token"]
    assert confirmed.status_code == 303
    assert stored(db)["name"] == "Typed before lunch"


def test_validation_expired_token_on_submit_shows_the_review_again(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)

    response = browser.post("/submit", {"csrf_token": _expired_token(browser.client)})

    assert response.status_code == 400
    assert "Check your answers before you submit them" in text_of(response)
    assert count(db, Response, Response.status == "completed") == 0


def test_validation_missing_form_token_saves_nothing(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    response = browser.client.post(f"{browser.base}/page/about", data={**ABOUT, "action": "next"})

    assert response.status_code == 400
    assert 'value="Ann"' in text_of(response)
    assert count(db, Response) == 0
