"""The researcher's study workspace in the browser (through the Flask client), and who may see it."""

from __future__ import annotations

import io

from sqlalchemy import select

from surveyapp.enums import Phase, Role
from surveyapp.studies.models import Study, StudyAccount
from surveyapp.studies.phases import change_phase


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_researcher_creates_a_study_from_the_supplier_page(client, db, make_user, login, make_supplier):
    supplier = make_supplier("Brightline")
    login(make_user(Role.RESEARCHER))

    form = client.get(f"/studies/new?supplier={supplier.id}")
    response = client.post_form(
        "/studies/new",
        {
            "supplier": supplier.id,
            "name": "Klantfit 2026",
            "slug": "brightline-2026",
            "previous": 0,
            "time_zone": "Europe/Amsterdam",
            "deadline": "2026-12-18",
            "reminder_days": "4, 9",
            "max_reminders": 2,
        },
    )

    study = db.session.scalar(select(Study))
    assert form.status_code == 200
    assert response.headers["Location"] == "/studies/brightline-2026"
    assert (study.name, str(study.deadline), study.reminder_days) == ("Klantfit 2026", "2026-12-18", [4, 9])
    page = _text(client.get("/studies/brightline-2026"))
    assert "Add at least one account to the study." in page
    assert "Move to the Interview phase" in page


def test_new_study_with_bad_input_keeps_what_was_typed(client, make_user, login, make_supplier):
    supplier = make_supplier("Brightline")
    login(make_user(Role.RESEARCHER))

    response = client.post_form(
        "/studies/new",
        {
            "supplier": supplier.id,
            "name": "Klantfit <2026>",
            "slug": "Not A Slug",
            "previous": 0,
            "time_zone": "Europe/Amsterdam",
            "reminder_days": "4, nine",
            "max_reminders": 2,
        },
    )

    body = _text(response)
    assert response.status_code == 422
    assert "Use whole numbers separated by commas, e.g. 4, 9." in body
    assert 'value="Klantfit &lt;2026&gt;"' in body
    assert 'value="Not A Slug"' in body


def test_researcher_adds_an_account_and_sees_it_in_scope(client, db, make_user, login, make_study):
    study = make_study()
    login(make_user(Role.RESEARCHER))

    response = client.post_form(
        f"/studies/{study.slug}/accounts",
        {
            "name": "Acme BV",
            "segment": "Retail",
            "annual_revenue": "1200.50",
            "effort_hours": "100",
            "billable_hours": "90",
        },
    )

    assert response.status_code == 302
    page = _text(client.get(f"/studies/{study.slug}/accounts"))
    assert "Acme BV" in page
    assert "1,201" in page  # 1200.50 shown without decimals (rounded half-up), in the English notation


def test_account_with_billable_above_effort_is_refused_on_the_page(client, make_user, login, make_study):
    study = make_study()
    login(make_user(Role.RESEARCHER))

    response = client.post_form(
        f"/studies/{study.slug}/accounts", {"name": "Acme BV", "effort_hours": "10", "billable_hours": "20"}
    )

    assert response.status_code == 422
    assert "Billable hours cannot be more than the effort hours." in _text(response)
    assert 'value="Acme BV"' in _text(response)


def test_phase_change_on_the_page_shows_what_is_missing(client, db, make_user, login, make_study):
    study = make_study()
    login(make_user(Role.RESEARCHER))

    response = client.post_form(f"/studies/{study.slug}/phase", {"target": "interview"})
    page = _text(client.get(response.headers["Location"]))

    assert "The study cannot move to Interview yet." in page
    assert db.session.get(Study, study.id).phase == Phase.PREPARE


def test_phase_change_on_the_page_moves_a_ready_study(client, db, make_user, login, ready_study):
    study = ready_study()
    login(make_user(Role.RESEARCHER))

    client.post_form(f"/studies/{study.slug}/phase", {"target": "interview"})

    assert db.session.get(Study, study.id).phase == Phase.INTERVIEW


def test_account_team_sees_no_study_before_analyse(client, db, make_user, login, ready_study):
    study = ready_study()
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    assert client.get(f"/studies/{study.slug}").status_code == 404
    assert study.slug not in _text(client.get("/studies"))


