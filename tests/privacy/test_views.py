"""The admin privacy pages: only admins, find, download, erase with a typed confirmation, retention settings."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from surveyapp.enums import Role
from surveyapp.studies.models import Contact, Study
from tests.privacy.conftest import EMAIL, NAME, OPEN_ANSWER


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/admin/privacy"),
        ("post", "/admin/privacy/contact"),
        ("post", "/admin/privacy/export"),
        ("post", "/admin/privacy/erase"),
        ("get", "/admin/privacy/studies/fit-2025"),
    ],
)
@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ACCOUNT_TEAM])
def test_privacy_pages_are_not_found_for_non_admins(
    client, make_user, make_supplier, login, method, url, role
):
    supplier = make_supplier()
    user = make_user(role, suppliers=[] if role == Role.RESEARCHER else [supplier])
    login(user)

    data = {"email": EMAIL, "confirm": EMAIL}
    response = client.get(url) if method == "get" else client.post_form(url, data)

    assert response.status_code == 404


def test_privacy_page_asks_anonymous_users_to_log_in(client):
    response = client.get("/admin/privacy")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.fixture
def admin(make_user, login):
    user = make_user(Role.ADMIN)
    login(user)
    return user


def test_find_contact_shows_what_is_held(db, client, admin, spread_person):
    spread_person()

    response = client.post_form("/admin/privacy/contact", {"email": EMAIL.upper()})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"What is held about {EMAIL}" in page
    assert NAME in page


def test_find_contact_of_an_unknown_email_says_so(db, client, admin):
    response = client.post_form("/admin/privacy/contact", {"email": "nobody@example.org"})

    assert response.status_code == 404
    assert "No contact has the email address nobody@example.org." in response.get_data(as_text=True)


def test_export_download_is_the_json_of_everything_held(db, client, admin, spread_person):
    spread_person()

    response = client.post_form("/admin/privacy/export", {"email": EMAIL})

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="contact-data.json"'
    document = json.loads(response.get_data())
    assert document["contacts"][0]["name"] == NAME
    answers = {a["item_key"]: a["value"] for a in document["contacts"][0]["responses"][0]["answers"]}
    assert answers["open_works"] == OPEN_ANSWER


def test_erase_with_a_wrong_confirmation_erases_nothing_and_keeps_what_was_typed(
    db, client, admin, spread_person
):
    spread = spread_person()

    response = client.post_form("/admin/privacy/erase", {"email": EMAIL, "confirm": "m.vandijk@example.org"})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This is not the address of the contact shown." in page
    assert 'value="m.vandijk@example.org"' in page
    assert db.session.get(Contact, spread.contact_id).email == EMAIL


def test_erase_without_csrf_token_is_refused(db, client, admin, spread_person):
    spread = spread_person()

    response = client.post("/admin/privacy/erase", data={"email": EMAIL, "confirm": EMAIL})

    assert response.status_code == 400
    assert db.session.get(Contact, spread.contact_id).email == EMAIL


def test_erase_with_the_typed_address_erases_the_contact(db, client, admin, spread_person):
    spread = spread_person()

    response = client.post_form("/admin/privacy/erase", {"email": EMAIL, "confirm": f" {EMAIL.upper()} "})

    assert response.status_code == 302
    contact = db.session.get(Contact, spread.contact_id)
    assert (contact.email, contact.name, contact.erased_at is not None) == (None, "", True)


def test_retention_settings_are_saved(db, client, admin, spread_person):
    spread = spread_person()

    response = client.post_form(
        f"/admin/privacy/studies/{spread.study.slug}", {"retention_days": "365", "keep_anonymous_scores": ""}
    )

    assert response.status_code == 302
    study = db.session.get(Study, spread.study.id)
    assert (study.retention_days, study.keep_anonymous_scores) == (365, False)


def test_retention_settings_refuse_a_period_below_one_day(db, client, admin, spread_person):
    spread = spread_person()

    response = client.post_form(f"/admin/privacy/studies/{spread.study.slug}", {"retention_days": "0"})

    assert response.status_code == 400
    assert 'value="0"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Study.retention_days).where(Study.id == spread.study.id)) is None
