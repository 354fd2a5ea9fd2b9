"""The researcher's preview: any questionnaire of a study, walked as a respondent would, `{account}` filled
in; answers live only in the browser session; staff only, scoped to the researcher's suppliers."""

from __future__ import annotations

from surveyapp.enums import Language, Role
from surveyapp.invitations.models import Invitation, InvitationEvent
from surveyapp.responses.models import Answer, Response, ResponseSubmission
from tests.responses.conftest import ABOUT, FIT, LOYALTY, checked, count, location, text_of
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def base(setup, slug: str = "all-types") -> str:
    return f"/studies/{setup.study.slug}/preview/{slug}"


def test_preview_walks_every_page_and_stores_nothing(db, survey_study, make_user, login, client):
    setup = survey_study()
    login(make_user())
    url = base(setup)

    start = client.get(url)
    saves = [
        client.post_form(f"{url}/page/{key}", {**data, "action": "next"})
        for key, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY))
    ]
    review = client.get(f"{url}/review")
    submitted = client.post_form(f"{url}/submit")
    done = client.get(f"{url}/done")

    assert start.status_code == 200
    assert "Nothing you enter is stored." in text_of(start)
    acme = f"?account={setup.acme_id}"  # the first account in scope, by name
    assert [location(r) for r in saves] == [
        f"{url}/page/fit{acme}",
        f"{url}/page/loyalty{acme}",
        f"{url}/review{acme}",
    ]
    assert "Slow replies." in text_of(review)
    assert location(submitted) == f"{url}/done{acme}"
    assert "This was a preview: nothing has been stored." in text_of(done)
    assert [
        count(db, model) for model in (Response, Answer, ResponseSubmission, Invitation, InvitationEvent)
    ] == [0] * 5


def test_preview_fills_in_the_account_chosen_or_the_first_in_scope(
    db, survey_study, make_user, login, client
):
    setup = survey_study(supplier_name="Brightline")
    login(make_user())

    default = text_of(client.get(base(setup)))
    chosen = text_of(client.get(f"{base(setup)}?account={setup.globex_id}"))
    page = text_of(client.get(f"{base(setup)}/page/about?account={setup.globex_id}"))

    assert "Welcome, Acme BV." in default
    assert "Welcome, Globex." in chosen
    assert f'<option value="{setup.globex_id}" selected>Globex</option>' in chosen
    assert "Since when do you work with Brightline?" in page
    assert f'action="{base(setup)}/page/about?account={setup.globex_id}"' in page


def test_preview_keeps_answers_in_the_session_between_pages(db, survey_study, make_user, login, client):
    setup = survey_study()
    login(make_user())
    url = base(setup)

    client.post_form(f"{url}/page/about", {**ABOUT, "q-name": "A" * 20, "action": "next"})
    page = text_of(client.get(f"{url}/page/about"))
    restarted = text_of(client.get(f"{url}?fresh=1"))

    assert checked(page) == ["q-role-1"]
    assert 'value="AAAAAAAAAAAAAAAAAAAA"' in page
    assert 'href="/studies/' in restarted and "Welcome back." not in restarted


def test_preview_of_the_brief_and_of_the_supplier_questionnaire(db, survey_study, make_user, login, client):
    setup = survey_study(supplier_name="Brightline")
    login(make_user())

    brief = client.get(base(setup, "intake"))
    supplier = client.get(base(setup, "fit-supplier"))

    assert brief.status_code == supplier.status_code == 200
    assert "This intake lays the foundation for the study of Brightline&#39;s client fit." in text_of(brief)


def test_preview_is_staff_only_and_scoped_to_the_researchers_suppliers(
    db, survey_study, make_supplier, make_user, login, client, app
):
    setup = survey_study()
    url = base(setup)
    anonymous = client.get(url)
    login(make_user(role=Role.ACCOUNT_TEAM, suppliers=[setup.study.supplier]))
    team = client.get(url)
    other = app.test_client()
    login(make_user(suppliers=[make_supplier("Competitor")]), target=other)

    assert (anonymous.status_code, "/login" in location(anonymous)) == (302, True)
    assert team.status_code == 404
    assert other.get(url).status_code == 404
    assert other.post_form(f"{url}/page/about", {**ABOUT, "action": "next"}).status_code == 404


def test_preview_unknown_questionnaire_or_account_is_404(db, survey_study, make_user, login, client):
    setup = survey_study()
    login(make_user())

    assert client.get(base(setup, "deal-fit-check")).status_code == 404
    assert client.get(f"{base(setup)}?account=999999").status_code == 404
    assert client.get(f"{base(setup)}/page/nope").status_code == 404


def test_preview_validation_works_as_for_respondents(db, survey_study, make_user, login, client):
    setup = survey_study()
    login(make_user())

    response = client.post_form(f"{base(setup)}/page/about", {"q-name": "Ann", "action": "next"})

    assert response.status_code == 422
    assert '<li><a href="#q-role-0">' in text_of(response)


def test_preview_language_switch_keeps_the_answers(db, survey_study, make_user, login, client):
    setup = survey_study()
    login(make_user(language=Language.EN))
    url = base(setup)

    switched = client.post_form(f"{url}/page/about", {"q-role": "user", "q-name": "Ann", "action": "lang-nl"})
    page = text_of(client.get(f"{url}/page/about"))

    assert location(switched) == f"{url}/page/about?account={setup.acme_id}"
    assert '<html lang="nl">' in page
    assert "Wat is je rol?" in page
    assert checked(page) == ["q-role-1"]


def test_preview_expired_form_token_shows_the_page_again(db, survey_study, make_user, login, client):
    setup = survey_study()
    login(make_user())

    response = client.post(f"{base(setup)}/page/about", data={"q-name": "Typed", "action": "next"})

    assert response.status_code == 400
    assert 'value="Typed"' in text_of(response)
    assert count(db, Response) == 0
