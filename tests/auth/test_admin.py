"""User administration: create, change role and access, deactivate, one-time password links."""

from __future__ import annotations

import re

from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.auth.models import User
from surveyapp.enums import Role


def test_admin_creates_a_user_and_their_password_link_works_once(
    app, client, db, make_user, login, make_supplier
):
    supplier = make_supplier("Alpha Services")
    login(make_user(Role.ADMIN))

    created = client.post_form(
        "/admin/users/new",
        {
            "email": "Anna@Example.org",
            "name": "Anna de Boer",
            "role": "account_team",
            "suppliers": [supplier.id],
            "language": "nl",
        },
    )
    user = db.session.scalar(select(User).where(User.email == "anna@example.org"))
    link_page = client.post_form(f"/admin/users/{user.id}/password-link").get_data(as_text=True)
    link = re.search(r"https://surveys\.example\.org(/set-password/[\w-]+)", link_page).group(1)
    newcomer = app.test_client()
    first = newcomer.get(link)
    set_page = newcomer.get(first.headers["Location"])
    done = newcomer.post_form(
        "/set-password", {"new_password": "anna's own passphrase", "confirm": "anna's own passphrase"}
    )
    reused = app.test_client().get(link)

    assert created.status_code == 302
    assert user.role == Role.ACCOUNT_TEAM
    assert [s.name for s in user.suppliers] == ["Alpha Services"]
    assert first.headers["Location"] == "/set-password"
    assert set_page.status_code == 200
    assert done.status_code == 302
    assert app.test_client().get(reused.headers["Location"]).status_code == 410
    assert (
        newcomer.post_form(
            "/login", {"email": "anna@example.org", "password": "anna's own passphrase"}
        ).status_code
        == 302
    )


def test_admin_create_user_with_bad_input_keeps_what_was_typed(client, make_user, login):
    login(make_user(Role.ADMIN))

    response = client.post_form(
        "/admin/users/new",
        {"email": "anna@example.org", "name": "Anna", "role": "account_team", "language": ""},
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A user with role account_team needs exactly one supplier." in body
    assert 'value="anna@example.org"' in body
    assert 'value="Anna"' in body


def test_deactivating_a_user_ends_their_sessions(app, client, db, make_user, login, make_supplier):
    supplier = make_supplier()
    target = make_user(Role.ACCOUNT_TEAM, suppliers=[supplier])
    their_client = app.test_client()
    login(target, target=their_client)
    login(make_user(Role.ADMIN))

    response = client.post_form(
        f"/admin/users/{target.id}",
        {
            "email": target.email,
            "name": "",
            "role": "account_team",
            "suppliers": [supplier.id],
            "language": "",
        },
    )

    assert response.status_code == 302
    assert db.session.get(User, target.id).is_active_user is False
    assert their_client.get("/").status_code == 302


def test_admin_cannot_demote_themself(client, make_user, login):
    admin = make_user(Role.ADMIN)
    login(admin)

    response = client.post_form(
        f"/admin/users/{admin.id}",
        {"email": admin.email, "role": "researcher", "all_suppliers": "y", "active": "y", "language": ""},
    )

    assert response.status_code == 422
    assert "You cannot remove your own admin role or deactivate yourself." in response.get_data(as_text=True)


def test_role_change_is_audited(client, db, make_user, login):
    admin = make_user(Role.ADMIN)
    target = make_user(Role.RESEARCHER)
    login(admin)

    client.post_form(
        f"/admin/users/{target.id}", {"email": target.email, "role": "admin", "active": "y", "language": ""}
    )

    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.updated")).one()
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "users", target.id)
    assert event.details["before"]["role"] == "researcher"
    assert event.details["after"]["role"] == "admin"


def test_unknown_password_link_is_410(client):
    first = client.get("/set-password/not-a-real-token")

    assert client.get(first.headers["Location"]).status_code == 410
