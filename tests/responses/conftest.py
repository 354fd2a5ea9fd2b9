"""Respondent survey fixtures: a study whose client survey is the engine's all-types questionnaire,
invitations built directly (with their token rows), access granted as the personal link does, helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.enums import InvitationStatus, Language, Perspective, Purpose, Side
from surveyapp.invitations import access
from surveyapp.invitations.models import Invitation, InvitationEvent, InvitationToken
from surveyapp.invitations.tokens import new_token, token_hash
from surveyapp.questionnaires import Questionnaire, load_questionnaire, load_scoring
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.responses.models import Answer, Response, ResponseSubmission
from surveyapp.studies import scope
from surveyapp.studies.models import Contact, Study
from surveyapp.studies.services import create_study
from tests.conftest import Client

DATA = Path(__file__).resolve().parents[1] / "questionnaires" / "data"
SCORING = load_scoring(DATA / "scoring.yaml")
ALL_TYPES: Questionnaire = load_questionnaire(DATA / "all-types.yaml", SCORING)
FAR_DEADLINE = date(2099, 12, 31)
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Setup:
    study: Study
    anna: Contact  # client of Acme BV, Dutch
    ben: Contact  # client of Globex, English
    sam: Contact  # supplier staff, English
    acme_id: int
    globex_id: int


@pytest.fixture
def survey_study(db: Any, make_supplier: Callable[..., Any]) -> Callable[..., Setup]:
    counter = iter(range(1, 1000))

    def factory(
        questionnaire: Questionnaire = ALL_TYPES, deadline: date | None = FAR_DEADLINE, **kwargs: Any
    ) -> Setup:
        number = next(counter)
        cat = catalogue()
        study = create_study(
            session=db.session,
            supplier=make_supplier(kwargs.pop("supplier_name", f"Brightline {number}")),
            slug=f"wave-{number}",
            name=f"Wave {number}",
            questionnaires=[questionnaire, cat.questionnaires["fit-supplier"], cat.questionnaires["intake"]],
            deadline=deadline,
            **kwargs,
        )
        acme = scope.add_account(session=db.session, study=study, name="Acme BV", actor=None)
        globex = scope.add_account(session=db.session, study=study, name="Globex", actor=None)
        anna = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email="anna@acme.example",
            name="Anna de Vries",
            language=Language.NL,
            account_id=acme.account_id,
            actor=None,
        )
        ben = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email="ben@globex.example",
            name="Ben Smith",
            language=Language.EN,
            account_id=globex.account_id,
            actor=None,
        )
        sam = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.SUPPLIER,
            email="sam@supplier.example",
            name="Sam Staff",
            language=Language.EN,
            account_id=acme.account_id,
            actor=None,
        )
        scope.set_lead(session=db.session, study=study, contact=sam, actor=None)
        db.session.commit()
        return Setup(study, anna, ben, sam, acme.account_id, globex.account_id)

    return factory


@pytest.fixture
def make_invitation(db: Any) -> Callable[..., Invitation]:
    """An invitation as the invitations service leaves it after sending: status sent, one token row."""

    def factory(
        study: Study,
        contact: Contact,
        account_id: int | None,
        perspective: Perspective = Perspective.CLIENT,
        purpose: Purpose = Purpose.SURVEY,
    ) -> Invitation:
        questionnaire_row = study.questionnaire_for(perspective, purpose)
        assert questionnaire_row is not None
        invitation = Invitation(
            study_id=study.id,
            contact_id=contact.id,
            account_id=account_id,
            study_questionnaire_id=questionnaire_row.id,
            status=InvitationStatus.SENT,
        )
        db.session.add(invitation)
        db.session.flush()
        db.session.add(InvitationToken(invitation_id=invitation.id, token_hash=token_hash(new_token())))
        db.session.commit()
        return invitation

    return factory


def grant(client: Client, invitation_id: int) -> None:
    """What the personal link does for this browser: let its session answer the invitation."""
    with client.session_transaction() as session:
        access.grant(session, invitation_id)


class Respondent:
    """A browser answering one invitation through the Flask test client."""

    def __init__(self, client: Client, invitation_id: int) -> None:
        self.client = client
        self.id = invitation_id
        self.base = f"/survey/{invitation_id}"

    def get(self, path: str = "", **kwargs: Any) -> Any:
        return self.client.get(self.base + path, **kwargs)

    def page(self, section: str, **kwargs: Any) -> Any:
        return self.get(f"/page/{section}", **kwargs)

    def save(
        self, section: str, data: dict[str, Any] | None = None, action: str = "next", **kwargs: Any
    ) -> Any:
        return self.client.post_form(
            f"{self.base}/page/{section}", {**(data or {}), "action": action}, **kwargs
        )

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post_form(self.base + path, data or {}, **kwargs)

    def submit(self) -> Any:
        return self.post("/submit")


@pytest.fixture
def respondent(client: Client) -> Callable[[Invitation], Respondent]:
    def factory(invitation: Invitation, target: Client | None = None) -> Respondent:
        used = target or client
        grant(used, invitation.id)
        return Respondent(used, invitation.id)

    return factory


def location(response: Any) -> str:
    return response.headers.get("Location", "")


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def stored(db: Any, response_id: int | None = None) -> dict[str, str | None]:
    statement = select(Answer.item_key, Answer.value)
    if response_id is not None:
        statement = statement.where(Answer.response_id == response_id)
    return dict(db.session.execute(statement.order_by(Answer.item_key)).all())


def the_response(db: Any) -> Response:
    return db.session.scalars(select(Response)).one()


def count(db: Any, model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def events(db: Any, invitation_id: int) -> list[tuple[str, str | None]]:
    rows = db.session.execute(
        select(InvitationEvent.status, InvitationEvent.detail)
        .where(InvitationEvent.invitation_id == invitation_id)
        .order_by(InvitationEvent.id)
    )
    return [(status.value, detail) for status, detail in rows]


def submissions(db: Any) -> list[ResponseSubmission]:
    return list(db.session.scalars(select(ResponseSubmission).order_by(ResponseSubmission.number)))


# Answers that walk the all-types questionnaire through every page, with every question shown.
ABOUT = {"q-role": "user", "q-since": "2019-05-01", "q-hours": "12,5", "q-name": "Ann"}
FIT = {"q-needs": "4", "q-workarounds": "2", "q-contact": "monthly", "q-channels": ["phone", "mail"]}
LOYALTY = {
    "q-recommend": "6",
    "q-statements-clear": "3",
    "q-statements-late": "NA",
    "q-why": "Slow replies.",
    "q-consent": "yes",
    "q-when": "2030-01-15",
}


def checked(page: str) -> list[str]:
    """The ids of the checked radio buttons and checkboxes of a page, in order."""
    return re.findall(r'<input checked[^>]* id="([^"]+)"', page)


def filled(section: Any) -> dict[str, Any]:
    """Form data answering every question of a section with a valid value, as a browser would send it."""
    data: dict[str, Any] = {}
    for question in section.questions:
        name, kind = f"q-{question.key}", question.type.value
        if kind == "scale":
            data[name] = str(question.scale.points)
        elif kind == "nps":
            data[name] = "8"
        elif kind == "single":
            data[name] = question.options[0].key
        elif kind == "multi":
            data[name] = [question.options[0].key]
        elif kind in ("text", "longtext"):
            data[name] = "Fine."
        elif kind == "number":
            data[name] = str(int(question.min or 1))
        elif kind == "date":
            data[name] = "2024-01-31"
        elif kind == "matrix":
            data.update({f"{name}-{row.key}": "2" for row in question.rows})
    return data
