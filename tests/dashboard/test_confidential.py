"""Rule 18 on the dashboard, read by an account team over HTTP: role groups by the questionnaire's role question,
small groups withheld (with what would give them away), team energy per account withheld below the threshold;
researchers see the same cells marked identifiable."""

from __future__ import annotations

from datetime import UTC, datetime

from surveyapp.enums import Perspective, Purpose, Role, Side
from surveyapp.questionnaires.services import load_version
from surveyapp.studies import scope
from tests.dashboard.conftest import answers, row, tables
from tests.reporting.studies import add_response

CLIENTS = "Client's view by respondent role"
BUYER = "I am responsible for purchasing or the contract"
DECIDER = "I decide, or help decide, on the relationship"
STAFF = "Supplier's view by respondent role"
ALL_WITHHELD = (
    "Every role group on this side has fewer than 3 respondents in some account, "
    "or would give such a group away"
)


def as_account_team(login, make_user, built):
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[built.study.supplier]))


def answer_as(db, built, account_id, email, title):
    """One more client of the account, who answers with the role group of `title`."""
    study = built.study
    contact = scope.add_contact(
        session=db.session, study=study, side=Side.CLIENT, email=email, name=email.split("@")[0],
        role=title, account_id=account_id, actor=None,
    )  # fmt: skip
    version = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY).version_id
    questionnaire = load_version(session=db.session, version_id=version)
    add_response(
        db.session, study, contact, account_id, Perspective.CLIENT, answers(questionnaire, 4, 8, title),
        datetime(2026, 10, 20, 9, tzinfo=UTC),
    )  # fmt: skip
    db.session.commit()


def test_confidential_portfolio_withholds_groups_small_in_any_account(
    client, login, make_user, dashboard_study
):
    # Arrange: client roles over all accounts — three decision makers, but one per account; two buyers
    built = dashboard_study()
    as_account_team(login, make_user, built)

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True)

    # Assert: pooled, the decision makers reach three, but each account's table would give its one away;
    # team energy over all accounts would give away the accounts rated by one staff member
    assert CLIENTS not in tables(html)
    assert ALL_WITHHELD in html
    assert "identifiable" not in html
    assert row(tables(html)["Portfolio per dimension"], "Team energy")[2] == "withheld n = 3"
    assert "Team energy over several accounts is withheld while it is withheld for one of them" in html


def test_confidential_groups_large_enough_are_shown_beside_the_account_total(
    db, client, login, make_user, dashboard_study
):
    # Arrange: three more decision makers and three more buyers answer about Alpha Zorg
    built = dashboard_study()
    alpha = built.accounts["Alpha Zorg"]
    for number in range(3):
        for title in ("Director", "Buyer"):
            answer_as(db, built, alpha, f"{title.lower()}{number}@alpha.example", title)
    as_account_team(login, make_user, built)

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard/accounts/{alpha}").get_data(as_text=True)

    # Assert
    clients = tables(html)[CLIENTS]
    assert clients[0] == ["Dimension", "All roles", BUYER, DECIDER]
    needs = row(clients, "Needs match")
    assert [cell.split("n = ")[1] for cell in needs[1:]] == ["8", "4", "4"]


def test_confidential_account_page_says_when_every_role_group_is_withheld(
    client, login, make_user, dashboard_study
):
    # Arrange: at Alpha Zorg one director and one buyer answered
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
