"""The demo's answers: a finished wave in every quadrant and part of the current wave, so drift shows.

Wave `brightline-2025` (act): Van Dijk Logistiek, Kempen Retail and Greenfield Offices match; Noordzee
Havenbedrijf and Atlas Engineering are customer_swayed (content clients, costly for the supplier); Helder
Zorggroep is a blind spot; Stadsbank Utrecht a misfit; Polderwind Energie incomplete (its client never
answered). Wave `brightline-2026` (interview): most staff have answered, three clients were interviewed by
phone and imported; Van Dijk Logistiek is growing apart (scope creep: the supplier's view fell sharply).

Answers are generated deterministically (a fixed seed per wave and respondent) from a level per dimension,
stored through the survey's own services (`responses.services.save_page` / `submit`, mode survey) or the
responses import (mode import), at fixed dates in the waves' past. The invitations of those dates are
recorded as sent then (the outbox only sends now). Idempotent: a wave that has answers is left alone.
"""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Perspective, Phase, Purpose, QuestionType, Side
from surveyapp.invitations import lifecycle
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.tokens import new_token, token_hash
from surveyapp.questionnaires.schema import Item, Questionnaire
from surveyapp.questionnaires.services import load_version
from surveyapp.responses import journey
from surveyapp.responses.imports import import_responses
from surveyapp.responses.models import Response
from surveyapp.responses.services import save_page, submit
from surveyapp.studies import phases
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyQuestionnaire

LABEL = "demo"
DIMENSIONS = ("needs_match", "ways_of_working", "scope_stability", "execution_quality", "effort", "risk")
DIMENSIONS += ("friction", "team_energy", "mutual_value", "relationship")
# When each wave's staff and clients were invited (UTC).
DATES = {
    "brightline-2025": (datetime(2025, 9, 8, 8, 0, tzinfo=UTC), datetime(2025, 9, 22, 8, 0, tzinfo=UTC)),
    "brightline-2026": (datetime(2026, 9, 7, 8, 0, tzinfo=UTC), datetime(2026, 9, 21, 8, 0, tzinfo=UTC)),
}


def _levels(default: float, **levels: float) -> dict[str, float]:
    """Answer levels per dimension on the 1-5 agreement scale, seen as 'how good' (5 = a perfect fit)."""
    return {dimension: levels.get(dimension, default) for dimension in DIMENSIONS}


