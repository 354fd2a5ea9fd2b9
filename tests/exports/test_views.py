"""The exports page and its downloads: who may download what, file names, streaming, audit events."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.audit.models import AuditEvent
from surveyapp.enums import Phase, Role
from surveyapp.exports.services import ANSWER_COLUMNS


def test_researcher_downloads_answers_as_csv_with_a_file_name_and_an_audit_event(
    db, client, login, coded_study, make_user
):
    coded_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    login(researcher)

    page = client.get("/studies/fit-2025/exports")
    response = client.get("/studies/fit-2025/exports/download?what=answers&format=csv")

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "/studies/fit-2025/exports/download?what=answers&amp;format=csv" in body
    assert "/studies/fit-2025/exports/download?what=themes&amp;format=xlsx" in body
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="fit-2025-answers.csv"'
    assert response.mimetype == "text/csv"
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(ANSWER_COLUMNS)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.export"))
    assert (event.actor_id, event.actor_label, event.object_type) == (
        researcher.id,
        researcher.email,
        "studies",
    )
    assert event.details == {
        "what": "answers",
        "format": "csv",
        "rows": len(lines) - 1,
        "outcome": "completed",
    }
    assert "/studies/fit-2025/exports" in client.get("/studies/fit-2025").get_data(as_text=True)


def test_answers_download_left_by_the_client_is_recorded_as_interrupted_with_the_rows_sent(
    db, client, login, coded_study, make_user
):
    coded_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    response = client.get("/studies/fit-2025/exports/download?what=answers&format=json", buffered=False)
    chunks = iter(response.response)

    received = [next(chunks), next(chunks), next(chunks)]
    before_the_end = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.export"))
    db.session.rollback()  # SQLite: the test's own transaction holds the write lock the recording needs
    response.close()

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.export"))
    assert received[0] == b"["
    assert before_the_end is None
    assert event.details == {"what": "answers", "format": "json", "rows": 2, "outcome": "interrupted"}


def test_answers_download_reads_after_the_request_session_is_gone(db, client, login, coded_study, make_user):
    coded_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    response = client.get("/studies/fit-2025/exports/download?what=answers&format=csv", buffered=False)
    db.session.remove()  # as after the request's teardown: nothing of the request's session is used

    body = b"".join(response.response).decode("utf-8-sig")
    response.close()

    assert body.splitlines()[0] == ",".join(ANSWER_COLUMNS)
    assert len(body.splitlines()) == 253


def test_account_team_may_download_the_analysis_only(db, client, login, coded_study, make_user):
    study = coded_study().study
    team = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    login(team)

    page = client.get("/studies/fit-2025/exports")
    analysis = client.get("/studies/fit-2025/exports/download?what=analysis&format=xlsx")
    answers = client.get("/studies/fit-2025/exports/download?what=answers&format=csv")
    themes = client.get("/studies/fit-2025/exports/download?what=themes&format=json")

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "what=analysis" in body and "what=answers" not in body and "what=themes" not in body
    assert analysis.status_code == 200
    assert analysis.headers["Content-Disposition"] == 'attachment; filename="fit-2025-analysis.xlsx"'
    assert (answers.status_code, themes.status_code) == (404, 404)


def test_account_team_before_the_analyse_phase_and_other_suppliers_get_404(
    db, client, login, coded_study, make_user, make_supplier
):
    study = coded_study().study
    study.phase = Phase.INTERVIEW
    db.session.commit()
    team = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    outsider = make_user(Role.RESEARCHER, suppliers=[make_supplier("Competitor")])

    login(team)
    early = client.get("/studies/fit-2025/exports/download?what=analysis&format=json")
    client.post_form("/logout")
    login(outsider)
    foreign = client.get("/studies/fit-2025/exports")

    assert (early.status_code, foreign.status_code) == (404, 404)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "study.export")) is None


def test_unknown_format_is_a_clear_400(db, client, login, coded_study, make_user):
    coded_study()
    login(make_user(Role.RESEARCHER, all_suppliers=True))

    response = client.get("/studies/fit-2025/exports/download?what=answers&format=pdf")

    assert response.status_code == 400
    assert "Unknown format pdf: choose csv, xlsx or json." in response.get_data(as_text=True)
