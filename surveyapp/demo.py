"""The demo data set, loaded through the services (never raw SQL). Idempotent: a second run changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.auth import services as auth_services
from surveyapp.auth.passwords import hasher_from_config
from surveyapp.enums import Language, Role
from surveyapp.studies import services as study_services
from surveyapp.studies.models import Supplier

DEMO_SUPPLIER = "Brightline Facility Services"


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


class DemoError(RuntimeError):
    """The demo cannot be loaded here."""


def _supplier(session: Session) -> Supplier:
    found = session.scalar(select(Supplier).where(Supplier.name == DEMO_SUPPLIER))
    if found is not None:
        return found
    return study_services.create_supplier(
        session=session, name=DEMO_SUPPLIER, report_language=Language.NL, actor_label="demo"
    )


def load_demo(*, session: Session, config: Any) -> list[DemoLogin]:
    """Create what is missing of the demo and return the logins to print."""
    if config["ENV"] != "development" and not config.get("TESTING"):
        raise DemoError("the demo has well-known passwords: load it only with SURVEYAPP_ENV=development")
    supplier = _supplier(session)
    hasher = hasher_from_config(config)
    names = {"admin": "Demo Admin", "researcher": "Sanne de Vries", "account_team": "Tom Bakker"}
    for login in DEMO_USERS:
        if auth_services.find_user(session=session, email=login.email) is not None:
            continue
        role = Role(login.role)
        auth_services.create_user(
            session=session,
            email=login.email,
            name=names[login.role],
            role=role,
            suppliers=[supplier] if role == Role.ACCOUNT_TEAM else [],
            language=Language.NL if role == Role.ACCOUNT_TEAM else None,
            password=login.password,
            hasher=hasher,
            actor_label="demo",
        )
    return list(DEMO_USERS)
