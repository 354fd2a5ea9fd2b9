"""Starting the next wave of a study: the same set-up, in a new study linked to this one as its previous wave.

What is copied, and why (a methodologist's choices, also in the README):
- the accounts in scope, without the period's figures (revenue, effort and billable hours belong to a period:
  last year's would silently feed this year's cost of mismatch; import them again for the new period);
- the staff assignments and the study lead, except erased contacts (client contacts belong to their account
  and come along with it; erased contacts are never invited again);
- the questionnaires by slug, at their *current* version: a new wave measures with today's instruments, and
  drift stays comparable because each wave is scored with its own pinned scoring version (rule 12); a
  questionnaire no longer shipped keeps the version the previous wave used;
- time zone, reminder schedule, maximum reminders and the anonymous-scores setting; the deadline is asked
  (proposed: one year after this wave's), since a schedule relative to the first send needs no shifting.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.act.services import ActError
from surveyapp.audit.services import record
from surveyapp.enums import Phase
from surveyapp.i18n import _l
from surveyapp.questionnaires.services import load_version
from surveyapp.studies.models import Assignment, Contact, Study, StudyAccount
from surveyapp.studies.services import StudyError, create_study

YEAR_AT_END = re.compile(r"^(.*?)(\d{4})$")


def _next_year(text: str, fallback: str) -> str:
    found = YEAR_AT_END.match(text)
    return f"{found.group(1)}{int(found.group(2)) + 1}" if found else fallback


def one_year_later(day: date | None) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def suggestion(study: Study) -> dict[str, Any]:
    """What the next-wave form proposes: klantfit-2025 -> klantfit-2026, the deadline a year later."""
    return {
        "slug": _next_year(study.slug, f"{study.slug}-next"[:80]),
        "name": _next_year(study.name, f"{study.name} (2)"[:200]),
        "deadline": one_year_later(study.deadline),
    }


def next_wave_of(*, session: Session, study: Study) -> Study | None:
    return session.scalar(select(Study).where(Study.previous_study_id == study.id))


def start_next_wave(
    *,
    session: Session,
    study: Study,
    slug: str,
    name: str,
    deadline: date | None,
    catalogue: Any,
    actor: Any,
    actor_label: str | None = None,
) -> Study:
    """Copy the study's set-up into a new study in the prepare phase, linked to it; refused a second time."""
    if study.phase != Phase.ACT:
        raise ActError(_l("The next wave is started from the act phase."))
    follower = next_wave_of(session=session, study=study)
    if follower is not None:
        raise ActError(
            _l("The next wave of this study has already been started: %(slug)s.", slug=follower.slug)
        )
    questionnaires = [
        catalogue.questionnaires.get(row.slug) or load_version(session=session, version_id=row.version_id)
        for row in study.questionnaires
    ]
    try:
        wave = create_study(
            session=session,
            supplier=study.supplier,
            slug=slug,
            name=name,
            questionnaires=questionnaires,
            previous=study,
            time_zone=study.time_zone,
            deadline=deadline,
            reminder_days=study.reminder_days,
            max_reminders=study.max_reminders,
            reminder_min_interval_days=study.reminder_min_interval_days,
            actor=actor,
            actor_label=actor_label,
        )
    except StudyError as exc:
        raise ActError(str(exc)) from None
    wave.keep_anonymous_scores = study.keep_anonymous_scores
    account_ids = list(
        session.scalars(select(StudyAccount.account_id).where(StudyAccount.study_id == study.id))
    )
    session.add_all(StudyAccount(study_id=wave.id, account_id=account_id) for account_id in account_ids)
    assignments = session.execute(
        select(Assignment.contact_id, Assignment.account_id)
        .join(Contact, Contact.id == Assignment.contact_id)
        .where(Assignment.study_id == study.id, Contact.erased_at.is_(None))
    ).all()
    session.add_all(
        Assignment(study_id=wave.id, contact_id=contact_id, account_id=account_id)
        for contact_id, account_id in assignments
    )
    lead = study.lead_contact
    if lead is not None and lead.erased_at is None:
        wave.lead_contact = lead
    session.flush()
    record(
        session=session,
        action="study.next_wave_started",
        actor=actor,
        actor_label=actor_label,
        obj=study,
        supplier_id=study.supplier_id,
        details={"next": wave.id, "accounts": len(account_ids), "assignments": len(assignments)},
    )
    return wave
