"""Issue 23: a report knows what it was made from; when that changes it is outdated — marked in the list and on
its page, not approved, not sent — until it is rendered again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from surveyapp.enums import DecisionKind, Phase, Role
from surveyapp.mail.settings import mail_settings
from surveyapp.reporting.assemble import section_providers
from surveyapp.reporting.delivery import send_report
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import ReportError, approve_report, request_report, save_commentary
from surveyapp.reporting.settings import BUILT_IN_PROVIDERS
from surveyapp.reporting.sources import outdated_parts
from surveyapp.studies.models import Account, StudyAccount
from tests.reporting.studies import mark_rendered

PROVIDERS = section_providers(BUILT_IN_PROVIDERS)


def account(db, name="Noordzee Havenbedrijf"):
    return db.session.scalar(select(Account).where(Account.name == name))


def made(db, study, kind=ReportKind.ACCOUNT):
    report = request_report(
        session=db.session,
        study=study,
        kind=kind,
        account=account(db) if kind is ReportKind.ACCOUNT else None,
    )
    mark_rendered(db.session, report)
    db.session.commit()
    return report


def parts(db, study, report):
    return outdated_parts(session=db.session, study=study, reports=[report], providers=PROVIDERS)[report.id]


def test_sources_rendered_report_is_current_until_its_data_changes(
    db, make_app, make_user, login, answered_study
):
    # Arrange: a report rendered for real, by the renderer child, as a researcher asks for it, with the
    # account's decision and actions in it (act phase)
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    study.phase = Phase.ACT
    db.session.commit()
    from surveyapp.act.services import add_action, record_decision

    decision = record_decision(
        session=db.session, study=study, account_id=account(db).id, kind=DecisionKind.REALIGN,
        rationale="Scope keeps moving.", override_reason="We can fix it.", actor=researcher,
    )  # fmt: skip
    add_action(
        session=db.session, decision=decision, title="Agree a scope freeze", due=date(2027, 1, 15),
        owner_name="Eva", owner_email="eva@supplier.example", actor=researcher,
    )  # fmt: skip
    db.session.commit()
    inline = make_app(REPORT_JOBS_MODE="inline").test_client()
    login(researcher, target=inline)
    inline.post_form(f"/studies/{study.slug}/reports", {"subject": str(account(db).id), "language": "nl"})
    report = db.session.scalar(select(Report))
    current = parts(db, study, report)

    # Act: the account's hours change (the cost of mismatch rests on them)
    db.session.get(StudyAccount, (study.id, account(db).id)).effort_hours = Decimal(5000)
    db.session.commit()

    # Assert
    assert report.status is ReportStatus.READY
    assert {"section:decision", "section:actions"} <= set(report.source_state)
    assert current == []
    assert parts(db, study, report) == ["analysis"]


def test_sources_commentary_and_decisions_are_parts_of_their_own(db, make_user, answered_study):
    # Arrange
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    report = made(db, study)
    study.phase = Phase.ACT
    db.session.commit()

    # Act
    save_commentary(
        session=db.session, study=study, account=account(db), text="Watch the scope.", actor=researcher
    )
    from surveyapp.act.services import record_decision

    record_decision(
        session=db.session, study=study, account_id=account(db).id, kind=DecisionKind.REALIGN,
        rationale="Scope keeps moving.", override_reason="We can fix it.", actor=researcher,
    )  # fmt: skip
    db.session.commit()

    # Assert
    assert parts(db, study, report) == ["commentary", "section:actions", "section:decision"]


def test_sources_outdated_report_is_not_approved_and_not_sent(db, app, make_user, answered_study):
    # Arrange: one report approved, then its data changes; another ready but not approved
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    approved = made(db, study, ReportKind.PORTFOLIO)
    approve_report(session=db.session, report=approved, actor=researcher)
    waiting = made(db, study)
    save_commentary(
        session=db.session, study=study, account=None, text="New portfolio view.", actor=researcher
    )
    db.session.commit()

    # Act / Assert
    with pytest.raises(ReportError) as refused_approval:
        approve_report(session=db.session, report=waiting, actor=researcher)
    with pytest.raises(ReportError) as refused_send:
        send_report(
            session=db.session, report=approved, recipients=[member], actor=researcher,
            mail=mail_settings(app.config), attach_max_bytes=2_000_000,
        )  # fmt: skip
    assert str(refused_approval.value) == (
        "This report is outdated: what it was made from has changed since (the commentary). Render it again, "
        "then approve and send the new version."
    )
    assert "outdated" in str(refused_send.value)
    assert waiting.approved_at is None


def test_sources_report_without_a_record_counts_as_outdated(db, answered_study):
    # Arrange: a report made by a version before this record existed
    study = answered_study()
    report = made(db, study)
    report.source_state = None
    db.session.commit()

    # Act / Assert
    assert parts(db, study, report) == ["unknown"]


@pytest.mark.parametrize("ui_language", ["en", "nl"])
def test_sources_list_and_page_mark_outdated_reports_in_any_ui_language(
    db, client, make_user, login, answered_study, ui_language
):
    # Arrange: two reports, one then outdated by a change of its account's commentary
    study = answered_study()
    researcher = make_user(Role.RESEARCHER, all_suppliers=True)
    current = made(db, study, ReportKind.PORTFOLIO)
    stale = made(db, study)
    save_commentary(session=db.session, study=study, account=account(db), text="Changed.", actor=researcher)
    db.session.commit()
    login(researcher)
    headers = {"Accept-Language": ui_language}

    # Act
    listing = client.get(f"/studies/{study.slug}/reports", headers=headers).get_data(as_text=True)
    stale_page = client.get(f"/reports/{stale.id}", headers=headers).get_data(as_text=True)
    current_page = client.get(f"/reports/{current.id}", headers=headers).get_data(as_text=True)

    # Assert: one badge, on the stale report; its page offers to render it again instead of approving it
    badge = "verouderd" if ui_language == "nl" else "outdated"
    assert listing.count('<span class="tag tag-warning"') == 1
    assert f">{badge}</span>" in listing
    assert 'id="outdated-heading"' in stale_page
    assert 'action="/reports/' not in stale_page.split('id="outdated-heading"')[1].split("</section>")[0]
    assert 'id="approve-heading"' not in stale_page
    assert 'id="outdated-heading"' not in current_page
    assert 'id="approve-heading"' in current_page
