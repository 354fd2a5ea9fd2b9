"""The act screen's "What the analysis says": rule 17's headline marks, rule 20's staff advice beside the
quadrant's proposal, and rule 18's outside view of that advice for an account team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from surveyapp.enums import Perspective, Phase, Role, Side
from surveyapp.studies import scope
from tests.act.conftest import SWAYED, account_id
from tests.dashboard.conftest import dashboard_study, facts, row, tables  # noqa: F401
from tests.reporting.studies import add_response

INDICATIVE = "† (indicative)"


def advise(db, study, account, options):
    """Staff members who answer only the advice question about `account`, one option each."""
    when = datetime(2026, 10, 20, 9, tzinfo=UTC)
    for number, option in enumerate(options):
        contact = scope.add_contact(
            session=db.session, study=study, side=Side.SUPPLIER, email=f"staff{number}@brightline.example",
            name=f"Staff {number}", account_id=None, actor=None,
        )  # fmt: skip
        when += timedelta(hours=1)
        add_response(
            db.session, study, contact, account, Perspective.SUPPLIER, {"staff_advice": option}, when
        )  # fmt: skip
    db.session.commit()


def _page(client, study, account):
    return client.get(f"/studies/{study.slug}/act/accounts/{account}").get_data(as_text=True)


def test_act_page_marks_the_headline_and_puts_the_staff_advice_beside_the_proposal(
    db, client, login, act_study, researcher
):
    # Arrange: two clients and one staff rater; two more staff members give their advice
    study = act_study()
    swayed = account_id(db, SWAYED)
    advise(db, study, swayed, ["realign", "realign"])
    login(researcher)

    # Act
    shown = facts(_page(client, study, swayed))

    # Assert
    assert shown["Quadrant"] == f"Customer swayed{INDICATIVE}"
    assert shown["Overall fit"] == (
        f"client 87.4{INDICATIVE}, supplier 25.4{INDICATIVE}, gap +61.8{INDICATIVE} "
        "(over the 8 dimensions both rated) Client respondents: 2; staff raters: 1."
    )
    assert shown["NPS"] == f"1 promoter, 1 passive of 2{INDICATIVE}"
    assert shown["Proposed decision"] == "Realign"
    assert shown["The staff's own advice"] == (
        "Continue 0 · Realign 2 · Exit 0 · Don't know 0 (2 staff members) (identifiable)"
    )


def test_act_page_withholds_the_advice_of_two_staff_members_from_the_account_team(
    db, client, login, act_study, make_user
):
    # Arrange
    study = act_study()
    swayed = account_id(db, SWAYED)
    advise(db, study, swayed, ["realign", "exit"])
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    # Act
    html = _page(client, study, swayed)

    # Assert
    assert facts(html)["The staff's own advice"] == (
        "Withheld to protect the team: 2 staff members advised; the advice is shown from 3 staff members on."
    )
    assert "Realign 1" not in html and "Exit 1" not in html


def test_act_page_shows_the_account_team_the_advice_of_three_staff_members(
    db, client, login, act_study, make_user
):
    # Arrange
    study = act_study()
    swayed = account_id(db, SWAYED)
    advise(db, study, swayed, ["realign", "exit", "unsure"])
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    # Act
    shown = facts(_page(client, study, swayed))

    # Assert
    assert (
        shown["The staff's own advice"] == "Continue 0 · Realign 1 · Exit 1 · Don't know 1 (3 staff members)"
    )


def test_act_page_says_when_nobody_advised_and_marks_a_borderline_quadrant(
    db,
    client,
    login,
    researcher,
    dashboard_study,  # noqa: F811
):
    # Arrange: Beta Zorg's client overall fit (62.4) lies within 5 points of the threshold of 60
    built = dashboard_study(phase=Phase.ACT)
    login(researcher)

    # Act
    html = _page(client, built.study, built.accounts["Beta Zorg"])

    # Assert
    shown = facts(html)
    assert shown["Quadrant"] == f"Customer swayed{INDICATIVE} borderline"
    assert shown["The staff's own advice"] == "No staff member has advised on this account yet."
    assert "Borderline: an overall fit lies less than 5 points from the fit threshold of 60" in html


def test_act_overview_marks_indicative_and_borderline_quadrants(
    db,
    client,
    login,
    researcher,
    dashboard_study,  # noqa: F811
):
    # Arrange
    built = dashboard_study(phase=Phase.ACT)
    login(researcher)

    # Act
    html = client.get(f"/studies/{built.study.slug}/act").get_data(as_text=True)

    # Assert: an incomplete account has no quadrant to read with caution
    undecided = tables(html)["No decision yet"]
    assert row(undecided, "Beta Zorg")[1:3] == [f"Customer swayed{INDICATIVE} borderline", "Realign"]
    assert row(undecided, "Alpha Zorg")[1] == f"Match{INDICATIVE}"
    assert row(undecided, "Delta Retail")[1] == "Incomplete"
    assert "† Indicative: fewer than 3 respondents on a side" in html
    assert "Borderline: an overall fit lies less than 5 points from the fit threshold of 60" in html
