"""Oversized and malformed input: bodies over MAX_CONTENT_LENGTH and forms with thousands of parts are refused
with 413 and a page that says so; a deeply nested JSON body on the interview autosave (the one endpoint
JavaScript posts to; it reads form fields, never JSON) is a 400; NUL bytes in staff forms and CSV imports are
refused naming the field; a 64 kB free-text answer is refused with the limit, and text up to the limit
round-trips exactly. (The survey's own NUL and unreadable-character cases: tests/responses/
test_views_validation.py.)"""

from __future__ import annotations

import io

from sqlalchemy import select

from surveyapp.enums import Role
from surveyapp.interviews.models import InterviewNote
from surveyapp.responses.models import Answer, Response
from surveyapp.studies import scope
from surveyapp.studies.imports import import_contacts
from surveyapp.studies.models import Contact, Study, Supplier
from tests.interviews.conftest import fieldwork, plan, researcher, screen, started  # noqa: F401
from tests.responses.conftest import ABOUT, FIT

TOO_LARGE = "What you sent is larger than this site accepts. Send a smaller file or less text."


def test_input_limits_defaults_bound_bodies_and_form_parts(app):
    assert (
        app.config["MAX_CONTENT_LENGTH"],
        app.config["MAX_FORM_MEMORY_SIZE"],
        app.config["MAX_FORM_PARTS"],
    ) == (32 * 1024 * 1024, 2 * 1024 * 1024, 1000)


def test_input_limits_body_over_the_limit_is_413_with_a_clear_page(make_app, db):
    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    client = app.test_client()

    response = client.post_form("/login", {"email": "a@example.org", "password": "x" * (100 * 1024)})

    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)


BOUNDARY = "h4-boundary"


def _multipart(fields: list[tuple[str, str]]) -> bytes:
    # Built here as bytes: the test client's own encoder spools big bodies to a temporary file that a request
    # refused half-way through would leave open.
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def _post_multipart(client, fields: list[tuple[str, str]]):
    return client.post(
        "/login",
        data=_multipart([("csrf_token", client.csrf_token()), *fields]),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def test_input_limits_ten_thousand_multipart_parts_are_413(client):
    response = _post_multipart(client, [(f"field{number}", "x") for number in range(10_000)])

    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)


def test_input_limits_multipart_field_over_the_form_memory_limit_is_413(client):
    response = _post_multipart(client, [("email", "a@example.org"), ("password", "x" * (3 * 1024 * 1024))])

    assert response.status_code == 413
    assert TOO_LARGE in response.get_data(as_text=True)


def test_input_limits_deeply_nested_json_on_the_autosave_is_a_400(
    db,
    client,
    login,
    fieldwork,  # noqa: F811
    researcher,  # noqa: F811
    started,  # noqa: F811
    screen,  # noqa: F811
):
    work = fieldwork()
    login(researcher)
    tab = screen(started(work, researcher))
    deep = "[" * 100_000 + "]" * 100_000

    response = tab.client.post(
        f"/interviews/{tab.id}/autosave",
        data=deep,
        content_type="application/json",
        headers={"X-CSRFToken": client.csrf_token()},
    )

    assert response.status_code == 400
    assert (
        response.get_json()["message"] == "The page sent something this interview does not know; reload it."
    )
    assert db.session.scalars(select(InterviewNote)).all() == []


def test_input_limits_nul_bytes_in_staff_forms_are_refused_and_the_input_kept(
    db, client, make_user, login, make_supplier
):
    login(make_user(Role.ADMIN))
    supplier = make_supplier("Brightline")

    study = client.post_form(
        "/studies/new",
        {
            "supplier": supplier.id,
            "name": "Wave\x00 one",
            "slug": "wave-1",
            "previous": 0,
            "time_zone": "Europe/Amsterdam",
            "reminder_days": "4, 9",
            "max_reminders": 2,
        },
    )
    new_supplier = client.post_form("/suppliers/new", {"name": "Acme\x00", "report_language": "nl"})

    assert (study.status_code, new_supplier.status_code) == (422, 422)
    assert "a name may not contain control characters." in study.get_data(as_text=True)
    assert 'value="wave-1"' in study.get_data(as_text=True)
    assert "a name may not contain control characters." in new_supplier.get_data(as_text=True)
    assert db.session.scalars(select(Study)).all() == []
    assert db.session.scalars(select(Supplier.name)).all() == ["Brightline"]


def test_input_limits_nul_bytes_and_bad_encoding_in_a_csv_import_are_row_numbered_errors(db, make_study):
    study = make_study()
    scope.add_account(session=db.session, study=study, name="Acme", actor=None)
    db.session.commit()
    rows = [
        "account,email,name,role,language,side",
        "Acme,ok@example.org,Fine Name,,en,client",
        "Acme,nul@example.org,Bad\x00Name,,en,client",
    ]
    broken = (
        b"account,email,name,role,language,side\r\nAcme,x@example.org,Bad \xed\xa0\x80 name,,en,client\r\n"
    )

    report = import_contacts(session=db.session, study=study, source=io.BytesIO("\r\n".join(rows).encode()))
    encoding = import_contacts(session=db.session, study=study, source=io.BytesIO(broken))

    assert [(error.row, str(error.message)) for error in report.errors] == [
        (3, "name contains a control character such as a tab or a line break.")
    ]
    assert [(error.row, str(error.message)) for error in encoding.errors] == [
        (
            2,
            "This row is not UTF-8 text, so the file cannot be read from here on. "
            "Save it as \u201cCSV UTF-8\u201d and try again.",
        )
    ]
    assert db.session.scalars(select(Contact)).all() == []


def test_input_limits_64_kb_free_text_is_refused_with_its_limit_and_5000_characters_round_trip(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))
    browser.save("about", ABOUT)
    browser.save("fit", FIT)
    exact = ("Ünïcødé 👍🏽 ‘quotes’ & <tags>\n" * 200)[:5000]

    huge = browser.save("loyalty", {"q-recommend": "3", "q-why": "x" * 65536})
    kept = browser.save("loyalty", {"q-recommend": "3", "q-why": exact})

    assert huge.status_code == 422
    assert "Use at most 5000 characters (now 65536)." in huge.get_data(as_text=True)
    assert kept.status_code == 303
    assert db.session.scalar(select(Answer.value).where(Answer.item_key == "why")) == exact
    assert len(db.session.scalars(select(Response)).all()) == 1
