"""Method v2 on the dashboard's pages, over HTTP: rule 17's headline marks (dagger, borderline, NPS answers,
hollow matrix dots), rule 6's like-for-like gap with the cost-to-serve side, rule 11's cost per account and
over the portfolio, rule 12's drift per dimension, rule 20's staff advice (and rule 18's outside view of
it), and the warning signals grouped as the article names them."""

from __future__ import annotations

import base64
import re

from sqlalchemy import select

from surveyapp.analysis.service import analysis_document
from surveyapp.enums import Language, Phase, Role
from surveyapp.reporting.formatting import Formatter
from surveyapp.studies.models import StudyAccount
from tests.dashboard.conftest import answer_more, facts, row, tables

FMT = Formatter("en")
INDICATIVE = "† (indicative)"
BORDERLINE_NOTE = (
    "Borderline: an overall fit lies less than 5 points from the fit threshold of 60, so a small change in answers "
    "could move the account to another quadrant."
)
WITHHELD_ADVICE = (
    "Withheld to protect the team: 2 staff members advised; the advice is shown from 3 staff members on."
)


def _entry(document, name):
    return next(entry for entry in document["accounts"] if entry["account"] == name)


def _account_page(client, built, name):
    return client.get(f"/studies/{built.study.slug}/dashboard/accounts/{built.accounts[name]}").get_data(
        as_text=True
    )


def _matrix_svg(html):
    url = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="Fit matrix', html).group(1)
    return base64.b64decode(url).decode("utf-8")


def _set_revenue(db, built, name, revenue):
    figures = db.session.scalar(
        select(StudyAccount).where(
            StudyAccount.study_id == built.study.id, StudyAccount.account_id == built.accounts[name]
        )
    )
    figures.annual_revenue = revenue
    db.session.commit()


def test_account_page_marks_an_indicative_borderline_headline_and_the_like_for_like_gap(
    db, client, login, make_user, dashboard_study
):
    # Arrange: Beta Zorg has two clients and one staff member; the client's overall fit 62.4 is within 5 of 60
    built = dashboard_study()
    beta = _entry(analysis_document(session=db.session, study=built.study), "Beta Zorg")
    supplier_only = {row["key"]: row["supplier"] for row in beta["dimensions"] if row["client"] is None}
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = _account_page(client, built, "Beta Zorg")

    # Assert
    shown = facts(html)
    assert (beta["overall"]["indicative"], beta["overall"]["borderline"]) == (True, True)
    assert shown["Quadrant"] == (
        f"Customer swayed{INDICATIVE} borderline: The client is content; the supplier pays for it."
    )
    assert shown["Client's overall fit"] == f"62.4{INDICATIVE} n = 2"
    assert shown["Supplier's overall fit"] == f"24.6{INDICATIVE} n = 1"
    assert shown["Overall gap (client − supplier)"] == f"+38.1{INDICATIVE} over the 8 dimensions both rated"
    assert shown["Supplier only (cost to serve)"] == (
        f"Effort in proportion (cost to serve): {FMT.score(supplier_only['effort']['mean'])} n = 1 (indicative); "
        f"Team energy: {FMT.score(supplier_only['team_energy']['mean'])} n = 1 (indicative)"
    )
    assert shown["NPS"] == f"1 promoter, 1 passive of 2{INDICATIVE}"
    assert shown["Proposed decision"] == "Realign"
    assert BORDERLINE_NOTE in html
    assert "† Indicative: fewer than 3 respondents on a side" in html


def test_account_page_headline_without_marks_from_three_respondents_a_side(
    db, client, login, make_user, dashboard_study
):
    # Arrange: Alpha Zorg gets a third client and two more staff members
    built = dashboard_study()
    answer_more(
        db,
        built,
        "Alpha Zorg",
        [
            ("client", "a3@alpha.example", 4, 6, None),
            ("supplier", "sam@supplier.example", 4, 8, "continue"),
            ("supplier", "tess@supplier.example", 4, 8, "continue"),
        ],
    )
    overall = _entry(analysis_document(session=db.session, study=built.study), "Alpha Zorg")["overall"]
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = _account_page(client, built, "Alpha Zorg")

    # Assert: no dagger, and the NPS of three answers is a score again
    shown = facts(html)
    assert (overall["client_n"], overall["supplier_n"], overall["indicative"]) == (3, 3, False)
    assert shown["Quadrant"] == "Match: Both the client and the supplier see a good fit."
    assert shown["Client's overall fit"] == f"{FMT.score(overall['client'])} n = 3"
    assert shown["NPS"] == "33.3 n = 3"
    assert "†" not in html


