"""A researcher limited to some suppliers cannot widen that scope: no new suppliers, no studies, settings or
pages of suppliers they may not see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.enums import Role
from surveyapp.studies.models import Study, Supplier
from surveyapp.studies.services import create_supplier

NEW_SUPPLIER_LINK = 'href="/suppliers/new"'


def _suppliers(db) -> list[str]:
    return list(db.session.scalars(select(Supplier.name).order_by(Supplier.name)))


def test_new_supplier_by_a_limited_researcher_is_404_and_creates_nothing(
    client, db, make_user, login, make_supplier
):
    granted = make_supplier("Granted")
    user = make_user(Role.RESEARCHER, suppliers=[granted], all_suppliers=False)
    login(user)

    page = client.get("/suppliers/new")
    posted = client.post_form("/suppliers/new", {"name": "Gamma Consulting", "report_language": "en"})

    assert (page.status_code, posted.status_code) == (404, 404)
    assert _suppliers(db) == ["Granted"]
    assert [supplier.name for supplier in db.session.get(type(user), user.id).suppliers] == ["Granted"]


def test_new_supplier_with_an_existing_name_by_a_limited_researcher_is_404_not_a_name_clash(
    client, db, make_user, login, make_supplier
):
    # The clash message would tell them a supplier they may not see exists.
    make_supplier("Competitor")
    login(make_user(Role.RESEARCHER, suppliers=[make_supplier("Granted")], all_suppliers=False))

    posted = client.post_form("/suppliers/new", {"name": "competitor", "report_language": "en"})

    assert posted.status_code == 404
    assert "Competitor" not in posted.get_data(as_text=True)


@pytest.mark.parametrize(("role", "all_suppliers"), [(Role.ADMIN, False), (Role.RESEARCHER, True)])
def test_new_supplier_by_an_admin_or_a_researcher_who_sees_all_is_created(
    client, db, make_user, login, role, all_suppliers
):
    login(make_user(role, all_suppliers=all_suppliers))

    posted = client.post_form("/suppliers/new", {"name": "Gamma Consulting", "report_language": "en"})

    assert posted.status_code == 302
    assert _suppliers(db) == ["Gamma Consulting"]
    assert client.get(posted.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("role", "all_suppliers", "offered"),
    [
        (Role.ADMIN, False, True),
        (Role.RESEARCHER, True, True),
        (Role.RESEARCHER, False, False),
        (Role.ACCOUNT_TEAM, False, False),
    ],
)
def test_suppliers_page_offers_new_supplier_only_to_who_may_create_one(
    client, make_user, login, make_supplier, role, all_suppliers, offered
):
    supplier = make_supplier("Granted")
    limited = {} if all_suppliers or role is Role.ADMIN else {"suppliers": [supplier]}
    login(make_user(role, all_suppliers=all_suppliers, **limited))

    page = client.get("/suppliers")

    assert page.status_code == 200
    assert (NEW_SUPPLIER_LINK in page.get_data(as_text=True)) is offered


def test_create_supplier_refuses_a_limited_researcher_as_actor(db, make_user, make_supplier):
    user = make_user(Role.RESEARCHER, suppliers=[make_supplier("Granted")], all_suppliers=False)

    with pytest.raises(PermissionError):
        create_supplier(session=db.session, name="Gamma Consulting", actor=user)
    db.session.rollback()

    assert _suppliers(db) == ["Granted"]


def test_new_study_for_a_supplier_a_limited_researcher_cannot_see_is_refused(
    client, db, make_user, login, make_supplier
):
    granted, hidden = make_supplier("Granted"), make_supplier("Hidden")
    login(make_user(Role.RESEARCHER, suppliers=[granted], all_suppliers=False))

    posted = client.post_form(
        "/studies/new",
        {
            "supplier": hidden.id,
            "name": "Sneaky",
            "slug": "sneaky",
            "previous": 0,
            "time_zone": "Europe/Amsterdam",
            "reminder_days": "4, 9",
            "max_reminders": 2,
        },
    )

    assert posted.status_code == 422
    assert "Hidden" not in posted.get_data(as_text=True)
    assert db.session.scalars(select(Study)).all() == []


def test_supplier_pages_of_a_supplier_a_limited_researcher_cannot_see_are_404(
    client, db, make_user, login, make_supplier
):
    granted, hidden = make_supplier("Granted"), make_supplier("Hidden")
    login(make_user(Role.RESEARCHER, suppliers=[granted], all_suppliers=False))

    statuses = (
        client.get(f"/suppliers/{hidden.id}").status_code,
        client.get(f"/suppliers/{hidden.id}/settings").status_code,
        client.post_form(
            f"/suppliers/{hidden.id}/settings", {"report_language": "en", "brand_colour": "#000000"}
        ).status_code,
    )
    study_form = client.get(f"/studies/new?supplier={hidden.id}")

    assert statuses == (404, 404, 404)
    assert db.session.get(Supplier, hidden.id).brand_colour is None
    assert study_form.status_code == 200
    assert "Hidden" not in study_form.get_data(as_text=True)