# (wave, account, side) -> (levels per dimension, NPS around, items forced to a level)
C, S = Side.CLIENT, Side.SUPPLIER
PROFILES: dict[tuple[str, str, Side], tuple[dict[str, float], int, dict[str, int]]] = {
    ("2025", "Van Dijk Logistiek", C): (_levels(4), 9, {}),
    ("2025", "Van Dijk Logistiek", S): (_levels(4, scope_stability=3.5), 8, {}),
    ("2025", "Kempen Retail", C): (_levels(4, friction=4.5), 8, {}),
    ("2025", "Kempen Retail", S): (_levels(4), 8, {}),
    ("2025", "Greenfield Offices Ltd", C): (_levels(4, needs_match=4.5), 10, {}),
    ("2025", "Greenfield Offices Ltd", S): (_levels(4, effort=3.5), 8, {}),
    ("2025", "Noordzee Havenbedrijf", C): (_levels(4, relationship=4.5), 9, {}),
    ("2025", "Noordzee Havenbedrijf", S): (
        _levels(2.5, needs_match=3, effort=1, team_energy=1.5, ways_of_working=2),
        7,
        {"effort_1": 1, "wow_4": 1, "scope_4": 1, "energy_2": 1},
    ),
    ("2025", "Atlas Engineering", C): (_levels(4), 8, {}),
    ("2025", "Atlas Engineering", S): (_levels(3, effort=1.5, team_energy=2.5), 7, {"effort_1": 1}),
    ("2025", "Helder Zorggroep", C): (_levels(2, scope_stability=3, risk=3), 4, {"quality_2": 1, "wow_2": 2}),
    ("2025", "Helder Zorggroep", S): (_levels(4, effort=3.5), 8, {}),
    ("2025", "Stadsbank Utrecht", C): (_levels(2, risk=2.5), 5, {"scope_2": 1, "quality_2": 2}),
    ("2025", "Stadsbank Utrecht", S): (
        _levels(2, team_energy=1.5, effort=1.5),
        5,
        {"effort_1": 1, "energy_2": 1, "scope_4": 1},
    ),
    ("2025", "Polderwind Energie", S): (_levels(3.5), 7, {}),
    ("2026", "Van Dijk Logistiek", C): (_levels(4, scope_stability=3.5), 8, {}),
    ("2026", "Van Dijk Logistiek", S): (
        _levels(3, scope_stability=1.5, effort=2, team_energy=2.5),
        6,
        {"scope_2": 1, "scope_4": 1, "effort_hours_3m": 1},
    ),
    ("2026", "Kempen Retail", C): (_levels(4), 9, {}),
    ("2026", "Kempen Retail", S): (_levels(4, effort=4.5), 8, {}),
    ("2026", "Noordzee Havenbedrijf", C): (_levels(4), 8, {}),
    ("2026", "Noordzee Havenbedrijf", S): (
        _levels(3, effort=2, team_energy=2.5),
        7,
        {"effort_1": 1, "effort_hours_3m": 1, "wow_count_3m": 2},
    ),
    ("2026", "Helder Zorggroep", S): (_levels(3.5), 7, {}),
    ("2026", "Greenfield Offices Ltd", S): (_levels(4), 8, {}),
    ("2026", "Stadsbank Utrecht", S): (_levels(2.5, effort=2), 6, {}),
}
# Who answers how in each wave: survey respondents are taken from the invitations; these answer by import.
IMPORTED = {
    "2025": (("Atlas Engineering", "k.yilmaz@atlas-eng.example"),),
    "2026": (
        ("Van Dijk Logistiek", "m.vandijk@vandijk-logistiek.example"),
        ("Kempen Retail", "b.smits@kempenretail.example"),
        ("Noordzee Havenbedrijf", "s.visser@noordzeehaven.example"),
    ),
}
# Polderwind's client never answered in 2025 (incomplete); James has not answered yet in the current wave.
SILENT = {"2025": {"f.hendriks@polderwind.example"}, "2026": {"james.okafor@brightline.example"}}
ROLES = {
    "Inkoper": "buyer",
    "Procurement lead": "buyer",
    "Operationeel manager": "user",
    "Teamleider services": "user",
    "Facility coordinator": "user",
    "Client director": "management",
    "Operations lead": "delivery",
    "Account manager": "account_lead",
    "Service delivery manager": "delivery",
}

