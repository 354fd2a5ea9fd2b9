"""Privacy fixtures: the coding test study, with one respondent — Marieke van Dijk — spread over every place
personal data can live: answers and submission snapshots, coding, an interview, an invitation, emails (in the
outbox table and as files), an action item, researcher texts, the audit log, an uploaded import file and a
stored, delivered report PDF with her named quote."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.act.models import ActionItem, Decision
from surveyapp.audit.services import record
from surveyapp.cli import cli
from surveyapp.coding import services as coding
from surveyapp.coding.models import PALETTE
from surveyapp.coding.targets import ANSWER, Target
from surveyapp.enums import DecisionKind, Perspective, Phase, Purpose, Role
from surveyapp.interviews.models import (
    Interview,
    InterviewChannel,
    InterviewNote,
    InterviewQuote,
    QuoteConsent,
)
from surveyapp.invitations.models import Invitation, InvitationEvent
from surveyapp.jobs.render import run_render
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.models import MailKind
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.settings import mail_settings
from surveyapp.reporting.assemble import section_providers
from surveyapp.reporting.delivery import send_report
from surveyapp.reporting.models import Report, ReportKind
from surveyapp.reporting.services import approve_report, request_report
from surveyapp.responses.models import Response, ResponseSubmission
from surveyapp.studies.models import Account, Contact
from surveyapp.studies.uploads import ImportKind, store_upload
from tests.coding.conftest import coded_study  # noqa: F401
from tests.studies.conftest import make_study  # noqa: F401

EMAIL = "m.vandijk@vandijk.example"
NAME = "Marieke van Dijk"
OPEN_ANSWER = "Fast answers on the phone."
NOTE = "Monday planning calls keep the trucks moving."
NEEDLES = [NAME, EMAIL, OPEN_ANSWER, NOTE]
VAN_DIJK = "Van Dijk Logistiek"
PROVIDER = "surveyapp.coding.report_sections:sections"


@pytest.fixture
def run(app: Any) -> Callable[..., Any]:
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None) -> Any:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@dataclass
class Spread:
    study: Any
    contact_id: int
    account_id: int
    report_id: int
    instance: Path


@pytest.fixture
def spread_person(
    db: Any,
    app: Any,
    make_app: Callable[..., Any],
    coded_study: Callable[..., Any],  # noqa: F811
    make_user: Callable[..., Any],
) -> Callable[..., Spread]:
    def factory(*, keep_scores: bool = True, report: bool = False) -> Spread:
        coded = coded_study()
        study = coded.study
        study.keep_anonymous_scores = keep_scores
        researcher = make_user(Role.RESEARCHER, all_suppliers=True, name="Sanne de Vries")
        member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier], name="Tom Bakker")
        contact = db.session.scalar(select(Contact).where(Contact.email == EMAIL))
        account = db.session.scalar(select(Account).where(Account.name == VAN_DIJK))
        answer_id = coded.answer(EMAIL, VAN_DIJK)
        # Coding: a theme on her answer, and her answer chosen for the report (she allowed it with her name).
        theme = coding.create_theme(
            session=db.session, study=study, name="Speed", colour=PALETTE[0], actor=researcher
        )
        target = Target(ANSWER, answer_id)
        coding.save_tags(
            session=db.session, study=study, chosen={target: frozenset({theme.id})}, actor=researcher
        )
        coding.save_selection(session=db.session, study=study, chosen={target: True}, actor=researcher)
        # A submission snapshot of her response.
        response = db.session.scalar(select(Response).where(Response.contact_id == contact.id))
        db.session.add(
            ResponseSubmission(
                response_id=response.id,
                number=1,
                submitted_at=response.submitted_at,
                answers={"open_works": OPEN_ANSWER, "quote_consent": "named"},
            )
        )
        # An interview with notes, a quote and a location.
        interview = Interview(
            study_id=study.id,
            contact_id=contact.id,
            account_id=account.id,
            perspective=Perspective.CLIENT,
            language="en",
            scheduled_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
            channel=InterviewChannel.ON_SITE,
            location=f"Office of {NAME}, Rotterdam",
            consent_quote=QuoteConsent.NAMED,
            ics_uid=f"interview-{uuid.uuid4().hex}@surveyapp",
        )
        db.session.add(interview)
        db.session.flush()
        db.session.add(InterviewNote(interview_id=interview.id, question_key="open_works", text=NOTE))
        db.session.add(
            InterviewQuote(
                interview_id=interview.id,
                question_key="open_works",
                text=NOTE,
                attribution=QuoteConsent.NAMED,
            )
        )
        # An invitation whose delivery failed once, quoting her address.
        chosen = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
        invitation = Invitation(
            study_id=study.id,
            contact_id=contact.id,
            account_id=account.id,
            study_questionnaire_id=chosen.id,
            last_error=f"550 <{EMAIL}>: mailbox full",
        )
        db.session.add(invitation)
        db.session.flush()
        db.session.add(InvitationEvent(invitation_id=invitation.id, status="failed", detail=f"550 <{EMAIL}>"))
        # An email to her, delivered to the file outbox.
        mail = mail_settings(app.config)
        queue_message(
            session=db.session,
            kind=MailKind.INVITATION,
            dedupe_key=f"invitation:{invitation.id}:send:1",
            recipient=EMAIL,
            recipient_name=NAME,
            sender=mail.sender,
            draft=Draft(subject="Your view of Brightline", text_body=f"Dear {NAME},\n\nPlease answer.\n"),
        )
        # A decision whose rationale names her, and an action she owns by email.
        decision = Decision(
            study_id=study.id,
            account_id=account.id,
            kind=DecisionKind.CONTINUE,
            rationale=f"{NAME} is content; keep the planning calls.",
            quadrant="match",
            scoring_version="test",
            decided_by_label="researcher",
        )
        db.session.add(decision)
        db.session.flush()
        db.session.add(
            ActionItem(
                decision_id=decision.id,
                title="Plan the quarterly review",
                owner_name=NAME,
                owner_email=EMAIL,
                due=date(2027, 1, 15),
                notes=f"Ask {NAME} for the dates.",
            )
        )
        # An old audit event that carried her address in its details.
        record(
            session=db.session,
            action="contact.imported",
            actor=researcher,
            obj=contact,
            details={"email": EMAIL},
        )
        # An import file checked on the web and waiting to be confirmed (kept in the database).
        store_upload(
            session=db.session,
            study=study,
            user=researcher,
            kind=ImportKind.CONTACTS,
            filename="pending.csv",
            content=f"account,email,name,role,language,side\n{VAN_DIJK},{EMAIL},{NAME},Director,nl,client\n".encode(),
        )
        db.session.commit()
        # An uploaded import file left in the instance folder by an older version.
        instance = Path(app.instance_path)
        (instance / "uploads").mkdir(parents=True, exist_ok=True)
        (instance / "uploads" / "pending.csv").write_text(
            f"account,email,name,role,language,side\n{VAN_DIJK},{EMAIL},{NAME},Director,nl,client\n",
            encoding="utf-8",
        )
        report_id = 0
        if report:
            # Her account's report, rendered with her named quote, approved and sent as an attachment (slow: only
            # the tests that need a real PDF ask for it).
            study.phase = Phase.ACT
            report_id = request_report(
                session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account
            ).id
            db.session.commit()
            assert run_render(report_id, app=make_app(REPORT_SECTION_PROVIDERS=PROVIDER)).ok
            stored = db.session.get(Report, report_id)
            rendered_with = section_providers([PROVIDER])
            approve_report(session=db.session, report=stored, actor=researcher, providers=rendered_with)
            send_report(
                session=db.session,
                report=stored,
                recipients=[member],
                actor=researcher,
                mail=mail,
                attach_max_bytes=2 * 1024 * 1024,
                providers=rendered_with,
            )
            db.session.commit()
        deliver_outbox()
        return Spread(study, contact.id, account.id, report_id, instance)

    return factory