def test_study_page_marks_headlines_nps_answers_and_hollow_matrix_dots(
    db, client, login, make_user, dashboard_study
):
    # Arrange
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True)

    # Assert
    matrix = tables(html)["Accounts in the fit matrix"]
    assert matrix[0][5] == "Gap (like for like)"
    assert row(matrix, "Alpha Zorg", column=1)[3:] == [
        f"83.1{INDICATIVE}", f"74.2{INDICATIVE}", f"+9.2{INDICATIVE}", f"Match{INDICATIVE}",
        f"2 promoters of 2{INDICATIVE}",
    ]  # fmt: skip
    assert row(matrix, "Beta Zorg", column=1)[6:] == [
        f"Customer swayed{INDICATIVE} borderline",
        f"1 promoter, 1 passive of 2{INDICATIVE}",
    ]
    assert row(matrix, "Gamma Industrie", column=1)[7] == f"1 detractor of 1{INDICATIVE}"
    # an incomplete account has no quadrant to mark; its one overall fit is marked
    assert row(matrix, "Delta Retail", column=1)[3:8] == [
        f"49.9{INDICATIVE}", "—", "—", "Incomplete", f"1 passive of 1{INDICATIVE}"
    ]  # fmt: skip
    assert BORDERLINE_NOTE in html
    assert "A hollow dot is an account with indicative figures: fewer than 3 respondents on a side." in html
    svg = _matrix_svg(html)
    assert svg.count('fill="#ffffff" stroke="#1d2330"') == 3  # Alpha, Beta and Gamma; Delta has no dot
    assert 'fill="#1d2330" stroke="#ffffff"' not in svg


def test_account_cost_in_hours_matching_clients_and_revenue_in_the_readers_locale(
    db, client, login, make_user, dashboard_study
):
    # Arrange: the one matching account (Alpha Zorg, 1,000 effort hours, 10% not billable) earns 250,000 a year
    built = dashboard_study()
    _set_revenue(db, built, "Alpha Zorg", 250000)
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = _account_page(client, built, "Beta Zorg")
    login(make_user(Role.RESEARCHER, all_suppliers=True, language=Language.NL, email="nl@agency.example"))
    dutch = facts(_account_page(client, built, "Beta Zorg"))

    # Assert: 2,000 − 1,500 = 500 not billable; 500 − 10% × 2,000 = 300 beyond; 300 / 1,000 × 250,000
    english = facts(html)
    assert {key: english[key] for key in list(english)[-7:]} == {
        "Effort hours": "2,000.0",
        "Billable hours": "1,500.0",
        "Non-billable hours": "500.0",
        "Non-billable share of a matching client": "10%",
        "Hours beyond what a matching client costs": "300.0",
        "Equivalent matching clients": "0.3",
        "Revenue forgone": "€75,000",
    }
    assert (
        "Beyond what a matching client costs, this account took 300.0 hours: the energy to serve 0.3 matching "
        "clients, worth about €75,000 in revenue a year." in " ".join(html.split())
    )
    assert (dutch["Gemiste omzet"], dutch["Niet-declarabele uren"]) == ("€ 75.000", "500,0")


def test_account_cost_says_why_a_figure_is_missing(db, client, login, make_user, dashboard_study):
    # Arrange: no account has an annual revenue; Delta Retail has no hour figures
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    beta = facts(_account_page(client, built, "Beta Zorg"))
    delta = _account_page(client, built, "Delta Retail")

    # Assert
    assert beta["Revenue forgone"] == "not available: no matching account has an annual revenue above zero"
    assert beta["Equivalent matching clients"] == "0.3"
    assert (
        "Effort and billable hours are not known for this account, so what it costs cannot be computed."
        in delta
    )


def test_study_page_cost_of_mismatch_with_baseline_share_and_revenue_forgone(
    db, client, login, make_user, dashboard_study
):
    # Arrange
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    without = facts(client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True))
    _set_revenue(db, built, "Alpha Zorg", 250000)

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True)

    # Assert: Beta 300 and Gamma 700 hours beyond a matching client; 1,000 / 1,000 hours = 1.0 client
    shown = facts(html)
    assert without["Revenue forgone"] == "not available: no matching account has an annual revenue above zero"
    assert {key: shown[key] for key in list(shown)[:6]} == {
        "Hours beyond billable": "1,500.0",
        "Non-billable share of a matching client": "10%",
        "Hours beyond what matching clients cost": "1,000.0",
        "Median effort of a matching account": "1,000.0",
        "Equivalent matching clients": "1.0",
        "Revenue forgone": "€250,000",
    }
    costs = tables(html)["Accounts behind the cost of mismatch"]
    assert costs[0][5] == "Hours beyond a matching client"
    assert row(costs, "Gamma Industrie")[2:] == ["3,000.0", "2,000.0", "1,000.0", "700.0"]
    assert row(costs, "Alpha Zorg")[2:] == ["1,000.0", "900.0", "100.0", "—"]


def test_account_page_drift_per_dimension_marks_growing_apart(db, client, login, make_user, dashboard_study):
    # Arrange: the previous wave's clients were one scale point happier
    previous = dashboard_study(slug="fit-2025", title="Client fit 2025", phase=Phase.ACT, shift=1)
    built = dashboard_study(supplier=previous.study.supplier, previous=previous.study)
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    alpha = tables(_account_page(client, built, "Alpha Zorg"))["Drift per dimension"]
    beta = tables(_account_page(client, built, "Beta Zorg"))["Drift per dimension"]

    # Assert
    assert alpha[0] == ["Dimension", "Client", "Supplier", "Gap change", "Growing apart"]
    assert row(alpha, "Needs match") == ["Needs match", "-12.5", "0.0", "-12.5", "—"]
    assert row(alpha, "Mutual value") == ["Mutual value", "-15.6", "0.0", "-15.6", "growing apart"]
    assert row(beta, "Effort in proportion (cost to serve)") == [
        "Effort in proportion (cost to serve)", "—", "0.0", "—", "—"
    ]  # fmt: skip
    assert len(beta) == 11  # the header and the ten dimensions


