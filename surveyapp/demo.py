"""The demo data set, loaded through the services (never raw SQL). Idempotent: a second run changes nothing.

One supplier with its accounts, client contacts and staff, a study lead, and two linked waves of a study.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.act.demo import load_act_demo
from surveyapp.auth import services as auth_services
from surveyapp.auth.passwords import hasher_from_config
from surveyapp.deals.demo import load_deals_demo
from surveyapp.demo_answers import load_demo_answers
from surveyapp.enums import Language, Role, Side
from surveyapp.reporting.models import Report, ReportKind
from surveyapp.reporting.services import request_report
from surveyapp.studies import scope
from surveyapp.studies import services as study_services
from surveyapp.studies.models import Account, Contact, Study, StudyAccount, Supplier

DEMO_SUPPLIER = "Brightline Facility Services"
LABEL = "demo"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_USERS = (
    DemoLogin("admin", "admin@demo.example", "demo-admin-password"),
    DemoLogin("researcher", "researcher@demo.example", "demo-researcher-password"),
    DemoLogin("account_team", "accountteam@demo.example", "demo-accountteam-password"),
)
USER_NAMES = {"admin": "Demo Admin", "researcher": "Sanne de Vries", "account_team": "Tom Bakker"}

# name, external id, segment, annual revenue, effort hours, billable hours
ACCOUNTS = (
    ("Van Dijk Logistiek", "CRM-1001", "Logistics", 420_000, 2_900, 2_750),
    ("Noordzee Havenbedrijf", "CRM-1002", "Logistics", 610_000, 5_200, 3_900),
    ("Helder Zorggroep", "CRM-1003", "Healthcare", 380_000, 2_600, 2_450),
    ("Stadsbank Utrecht", "CRM-1004", "Finance", 290_000, 3_400, 2_100),
    ("Polderwind Energie", "CRM-1005", "Energy", 150_000, 1_100, 1_000),
    ("Kempen Retail", "CRM-1006", "Retail", 260_000, 1_700, 1_650),
    ("Greenfield Offices Ltd", "CRM-1007", "Real estate", 330_000, 2_300, 2_150),
    ("Atlas Engineering", "CRM-1008", "Industry", 210_000, 1_900, 1_500),
)

# account, email, name, role, language
CLIENT_CONTACTS = (
    (
        "Van Dijk Logistiek",
        "m.vandijk@vandijk-logistiek.example",
        "Marieke van Dijk",
        "Facility manager",
        "nl",
    ),
    ("Van Dijk Logistiek", "j.kok@vandijk-logistiek.example", "Jeroen Kok", "Inkoper", "nl"),
    ("Noordzee Havenbedrijf", "s.visser@noordzeehaven.example", "Sander Visser", "Hoofd facilitair", "nl"),
    ("Noordzee Havenbedrijf", "a.meijer@noordzeehaven.example", "Anouk Meijer", "Operationeel manager", "nl"),
    ("Helder Zorggroep", "r.bos@helderzorg.example", "Ruud Bos", "Directeur bedrijfsvoering", "nl"),
    ("Helder Zorggroep", "n.mulder@helderzorg.example", "Naima Mulder", "Teamleider services", "nl"),
    ("Stadsbank Utrecht", "l.dekker@stadsbank.example", "Linda Dekker", "Vendor manager", "nl"),
    ("Stadsbank Utrecht", "h.brouwer@stadsbank.example", "Hans Brouwer", "Facility coordinator", "nl"),
    ("Polderwind Energie", "f.hendriks@polderwind.example", "Femke Hendriks", "Office manager", "nl"),
    ("Kempen Retail", "b.smits@kempenretail.example", "Bram Smits", "Manager vastgoed", "nl"),
    (
        "Greenfield Offices Ltd",
        "olivia.hughes@greenfield.example",
        "Olivia Hughes",
        "Head of Workplace",
        "en",
    ),
    ("Greenfield Offices Ltd", "daniel.price@greenfield.example", "Daniel Price", "Procurement lead", "en"),
    ("Atlas Engineering", "k.yilmaz@atlas-eng.example", "Kemal Yilmaz", "Plant manager", "nl"),
)

# email, name, role, language, accounts rated
STAFF = (
    (
        "eva.jansen@brightline.example",
        "Eva Jansen",
        "Client director",
        "nl",
        ("Van Dijk Logistiek", "Noordzee Havenbedrijf", "Stadsbank Utrecht", "Greenfield Offices Ltd"),
    ),
    (
        "mark.degroot@brightline.example",
        "Mark de Groot",
        "Operations lead",
        "nl",
        ("Noordzee Havenbedrijf", "Helder Zorggroep", "Stadsbank Utrecht", "Polderwind Energie"),
    ),
    (
        "lisa.vandenberg@brightline.example",
        "Lisa van den Berg",
        "Account manager",
        "nl",
        ("Van Dijk Logistiek", "Helder Zorggroep", "Kempen Retail", "Atlas Engineering"),
    ),
    (
        "james.okafor@brightline.example",
        "James Okafor",
        "Service delivery manager",
        "en",
        ("Greenfield Offices Ltd", "Kempen Retail", "Polderwind Energie", "Atlas Engineering"),
    ),
)
LEAD = "eva.jansen@brightline.example"

WAVES = (
    ("brightline-2025", "Klantfit 2025", None, date(2025, 11, 28)),
    ("brightline-2026", "Klantfit 2026", "brightline-2025", date(2026, 12, 18)),
)
# The finished wave was fielded on the questionnaires as they were in 2025: their files are kept, unchanged, in
# the catalogue's questionnaires/earlier/2025, so the demo shows two waves on different versions (and that the
# pins hold).
FIELDED = {"brightline-2025": "2025"}


class DemoError(RuntimeError):
    """The demo cannot be loaded here."""


def _supplier(session: Session) -> Supplier:
    found = session.scalar(select(Supplier).where(Supplier.name == DEMO_SUPPLIER))
    if found is not None:
        return found
    supplier = study_services.create_supplier(
        session=session, name=DEMO_SUPPLIER, report_language=Language.NL, actor_label=LABEL
    )
    supplier.brand_colour = "#1f5f99"
    return supplier


def _users(session: Session, config: Any, supplier: Supplier) -> None:
    hasher = hasher_from_config(config)
    for login in DEMO_USERS:
        if auth_services.find_user(session=session, email=login.email) is not None:
            continue
        role = Role(login.role)
        auth_services.create_user(
            session=session,
            email=login.email,
            name=USER_NAMES[login.role],
            role=role,
            suppliers=[supplier] if role == Role.ACCOUNT_TEAM else [],
            language=Language.NL if role == Role.ACCOUNT_TEAM else None,
            password=login.password,
            hasher=hasher,
            actor_label=LABEL,
        )


def _populate(session: Session, study: Study) -> None:
    accounts = {}
    for name, external_id, segment, revenue, effort, billable in ACCOUNTS:
        in_scope = scope.add_account(
            session=session,
            study=study,
            name=name,
            segment=segment,
            external_id=external_id,
            annual_revenue=Decimal(revenue),
            effort_hours=Decimal(effort),
            billable_hours=Decimal(billable),
            actor=None,
        )
        accounts[name] = in_scope.account_id
    for account, email, name, role, language in CLIENT_CONTACTS:
        scope.add_contact(
            session=session,
            study=study,
            side=Side.CLIENT,
            email=email,
            name=name,
            role=role,
            language=Language(language),
            account_id=accounts[account],
            actor=None,
        )
    for email, name, role, language, rated in STAFF:
        contact = scope.add_contact(
            session=session,
            study=study,
            side=Side.SUPPLIER,
            email=email,
            name=name,
            role=role,
            language=Language(language),
            actor=None,
        )
        for account in rated:
            scope.assign_staff(
                session=session, study=study, contact=contact, account_id=accounts[account], actor=None
            )
    lead = session.scalar(
        select(Contact).where(Contact.supplier_id == study.supplier_id, Contact.email == LEAD)
    )
    scope.set_lead(session=session, study=study, contact=lead, actor=None)


def _open_deadline(planned: date) -> date:
    """The current wave's deadline: as planned, or four weeks from today once that has passed, so that a demo
    loaded later still has a wave in the field (invitations are refused after the deadline)."""
    return max(planned, date.today() + timedelta(days=28))


def _waves(session: Session, supplier: Supplier, catalogue: Any) -> None:
    for slug, name, previous_slug, planned in WAVES:
        deadline = _open_deadline(planned) if previous_slug else planned
        if session.scalar(select(Study.id).where(Study.slug == slug)) is not None:
            continue
        previous = session.scalar(select(Study).where(Study.slug == previous_slug)) if previous_slug else None
        study = study_services.create_study(
            session=session,
            supplier=supplier,
            slug=slug,
            name=name,
            questionnaires=study_services.default_questionnaires(
                catalogue.as_fielded(FIELDED[slug]) if slug in FIELDED else catalogue
            ),
            previous=previous,
            deadline=deadline,
            actor_label=LABEL,
        )
        _populate(session, study)


def _reports(session: Session) -> None:
    """Queue the finished wave's reports once: the portfolio report in both languages and an account report per
    account in the supplier's language. `surveyapp tick` (every minute under `make run`) renders them."""
    study = session.scalar(select(Study).where(Study.slug == "brightline-2025"))
    if study is None or session.scalar(select(Report.id).where(Report.study_id == study.id).limit(1)):
        return
    for language in (Language.NL, Language.EN):
        request_report(
            session=session, study=study, kind=ReportKind.PORTFOLIO, language=language, actor_label=LABEL
        )
    accounts = session.scalars(
        select(Account).join(StudyAccount).where(StudyAccount.study_id == study.id).order_by(Account.name)
    )
    for account in accounts:
        request_report(
            session=session, study=study, kind=ReportKind.ACCOUNT, account=account, actor_label=LABEL
        )
    session.flush()


def _reply_addresses(session: Session) -> None:
    """Replies to the demo studies' emails go to the demo researcher (as when a researcher sends them)."""
    from surveyapp.invitations.models import StudyEmailSettings

    for study in session.scalars(select(Study).where(Study.slug.in_(["brightline-2025", "brightline-2026"]))):
        settings = session.get(StudyEmailSettings, study.id)
        if settings is None:
            settings = StudyEmailSettings(study_id=study.id)
            session.add(settings)
        if not settings.reply_to:
            settings.reply_to = "researcher@demo.example"
    session.flush()


def load_demo(*, session: Session, config: Any, catalogue: Any) -> list[DemoLogin]:
    """Create what is missing of the demo and return the logins to print."""
    if config["ENV"] != "development" and not config.get("TESTING"):
        raise DemoError("the demo has well-known passwords: load it only with SURVEYAPP_ENV=development")
    supplier = _supplier(session)
    _users(session, config, supplier)
    _waves(session, supplier, catalogue)
    _reply_addresses(session)
    load_demo_answers(session=session)
    load_act_demo(session=session)
    _reports(session)
    return [
        *DEMO_USERS,
        *load_deals_demo(session=session, config=config, catalogue=catalogue, supplier=supplier),
    ]
