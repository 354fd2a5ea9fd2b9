"""Property-based fuzzing of what strangers and spreadsheets send: the survey page POST (never a 5xx; saved
exactly or a form error that changes nothing) and the three CSV importers (imported, or row-numbered errors
with nothing written). The `show_if` parser has its own hypothesis tests in
tests/questionnaires/test_show_if_hostile.py (any text: a valid expression or a ShowIfError).

The examples run inside one test each (the fixtures build a study once); `max_examples` stays small so the
file runs in well under a minute. The `ci` and `dev` profiles of tests/questionnaires/conftest.py do not
apply here: these settings are explicit."""

from __future__ import annotations

import csv
import io
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from surveyapp.questionnaires.runtime import catalogue
from surveyapp.responses.imports import import_responses
from surveyapp.responses.models import Answer
from surveyapp.studies.imports import import_accounts, import_contacts
from surveyapp.studies.models import Account, Contact
from tests.analysis.builders import make_world

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Any text a browser could send: no surrogates (a browser cannot encode them; the raw-bytes case is a test of
# its own in tests/responses/test_views_validation.py).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
ROLE = st.one_of(st.sampled_from(["user", "buyer", "other", ""]), TEXT)


def _count(db: Any, model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _stored(db: Any) -> dict[str, str | None]:
    db.session.expire_all()
    return dict(db.session.execute(select(Answer.item_key, Answer.value)).all())


def test_fuzz_survey_page_post_saves_exactly_or_refuses_without_change(
    db, survey_study, make_invitation, respondent
):
    setup = survey_study()
    browser = respondent(make_invitation(setup.study, setup.ben, setup.globex_id))

    @FUZZ
    @given(role=ROLE, since=TEXT, hours=TEXT, name=TEXT)
    def post(role: str, since: str, hours: str, name: str) -> None:
        before = _stored(db)

        response = browser.save("about", {"q-role": role, "q-since": since, "q-hours": hours, "q-name": name})

        assert response.status_code in (303, 422), response.status_code
        after = _stored(db)
        if response.status_code == 422:
            assert after == before
            assert "There is a problem" in response.get_data(as_text=True)
        else:
            assert after.get("name") == (name.strip() or None)

    post()


def _csv(header: list[str], rows: list[list[str]]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8", errors="surrogatepass"))


def _check_report(db: Any, report: Any, model: Any, before: int) -> None:
    if report.errors:
        db.session.rollback()
        assert all(error.row is None or error.row >= 1 for error in report.errors)
        assert all(str(error.message) for error in report.errors)
        assert _count(db, model) == before
    else:
        db.session.commit()


CELL = st.one_of(TEXT, st.sampled_from(["Acme", "client", "supplier", "en", "nl", "1000", "x@example.org"]))


def test_fuzz_account_and_contact_imports_import_or_report_row_numbered_errors(db, make_study):
    study = make_study()

    @FUZZ
    @given(
        accounts=st.lists(st.lists(CELL, min_size=0, max_size=7), max_size=6),
        contacts=st.lists(st.lists(CELL, min_size=0, max_size=7), max_size=6),
        raw=st.binary(max_size=200),
    )
    def run(accounts: list[list[str]], contacts: list[list[str]], raw: bytes) -> None:
        header = ["name", "segment", "annual_revenue", "effort_hours", "billable_hours"]
        before = _count(db, Account)
        report = import_accounts(session=db.session, study=study, source=_csv(header, accounts))
        _check_report(db, report, Account, before)

        header = ["account", "email", "name", "role", "language", "side"]
        before = _count(db, Contact)
        report = import_contacts(session=db.session, study=study, source=_csv(header, contacts))
        _check_report(db, report, Contact, before)

        before = _count(db, Contact)
        report = import_contacts(session=db.session, study=study, source=io.BytesIO(raw))
        _check_report(db, report, Contact, before)

    run()


ANNA = ["Acme BV", "anna@client.example", "client", "all-types"]
QUESTION = st.sampled_from(["role", "needs", "hours", "name", "recommend", "channels", "nope", ""])
MODE = st.sampled_from(["survey", "paper", ""])
WHEN = st.sampled_from(["2025-10-01T10:00", "yesterday", "", "2025-13-40T99:99"])


def test_fuzz_response_import_imports_everything_or_nothing(db, make_supplier):
    world = make_world(db, make_supplier("Brightline"), extra=(catalogue().get("intake"),))
    world.account("Acme BV", external_id="A-1")
    world.client("anna", "Acme BV")
    db.session.commit()
    header = [
        "account",
        "respondent",
        "perspective",
        "questionnaire",
        "question",
        "value",
        "mode",
        "submitted_at",
    ]

    @FUZZ
    @given(rows=st.lists(st.tuples(QUESTION, CELL, MODE, WHEN), max_size=6))
    def run(rows: list[tuple[str, str, str, str]]) -> None:
        before = _count(db, Answer)
        cells = [[*ANNA, question, value, mode, when] for question, value, mode, when in rows]

        report = import_responses(session=db.session, study=world.study, source=_csv(header, cells))

        _check_report(db, report, Answer, before)

    run()
