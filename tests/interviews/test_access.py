"""Who may see interviews: staff of the supplier only; everyone else gets 404 (never 403), a visitor the
login page."""

from __future__ import annotations

import pytest

from surveyapp.enums import Role
from tests.interviews.conftest import answers_of


def _urls(interview, work):
    return [
        ("get", f"/interviews/{interview.id}"),
        ("get", f"/interviews/{interview.id}/continue"),
        ("get", f"/interviews/{interview.id}/topics/needs"),
        ("get", f"/interviews/{interview.id}/guide"),
        ("get", f"/interviews/{interview.id}/complete"),
        ("get", f"/studies/{work.study.slug}/interviews"),
        ("get", f"/studies/{work.study.slug}/interviews/accounts/{work.acme_id}"),
        ("post", f"/interviews/{interview.id}/topics/needs"),
        ("post", f"/interviews/{interview.id}/start"),
        ("post", f"/interviews/{interview.id}/cancel"),
        ("post", f"/interviews/{interview.id}/complete"),
        ("post", f"/interviews/{interview.id}/autosave"),
        ("post", f"/studies/{work.study.slug}/interviews"),
    ]


@pytest.mark.parametrize("who", ["other_supplier_researcher", "account_team"])
def test_access_other_people_get_404_everywhere(
    db, client, login, make_user, make_supplier, fieldwork, researcher, started, who
):
    # Arrange
    work = fieldwork()
    interview = started(work, researcher)
    if who == "account_team":
        user = make_user(Role.ACCOUNT_TEAM, email="team@supplier.example", suppliers=[work.study.supplier])
    else:
        user = make_user(
            Role.RESEARCHER, email="other@agency.example", suppliers=[make_supplier("Competitor")]
        )
    login(user)

    # Act
    statuses = [
        (
            client.get(url)
            if method == "get"
            else client.post_form(url, {"q-needs_1": "4", "section": "needs", "question": "needs_1"})
        ).status_code
        for method, url in _urls(interview, work)
    ]

    # Assert
    assert statuses == [404] * len(statuses)
    assert answers_of(db, interview) == {}


def test_access_account_team_has_no_interview_list(db, client, login, make_user, fieldwork):
    # Arrange
    work = fieldwork()
    login(make_user(Role.ACCOUNT_TEAM, email="team@supplier.example", suppliers=[work.study.supplier]))

    # Act
    response = client.get("/interviews")

    # Assert
    assert response.status_code == 404


def test_access_a_visitor_is_sent_to_log_in(db, client, fieldwork, researcher, started):
    # Arrange
    interview = started(fieldwork(), researcher)

    # Act
    response = client.get(f"/interviews/{interview.id}/topics/needs")

    # Assert
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_access_a_researcher_of_the_supplier_may_open_a_colleagues_interview(
    db, client, login, make_user, fieldwork, researcher, started
):
    # Arrange
    work = fieldwork()
    interview = started(work, researcher)
    login(make_user(Role.RESEARCHER, email="cas@agency.example", suppliers=[work.study.supplier]))

    # Act
    response = client.get(f"/interviews/{interview.id}/topics/needs")

    # Assert
    assert response.status_code == 200
