"""Insecure direct object references: every address that names an object, built from the URL map for objects
of the demo supplier, requested by everyone who must not see them — a researcher limited to another supplier,
an account-team member and a sales manager of another supplier, and an anonymous visitor. They get 404 (the
anonymous visitor of a login page is sent to log in), and nothing changes. A new route that names an object is
covered automatically; one that does not must be listed below, so no route escapes this test unseen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from surveyapp.enums import Role
from surveyapp.extensions import db
from tests.conftest import PASSWORD
from tests.security import crawl

# Routes without an object in their address: lists, forms that create something, the session's own pages.
NON_OBJECT_ENDPOINTS = frozenset(
    {
        "core.index",
        "core.healthz",
        "core.language",
        "auth.login",
        "auth.logout",
        "auth.forgot_password",
        "auth.set_password",
        "auth.change_password",
        "admin.users",
        "admin.new_user",
        "interviews.mine",
        "deals.index",
        "studies.studies",
        "studies.new_study",
        "studies.suppliers",
        "studies.new_supplier",
        "privacy.index",
        "privacy.contact",
        "privacy.erase",
        "privacy.export",
        "jobs.failed",
        "jobs.delete",
        "jobs.requeue",
        "static",
    }
)
# Routes whose address carries a secret token instead of an id: the token is the permission (tested below).
TOKEN_ENDPOINTS = frozenset(
    {"links.landing", "links.opt_out", "links.erasure", "deals.public_check", "auth.set_password_link"}
)
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# A made-up token: the survey link, the opt-out and the deal check say "not found"; the password link moves the
# token into the session and the password page then says the link is no longer valid.
MADE_UP_TOKEN_STATUS = {
    "links.landing": 404,
    "links.opt_out": 404,
    "links.erasure": 404,
    "deals.public_check": 404,
    "auth.set_password_link": 410,
}


@pytest.fixture(scope="module")
def app(database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with crawl.demo_app(database_url, tmp_path_factory.mktemp("idor")) as application:
        yield application


@pytest.fixture(scope="module")
def world(app: Flask) -> dict[str, Any]:
    """The demo (supplier A) and, for supplier B, a researcher, an account-team member and a sales manager."""
    from surveyapp.auth.passwords import hasher_from_config
    from surveyapp.auth.services import create_user
    from surveyapp.studies.services import create_supplier

    other = create_supplier(session=db.session, name="Other Supplier B")
    intruders = {}
    for label, role in (
        ("researcher of B", Role.RESEARCHER),
        ("account team of B", Role.ACCOUNT_TEAM),
        ("sales of B", Role.SALES),
    ):
        email = f"{role.value}@supplier-b.example"
        create_user(
            session=db.session,
            email=email,
            role=role,
            suppliers=[other],
            password=PASSWORD,
            hasher=hasher_from_config(app.config),
        )
        intruders[label] = email
    db.session.commit()
    return {"values": crawl.object_values(), "intruders": intruders}


def object_addresses(app: Flask, values: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(endpoint, method, address) for every route that names an object, with supplier A's objects."""
    adapter = app.url_map.bind("localhost")
    addresses = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint in NON_OBJECT_ENDPOINTS | TOKEN_ENDPOINTS:
            continue
        known = crawl.values_for(values, rule.endpoint)
        arguments = {name: known[name] for name in rule.arguments if name in known}
        if set(arguments) != set(rule.arguments):
            continue
        arguments.update(crawl.QUERIES.get(rule.endpoint, {}))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            addresses.append((rule.endpoint, method, adapter.build(rule.endpoint, arguments, method=method)))
    return addresses


def test_idor_every_route_is_covered_or_listed(world, app):
    assert set(MADE_UP_TOKEN_STATUS) == TOKEN_ENDPOINTS
    # Arrange
    covered = {endpoint for endpoint, _method, _address in object_addresses(app, world["values"])}
    listed = NON_OBJECT_ENDPOINTS | TOKEN_ENDPOINTS

    # Act
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    # Assert: a route that names something this test cannot build an object for must be added to the test
    assert endpoints - covered - listed == set()
    assert covered & listed == set()
    assert listed - endpoints == set()
    assert {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not rule.arguments and rule.endpoint not in listed
    } == set()


def test_idor_supplier_a_objects_are_visible_to_the_admin(world, app):
    # Arrange: the same addresses work for someone allowed to see them (else a 404 below would prove nothing)
    admin = crawl.logged_in(app, "admin@demo.example")
    respondent = app.test_client()
    landed = respondent.get(crawl.personal_link(world["values"]["common"]["invitation_id"]))
    assert landed.status_code == 302

    # Act
    statuses = {}
    for endpoint, method, address in object_addresses(app, world["values"]):
        if method != "GET":
            continue
        client = respondent if endpoint.startswith("responses.survey") else admin
        response = client.get(address)
        response.get_data()
        response.close()
        statuses[address] = response.status_code

    # Assert
    assert {address: status for address, status in statuses.items() if status not in (200, 302, 303)} == {}


@pytest.mark.parametrize("intruder", ["researcher of B", "account team of B", "sales of B"])
def test_idor_supplier_a_objects_answer_404_to_other_suppliers(world, app, intruder):
    # Arrange
    client = crawl.logged_in(app, world["intruders"][intruder], PASSWORD)
    before = crawl.snapshot()

    # Act
    statuses = {}
    for _endpoint, method, address in object_addresses(app, world["values"]):
        data = {"csrf_token": client.csrf_token()} if method not in SAFE else None
        response = client.open(address, method=method, data=data)
        response.get_data()
        response.close()
        statuses[(method, address)] = response.status_code

    # Assert
    assert {key: status for key, status in statuses.items() if status != 404} == {}
    assert crawl.changed_cells(before, crawl.snapshot()) == set()


def test_idor_supplier_a_objects_send_anonymous_visitors_to_the_login(world, app):
    # Arrange
    client = app.test_client()
    before = crawl.snapshot()

    # Act
    outcomes = {}
    for _endpoint, method, address in object_addresses(app, world["values"]):
        data = {"csrf_token": client.csrf_token()} if method not in SAFE else None
        response = client.open(address, method=method, data=data)
        response.get_data()
        response.close()
        location = response.location or ""
        outcomes[(method, address)] = (
            "login"
            if response.status_code == 302 and location.startswith("/login?next=")
            else response.status_code
        )

    # Assert: the respondent pages have no login: without the personal link's grant they are not there
    expected = {
        (method, address): 404 if endpoint.startswith("responses.survey") else "login"
        for endpoint, method, address in object_addresses(app, world["values"])
    }
    assert outcomes == expected
    assert crawl.changed_cells(before, crawl.snapshot()) == set()


@pytest.mark.parametrize("endpoint", sorted(TOKEN_ENDPOINTS))
def test_idor_token_routes_answer_404_to_a_made_up_token(world, app, endpoint):
    # Arrange
    address = app.url_map.bind("localhost").build(endpoint, {"token": crawl.random_token()})
    clients = [app.test_client()] + [
        crawl.logged_in(app, email, PASSWORD) for email in world["intruders"].values()
    ]

    # Act
    statuses = [client.get(address, follow_redirects=True).status_code for client in clients]

    # Assert
    assert statuses == [MADE_UP_TOKEN_STATUS[endpoint]] * len(clients)
