"""Scoping by supplier: what a user may not see answers 404."""

from __future__ import annotations

import pytest

from surveyapp.enums import Role


@pytest.fixture
def two_suppliers(make_supplier):
    return make_supplier("Alpha Services"), make_supplier("Beta Services")


def test_account_team_user_sees_own_supplier_only(client, make_user, login, two_suppliers):
    alpha, beta = two_suppliers
    user = make_user(Role.ACCOUNT_TEAM, suppliers=[alpha])
    login(user)

    own = client.get(f"/suppliers/{alpha.id}")
    other = client.get(f"/suppliers/{beta.id}")
    listing = client.get("/suppliers").get_data(as_text=True)

    assert own.status_code == 200
    assert other.status_code == 404
    assert "Alpha Services" in listing
    assert "Beta Services" not in listing


def test_researcher_with_limited_access_gets_404_on_other_suppliers(client, make_user, login, two_suppliers):
    alpha, beta = two_suppliers
    user = make_user(Role.RESEARCHER, suppliers=[beta], all_suppliers=False)
    login(user)

    assert client.get(f"/suppliers/{alpha.id}").status_code == 404
    assert client.get(f"/suppliers/{beta.id}").status_code == 200


def test_researcher_without_suppliers_sees_all(client, make_user, login, two_suppliers):
    alpha, beta = two_suppliers
    user = make_user(Role.RESEARCHER)
    login(user)

    assert user.all_suppliers is True
    assert client.get(f"/suppliers/{alpha.id}").status_code == 200
    assert client.get(f"/suppliers/{beta.id}").status_code == 200


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ACCOUNT_TEAM])
def test_admin_pages_are_404_for_other_roles(client, make_user, login, make_supplier, role):
    supplier = make_supplier()
    user = make_user(role, suppliers=[supplier])
    login(user)

    assert client.get("/admin/users").status_code == 404
    assert client.get("/admin/users/new").status_code == 404


def test_account_team_cannot_create_suppliers(client, make_user, login, make_supplier):
    supplier = make_supplier()
    user = make_user(Role.ACCOUNT_TEAM, suppliers=[supplier])
    login(user)

    assert client.get("/suppliers/new").status_code == 404
    assert client.post_form("/suppliers/new", {"name": "Sneaky", "report_language": "en"}).status_code == 404


def test_duplicate_supplier_name_keeps_input_and_says_why(client, make_user, login, make_supplier):
    make_supplier("Alpha Services")
    login(make_user(Role.RESEARCHER))

    response = client.post_form("/suppliers/new", {"name": "alpha services", "report_language": "en"})

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A supplier named alpha services already exists." in body
    assert 'value="alpha services"' in body