def test_account_team_sees_an_analysed_study_read_only(client, db, make_user, login, ready_study):
    study = ready_study()
    study.phase = Phase.ANALYSE
    db.session.commit()
    login(make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier]))

    page = client.get(f"/studies/{study.slug}")

    assert page.status_code == 200
    assert "Move back" not in _text(page)
    assert client.get(f"/studies/{study.slug}/accounts").status_code == 404
    assert client.post_form(f"/studies/{study.slug}/phase", {"target": "act"}).status_code == 404


def test_researcher_without_access_gets_404_on_the_study(client, make_user, login, make_study, make_supplier):
    study = make_study()
    login(make_user(Role.RESEARCHER, suppliers=[make_supplier()], all_suppliers=False))

    for path in ("", "/accounts", "/contacts", "/import", "/settings"):
        assert client.get(f"/studies/{study.slug}{path}").status_code == 404, path


def test_contact_form_reports_a_client_contact_on_two_accounts(client, db, make_user, login, ready_study):
    study = ready_study()
    login(make_user(Role.RESEARCHER))
    other = db.session.scalar(
        select(StudyAccount).where(StudyAccount.study_id == study.id).order_by(StudyAccount.account_id.desc())
    )

    response = client.post_form(
        f"/studies/{study.slug}/contacts",
        {
            "contact-side": "client",
            "contact-email": "anna@acme.example",
            "contact-name": "Anna",
            "contact-role": "",
            "contact-language": "nl",
            "contact-account": other.account_id,
        },
    )

    assert response.status_code == 422
    assert "anna@acme.example is already a contact of account Acme BV" in _text(response)


def test_import_preview_then_confirm_imports_accounts(client, db, make_user, login, make_study):
    study = make_study()
    login(make_user(Role.RESEARCHER))
    csv = b"name;segment;annual_revenue;effort_hours;billable_hours\nAcme BV;Retail;1.000,50;100;90\n"

    preview = client.post_form(
        f"/studies/{study.slug}/import",
        {"kind": "accounts", "file": (io.BytesIO(csv), "accounts.csv")},
        content_type="multipart/form-data",
    )
    token = preview.get_data(as_text=True).split('name="upload" type="hidden" value="')[1].split('"')[0]
    assert db.session.scalar(select(StudyAccount).where(StudyAccount.study_id == study.id)) is None

    done = client.post_form(f"/studies/{study.slug}/import/confirm", {"kind": "accounts", "upload": token})

    in_scope = db.session.scalar(select(StudyAccount).where(StudyAccount.study_id == study.id))
    assert preview.status_code == 200
    assert done.status_code == 302
    assert (in_scope.account.name, str(in_scope.annual_revenue)) == ("Acme BV", "1000.50")


def test_import_with_errors_writes_nothing_and_lists_rows(client, db, make_user, login, make_study):
    study = make_study()
    login(make_user(Role.RESEARCHER))
    csv = b"name,segment,annual_revenue,effort_hours,billable_hours\nAcme,Retail,100,10,20\n"

    preview = client.post_form(
        f"/studies/{study.slug}/import",
        {"kind": "accounts", "file": (io.BytesIO(csv), "accounts.csv")},
        content_type="multipart/form-data",
    )

    assert preview.status_code == 422
    assert "The file was not imported" in _text(preview)
    assert db.session.scalar(select(StudyAccount).where(StudyAccount.study_id == study.id)) is None


def test_study_phase_changes_back_from_the_page_need_a_reason(client, db, make_user, login, ready_study):
    study = ready_study()
    change_phase(session=db.session, study=study, target=Phase.INTERVIEW, actor=None)
    db.session.commit()
    login(make_user(Role.RESEARCHER))

    client.post_form(f"/studies/{study.slug}/phase", {"target": "prepare", "reason": ""})
    unchanged = db.session.get(Study, study.id).phase
    client.post_form(f"/studies/{study.slug}/phase", {"target": "prepare", "reason": "one more account"})

    assert unchanged == Phase.INTERVIEW
    assert db.session.get(Study, study.id).phase == Phase.PREPARE


def test_import_error_messages_escape_what_the_file_contained(client, make_user, login, ready_study):
    study = ready_study()
    login(make_user(Role.RESEARCHER))
    csv = b"account,email,name,role,language,side\nAcme BV,<script>alert(1)</script>,X,,nl,client\n"

    preview = client.post_form(
        f"/studies/{study.slug}/import",
        {"kind": "contacts", "file": (io.BytesIO(csv), "contacts.csv")},
        content_type="multipart/form-data",
    )

    body = _text(preview)
    assert preview.status_code == 422
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
