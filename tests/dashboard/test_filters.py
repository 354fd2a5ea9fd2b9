"""Filters by segment and respondent role: GET parameters, bad values answered with a clear message."""

from __future__ import annotations

import pytest

from surveyapp.enums import Role
from tests.dashboard.conftest import row, tables

BUYER = "I am responsible for purchasing or the contract"


@pytest.fixture
def researcher(login, make_user):
    return login(make_user(Role.RESEARCHER, all_suppliers=True))


def test_dashboard_segment_filter_restricts_accounts_and_counts(client, researcher, dashboard_study):
    # Arrange
    built = dashboard_study()

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard?segment=Care")

    # Assert
    assert response.status_code == 200
    page = tables(response.get_data(as_text=True))
    assert [cells[1] for cells in page["Accounts in the fit matrix"][1:]] == ["Alpha Zorg", "Beta Zorg"]
    quadrants = {cells[0]: cells[2] for cells in page["Accounts per quadrant"][1:]}
    assert quadrants == {
        "Match": "1",
        "Customer swayed": "1",
        "Blind spot": "0",
        "Misfit": "0",
        "Incomplete": "0",
    }
    needs = row(page["Portfolio per dimension"], "Needs match")
    assert needs[1].endswith("n = 2 (indicative)")
    assert needs[2].endswith("n = 2 (indicative)")
    assert page["Portfolio per dimension"][0] == ["Dimension", "Client", "Supplier", "Gap"]
    assert row(page["Invited and completed per side"], "Client")[2] == "4"
    assert row(page["Client's view by respondent role"], "Needs match")[1].endswith("n = 4")


def test_dashboard_role_filter_shows_that_role_beside_all(client, researcher, dashboard_study):
    # Arrange
    built = dashboard_study()

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard?role=buyer")

    # Assert
    assert response.status_code == 200
    page = tables(response.get_data(as_text=True))
    assert page["Client's view by respondent role"][0] == ["Dimension", "All roles", BUYER]
    assert page["Supplier's view by respondent role"][0] == ["Dimension", "All roles"]  # buyers are clients


def test_dashboard_role_filter_for_respondents_without_role(client, researcher, dashboard_study):
    # Arrange
    built = dashboard_study()

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard?role=__none__")

    # Assert
    page = tables(response.get_data(as_text=True))
    assert page["Client's view by respondent role"][0] == ["Dimension", "All roles", "Role not given"]
    assert row(page["Client's view by respondent role"], "Needs match")[2].endswith("n = 1 (identifiable)")


@pytest.mark.parametrize(
    "query",
    ["segment=Nowhere", "role=Astronaut", "segment=%00", "segment=Care&role=" + "x" * 500],
)
def test_dashboard_bad_filter_value_gets_clear_message(client, researcher, dashboard_study, query):
    # Arrange
    built = dashboard_study()

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard?{query}")

    # Assert
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is no such choice in this study. Choose one from the list." in html
    assert len(tables(html)["Accounts in the fit matrix"]) == 5  # unfiltered: header and four accounts


def test_dashboard_segment_filter_value_is_escaped(client, researcher, dashboard_study):
    # Arrange
    built = dashboard_study()

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard?segment=<script>x</script>")

    # Assert
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>x</script>" not in html
