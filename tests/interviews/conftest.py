"""Interview fixtures: a study in fieldwork with the shipped questionnaires (fit-client and interview-guide),
a researcher logged in, interviews planned and started through the services, and a helper that drives the
interview screen through the Flask test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from surveyapp.db import utcnow
from surveyapp.enums import Language, Phase, Role, Side
from surveyapp.interviews import services
from surveyapp.interviews.answers import stored_items
from surveyapp.interviews.models import Interview, InterviewChannel, QuoteConsent
from surveyapp.mail.models import OutboxMessage
from surveyapp.studies import scope
from surveyapp.studies.models import Contact, Study
from tests.conftest import Client
from tests.studies.conftest import make_study, ready_study  # noqa: F401

BASE = re.compile(r'name="base-([^"]+)" value="([^"]+)"')
NEXT_WEEK = utcnow().replace(microsecond=0) + timedelta(days=7)


@dataclass
class Fieldwork:
    study: Study
    anna: Contact  # client of Acme BV (nl)
    carl: Contact  # second client of Acme BV (en)
    ben: Contact  # client of Globex
    sam: Contact  # supplier staff, rates Acme BV
    acme_id: int
    globex_id: int


@pytest.fixture
def fieldwork(db: Any, ready_study: Callable[..., Study]) -> Callable[..., Fieldwork]:  # noqa: F811
    def factory(**kwargs: Any) -> Fieldwork:
        study = ready_study(**kwargs)
        study.phase = Phase.INTERVIEW
        contacts = {c.email: c for c in db.session.scalars(select(Contact))}
        anna, ben, sam = (
            contacts[e] for e in ("anna@acme.example", "ben@globex.example", "staff@supplier.example")
        )
        carl = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email="carl@acme.example",
            name="Carl Client",
            language=Language.EN,
            account_id=anna.account_id,
            actor=None,
        )
        db.session.commit()
        assert anna.account_id is not None and ben.account_id is not None
        return Fieldwork(study, anna, carl, ben, sam, anna.account_id, ben.account_id)

    return factory


@pytest.fixture
def researcher(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.RESEARCHER, email="rita@agency.example", name="Rita Researcher")


@pytest.fixture
def plan(db: Any) -> Callable[..., Interview]:
    """An interview planned through the service (no email)."""

    def factory(
        work: Fieldwork,
        researcher: Any,
        contact: Contact | None = None,
        account_id: int | None = None,
        channel: InterviewChannel = InterviewChannel.VIDEO,
        when: datetime = NEXT_WEEK,
        language: str = "en",
    ) -> Interview:
        contact = contact or work.anna
        interview = services.plan_interview(
            session=db.session,
            study=work.study,
            contact=contact,
            account_id=account_id if account_id is not None else (contact.account_id or work.acme_id),
            researcher=researcher,
            scheduled_at=when,
            planned_minutes=45,
            channel=channel,
            location="Room 2",
            language=language,
            actor=researcher,
        )
        db.session.commit()
        return interview

    return factory


@pytest.fixture
def started(db: Any, plan: Callable[..., Interview]) -> Callable[..., Interview]:
    """An interview planned and started (consent given: take part, quote named, no recording)."""

    def factory(work: Fieldwork, researcher: Any, **kwargs: Any) -> Interview:
        quote = kwargs.pop("quote", QuoteConsent.NAMED)
        interview = plan(work, researcher, **kwargs)
        took = kwargs.get("when") if interview.is_paper else None
        services.start_interview(
            session=db.session,
            interview=interview,
            participate=True,
            quote=quote,
            recording=False,
            actor=researcher,
            now=utcnow(),
            took_place_at=took,
            duration_minutes=40 if took else None,
        )
        db.session.commit()
        db.session.refresh(interview)
        return interview

    return factory


class _FormFields(HTMLParser):
    """The fields a browser would send with the interview form: checked radios and checkboxes, text inputs,
    hidden inputs and text areas (buttons are left out: the test names the action)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._area: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name")
        if tag == "textarea" and name:
            self._area, self._text = name, []
        elif tag == "input" and name and name != "csrf_token":
            kind = found.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in found:
                return
            self.fields.append((name, found.get("value", "on" if kind == "checkbox" else "")))

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._area is not None:
            text = "".join(self._text)
            self.fields.append((self._area, text[1:] if text.startswith("\n") else text))
            self._area = None


def browser_fields(page: str) -> list[tuple[str, str]]:
    parser = _FormFields()
    parser.feed(page[page.index('id="interview-form"') :])
    return parser.fields


class Screen:
    """A researcher's browser tab on one interview, through the Flask test client."""

    def __init__(self, client: Client, interview_id: int) -> None:
        self.client = client
        self.id = interview_id
        self.pages: dict[str, str] = {}

    def topic(self, section: str) -> Any:
        response = self.client.get(f"/interviews/{self.id}/topics/{section}")
        self.pages[section] = response.get_data(as_text=True)
        return response

    def bases(self, section: str) -> dict[str, str]:
        """The base tokens of the topic as last loaded."""
        return dict(BASE.findall(self.pages[section]))

    def save_topic(self, section: str, data: dict[str, Any], action: str = "save", **kwargs: Any) -> Any:
        """Submit the topic as a browser would: every field as the page shows it, with `data` changed."""
        payload = MultiDict(
            [(name, value) for name, value in browser_fields(self.pages[section]) if name not in data]
        )
        for name, value in data.items():
            for one in value if isinstance(value, list) else [value]:
                payload.add(name, one)
        payload["action"] = action
        payload["csrf_token"] = self.client.csrf_token()
        return self.client.post(f"/interviews/{self.id}/topics/{section}", data=payload, **kwargs)

    def autosave(
        self, section: str, question: str, data: dict[str, Any], kind: str = "answer", **extra: Any
    ) -> Any:
        payload = {"section": section, "question": question, "kind": kind, **data, **extra}
        return self.client.post(
            f"/interviews/{self.id}/autosave", data=payload, headers={"X-CSRFToken": self.client.csrf_token()}
        )


@pytest.fixture
def screen(client: Client) -> Callable[..., Screen]:
    def factory(interview: Interview, target: Client | None = None) -> Screen:
        return Screen(target or client, interview.id)

    return factory


def answers_of(db: Any, interview: Interview) -> dict[str, str | None]:
    db.session.expire_all()
    found = db.session.get(Interview, interview.id)
    assert found is not None and found.response_id is not None
    return {key: held.value for key, held in stored_items(db.session, found.response_id).items()}


def interview_mail(db: Any) -> list[OutboxMessage]:
    """The emails about interviews in the outbox (the study's own invitations left out), oldest first."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("interview:%"))
            .order_by(OutboxMessage.id)
        )
    )


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def local(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
