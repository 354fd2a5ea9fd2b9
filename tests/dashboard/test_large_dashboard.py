"""The dashboard of a large study (issue 22): the account tables are paged and combine with the filters; the
fit matrix merges near dots above 200 accounts instead of drawing a numbered dot per account."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from surveyapp.analysis.charts import FitPoint
from surveyapp.dashboard.services import merged_points
from surveyapp.enums import Phase, Role
from tests.dashboard.conftest import tables
from tests.studies.large_study import account_name, build_large_study

MAX_BYTES = 5_000_000


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _matrix_rows(html: str) -> list[tuple[str, str]]:
    """(number, account) of the rows of the fit matrix table."""
    return [(cells[0], cells[1]) for cells in tables(html)["Accounts in the fit matrix"][1:]]


def test_dashboard_of_a_20000_account_study_is_small_with_paged_tables(db, client, login, make_user):
    # Arrange: 300 accounts with both views (in the matrix), the other 19,700 incomplete
    built = build_large_study(db.session, phase=Phase.ANALYSE, answered=300, client_only=0, decisions=0)
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard")

    # Assert
    html = _text(response)
    assert response.status_code == 200
    assert len(response.data) < MAX_BYTES
    assert "Accounts 1–50 of 20,000" in html
    assert _matrix_rows(html) == [(str(n), account_name(n)) for n in range(1, 51)]
    assert "With 300 accounts in the matrix, accounts within 2 points of each other share a dot" in html
    assert '<nav class="pagination" aria-label="Pages of the accounts in the fit matrix">' in html


def test_dashboard_table_page_two_keeps_the_segment_and_role_filters(db, client, login, make_user):
    # Arrange: segment Care is every fifth account, 60 of 300
    built = build_large_study(db.session, accounts=300, phase=Phase.ANALYSE, answered=20, client_only=0)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{slug}/dashboard?segment=Care&role=decision_maker&page=2")

    # Assert
    html = _text(response)
    nav = html.split('<nav class="pagination"')[1].split("</nav>")[0]
    assert response.status_code == 200
    assert "Accounts 51–60 of 60" in html
    assert _matrix_rows(html) == [(str(n), account_name(5 * n)) for n in range(51, 61)]
    assert unescape(re.search(r'<a href="([^"]*)" aria-current="page">', nav).group(1)) == (
        f"/studies/{slug}/dashboard?segment=Care&role=decision_maker&page=2#matrix-table"
    )
    assert f"/studies/{slug}/dashboard?segment=Care&role=decision_maker#matrix-table" in [
        unescape(href) for href in re.findall(r'<a href="([^"]*)"', nav)
    ]


def test_dashboard_table_past_the_end_answers_404(db, client, login, make_user):
    # Arrange
    built = build_large_study(db.session, accounts=300, phase=Phase.ANALYSE, answered=20, client_only=0)
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{built.study.slug}/dashboard?segment=Care&page=3")

    # Assert
    assert response.status_code == 404
    assert "This list has 2 pages; there is no page 3." in _text(response)


def test_merged_points_keep_each_dot_in_its_quadrant():
    # Arrange: one account a hair below the threshold (rule 7: it reaches it), two close together, one corner
    points = [
        FitPoint(1, 59.9999999999, 60.0),
        FitPoint(2, 70.1, 70.2),
        FitPoint(3, 71.9, 70.9),
        FitPoint(4, 0.0, 0.0),
        FitPoint(5, 58.5, 100.0),
    ]

    # Act
    merged = merged_points(points, threshold=60.0)

    # Assert
    assert merged == [
        FitPoint(0, 1.0, 1.0),
        FitPoint(0, 59.0, 100.0),
        FitPoint(0, 61.0, 61.0),
        FitPoint(0, 71.0, 71.0),
    ]
