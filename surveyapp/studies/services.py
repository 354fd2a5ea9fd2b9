"""Creating and changing suppliers and studies. Services flush; the caller commits once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.permissions import can_create_suppliers
from surveyapp.db import claim_edit
from surveyapp.enums import Language, Perspective, Purpose
from surveyapp.i18n import _l
from surveyapp.mail.headers import HeaderError, check_address
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import ensure_questionnaire_version
from surveyapp.studies.models import Study, StudyQuestionnaire, Supplier

MAX_NAME = 200
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = {"image/png", "image/jpeg"}
MAX_LOGO_BYTES = 512 * 1024
# The questionnaires a new study uses when none are named (DESIGN.md), plus the guide for interviews with staff.
DEFAULT_QUESTIONNAIRES = (
    "fit-client",
    "interview-guide",
    "fit-supplier",
    "interview-guide-supplier",
    "intake",
)


class StudyError(ValueError):
    """A set-up request that cannot be carried out; the message says what is wrong."""


class StudyEditConflict(StudyError):
    """Someone else saved the study's settings after the form was opened; nothing was changed."""


def clean_name(value: str, *, what: Any, limit: int = MAX_NAME) -> str:
    """Collapse whitespace and refuse empty, overlong or control-character names."""
    clean = " ".join(value.split())
    if not clean:
        raise StudyError(_l("%(what)s needs a name.", what=what))
    if len(clean) > limit:
        raise StudyError(_l("%(what)s: a name may have at most %(n)d characters.", what=what, n=limit))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
        raise StudyError(_l("%(what)s: a name may not contain control characters.", what=what))
    return clean


def create_supplier(
    *,
    session: Session,
    name: str,
    report_language: Language = Language.NL,
    actor: Any = None,
    actor_label: str | None = None,
) -> Supplier:
    """Create a supplier; names are unique regardless of case and surrounding spaces.

    `actor`, when given, must be allowed to create suppliers (`can_create_suppliers`: an admin or a researcher
    who sees every supplier); views answer 404 before getting here, so a refusal here is a bug, not a message.
    """
    if actor is not None and not can_create_suppliers(actor):
        # A limited researcher would see the new supplier's name clash with one they may not see, or widen
        # their own scope: neither may happen, whatever the caller forgot to check.
        raise PermissionError(f"user {actor.id} may not create suppliers")
    clean = clean_name(name, what=_l("A supplier"))
    exists = session.scalar(select(Supplier.id).where(func.lower(Supplier.name) == clean.lower()))
    if exists is not None:
        raise StudyError(_l("A supplier named %(name)s already exists.", name=clean))
    supplier = Supplier(name=clean, report_language=report_language)
    session.add(supplier)
    session.flush()
    record(
        session=session,
        action="supplier.created",
        actor=actor,
        actor_label=actor_label,
        obj=supplier,
        supplier_id=supplier.id,
    )
    return supplier


def update_supplier(
    *,
    session: Session,
    supplier: Supplier,
    report_language: Language,
    brand_colour: str | None,
    logo: bytes | None = None,
    logo_mime: str | None = None,
    remove_logo: bool = False,
    research_contact_email: str | None = None,
    actor: Any,
) -> Supplier:
    """Change what reports use (language, brand colour, logo: PNG or JPEG up to 512 kB) and the research contact
    that replies to the studies' emails reach."""
    if brand_colour and not COLOUR_PATTERN.match(brand_colour):
        raise StudyError(_l("A colour is written as # and six hexadecimal digits, e.g. #1f5f99."))
    if logo is not None:
        if logo_mime not in LOGO_TYPES or not _looks_like(logo, logo_mime):
            raise StudyError(_l("The logo must be a PNG or JPEG image."))
        if len(logo) > MAX_LOGO_BYTES:
            raise StudyError(_l("The logo may be at most 512 kB."))
        supplier.logo, supplier.logo_mime = logo, logo_mime
    elif remove_logo:
        supplier.logo, supplier.logo_mime = None, None
    contact = (research_contact_email or "").strip()
    if contact:
        try:
            contact = check_address(contact, what=_l("The research contact"))
        except HeaderError as exc:
            raise StudyError(str(exc)) from exc
    supplier.research_contact_email = contact or None
    supplier.report_language = report_language
    supplier.brand_colour = brand_colour.lower() if brand_colour else None
    session.flush()
    record(session=session, action="supplier.updated", actor=actor, obj=supplier, supplier_id=supplier.id)
    return supplier


