"""Open redirects and host-header poisoning: a `next` (or `return`) that leads off the site is refused at the
login, at the language switch and on every page; links in emails come from SURVEYAPP_BASE_URL only, whatever
Host or X-Forwarded-Host a request claims (the app here trusts one proxy, so the forwarded host is honoured for
the request itself, as it is behind a real proxy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from surveyapp.extensions import db
from tests.conftest import CSRF_INPUT
from tests.security import crawl

BASE_URL = "https://surveys.example.org"
HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "https:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/\t/evil.example",
    "http://localhost@evil.example/",
]
EVIL_HEADERS = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
# The request's own host is evil.example; the (trusted) proxy says the original host was evil2.example.
HOSTILE_REQUEST = {"base_url": "http://evil.example", "headers": {"X-Forwarded-Host": "evil2.example"}}
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(scope="module")
def app(database_url: str, _schema: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with crawl.demo_app(database_url, tmp_path_factory.mktemp("redirects"), PROXY_FIX=1) as application:
        yield application


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and "\\" not in location
    )


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_redirect_login_refuses_an_off_site_next(app, target):
    # Arrange
    client = app.test_client()
    shown = client.get("/login", query_string={"next": target})

    # Act
    response = client.post_form(
        "/login",
        {
            "email": "researcher@demo.example",
            "password": crawl.demo_password("researcher@demo.example"),
            "next": target,
        },
    )
    again = client.get("/login", query_string={"next": target})

    # Assert
    assert shown.status_code == 200
    assert (response.status_code, response.location) == (302, "/")
    assert (again.status_code, again.location) == (302, "/")


def test_redirect_login_keeps_an_on_site_next(app):
    # Arrange: the refusal above must not be a refusal of every next
    client = app.test_client()

    # Act
    response = client.post_form(
        "/login",
        {
            "email": "researcher@demo.example",
            "password": crawl.demo_password("researcher@demo.example"),
            "next": f"/studies/{crawl.DEMO_STUDY}",
        },
    )

    # Assert
    assert (response.status_code, response.location) == (302, f"/studies/{crawl.DEMO_STUDY}")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_redirect_language_switch_refuses_an_off_site_next(app, target):
    # Arrange
    client = app.test_client()

    # Act
    response = client.post_form("/language", {"lang": "nl", "next": target})

    # Assert: the anonymous visitor lands on the home page, which sends him to log in
    assert (response.status_code, response.location) == (302, "/")


def test_redirect_no_page_follows_a_hostile_next_or_return(app):
    # Arrange: every page that takes no form, with every name a redirect target goes by, for an admin
    client = crawl.logged_in(app, "admin@demo.example")
    values = crawl.object_values(rendered_report=False)
    adapter = app.url_map.bind("localhost")
    hostile = {
        "next": "//evil.example",
        "return": "https://evil.example/",
        "return_to": "//evil.example",
        "url": "//evil.example",
    }
    addresses = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        known = {**crawl.values_for(values, rule.endpoint), "token": crawl.random_token()}
        if set(rule.arguments) <= set(known):
            arguments = {name: known[name] for name in rule.arguments}
            addresses.append(adapter.build(rule.endpoint, {**arguments, **hostile}))

    # Act
    locations = {}
    for address in addresses:
        response = client.get(address, headers=EVIL_HEADERS)
        response.get_data()
        response.close()
        if response.location:
            locations[address] = response.location

    # Assert
    assert len(addresses) > 60
    assert {address: where for address, where in locations.items() if not _stays_on_site(where)} == {}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(value for name, value in attrs if name in ("href", "src") and value)


def _links(message: Any) -> list[str]:
    parser = _Links()
    parser.feed(message.html_body or "")
    return (
        LINK.findall(message.text_body)
        + parser.hrefs
        + [value for value in (message.headers or {}).values() for value in LINK.findall(value)]
    )


def _form_token(client: Any, url: str) -> str:
    page = client.get(url, **HOSTILE_REQUEST)
    found = CSRF_INPUT.search(page.get_data(as_text=True))
    assert found is not None, url
    return found.group(1)


def test_redirect_email_links_come_from_the_base_url_whatever_the_host(app):
    # Arrange: a browser that talks to the app as evil.example, through a proxy that forwards yet another host
    from surveyapp.mail.models import OutboxMessage

    first_new = (db.session.scalar(select(db.func.max(OutboxMessage.id))) or 0) + 1
    anonymous, researcher = app.test_client(), app.test_client()
    password = crawl.demo_password("researcher@demo.example")
    login = {"email": "researcher@demo.example", "password": password}
    login["csrf_token"] = _form_token(researcher, "/login")
    logged_in = researcher.post("/login", data=login, **HOSTILE_REQUEST)
    overview = f"/studies/{crawl.DEMO_FOLLOW_UP}/invitations"

    # Act
    reset = anonymous.post(
        "/forgot-password",
        data={"email": "accountteam@demo.example", "csrf_token": _form_token(anonymous, "/forgot-password")},
        **HOSTILE_REQUEST,
    )
    sent = researcher.post(
        f"{overview}/send", data={"csrf_token": _form_token(researcher, overview)}, **HOSTILE_REQUEST
    )

    # Assert
    assert (logged_in.status_code, reset.status_code, sent.status_code) == (302, 302, 302)
    messages = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id >= first_new)).all()
    assert {message.kind.value for message in messages} >= {"password", "invitation"}
    links = {message.id: _links(message) for message in messages}
    assert all(links.values())
    assert {
        message_id: [link for link in found if not link.startswith(BASE_URL + "/")]
        for message_id, found in links.items()
    } == {message_id: [] for message_id in links}


class _Targets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") == "target" and found.get("value"):
            self.targets.append(str(found["value"]))


def test_redirect_coding_queue_keeps_its_filters_but_not_url_building_options(app):
    # Arrange: the queue sends the coder back to the filtered page it saved; the query string it copies must not
    # choose the scheme or host of that address
    client = crawl.logged_in(app, "researcher@demo.example")
    page = client.get(f"/studies/{crawl.DEMO_STUDY}/coding/queue?perspective=client")
    parser = _Targets()
    parser.feed(page.get_data(as_text=True))
    hostile = "perspective=client&_external=1&_scheme=javascript&_anchor=x"

    # Act
    response = client.post_form(
        f"/studies/{crawl.DEMO_STUDY}/coding/queue?{hostile}", {"target": parser.targets}
    )

    # Assert
    assert parser.targets != []
    assert (response.status_code, response.location) == (
        302,
        f"/studies/{crawl.DEMO_STUDY}/coding/queue?perspective=client",
    )
