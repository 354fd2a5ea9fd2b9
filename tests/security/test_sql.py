"""SQL metacharacters in every text a user types: stored literally and read back exactly, never a 500; filters
match literally (`%` and `_` are not wildcards); no list page takes a sort key from the query string.

All database access goes through SQLAlchemy with bound parameters; these tests hold that in place."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from surveyapp.coding.models import PALETTE, Theme
from surveyapp.enums import Role
from surveyapp.responses.models import Answer
from surveyapp.studies.imports import import_accounts, import_contacts
from surveyapp.studies.models import Account, Contact, Study
from tests.coding.conftest import coded_study  # noqa: F401
from tests.dashboard.conftest import tables
from tests.responses.conftest import ABOUT, FIT

PAYLOADS = [
    "'; DROP TABLE studies;--",
    '" OR 1=1 --',
    "100% _done_ \\ path",
    "Robert'); DELETE FROM users WHERE ('1'='1",
]
SLUG = "fit-2025"  # the coded study of tests/coding


@pytest.fixture
def researcher(login, make_user):
    user = make_user(Role.RESEARCHER, all_suppliers=True)
    login(user)
    return user


def _tables_intact(db) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Study)),
        db.session.scalar(select(func.count()).select_from(Account)),
    )


def test_sql_study_name_is_stored_literally(db, client, researcher, make_supplier):
    supplier = make_supplier("Brightline")

    statuses = [
        client.post_form(
            "/studies/new",
            {
                "supplier": supplier.id,
                "name": payload,
                "slug": f"wave-{number}",
                "previous": 0,
                "time_zone": "Europe/Amsterdam",
                "reminder_days": "4, 9",
                "max_reminders": 2,
            },
        ).status_code
        for number, payload in enumerate(PAYLOADS)
    ]

    assert statuses == [302] * len(PAYLOADS)
    assert dict(db.session.execute(select(Study.slug, Study.name)).all()) == {
        f"wave-{number}": payload for number, payload in enumerate(PAYLOADS)
    }
    shown = client.get("/studies/wave-0").get_data(as_text=True)
    assert "&#39;; DROP TABLE studies;--" in shown


def test_sql_account_and_contact_names_from_csv_imports_are_stored_literally(db, make_study):
    # Arrange
    study = make_study()
    accounts = "name,segment,annual_revenue,effort_hours,billable_hours\r\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}","{name.replace(chr(34), chr(34) * 2)}",1000,10,10\r\n'
        for name in PAYLOADS
    )
    contacts = "account,email,name,role,language,side\r\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}",c{number}@example.org,"{name.replace(chr(34), chr(34) * 2)}",'
        f'"{name.replace(chr(34), chr(34) * 2)}",en,client\r\n'
        for number, name in enumerate(PAYLOADS)
    )

    # Act
    account_report = import_accounts(session=db.session, study=study, source=io.BytesIO(accounts.encode()))
    contact_report = import_contacts(session=db.session, study=study, source=io.BytesIO(contacts.encode()))
    db.session.commit()

    # Assert
    assert (account_report.errors, contact_report.errors) == ([], [])
    assert sorted(db.session.execute(select(Account.name, Account.segment)).all()) == sorted(
        (name, name) for name in PAYLOADS
    )
    assert sorted(db.session.execute(select(Contact.name, Contact.role)).all()) == sorted(
        (name, name) for name in PAYLOADS
    )


def test_sql_survey_free_text_is_stored_literally(db, survey_study, make_invitation, respondent):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)
    browser.save("fit", FIT)
    read_back = []

    for payload in PAYLOADS:
        response = browser.save("loyalty", {"q-recommend": "3", "q-why": payload})
        read_back.append(
            (response.status_code, db.session.scalar(select(Answer.value).where(Answer.item_key == "why")))
        )

    assert read_back == [(303, payload) for payload in PAYLOADS]


def test_sql_theme_names_are_stored_literally(db, client, researcher, coded_study):  # noqa: F811
    coded_study()

    statuses = [
        client.post_form(f"/studies/{SLUG}/coding/themes", {"name": name, "colour": PALETTE[0]}).status_code
        for name in PAYLOADS
    ]

    assert statuses == [302] * len(PAYLOADS)
    assert sorted(db.session.scalars(select(Theme.name))) == sorted(PAYLOADS)


def test_sql_dashboard_segment_filter_matches_literally(db, client, researcher, coded_study):  # noqa: F811
    # Arrange: one segment with LIKE wildcards and a backslash, one that such a pattern would also match
    coded = coded_study()
    db.session.get(Account, coded.accounts["Van Dijk Logistiek"]).segment = "100% _done_ \\ path"
    db.session.get(Account, coded.accounts["Noordzee Havenbedrijf"]).segment = "1000 xdonex \\ path"
    db.session.commit()

    # Act
    literal = client.get(f"/studies/{SLUG}/dashboard", query_string={"segment": "100% _done_ \\ path"})
    hostile = [
        client.get(f"/studies/{SLUG}/dashboard", query_string={"segment": p, "role": p}) for p in PAYLOADS
    ]

    # Assert
    assert literal.status_code == 200
    matrix = tables(literal.get_data(as_text=True))["Accounts in the fit matrix"]
    assert [cells[1] for cells in matrix[1:]] == ["Van Dijk Logistiek"]
    assert [r.status_code for r in hostile] == [400] * len(PAYLOADS)
    assert "There is no such choice in this study. Choose one from the list." in hostile[0].get_data(
        as_text=True
    )
    assert _tables_intact(db) == (1, 3)


def test_sql_coding_queue_filters_never_reach_sql_as_text(db, client, researcher, coded_study):  # noqa: F811
    coded_study()

    statuses = [
        client.get(
            f"/studies/{SLUG}/coding/queue", query_string={"question": p, "perspective": p, "page": p}
        ).status_code
        for p in PAYLOADS
    ]

    assert set(statuses) <= {200, 400}
    assert _tables_intact(db) == (1, 3)


LIST_PAGES = [
    "/studies",
    "/suppliers",
    "/interviews",
    "/admin/users",
    f"/studies/{SLUG}/coding",
    f"/studies/{SLUG}/exports",
    f"/studies/{SLUG}/accounts",
    f"/studies/{SLUG}/contacts",
    f"/studies/{SLUG}/invitations",
    f"/studies/{SLUG}/reports",
]


def test_sql_list_pages_ignore_sort_and_search_parameters(db, client, make_user, login, coded_study):  # noqa: F811
    # No list page sorts by a key from the query string: an injected one changes nothing.
    coded_study()
    login(make_user(Role.ADMIN))
    hostile = {"sort": "name; DROP TABLE studies;--", "order": "desc, (SELECT 1)", "q": "' OR 1=1 --"}

    plain = [client.get(path).status_code for path in LIST_PAGES]
    injected = [client.get(path, query_string=hostile).status_code for path in LIST_PAGES]

    assert plain == [200] * len(LIST_PAGES)
    assert injected == plain
    assert _tables_intact(db) == (1, 3)
