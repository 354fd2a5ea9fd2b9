"""Who sees the dashboard: researchers of the supplier; account teams of the supplier from analyse on, read-only,
never the responses list; everyone else gets 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.dashboard.services import DashboardAccess, access_of
from surveyapp.enums import Perspective, Phase, Role
from surveyapp.interviews.models import Interview, InterviewChannel, InterviewStatus
from surveyapp.responses.models import Answer, Response
from surveyapp.studies.models import Contact
from tests.dashboard.conftest import tables

RESPONSES_LIST = "The responses behind these numbers"
COMMENTARY_FORM = 'action="/studies/fit-2026/dashboard'


def _urls(built):
    slug = built.study.slug
    return (
        f"/studies/{slug}/dashboard",
        f"/studies/{slug}/dashboard/accounts/{built.accounts['Alpha Zorg']}",
    )


def test_dashboard_researcher_sees_responses_and_commentary_form(
    client, login, make_user, make_supplier, dashboard_study
):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier)
    login(make_user(Role.RESEARCHER, suppliers=[supplier]))
    study_url, account_url = _urls(built)

    # Act
    study_page = client.get(study_url)
    account_page = client.get(account_url)

    # Assert
    assert (study_page.status_code, account_page.status_code) == (200, 200)
    assert RESPONSES_LIST in account_page.get_data(as_text=True)
    assert 'name="text"' in study_page.get_data(as_text=True)
    assert 'name="text"' in account_page.get_data(as_text=True)


def test_dashboard_account_team_reads_without_responses_list(
    client, login, make_user, make_supplier, dashboard_study
):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier, phase=Phase.ACT)
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[supplier]))
    study_url, account_url = _urls(built)

    # Act
    study_page = client.get(study_url)
    account_page = client.get(account_url)

    # Assert
    assert (study_page.status_code, account_page.status_code) == (200, 200)
    account_html = account_page.get_data(as_text=True)
    assert RESPONSES_LIST not in account_html
    assert "a1@alpha.example" not in account_html
    assert 'name="text"' not in account_html
    assert 'name="text"' not in study_page.get_data(as_text=True)


@pytest.mark.parametrize("phase", [Phase.PREPARE, Phase.INTERVIEW])
def test_dashboard_account_team_before_analyse_gets_404(
    client, login, make_user, make_supplier, dashboard_study, phase
):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier, phase=phase)
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[supplier]))

    # Act
    responses = [client.get(url) for url in _urls(built)]

    # Assert
    assert [r.status_code for r in responses] == [404, 404]


def test_dashboard_account_team_of_other_supplier_gets_404(
    client, login, make_user, make_supplier, dashboard_study
):
    # Arrange
    built = dashboard_study(supplier=make_supplier("Brightline"))
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[make_supplier("Competitor")]))

    # Act
    responses = [client.get(url) for url in _urls(built)]

    # Assert
    assert [r.status_code for r in responses] == [404, 404]


def test_dashboard_researcher_of_other_supplier_gets_404(
    client, login, make_user, make_supplier, dashboard_study
):
    # Arrange
    built = dashboard_study(supplier=make_supplier("Brightline"))
    login(make_user(Role.RESEARCHER, suppliers=[make_supplier("Competitor")]))

    # Act
    responses = [client.get(url) for url in _urls(built)]
    posted = client.post_form(f"/studies/{built.study.slug}/dashboard/commentary", {"text": "x"})

    # Assert
    assert [r.status_code for r in responses] == [404, 404]
    assert posted.status_code == 404


@pytest.mark.parametrize(
    ("role", "phase", "expected"),
    [
        (Role.RESEARCHER, Phase.PREPARE, DashboardAccess.FULL),
        (Role.ADMIN, Phase.INTERVIEW, DashboardAccess.FULL),
        (Role.ACCOUNT_TEAM, Phase.PREPARE, DashboardAccess.NONE),
        (Role.ACCOUNT_TEAM, Phase.INTERVIEW, DashboardAccess.NONE),
        (Role.ACCOUNT_TEAM, Phase.ANALYSE, DashboardAccess.READ),
        (Role.ACCOUNT_TEAM, Phase.ACT, DashboardAccess.READ),
        (Role.SALES, Phase.ACT, DashboardAccess.NONE),
    ],
)
def test_access_of_role_and_phase(make_user, make_supplier, make_study, role, phase, expected):
    # Arrange
    supplier = make_supplier("Brightline")
    study = make_study(supplier=supplier)
    study.phase = phase
    user = make_user(role, suppliers=[] if role in (Role.RESEARCHER, Role.ADMIN) else [supplier])

    # Act
    access = access_of(user, study)

    # Assert
    assert access is expected


def test_dashboard_sales_user_gets_404(client, login, make_user, make_supplier, dashboard_study):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier)
    login(make_user(Role.SALES, suppliers=[supplier]))

    # Act
    responses = [client.get(url) for url in _urls(built)]

    # Assert
    assert [r.status_code for r in responses] == [404, 404]


def test_dashboard_anonymous_is_sent_to_login(client, dashboard_study):
    # Arrange
    built = dashboard_study()

    # Act
    response = client.get(_urls(built)[0])

    # Assert
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_dashboard_account_outside_scope_gets_404(client, login, make_user, make_supplier, dashboard_study):
    # Arrange
    built = dashboard_study(supplier=make_supplier("Brightline"))
    other = dashboard_study(supplier=make_supplier("Competitor"), slug="other-2026")
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard/accounts/{other.accounts['Alpha Zorg']}")

    # Assert
    assert response.status_code == 404


def test_study_page_links_dashboard_from_analyse_on(
    client, db, login, make_user, make_supplier, dashboard_study
):
    # Arrange
    supplier = make_supplier("Brightline")
    built = dashboard_study(supplier=supplier, phase=Phase.INTERVIEW)
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    link = f'href="/studies/{built.study.slug}/dashboard"'

    # Act
    before = client.get(f"/studies/{built.study.slug}").get_data(as_text=True)
    built.study.phase = Phase.ANALYSE
    db.session.commit()
    after = client.get(f"/studies/{built.study.slug}").get_data(as_text=True)

    # Assert
    assert link not in before
    assert link in after


def test_account_page_links_back_to_dashboard(client, login, make_user, dashboard_study):
    # Arrange
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = client.get(_urls(built)[1]).get_data(as_text=True)

    # Assert
    assert f'href="/studies/{built.study.slug}/dashboard"' in html


def test_dashboard_scores_outside_the_fit_model_get_clear_page(db, client, login, make_user, dashboard_study):
    # Arrange: an answer scored in a dimension the fit model does not declare
    built = dashboard_study()
    response = db.session.scalars(select(Response).where(Response.study_id == built.study.id)).first()
    db.session.add(Answer(response_id=response.id, item_key="odd", score=50.0, dimension="unknown_dimension"))
    db.session.commit()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    pages = [client.get(url) for url in _urls(built)]

    # Assert
    assert [page.status_code for page in pages] == [409, 409]
    html = pages[0].get_data(as_text=True)
    assert "The analysis cannot be shown" in html
    assert "surveyapp analysis rescore --study fit-2026 --repin" in html


def test_account_responses_list_links_interviews(db, client, login, make_user, dashboard_study):
    # Arrange: a2's response was entered in a completed interview
    built = dashboard_study()
    alpha = built.accounts["Alpha Zorg"]
    response = db.session.scalars(
        select(Response)
        .join(Contact)
        .where(Response.account_id == alpha, Contact.email == "a2@alpha.example")
    ).one()
    interview = Interview(
        study_id=built.study.id,
        contact_id=response.contact_id,
        account_id=alpha,
        perspective=Perspective.CLIENT,
        language="en",
        scheduled_at=response.submitted_at,
        channel=InterviewChannel.PHONE,
        status=InterviewStatus.COMPLETED,
        consent_participate=True,
        started_at=response.submitted_at,
        ended_at=response.submitted_at,
        response_id=response.id,
        ics_uid="dashboard-test@surveyapp",
    )
    db.session.add(interview)
    db.session.commit()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = client.get(_urls(built)[1]).get_data(as_text=True)

    # Assert
    listed = tables(html)["Responses about Alpha Zorg"]
    assert [cells[0] for cells in listed[1:]] == ["Eva", "A2 (interview)", "A1"]
    assert f'<a href="/interviews/{interview.id}">A2' in html