_NL, _EN = "nl", "en"
# Open answers: (account, language) -> per side (what works, what should change, what would make them leave or
# the staff member's advice). A respondent writes in their own language where the account has texts in it.
TEXTS: dict[tuple[str, str], dict[str, tuple[str, str, str]]] = {
    ("Van Dijk Logistiek", _NL): {
        "client": (
            "Vaste gezichten op de locatie en snelle reactie bij storingen.",
            "Meer vooruitkijken: bij de uitbreiding van het DC moesten wij steeds zelf aan de bel trekken.",
            "Als de kwaliteit zakt nu het team wisselt, gaan we opnieuw uitvragen.",
        ),
        "supplier": (
            "Korte lijnen met de facility manager, het werk past precies in ons standaardpakket.",
            "Sinds de uitbreiding komen er wekelijks extra verzoeken buiten de afspraken bij.",
            "realign",
        ),
    },
    ("Kempen Retail", _NL): {
        "client": (
            "Flexibel bij winkelverbouwingen, en de rapportage is helder.",
            "De planning van de schoonmaak in het weekend kan strakker.",
            "Een forse prijsstijging zonder betere service.",
        ),
        "supplier": (
            "Duidelijke afspraken, een klant die zegt wat hij wil.",
            "Niets wezenlijks.",
            "continue",
        ),
    },
    ("Noordzee Havenbedrijf", _NL): {
        "client": (
            "Ze regelen alles, ook buiten kantoortijd. We hoeven nergens naar om te kijken.",
            "Soms zouden we graag eerder een offerte zien voor extra werk.",
            "Eigenlijk niets; ze zijn onmisbaar geworden.",
        ),
        "supplier": (
            "De mensen bij de haven zijn prettig in de omgang.",
            "Elk extra verzoek doen we 'even tussendoor'; het team draait structureel over. Meerwerk "
            "moet gefactureerd worden.",
            "realign",
        ),
    },
    ("Atlas Engineering", _NL): {
        "client": (
            "Betrouwbaar en de monteurs kennen onze fabriek.",
            "Betere bereikbaarheid van de planner.",
            "Als de storingen aan de luchtbehandeling blijven terugkomen.",
        ),
        "supplier": (
            "Technisch interessant werk.",
            "De vele spoedklussen kosten ons meer dan ze opleveren.",
            "realign",
        ),
    },
    ("Helder Zorggroep", _NL): {
        "client": (
            "De mensen op de vloer doen hun best.",
            "Er gaan veel kleine dingen mis: verkeerde roosters, vergeten ruimtes. Dat moeten wij "
            "telkens zelf corrigeren.",
            "We oriënteren ons al op andere partijen als dit jaar niet beter wordt.",
        ),
        "supplier": (
            "Een stabiele klant, het contract loopt al jaren.",
            "Misschien wat vaker langsgaan.",
            "continue",
        ),
    },
    ("Stadsbank Utrecht", _NL): {
        "client": (
            "De beveiligingsprocedures worden goed gevolgd.",
            "De scope is nooit goed vastgelegd; elke wijziging wordt een discussie.",
            "De kosten staan niet in verhouding tot wat we krijgen.",
        ),
        "supplier": (
            "Weinig, eerlijk gezegd.",
            "Hun werkwijze past niet bij de onze: alles via uitzonderingen en handmatige stappen. Het "
            "team ziet er tegenop.",
            "exit",
        ),
    },
    ("Polderwind Energie", _NL): {
        "supplier": (
            "Een jonge organisatie die snel groeit.",
            "We weten eigenlijk niet goed wat zij van ons vinden; dat moeten we vragen.",
            "continue",
        ),
    },
    ("Greenfield Offices Ltd", _EN): {
        "client": (
            "Proactive account management and a team that knows our buildings inside out.",
            "Reporting could be more concise; we only need the exceptions.",
            "A serious safety incident, or losing the people we know.",
        ),
        "supplier": (
            "A client that plans ahead and pays on time.",
            "Nothing major; keep the account team stable.",
            "continue",
        ),
    },
}


def _rng(wave: str, email: str, account: str) -> random.Random:
    return random.Random(f"brightline:{wave}:{email}:{account}")  # noqa: S311 (demo data, not security)


def _raw_answer(item: Item, good: int) -> str:
    """The answer that scores like `good` on the five-point agreement scale (1 bad … 5 good): the scale value,
    reversed where the item is; the option or the count in the band whose score is nearest (frequencies, counts
    and hours: "never" and 0 are good)."""
    target = (good - 1) * 25
    question = item.question
    if item.type is QuestionType.SINGLE:
        scored = [option for option in question.options if option.score is not None]
        return min(scored, key=lambda option: abs(option.score - target)).key
    if item.type is QuestionType.NUMBER:
        bands = question.bands or ()
        nearest = min(range(len(bands)), key=lambda index: abs(bands[index].score - target))
        up_to = bands[nearest].up_to
        return str(int(up_to if up_to is not None else (bands[nearest - 1].up_to or 0) * 2))
    return str(6 - good if item.reverse else good)


def _answers(questionnaire: Questionnaire, wave: str, account: str, contact: Contact) -> dict[str, str]:
    """A respondent's raw answers around the profile's level per dimension (`_raw_answer`)."""
    side = contact.side
    levels, nps, forced = PROFILES[(wave, account, side)]
    rng = _rng(wave, contact.email or "", account)
    answers: dict[str, str] = {}
    for item in questionnaire.scored_items:
        if item.type is QuestionType.NPS:
            answers[item.key] = str(min(10, max(0, nps + rng.choice((-1, 0, 0, 1)))))
            continue
        good = forced.get(item.key)
        if good is None:
            level = levels[item.dimension or "relationship"]
            good = min(5, max(1, round(level + rng.choice((-1, -0.5, 0, 0, 0.5, 1)))))
        answers[item.key] = _raw_answer(item, good)
    language = _NL if contact.language.value == "nl" else _EN
    texts = TEXTS.get((account, language)) or TEXTS[(account, _NL if language == _EN else _EN)]
    works, change, last = texts["client" if side is Side.CLIENT else "supplier"]
    answers |= {"open_works": works, "open_change": change}
    if side is Side.CLIENT:
        answers |= {
            "role": ROLES.get(contact.role, "decision_maker"),
            "open_leave": last,
            "quote_consent": rng.choice(("named", "anonymous", "anonymous", "no")),
        }
    else:
        answers |= {
            "staff_role": ROLES.get(contact.role, "other"),
            "staff_advice": last,
            "staff_advice_why": change,
        }
    return answers


