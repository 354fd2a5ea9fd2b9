"""The study page: the respondents' progress per questionnaire, and the brief as the lead last submitted."""

from __future__ import annotations

from surveyapp.enums import Perspective, Phase, Purpose, Role
from surveyapp.questionnaires.runtime import catalogue
from tests.responses.conftest import ABOUT, FIT, LOYALTY, filled, text_of
from tests.studies.conftest import make_study, ready_study  # noqa: F401


def rows_of(page: str) -> str:
    start = page.index('<section aria-labelledby="responses-heading">')
    return page[start : page.index("</section>", start)]


def test_study_page_counts_invited_opened_in_progress_and_completed(
    db, survey_study, make_invitation, respondent, make_user, login, app
):
    setup = survey_study()
    ben = make_invitation(setup.study, setup.ben, setup.globex_id)
    anna = make_invitation(setup.study, setup.anna, setup.acme_id)
    anna.opened_at = anna.created_at
    db.session.commit()
    finished = respondent(ben)
    for section, data in (("about", ABOUT), ("fit", FIT), ("loyalty", LOYALTY)):
        finished.save(section, data)
    finished.submit()
    respondent(anna, target=app.test_client()).save("about", ABOUT)
    researcher = app.test_client()
    login(make_user(), target=researcher)

    section = rows_of(text_of(researcher.get(f"/studies/{setup.study.slug}")))

    assert (
        '<td class="num">2</td><td class="num">1</td>\n      <td class="num">1</td><td class="num">1</td>'
        in section
    )
    assert f'href="/studies/{setup.study.slug}/preview/all-types"' in section


def test_study_page_shows_the_brief_once_the_lead_submitted_it(
    db, survey_study, make_invitation, respondent, make_user, login, app
):
    setup = survey_study()
    invitation = make_invitation(
        setup.study, setup.sam, None, perspective=Perspective.NONE, purpose=Purpose.BRIEF
    )
    lead = respondent(invitation)
    intake = catalogue().questionnaires["intake"]
    researcher = app.test_client()
    login(make_user(), target=researcher)
    url = f"/studies/{setup.study.slug}"
    before = text_of(researcher.get(url))
    for section in intake.sections:
        data = filled(section)
        if section.key == "goals":
            data.update(
                {"q-goal_main": "Find out <why> clients leave", "q-decisions": ["per_account", "service"]}
            )
        lead.save(section.key, data)
    lead.submit()

    after = text_of(researcher.get(url))

    assert "The study lead has not answered the brief yet." in before
    assert "Answered by Sam Staff on" in after
    assert "<dt>Why do you want this study done now?</dt>" in after
    assert "Find out &lt;why&gt; clients leave" in after
    assert (
        "Choose per client: continue, realign or part ways, Decide what to improve in our services" in after
    )


def test_study_page_brief_in_progress_and_hidden_from_account_teams(
    db, survey_study, make_invitation, respondent, make_user, login, app
):
    setup = survey_study()
    invitation = make_invitation(
        setup.study, setup.sam, None, perspective=Perspective.NONE, purpose=Purpose.BRIEF
    )
    respondent(invitation).save("goals", {"q-goal_main": "Growth"})
    researcher = app.test_client()
    login(make_user(), target=researcher)
    setup.study.phase = Phase.ANALYSE
    db.session.commit()
    team = app.test_client()
    login(make_user(role=Role.ACCOUNT_TEAM, suppliers=[setup.study.supplier]), target=team)

    staff_page = text_of(researcher.get(f"/studies/{setup.study.slug}"))
    team_page = text_of(team.get(f"/studies/{setup.study.slug}"))

    assert "Sam Staff has started the brief but not submitted it yet." in staff_page
    assert 'id="brief-heading"' not in team_page
    assert 'id="responses-heading"' in team_page
    assert "/preview/" not in team_page