def _looks_like(data: bytes, mime: str) -> bool:
    # Trust the bytes, not the browser's claim: a renamed SVG or HTML file is refused.
    if mime == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    return data.startswith(b"\xff\xd8\xff")


def default_questionnaires(catalogue: Any, slugs: Sequence[str] | None = None) -> list[Questionnaire]:
    """The questionnaires named, or the defaults that the catalogue has; an unknown slug is an error."""
    if slugs:
        missing = [slug for slug in slugs if slug not in catalogue.questionnaires]
        if missing:
            raise StudyError(_l("Unknown questionnaire %(slug)s.", slug=", ".join(missing)))
        return [catalogue.questionnaires[slug] for slug in slugs]
    return [
        catalogue.questionnaires[slug] for slug in DEFAULT_QUESTIONNAIRES if slug in catalogue.questionnaires
    ]


def check_time_zone(name: str) -> str:
    if name not in available_timezones():
        raise StudyError(_l("Unknown time zone %(tz)s; use a name like Europe/Amsterdam.", tz=name[:64]))
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise StudyError(
            _l("Unknown time zone %(tz)s; use a name like Europe/Amsterdam.", tz=name[:64])
        ) from None
    return name


#: The fewest days between two reminders to one person, unless a study says otherwise (rule 19's companion:
#: whatever the schedule or however often `reminders send` runs; see `invitations.rules.reminder_rows`).
DEFAULT_REMINDER_INTERVAL = 3


def check_reminder_days(days: Sequence[int], min_interval: int = DEFAULT_REMINDER_INTERVAL) -> list[int]:
    """The schedule sorted, each day 1-90, and no two reminders closer than the minimum interval (which the
    sending enforces anyway: a schedule that says otherwise would not be what happens)."""
    if not 1 <= min_interval <= 30:
        raise StudyError(_l("The fewest days between two reminders is a whole number from 1 to 30."))
    cleaned = sorted(set(days))
    if any(day < 1 or day > 90 for day in cleaned):
        raise StudyError(_l("Reminder days count from the first send: whole numbers from 1 to 90."))
    for earlier, later in pairwise(cleaned):
        if later - earlier < min_interval:
            raise StudyError(
                _l(
                    "Reminders on days %(a)d and %(b)d are closer than the %(n)d days that must pass between "
                    "two reminders to one person: move them apart or lower that number.",
                    a=earlier,
                    b=later,
                    n=min_interval,
                )
            )
    return cleaned


def _check_slug(session: Session, slug: str) -> str:
    if not SLUG_PATTERN.match(slug):
        raise StudyError(
            _l(
                "A study's short name uses lower-case letters, digits and hyphens (at most 80), e.g. acme-2026."
            )
        )
    if session.scalar(select(Study.id).where(Study.slug == slug)) is not None:
        raise StudyError(_l("A study with short name %(slug)s already exists.", slug=slug))
    return slug


def _questionnaire_rows(
    questionnaires: Sequence[Questionnaire], session: Session
) -> list[StudyQuestionnaire]:
    rows: dict[tuple[Perspective, Purpose], StudyQuestionnaire] = {}
    for questionnaire in questionnaires:
        key = (Perspective(questionnaire.perspective), Purpose(questionnaire.purpose))
        if key in rows:
            raise StudyError(
                _l(
                    "A study uses at most one questionnaire per perspective and purpose: "
                    "%(a)s and %(b)s are both %(p)s %(u)s.",
                    a=rows[key].slug,
                    b=questionnaire.slug,
                    p=key[0].value,
                    u=key[1].value,
                )
            )
        version = ensure_questionnaire_version(session=session, questionnaire=questionnaire)
        rows[key] = StudyQuestionnaire(
            slug=questionnaire.slug, perspective=key[0], purpose=key[1], version=version
        )
    return list(rows.values())