def test_staff_advice_beside_the_proposal_marked_for_researchers_withheld_for_account_teams(
    db, client, login, make_user, dashboard_study
):
    # Arrange: two staff members advise on Alpha Zorg (fewer than confidential_min_n = 3)
    built = dashboard_study()
    answer_more(
        db,
        built,
        "Alpha Zorg",
        [
            ("supplier", "sam@supplier.example", 4, 8, "continue"),
            ("supplier", "tess@supplier.example", 4, 8, "realign"),
        ],
    )
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    researcher = facts(_account_page(client, built, "Alpha Zorg"))
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[built.study.supplier]))

    # Act
    html = _account_page(client, built, "Alpha Zorg")

    # Assert
    assert researcher["Proposed decision"] == "Continue"
    assert researcher["The staff's own advice"] == (
        "Continue 1 · Realign 1 · Exit 0 · Don't know 0 (2 staff members) (identifiable)"
    )
    assert facts(html)["The staff's own advice"] == WITHHELD_ADVICE
    assert "Realign 1" not in html


def test_account_team_sees_the_staff_advice_from_three_advisers(
    db, client, login, make_user, dashboard_study
):
    # Arrange
    built = dashboard_study()
    answer_more(
        db,
        built,
        "Beta Zorg",
        [
            ("supplier", "sam@supplier.example", 2, 5, "realign"),
            ("supplier", "tess@supplier.example", 2, 5, "realign"),
            ("supplier", "uri@supplier.example", 2, 5, "exit"),
        ],
    )
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[built.study.supplier]))

    # Act
    shown = facts(_account_page(client, built, "Beta Zorg"))

    # Assert
    assert (
        shown["The staff's own advice"] == "Continue 0 · Realign 2 · Exit 1 · Don't know 0 (3 staff members)"
    )


def test_signals_grouped_as_the_article_names_them_with_who_agreed(
    db, client, login, make_user, dashboard_study
):
    # Arrange: Gamma Industrie's client and staff member both score low
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = _account_page(client, built, "Gamma Industrie")

    # Assert: the article's groups in its order, each a table of statement, side, who agreed, n
    found = tables(html)
    groups = [name for name in found if name in (
        "Runs of small errors", "Workarounds and work outside the agreement", "Fear and reluctance",
        "Cost to serve", "Other signals",
    )]  # fmt: skip
    assert groups == [
        "Runs of small errors",
        "Workarounds and work outside the agreement",
        "Fear and reluctance",
        "Cost to serve",
    ]
    assert found["Fear and reluctance"][0] == ["Statement", "Side", "Agreed", "n"]
    assert row(found["Fear and reluctance"], "I enjoy working for Gamma Industrie.") == [
        "I enjoy working for Gamma Industrie.", "Supplier", f"0 of 1 agreed{INDICATIVE}", "1",
    ]  # fmt: skip
    assert [cells[1:] for cells in found["Runs of small errors"][1:]] == [
        ["Supplier", f"1 of 1 agreed{INDICATIVE}", "1"],
        ["Client", f"1 of 1 agreed{INDICATIVE}", "1"],
    ]
    assert len(found["Workarounds and work outside the agreement"]) == 1 + 5
    assert "Warning signals: signal questions" not in html


def test_account_team_signals_leave_out_team_energy_of_one_rater(
    db, client, login, make_user, dashboard_study
):
    # Arrange
    built = dashboard_study()
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[built.study.supplier]))

    # Act
    found = tables(_account_page(client, built, "Gamma Industrie"))

    # Assert: energy_1 and energy_2 (team energy, one staff rater) are withheld; risk_2 stays
    assert [cells[2] for cells in found["Fear and reluctance"][1:]] == [f"1 of 1 agreed{INDICATIVE}"]


def test_account_team_drift_per_dimension_withholds_team_energy(
    db, client, login, make_user, dashboard_study
):
    # Arrange: one staff member rated Alpha Zorg in each wave
    previous = dashboard_study(slug="fit-2025", title="Client fit 2025", phase=Phase.ACT, shift=1)
    built = dashboard_study(supplier=previous.study.supplier, previous=previous.study)
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[built.study.supplier]))

    # Act
    html = _account_page(client, built, "Alpha Zorg")

    # Assert
    drift = tables(html)["Drift per dimension"]
    assert row(drift, "Team energy") == ["Team energy", "—", "withheld", "—", "—"]
    assert row(drift, "Mutual value") == ["Mutual value", "-15.6", "0.0", "-15.6", "growing apart"]
    assert "Team energy: the change since the previous wave is withheld to protect the team" in html