def _record_sent(
    session: Session, study: Study, perspective: Perspective, pairs: list[tuple[int, int]], at: datetime
) -> None:
    """Invitations for (contact, account) pairs of the study's survey, recorded as sent at `at`."""
    row = study.questionnaire_for(perspective, Purpose.SURVEY)
    assert row is not None
    known = set(
        session.execute(
            select(Invitation.contact_id, Invitation.account_id).where(
                Invitation.study_id == study.id, Invitation.study_questionnaire_id == row.id
            )
        ).all()
    )
    for contact_id, account_id in pairs:
        if (contact_id, account_id) in known:
            continue
        invitation = Invitation(
            study_id=study.id,
            contact_id=contact_id,
            account_id=account_id,
            study_questionnaire_id=row.id,
            created_at=at,
            first_sent_at=at,
            last_sent_at=at,
            last_queued_at=at,
        )
        session.add(invitation)
        session.flush()
        session.add(
            InvitationToken(
                invitation_id=invitation.id,
                token_hash=token_hash(new_token()),
                purpose="send",
                number=1,
                created_at=at,
            )
        )
        for status in (InvitationStatus.CREATED, InvitationStatus.QUEUED, InvitationStatus.SENT):
            lifecycle.record(session=session, invitation=invitation, status=status, at=at)
    session.flush()


def _survey(session: Session, invitation: Invitation, answers: dict[str, str], at: datetime) -> None:
    """Answer an invitation page by page, as a respondent would, and submit."""
    questionnaire = load_version(session=session, version_id=invitation.study_questionnaire.version_id)
    language = invitation.contact.language.value
    sections = journey.visible_sections(questionnaire, answers)
    for index, section in enumerate(sections):
        keys = {
            item.key
            for question in section.questions
            for item in questionnaire.items
            if item.question is question
        }
        resume = sections[index + 1].key if index + 1 < len(sections) else journey.REVIEW
        save_page(
            session=session,
            invitation=invitation,
            questionnaire=questionnaire,
            section_key=section.key,
            page_answers={key: answers.get(key) for key in keys},
            resume_at=resume,
            language=language,
            now=at + timedelta(minutes=index),
        )
    submit(
        session=session, invitation=invitation, questionnaire=questionnaire, now=at + timedelta(minutes=30)
    )


def _respond_by_survey(
    session: Session, study: Study, wave: str, perspective: Perspective, start: datetime
) -> None:
    invitations = session.scalars(
        select(Invitation)
        .join(StudyQuestionnaire)
        .join(Account, Account.id == Invitation.account_id)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(Invitation.study_id == study.id, StudyQuestionnaire.perspective == perspective)
        .order_by(Account.name, Contact.email)
    ).all()
    imported = {email for _account, email in IMPORTED[wave]}
    for number, invitation in enumerate(invitations):
        contact, account = invitation.contact, invitation.account
        assert account is not None
        if contact.email in SILENT[wave] | imported or (wave, account.name, contact.side) not in PROFILES:
            continue
        questionnaire = load_version(session=session, version_id=invitation.study_questionnaire.version_id)
        answers = _answers(questionnaire, wave, account.name, contact)
        _survey(session, invitation, answers, start + timedelta(days=1 + number % 9, hours=number % 7))