def create_study(
    *,
    session: Session,
    supplier: Supplier,
    slug: str,
    name: str,
    questionnaires: Sequence[Questionnaire],
    previous: Study | None = None,
    time_zone: str = "Europe/Amsterdam",
    deadline: date | None = None,
    reminder_days: Sequence[int] = (4, 9),
    max_reminders: int = 2,
    reminder_min_interval_days: int = DEFAULT_REMINDER_INTERVAL,
    actor: Any = None,
    actor_label: str | None = None,
) -> Study:
    """Create a study in the prepare phase, pinning the stored version of each questionnaire it uses."""
    slug = _check_slug(session, slug.strip())
    name = clean_name(name, what=_l("A study"))
    if previous is not None:
        if previous.supplier_id != supplier.id:
            raise StudyError(_l("The previous wave must be a study of the same supplier."))
        follower = session.scalar(select(Study.slug).where(Study.previous_study_id == previous.id))
        if follower is not None:
            raise StudyError(
                _l("Study %(prev)s already has a next wave: %(next)s.", prev=previous.slug, next=follower)
            )
    if not 0 <= max_reminders <= 10:
        raise StudyError(_l("The number of reminders is between 0 and 10."))
    study = Study(
        supplier=supplier,
        slug=slug,
        name=name,
        previous_study=previous,
        time_zone=check_time_zone(time_zone),
        deadline=deadline,
        reminder_days=check_reminder_days(reminder_days, reminder_min_interval_days),
        max_reminders=max_reminders,
        reminder_min_interval_days=reminder_min_interval_days,
        questionnaires=_questionnaire_rows(questionnaires, session),
    )
    session.add(study)
    session.flush()
    record(
        session=session,
        action="study.created",
        actor=actor,
        actor_label=actor_label,
        obj=study,
        supplier_id=supplier.id,
        details={
            "questionnaires": [q.slug for q in study.questionnaires],
            "previous": previous.id if previous else None,
        },
    )
    return study


def update_study_settings(
    *,
    session: Session,
    study: Study,
    name: str,
    time_zone: str,
    deadline: date | None,
    reminder_days: Sequence[int],
    max_reminders: int,
    actor: Any,
    reminder_min_interval_days: int | None = None,
    expected_version: int | None = None,
) -> Study:
    """Change a study's name, time zone, deadline and reminder schedule (`reminder_min_interval_days`: None
    keeps the study's).

    `expected_version` is the `edit_version` the settings form showed: when someone else saved since, this
    raises StudyEditConflict and changes nothing (None: no check, for scripts).
    """
    if not claim_edit(session=session, model=Study, row_id=study.id, expected=expected_version):
        raise StudyEditConflict(
            _l(
                "Someone else changed this study's settings while you were editing them. Nothing of yours "
                "is saved yet: what you typed is still below. Save again to keep your version."
            )
        )
    study.name = clean_name(name, what=_l("A study"))
    study.time_zone = check_time_zone(time_zone)
    study.deadline = deadline
    interval = (
        study.reminder_min_interval_days if reminder_min_interval_days is None else reminder_min_interval_days
    )
    study.reminder_days = check_reminder_days(reminder_days, interval)
    study.reminder_min_interval_days = interval
    if not 0 <= max_reminders <= 10:
        raise StudyError(_l("The number of reminders is between 0 and 10."))
    study.max_reminders = max_reminders
    session.flush()
    record(session=session, action="study.updated", actor=actor, obj=study, supplier_id=study.supplier_id)
    return study
