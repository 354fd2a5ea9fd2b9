"""The study, accounts and contacts pages of a large study (issue 22): counts instead of every account, lists
paged with plain GET parameters (`?page=2`), a page past the end a 404 that links to the last page.

Sizes are asserted here; times live in bench/bench_large_study.py."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from surveyapp.enums import Phase, Role
from tests.studies.large_study import account_name, build_large_study

MAX_BYTES = 5_000_000


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _row_names(html: str) -> list[str]:
    """The account names in the first cells of the page's table rows."""
    return re.findall(r'<th scope="row">(Account \d{5})<', html)


def _nav(html: str) -> str:
    return html.split('<nav class="pagination"')[1].split("</nav>")[0]


def _current(nav: str) -> str:
    """The address the navigation marks as the current page."""
    return unescape(re.search(r'<a href="([^"]*)" aria-current="page">', nav).group(1))


def _links(nav: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]*)"', nav)]


def _options(html: str, select_id: str) -> list[str]:
    """The texts of the options of one select."""
    return re.findall(
        r"<option[^>]*>([^<]*)</option>", html.split(f'id="{select_id}"')[1].split("</select>")[0]
    )


def test_study_pages_of_a_20000_account_study_are_small_and_paged(db, client, login, make_user):
    # Arrange
    built = build_large_study(db.session, phase=Phase.INTERVIEW, answered=200, client_only=100)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    study = client.get(f"/studies/{slug}")
    accounts = client.get(f"/studies/{slug}/accounts")
    contacts = client.get(f"/studies/{slug}/contacts")

    # Assert
    assert [study.status_code, accounts.status_code, contacts.status_code] == [200, 200, 200]
    assert [len(page.data) < MAX_BYTES for page in (study, accounts, contacts)] == [True, True, True]
    overview = _text(study)
    assert account_name(1) not in overview
    assert '<th scope="row">Accounts in scope</th><td class="num">20,000</td>' in overview
    assert '<th scope="row">Client contacts</th><td class="num">40,000</td>' in overview
    assert "300 of 20000 accounts have at least one completed client response." in overview
    assert (
        """<th scope="row">Accounts with the supplier's view completed</th><td class="num">200</td>"""
        in overview
    )
    assert "All accounts in scope (20,000), with their figures and progress" in overview
    listed = _text(accounts)
    assert "Accounts 1–50 of 20,000" in listed
    assert _row_names(listed) == [account_name(n) for n in range(1, 51)]
    assert '<nav class="pagination" aria-label="Pages of the accounts list">' in listed
    assert _current(_nav(listed)) == f"/studies/{slug}/accounts"
    assert _links(_nav(listed))[-2:] == [
        f"/studies/{slug}/accounts?page=400",
        f"/studies/{slug}/accounts?page=2",
    ]
    people = _text(contacts)
    assert "Client contacts 1–50 of 40,000" in people
    assert "Assignments 1–50 of 20,000" in people
    assert [len(_options(people, "contact-account")), len(_options(people, "assign-account"))] == [301, 300]


def test_accounts_page_two_shows_the_next_accounts(db, client, login, make_user):
    # Arrange
    built = build_large_study(db.session, accounts=120, phase=Phase.PREPARE, answered=0, client_only=0)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{slug}/accounts?page=2"))

    # Assert
    nav = _nav(html)
    assert "Accounts 51–100 of 120" in html
    assert _row_names(html) == [account_name(n) for n in range(51, 101)]
    assert _current(nav) == f"/studies/{slug}/accounts?page=2"
    assert _links(nav) == [
        f"/studies/{slug}/accounts",
        f"/studies/{slug}/accounts",
        f"/studies/{slug}/accounts?page=2",
        f"/studies/{slug}/accounts?page=3",
        f"/studies/{slug}/accounts?page=3",
    ]