def _respond_by_import(session: Session, study: Study, wave: str, start: datetime) -> None:
    questionnaire = load_version(
        session=session, version_id=study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY).version_id
    )
    lines = ["account,respondent,perspective,questionnaire,question,value,mode,submitted_at"]
    # The current wave's clients were interviewed by phone (rule 19: that ends their survey); the finished
    # wave's one import came from a paper form.
    mode = "interview" if wave == "2026" else "import"
    for number, (account, email) in enumerate(IMPORTED[wave]):
        contact = session.scalar(
            select(Contact).where(Contact.supplier_id == study.supplier_id, Contact.email == email)
        )
        assert contact is not None
        answers = journey.counted_answers(questionnaire, _answers(questionnaire, wave, account, contact))
        moment = (start + timedelta(days=10 + number)).isoformat()
        for item in questionnaire.items:
            if item.key in answers:
                value = '"' + answers[item.key].replace('"', '""') + '"'
                lines.append(
                    f'"{account}",{email},client,{questionnaire.slug},{item.key},{value},{mode},{moment}'
                )
    report = import_responses(
        session=session, study=study, source=io.BytesIO("\n".join(lines).encode()), actor_label=LABEL
    )
    if not report.ok:
        raise RuntimeError(f"demo answers do not import: {[str(error.message) for error in report.errors]}")


def _move(session: Session, study: Study, target: Phase) -> None:
    while phases.ORDER.index(study.phase) < phases.ORDER.index(target):
        next_phase = phases.next_phase(study.phase)
        assert next_phase is not None
        phases.change_phase(session=session, study=study, target=next_phase, actor=None, actor_label=LABEL)


def _wave(session: Session, study: Study, target: Phase) -> None:
    wave = study.slug.rsplit("-", 1)[1]
    staff_at, clients_at = DATES[study.slug]
    if session.scalar(select(func.count()).select_from(Response).where(Response.study_id == study.id)):
        _move(session, study, target)
        return
    staff = session.execute(
        select(Assignment.contact_id, Assignment.account_id).where(Assignment.study_id == study.id)
    ).all()
    _record_sent(session, study, Perspective.SUPPLIER, [tuple(pair) for pair in staff], staff_at)
    _respond_by_survey(session, study, wave, Perspective.SUPPLIER, staff_at)
    _move(session, study, Phase.INTERVIEW)
    if target is Phase.ACT:  # the finished wave's clients were invited by email; the current one's not yet
        clients = session.execute(
            select(Contact.id, Contact.account_id).where(
                Contact.supplier_id == study.supplier_id, Contact.side == Side.CLIENT
            )
        ).all()
        _record_sent(session, study, Perspective.CLIENT, [tuple(pair) for pair in clients], clients_at)
        _respond_by_survey(session, study, wave, Perspective.CLIENT, clients_at)
    _respond_by_import(session, study, wave, clients_at)
    _record_reminders(session, study)
    _move(session, study, target)


def _record_reminders(session: Session, study: Study) -> None:
    """The reminders the schedule sent to those who have not answered (days after their first send, at most
    the study's maximum), as the scheduler would have: `reminders send` right after loading the demo has
    nothing overdue to catch up on."""
    days = sorted(study.reminder_days or [])[: study.max_reminders]
    silent = session.scalars(
        select(Invitation).where(
            Invitation.study_id == study.id,
            Invitation.status.in_(lifecycle.NOT_RESPONDED),
            Invitation.first_sent_at.is_not(None),
            Invitation.reminders_sent == 0,
        )
    ).all()
    for invitation in silent:
        assert invitation.first_sent_at is not None
        for number, day in enumerate(days, start=1):
            at = invitation.first_sent_at + timedelta(days=day)
            session.add(
                InvitationToken(
                    invitation_id=invitation.id,
                    token_hash=token_hash(new_token()),
                    purpose="reminder",
                    number=number,
                    created_at=at,
                )
            )
            for status in (InvitationStatus.QUEUED, InvitationStatus.SENT):
                lifecycle.record(
                    session=session,
                    invitation=invitation,
                    status=status,
                    at=at,
                    purpose="reminder",
                    number=number,
                )
            invitation.reminders_sent = number
            invitation.last_queued_at = invitation.last_sent_at = at
    session.flush()


def load_demo_answers(*, session: Session) -> None:
    """Answer the demo's waves and move them on: 2025 to act, 2026 to interview (idempotent; flushes)."""
    for slug, target in (("brightline-2025", Phase.ACT), ("brightline-2026", Phase.INTERVIEW)):
        study = session.scalar(select(Study).where(Study.slug == slug))
        if study is not None:
            _wave(session, study, target)
