"""Sessions: nothing planted before login survives it, a cookie copied before login never becomes logged in,
logout ends the session everywhere, and a password change ends the other sessions of that user.

tests/auth/test_login.py holds the single-device cases (replayed cookie after logout, a second device after a
password change); these add the attacker's side of fixation and the multi-device logout."""

from __future__ import annotations

from surveyapp.enums import Role
from tests.conftest import PASSWORD


def _logged_in(client) -> bool:
    response = client.get("/")
    return response.status_code == 200


def test_session_values_planted_before_login_are_gone_after_it(client, make_user):
    user = make_user(Role.RESEARCHER)
    with client.session_transaction() as session:
        session["sid"] = "attacker-known"
        session["_id"] = "attacker-known"
        session["_fresh"] = False
        session["planted"] = "by the attacker"
        session["lang"] = "nl"

    client.post_form("/login", {"email": user.email, "password": PASSWORD})

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"] != "attacker-known"
        assert session["_id"] != "attacker-known"
        assert session["_fresh"] is True
        assert session["_user_id"] == f"{user.id}:0"
        assert session["lang"] == "nl"  # the language choice is the one value carried over on purpose


def test_session_cookie_copied_before_login_stays_anonymous_after_the_victim_logs_in(app, client, make_user):
    # Arrange: the attacker hands the victim a session cookie it knows
    user = make_user(Role.RESEARCHER)
    client.get("/login")
    client.csrf_token()
    fixed = client.get_cookie("surveyapp_session").value
    attacker = app.test_client()
    attacker.set_cookie("surveyapp_session", fixed)

    # Act: the victim logs in with it
    client.post_form("/login", {"email": user.email, "password": PASSWORD})

    # Assert: the victim's cookie changed; the attacker's copy is still anonymous
    assert client.get_cookie("surveyapp_session").value != fixed
    assert _logged_in(client) is True
    response = attacker.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_session_logout_ends_the_session_on_every_device(app, client, make_user, login):
    user = make_user(Role.RESEARCHER)
    laptop, phone = app.test_client(), app.test_client()
    login(user, target=laptop)
    login(user, target=phone)
    copied = laptop.get_cookie("surveyapp_session").value

    laptop.post_form("/logout")
    replay = app.test_client()
    replay.set_cookie("surveyapp_session", copied)

    assert (_logged_in(laptop), _logged_in(phone), _logged_in(replay)) == (False, False, False)


def test_session_password_change_logs_out_a_second_client_and_its_copied_cookie(
    app, client, make_user, login
):
    user = make_user(Role.RESEARCHER)
    second = app.test_client()
    login(user, target=second)
    login(user)
    copied = second.get_cookie("surveyapp_session").value

    changed = client.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
            "confirm": "another long passphrase",
        },
    )
    replay = app.test_client()
    replay.set_cookie("surveyapp_session", copied)

    assert changed.status_code == 302
    assert (_logged_in(client), _logged_in(second), _logged_in(replay)) == (True, False, False)
    assert login(user, password="another long passphrase", target=second).status_code == 302


def test_session_cookie_is_http_only_and_same_site_and_https_responses_carry_hsts(client, make_user, login):
    login(make_user(Role.RESEARCHER))

    cookie = client.get_cookie("surveyapp_session")
    secure = client.get("/login", base_url="https://surveys.example.org")
    plain = client.get("/login")

    assert (cookie.http_only, cookie.same_site) == (True, "Lax")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["X-Content-Type-Options"] == "nosniff"
    assert secure.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in secure.headers["Content-Security-Policy"]


def test_session_cookie_is_secure_in_production(make_app):
    app = make_app(TESTING=False)

    assert (app.config["SESSION_COOKIE_SECURE"], app.config["REMEMBER_COOKIE_SECURE"]) == (True, True)
