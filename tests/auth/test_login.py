"""Logging in and out: messages, rate limits, CSRF, redirects, sessions that really end."""

from __future__ import annotations

from surveyapp.auth.models import User
from surveyapp.enums import Role
from tests.conftest import PASSWORD


def _body(response) -> str:
    return response.get_data(as_text=True)


def test_login_with_correct_password_redirects_home(client, make_user):
    user = make_user(Role.RESEARCHER)

    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_email_is_case_insensitive(client, make_user):
    user = make_user(Role.RESEARCHER, email="Mixed.Case@Example.org")

    response = client.post_form("/login", {"email": "MIXED.case@example.ORG", "password": PASSWORD})

    assert user.email == "mixed.case@example.org"
    assert response.status_code == 302


def test_login_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    user = make_user(Role.RESEARCHER)

    wrong = client.post_form("/login", {"email": user.email, "password": "not the password"})
    unknown = client.post_form("/login", {"email": "nobody@example.org", "password": "not the password"})

    message = "The email address or password is not correct."
    assert (wrong.status_code, unknown.status_code) == (422, 422)
    assert message in _body(wrong)
    assert message in _body(unknown)
    assert "nobody@example.org" in _body(unknown)  # what the user typed is kept


def test_login_deactivated_user_is_refused_with_the_same_message(client, make_user, db):
    user = make_user(Role.RESEARCHER)
    user.is_active_user = False
    db.session.commit()

    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})

    assert response.status_code == 422
    assert "The email address or password is not correct." in _body(response)


def test_login_rate_limit_per_account_is_reached_after_five_failures(client, make_user):
    user = make_user(Role.RESEARCHER)
    for _ in range(5):
        assert (
            client.post_form("/login", {"email": user.email, "password": "wrong password"}).status_code == 422
        )

    blocked = client.post_form("/login", {"email": user.email, "password": PASSWORD})

    assert blocked.status_code == 429
    assert "Too many attempts" in _body(blocked)


def test_login_rate_limit_per_ip_is_reached_across_accounts(make_app):
    app = make_app(RATELIMIT_LOGIN_PER_IP="3 per minute")
    client = app.test_client()
    for number in range(3):
        client.post_form("/login", {"email": f"x{number}@example.org", "password": "wrong password"})

    blocked = client.post_form("/login", {"email": "y@example.org", "password": "wrong password"})

    assert blocked.status_code == 429


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user(Role.RESEARCHER)

    response = client.post("/login", data={"email": user.email, "password": PASSWORD})

    assert response.status_code == 400
    assert "The form had expired" in _body(response)


def test_login_next_to_another_site_is_ignored(client, make_user):
    user = make_user(Role.RESEARCHER)
    for target in (
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
    ):
        client.post_form("/logout")

        response = client.post_form("/login", {"email": user.email, "password": PASSWORD, "next": target})

        assert response.headers["Location"] == "/", target


def test_login_next_on_this_site_is_followed(client, make_user):
    user = make_user(Role.ADMIN)

    response = client.post_form("/login", {"email": user.email, "password": PASSWORD, "next": "/admin/users"})

    assert response.headers["Location"] == "/admin/users"


def test_login_starts_a_new_session(client, make_user):
    user = make_user(Role.RESEARCHER)
    with client.session_transaction() as session:
        session["sid"] = "planted-by-attacker"
        session["planted"] = "yes"

    client.post_form("/login", {"email": user.email, "password": PASSWORD})

    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-attacker"
        assert "planted" not in session


def test_logout_refuses_a_replayed_session_cookie(app, client, make_user, login):
    user = make_user(Role.RESEARCHER)
    login(user)
    stolen = client.get_cookie("surveyapp_session").value

    client.post_form("/logout")
    replay = app.test_client()
    replay.set_cookie("surveyapp_session", stolen)

    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, db, make_user, login):
    user = make_user(Role.RESEARCHER)
    other_device = app.test_client()
    login(user, target=other_device)
    login(user)

    response = client.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert db.session.get(User, user.id).session_version == 1


def test_password_change_with_wrong_current_password_keeps_input_and_says_why(client, make_user, login):
    user = make_user(Role.RESEARCHER)
    login(user)

    response = client.post_form(
        "/account/password",
        {
            "current_password": "wrong",
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )

    assert response.status_code == 422
    assert "The current password is not correct." in _body(response)


def test_password_change_too_short_is_refused(client, make_user, login):
    user = make_user(Role.RESEARCHER)
    login(user)

    response = client.post_form(
        "/account/password", {"current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    )

    assert response.status_code == 422
    assert "Field must be between 12 and 256 characters long." in _body(response)


def test_pages_require_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2F"
