"""The dashboard's numbers are the analysis JSON's: the page, the segment view and the role breakdown."""

from __future__ import annotations

import math

from surveyapp.analysis.rounding import round_score
from surveyapp.analysis.service import analysis_document
from surveyapp.dashboard import queries, services
from surveyapp.enums import Language, Perspective, Phase, Role
from surveyapp.reporting.formatting import Formatter
from tests.dashboard.conftest import row, tables

FMT = Formatter("en")


def _marked(text, indicative):
    """A headline figure as the page shows it: rule 17's dagger (read out as "indicative") when indicative."""
    return f"{text}† (indicative)" if indicative else text


def _entry(document, name):
    return next(entry for entry in document["accounts"] if entry["account"] == name)


def test_dashboard_matrix_table_equals_analysis_json(db, client, login, make_user, dashboard_study):
    # Arrange
    built = dashboard_study()
    document = analysis_document(session=db.session, study=built.study)
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard")

    # Assert
    assert response.status_code == 200
    matrix = tables(response.get_data(as_text=True))["Accounts in the fit matrix"]
    for entry in document["accounts"]:
        cells = row(matrix, entry["account"], column=1)
        overall = entry["overall"]
        assert cells[3:6] == [
            _marked(FMT.score(overall["client"]), overall["indicative"] and overall["client"] is not None),
            _marked(
                FMT.score(overall["supplier"]), overall["indicative"] and overall["supplier"] is not None
            ),
            _marked(FMT.gap(overall["gap"]), overall["indicative"] and overall["gap"] is not None),
        ]
    assert [cells[1] for cells in matrix[1:]] == sorted(entry["account"] for entry in document["accounts"])


def test_dashboard_portfolio_table_equals_analysis_json(db, client, login, make_user, dashboard_study):
    # Arrange
    built = dashboard_study()
    document = analysis_document(session=db.session, study=built.study)
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    page = tables(client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True))

    # Assert
    dimensions = page["Portfolio per dimension"][1:]
    assert len(dimensions) == len(document["portfolio"]["dimensions"])
    for cells, expected in zip(dimensions, document["portfolio"]["dimensions"], strict=True):
        client_cell = expected["client"]
        shown = "—" if client_cell is None else f"{FMT.score(client_cell['mean'])} n = {client_cell['n']}"
        assert cells[1] == shown
        assert cells[3] == FMT.gap(expected["gap"])
    quadrants = {cells[0]: cells[2] for cells in page["Accounts per quadrant"][1:]}
    assert quadrants == {
        "Match": "1",
        "Customer swayed": "1",
        "Blind spot": "0",
        "Misfit": "1",
        "Incomplete": "1",
    }
    assert document["portfolio"]["quadrants"] == {
        "match": 1,
        "customer_swayed": 1,
        "blind_spot": 0,
        "misfit": 1,
        "incomplete": 1,
    }
    cost = document["portfolio"]["cost_of_mismatch"]
    assert cost["nonbillable_hours"] == 1500.0
    assert row(page["Accounts behind the cost of mismatch"], "Beta Zorg")[4] == "500.0"


def test_dashboard_coverage_equals_sum_of_account_counts(db, client, login, make_user, dashboard_study):
    # Arrange
    built = dashboard_study()
    document = analysis_document(session=db.session, study=built.study)
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    page = tables(client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True))

    # Assert
    completed = sum(entry["responses"]["client"]["completed"] for entry in document["accounts"])
    assert row(page["Invited and completed per side"], "Client")[2] == str(completed)
    assert completed == 6
    assert row(page["Completed responses by mode"], "Import")[1] == "9"


def test_segment_portfolio_over_all_accounts_equals_analysis_json(db, dashboard_study):
    # Arrange
    built = dashboard_study()
    analysis = services.load_analysis(session=db.session, study=built.study, language="en")

    # Act
    portfolio = services.segment_portfolio(analysis, set(built.accounts.values()))

    # Assert
    expected = analysis.document["portfolio"]
    assert portfolio.quadrants == expected["quadrants"]
    assert portfolio.dimensions == [
        {"key": row["key"], "client": row["client"], "supplier": row["supplier"], "gap": row["gap"]}
        for row in expected["dimensions"]
    ]


def test_segment_portfolio_one_account_equals_its_account_cells(db, dashboard_study):
    # Arrange
    built = dashboard_study()
    analysis = services.load_analysis(session=db.session, study=built.study, language="en")
    entry = _entry(analysis.document, "Gamma Industrie")

    # Act
    portfolio = services.segment_portfolio(analysis, {built.accounts["Gamma Industrie"]})

    # Assert
    assert portfolio.quadrants["misfit"] == 1
    assert sum(portfolio.quadrants.values()) == 1
    for cells, expected in zip(portfolio.dimensions, entry["dimensions"], strict=True):
        for side in ("client", "supplier"):
            shown = None if expected[side] is None else {**expected[side]}
            if shown is not None:
                del shown["sd"]
                shown["n"] = 1  # one account
            assert cells[side] == shown
        assert cells["gap"] == expected["gap"]


