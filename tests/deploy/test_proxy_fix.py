"""SURVEYAPP_PROXY_FIX: which X-Forwarded-* headers the app believes, and that emails never follow them."""

from __future__ import annotations

import pytest
from flask import Flask, request
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from surveyapp.config import ConfigError
from surveyapp.enums import Role
from surveyapp.mail.models import OutboxMessage

FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
}


def _with_probe(app: Flask) -> Flask:
    # A view that shows what the request looks like to the app once the middleware has run.
    @app.get("/_probe")
    def probe() -> dict[str, str]:
        return {"addr": request.remote_addr or "", "scheme": request.scheme, "host": request.host}

    return app


def test_proxy_fix_off_by_default_ignores_forwarded_headers(make_app):
    app = _with_probe(make_app())

    seen = app.test_client().get("/_probe", headers=FORWARDED, base_url="http://app.internal").get_json()

    assert seen == {"addr": "127.0.0.1", "scheme": "http", "host": "app.internal"}


def test_proxy_fix_with_counts_follows_only_the_trusted_headers(make_app):
    app = _with_probe(make_app(PROXY_FIX="x_for=1,x_proto=1,x_host=0"))

    seen = app.test_client().get("/_probe", headers=FORWARDED, base_url="http://app.internal").get_json()

    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "app.internal"}


def test_proxy_fix_number_trusts_for_proto_and_host(make_app):
    app = _with_probe(make_app(PROXY_FIX=1))

    seen = app.test_client().get("/_probe", headers=FORWARDED, base_url="http://app.internal").get_json()

    assert seen == {"addr": "203.0.113.7", "scheme": "https", "host": "evil.example"}


def test_proxy_fix_takes_the_client_address_set_by_the_last_trusted_proxy(make_app):
    app = _with_probe(make_app(PROXY_FIX="x_for=1"))
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.7"}

    seen = app.test_client().get("/_probe", headers=headers).get_json()

    assert seen["addr"] == "203.0.113.7"


@pytest.mark.parametrize("value", ["x_for", "x_for=one", "x_forward=1", "yes", "x_for=1,,x_proto=1"])
def test_proxy_fix_unreadable_value_is_refused(make_app, value):
    with pytest.raises(ConfigError) as refused:
        make_app(PROXY_FIX=value)

    assert str(refused.value) == (
        "SURVEYAPP_PROXY_FIX must be a number of proxies or a list like 'x_for=1,x_proto=1' "
        f"(x_for, x_proto, x_host, x_port, x_prefix), not {value!r}"
    )


def test_proxy_fix_emailed_links_use_base_url_whatever_the_host(make_app, db):
    from surveyapp.auth.passwords import hasher_from_config
    from surveyapp.auth.services import create_user

    app = make_app(PROXY_FIX="x_for=1,x_proto=1,x_host=1")
    with app.app_context():
        create_user(
            session=db.session, email="ann@example.org", role=Role.RESEARCHER, password=None,
            hasher=hasher_from_config(app.config),
        )  # fmt: skip
        db.session.commit()
    client = app.test_client()

    # The request reaches the app as Host attacker.example with X-Forwarded-Host evil.example, which it
    # believes (x_host=1); the browser's Referer matches, as it would behind a proxy that forwards a forged Host.
    with client.session_transaction(base_url="http://attacker.example") as session:
        session["csrf_token"] = "a" * 40
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("a" * 40)
    headers = {**FORWARDED, "Referer": "https://evil.example/forgot-password"}

    response = client.post(
        "/forgot-password", data={"email": "ann@example.org", "csrf_token": token},
        base_url="http://attacker.example", headers=headers,
    )  # fmt: skip

    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        text = message.text_body + message.raw.decode("utf-8", "replace")
    assert "https://surveys.example.org/set-password/" in text
    assert "evil.example" not in text
    assert "attacker.example" not in text