def test_accounts_page_past_the_end_answers_404_with_a_link_to_the_last_page(db, client, login, make_user):
    # Arrange
    built = build_large_study(db.session, accounts=120, phase=Phase.PREPARE, answered=0, client_only=0)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{slug}/accounts?page=4")

    # Assert
    html = _text(response)
    assert response.status_code == 404
    assert "This list has 3 pages; there is no page 4." in html
    assert f'<a href="/studies/{slug}/accounts?page=3">Go to the last page (3)</a>' in html


def test_accounts_page_number_that_is_not_a_page_answers_404(db, client, login, make_user, make_study):
    # Arrange
    study = make_study()
    login(make_user(Role.RESEARCHER))

    # Act
    statuses = [
        client.get(f"/studies/{study.slug}/accounts?page={number}").status_code
        for number in ("0", "-1", "two", "1.5", "99999999", "2")
    ]

    # Assert
    assert statuses == [404, 404, 404, 404, 404, 404]


def test_accounts_page_of_a_study_without_accounts_has_no_page_navigation(
    db, client, login, make_user, make_study
):
    # Arrange
    study = make_study()
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{study.slug}/accounts?page=1")

    # Assert
    assert response.status_code == 200
    assert "No accounts yet." in _text(response)
    assert 'class="pagination"' not in _text(response)


def test_accounts_search_combines_with_paging(db, client, login, make_user):
    # Arrange: "Account 000" is in the names of accounts 1-99
    built = build_large_study(db.session, accounts=120, phase=Phase.PREPARE, answered=0, client_only=0)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{slug}/accounts?q=account+000&page=2"))

    # Assert
    assert "Accounts 51–99 of 99" in html
    assert _row_names(html) == [account_name(n) for n in range(51, 100)]
    assert _current(_nav(html)) == f"/studies/{slug}/accounts?q=account+000&page=2"
    assert f"/studies/{slug}/accounts?q=account+000" in _links(_nav(html))


def test_accounts_search_takes_percent_and_underscore_literally(db, client, login, make_user):
    # Arrange
    built = build_large_study(db.session, accounts=3, phase=Phase.PREPARE, answered=0, client_only=0)
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{built.study.slug}/accounts?q=%25"))

    # Assert
    assert _row_names(html) == []
    assert "No account's name or external id contains “%”." in html


def test_contacts_page_pages_clients_and_assignments_separately(db, client, login, make_user):
    # Arrange: 120 accounts, 240 client contacts (5 pages), 120 assignments (3 pages)
    built = build_large_study(db.session, accounts=120, phase=Phase.PREPARE, answered=0, client_only=0)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{slug}/contacts?page=5&assignments_page=2"))

    # Assert
    clients_nav, assignments_nav = html.split('<nav class="pagination"')[1:3]
    assert "Client contacts 201–240 of 240" in html
    assert "Assignments 51–100 of 120" in html
    assert _current(clients_nav) == f"/studies/{slug}/contacts?assignments_page=2&page=5#clients-heading"
    assert (
        _current(assignments_nav) == f"/studies/{slug}/contacts?page=5&assignments_page=2#assignments-heading"
    )
    assert f"/studies/{slug}/contacts?page=5&assignments_page=3#assignments-heading" in _links(
        assignments_nav
    )


def test_contact_forms_offer_300_accounts_and_take_one_found_by_search(db, client, login, make_user):
    # Arrange: more accounts than the forms list
    built = build_large_study(db.session, accounts=320, phase=Phase.PREPARE, answered=0, client_only=0)
    slug = built.study.slug
    login(make_user(Role.RESEARCHER))
    last = built.account_ids[-1]

    # Act
    first = _text(client.get(f"/studies/{slug}/contacts"))
    narrowed = _text(client.get(f"/studies/{slug}/contacts?account=00320"))
    assigned = client.post_form(
        f"/studies/{slug}/assignments",
        {"assign-contact": built.study.lead_contact_id, "assign-account": last},
    )

    # Assert
    assert _options(first, "assign-account") == [account_name(n) for n in range(1, 301)]
    assert _options(narrowed, "assign-account") == [account_name(320)]
    assert "1 account's name or external id contains “00320”." in narrowed
    assert assigned.status_code == 302
    assert "Assignment saved." in _text(client.get(assigned.headers["Location"]))