def test_role_breakdown_all_roles_equals_account_cells(db, dashboard_study):
    # Arrange
    built = dashboard_study()
    analysis = services.load_analysis(session=db.session, study=built.study, language="en")

    for name, account_id in built.accounts.items():
        # Act
        table = services.role_table(
            session=db.session, study=built.study, analysis=analysis, account_ids={account_id}, language="en"
        )

        # Assert
        entry = _entry(analysis.document, name)
        for perspective in ("client", "supplier"):
            shown = {r["key"]: r["cells"][None] for r in table.rows[perspective]}
            expected = {
                d["key"]: {
                    "mean": d[perspective]["mean"],
                    "n": d[perspective]["n"],
                    "indicative": d[perspective]["indicative"],
                    # rule 18: team energy of one account from fewer than three staff, marked for researchers
                    **(
                        {"identifiable": True}
                        if (perspective, d["key"]) == ("supplier", "team_energy") and d[perspective]["n"] < 3
                        else {}
                    ),
                }
                for d in entry["dimensions"]
                if d[perspective] is not None
            }
            assert shown == expected


def test_role_breakdown_pools_respondents_over_accounts(db, dashboard_study):
    # Arrange
    built = dashboard_study()
    groups = queries.role_groups(session=db.session, study=built.study, language="en")
    per_account = {
        account_id: queries.role_breakdown(
            session=db.session, study=built.study, groups=groups, account_ids={account_id}
        )
        for account_id in built.accounts.values()
    }

    # Act
    pooled = queries.role_breakdown(session=db.session, study=built.study, groups=groups)

    # Assert: the Directors (one per account in three accounts) pool to the mean of their three scores
    directors = [
        cell
        for cells in per_account.values()
        for cell in cells
        if cell.role == "decision_maker"
        and cell.perspective is Perspective.CLIENT
        and cell.dimension == "needs_match"
    ]
    [both] = [
        cell
        for cell in pooled
        if cell.role == "decision_maker"
        and cell.perspective is Perspective.CLIENT
        and cell.dimension == "needs_match"
    ]
    assert [cell.n for cell in directors] == [1, 1, 1]
    assert both.n == 3
    assert round_score(both.mean) == round_score(math.fsum(cell.mean for cell in directors) / 3)
    all_n = [
        cell.n
        for cell in pooled
        if cell.role is None and cell.perspective is Perspective.CLIENT and cell.dimension == "needs_match"
    ]
    assert all_n == [6]


def test_role_breakdown_marks_small_groups(db, client, login, make_user, dashboard_study):
    # Arrange
    built = dashboard_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    page = tables(client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True))

    # Assert
    clients = page["Client's view by respondent role"]
    assert clients[0] == [
        "Dimension",
        "All roles",
        "Role not given",
        "I am responsible for purchasing or the contract",
        "I decide, or help decide, on the relationship",
    ]
    assert page["Supplier's view by respondent role"][0] == [
        "Dimension",
        "All roles",
        "I am responsible for the client (for example as account manager)",
        "I work on the client's work myself",
    ]
    needs = row(clients, "Needs match")
    assert needs[2].endswith("n = 1 (identifiable)")
    assert needs[3].endswith("n = 2 (identifiable)")
    assert needs[4].endswith("n = 3")
    assert needs[1].endswith("n = 6")


def test_dashboard_drift_and_growing_apart_equal_analysis_json(db, client, login, make_user, dashboard_study):
    # Arrange: the previous wave's clients were one scale point happier
    previous = dashboard_study(slug="fit-2025", title="Client fit 2025", phase=Phase.ACT, shift=1)
    built = dashboard_study(supplier=previous.study.supplier, previous=previous.study)
    document = analysis_document(session=db.session, study=built.study)
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True)

    # Assert
    drift = tables(html)["Drift per account"]
    apart = sorted(e["account"] for e in document["accounts"] if e["drift"] and e["drift"]["growing_apart"])
    assert apart == [
        "Beta Zorg",
        "Delta Retail",
        "Gamma Industrie",
    ]  # Alpha's clients were at the top already
    for entry in document["accounts"]:
        if entry["drift"] is None:
            continue
        assert row(drift, entry["account"]) == [
            entry["account"],
            FMT.gap(entry["drift"]["client"]),
            FMT.gap(entry["drift"]["supplier"]),
            FMT.gap(entry["drift"]["gap"]),
            "yes" if entry["drift"]["growing_apart"] else "no",
        ]
    growing = html.split("Growing apart:</strong>")[1].split("</p>")[0]
    assert [name for name in apart if name in growing] == apart


def test_dashboard_numbers_in_dutch_notation(db, client, login, make_user, dashboard_study):
    # Arrange
    built = dashboard_study()
    document = analysis_document(session=db.session, study=built.study)
    login(make_user(Role.RESEARCHER, all_suppliers=True, language=Language.NL))
    beta = _entry(document, "Beta Zorg")["overall"]

    # Act
    html = client.get(f"/studies/{built.study.slug}/dashboard").get_data(as_text=True)

    # Assert
    dutch = Formatter("nl")
    assert '<html lang="nl">' in html
    assert beta["indicative"]
    assert f'<td class="num">{dutch.score(beta["client"])}<span class="dash-dagger"' in html
    assert f'<td class="num">{dutch.gap(beta["gap"])}<span class="dash-dagger"' in html
    assert "," in dutch.score(beta["client"])
