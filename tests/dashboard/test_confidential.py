"""Rule 18 on the dashboard, read by an account team over HTTP: role groups by the questionnaire's role question,
small groups withheld (with what would give them away), team energy per account withheld below the threshold;
researchers see the same cells marked identifiable."""

from __future__ import annotations

from surveyapp.enums import Role
from tests.dashboard.conftest import row, tables

CLIENTS = "Client's view by respondent role"
STAFF = "Supplier's view by respondent role"
ALL_WITHHELD = "Every role group on this side has fewer than 3 respondents, or would give such a group away"


def as_account_team(login, make_user, built):
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[built.study.supplier]))


def test_confidential_portfolio_withholds_small_role_groups_from_account_teams(
    client, login, make_user, dashboard_study
):
    # Arrange: client roles over all accounts — three decision makers, two buyers, one without an answer
    built = dashboard_study()
    as_account_team(login, make_user, built)

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True)

    # Assert
    needs = row(tables(html)[CLIENTS], "Needs match")
    assert needs[1].endswith("n = 6")  # all roles: the pooled total stays
    assert (needs[2], needs[3]) == ("withheld", "withheld")  # role not given (1), buyers (2)
    assert needs[4].endswith("n = 3")  # decision makers
    assert "identifiable" not in html
    assert "“Withheld”: a group of fewer than 3 respondents" in html


def test_confidential_one_small_group_takes_the_next_smallest_along(
    client, login, make_user, dashboard_study
):
    # Arrange: at Alpha Zorg one director and one buyer answered; the buyer's filter shows buyers beside all
    built = dashboard_study()
    as_account_team(login, make_user, built)
    alpha = built.accounts["Alpha Zorg"]

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard/accounts/{alpha}").get_data(as_text=True)

    # Assert: every client group is withheld, so the page says so instead of a table of blanks
    assert CLIENTS not in tables(html)
    assert ALL_WITHHELD in html


def test_confidential_account_page_withholds_team_energy_of_one_rater(
    client, login, make_user, dashboard_study
):
    # Arrange: one staff member rated Alpha Zorg
    built = dashboard_study()
    as_account_team(login, make_user, built)
    alpha = built.accounts["Alpha Zorg"]

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard/accounts/{alpha}").get_data(as_text=True)

    # Assert
    energy = row(tables(html)["Scores and gaps per dimension"], "Team energy")
    assert energy[2] == "withheld n = 1"
    assert (
        "Team energy: shown per account only when at least 3 staff members rated it. 1 rated this account"
        in (" ".join(html.split()))
    )


def test_confidential_researchers_see_small_groups_marked_identifiable(
    client, login, make_user, dashboard_study
):
    # Arrange
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    alpha = built.accounts["Alpha Zorg"]

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard/accounts/{alpha}").get_data(as_text=True)

    # Assert
    page = tables(html)
    assert row(page[CLIENTS], "Needs match")[2].endswith("n = 1 (identifiable)")
    assert row(page["Scores and gaps per dimension"], "Team energy")[2].endswith("n = 1 (indicative)")
    assert row(page[STAFF], "Team energy")[1].endswith("n = 1 (identifiable)")
    assert "withheld" not in html
