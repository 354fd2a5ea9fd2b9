"""The act page of a large study (issue 22): each decision group and the actions are paged separately
(`continue_page`, `realign_page`, `exit_page`, `none_page`, `actions_page`), with counts from SQL."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from surveyapp.enums import Phase, Role
from tests.studies.large_study import account_name, build_large_study

MAX_BYTES = 5_000_000


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def _accounts(section: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]*">(Account \d{5})</a>', section)


def _current(section: str) -> str:
    return unescape(re.search(r'<a href="([^"]*)" aria-current="page">', section).group(1))


def test_act_page_of_a_20000_account_study_is_small_with_paged_groups(db, client, login, make_user):
    # Arrange: 600 decisions (200 of each kind), 800 actions (two per continue and realign decision)
    built = build_large_study(db.session, phase=Phase.ACT, answered=600, client_only=0, decisions=600)
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{built.study.slug}/act")

    # Assert
    html = _text(response)
    assert response.status_code == 200
    assert len(response.data) < MAX_BYTES
    assert "600 of 20000 accounts have a decision." in html
    assert "400 actions are overdue." in html
    assert [
        re.search(r'<span class="hint">\(([\d,]+)\)</span>', _section(html, f"group-{key}")).group(1)
        for key in ("continue", "realign", "exit", "none")
    ] == ["200", "200", "200", "19,400"]
    assert "Accounts 1–50 of 19,400" in _section(html, "group-none")
    assert _accounts(_section(html, "group-none")) == [account_name(n) for n in range(601, 651)]
    assert "Actions 1–50 of 800" in _section(html, "actions-heading")
    assert '<nav class="pagination" aria-label="Pages of the accounts: No decision yet">' in html


def test_act_page_pages_one_group_and_keeps_the_others(db, client, login, make_user):
    # Arrange: 180 decisions, 60 of each kind (accounts 1, 4, 7, ... continue), 20 accounts without one
    built = build_large_study(
        db.session, accounts=200, phase=Phase.ACT, answered=20, client_only=0, decisions=180
    )
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{slug}/act?realign_page=2&continue_page=2"))

    # Assert
    continued = _section(html, "group-continue")
    assert "Accounts 51–60 of 60" in continued
    assert _accounts(continued) == [account_name(n) for n in range(1 + 3 * 50, 181, 3)]
    assert _current(continued) == f"/studies/{slug}/act?realign_page=2&continue_page=2#group-continue"
    assert _accounts(_section(html, "group-none")) == [account_name(n) for n in range(181, 201)]
    assert 'class="pagination"' not in _section(html, "group-none")


def test_act_page_lists_overdue_actions_first_across_pages(db, client, login, make_user):
    # Arrange: 120 continue and realign decisions, each with one overdue action and one done
    built = build_large_study(
        db.session, accounts=200, phase=Phase.ACT, answered=20, client_only=0, decisions=180
    )
    login(make_user(Role.RESEARCHER))

    # Act
    pages = [
        _section(
            _text(client.get(f"/studies/{built.study.slug}/act?actions_page={number}")), "actions-heading"
        )
        for number in (1, 2, 3, 4)
    ]

    # Assert
    assert [page.count('class="error-message">overdue</strong>') for page in pages] == [50, 50, 20, 0]
    assert "Actions 101–150 of 240" in pages[2]


def test_act_page_past_the_end_of_a_group_answers_404(db, client, login, make_user):
    # Arrange
    built = build_large_study(
        db.session, accounts=200, phase=Phase.ACT, answered=20, client_only=0, decisions=180
    )
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{slug}/act?exit_page=3")

    # Assert
    assert response.status_code == 404
    assert "This list has 2 pages; there is no page 3." in _text(response)
    assert f'<a href="/studies/{slug}/act?exit_page=2#group-exit">Go to the last page (2)</a>' in _text(
        response
    )
