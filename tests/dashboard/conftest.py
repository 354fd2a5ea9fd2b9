"""Dashboard fixtures: an answered study with segments and respondent roles, and a reader of HTML tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest

from surveyapp.enums import Perspective, Phase, Purpose, QuestionType, Side
from surveyapp.questionnaires.services import load_version
from surveyapp.studies import scope
from surveyapp.studies.models import Contact, Study
from tests.reporting.studies import add_response
from tests.studies.conftest import fielded_in_2025, make_study  # noqa: F401

# account, segment, effort, billable, [(side, email, job title, level 1-5, nps)]; a respondent answers the
# role question with the role group of their job title (ROLE_GROUPS), none for "".
ACCOUNTS = (
    (
        "Alpha Zorg",
        "Care",
        1000,
        900,
        [
            ("client", "a1@alpha.example", "Director", 4, 9),
            ("client", "a2@alpha.example", "Buyer", 5, 10),
            ("supplier", "eva@supplier.example", "Account manager", 4, 8),
        ],
    ),
    (
        "Beta Zorg",
        "Care",
        2000,
        1500,
        [
            ("client", "b1@beta.example", "Director", 3, 8),
            ("client", "b2@beta.example", "Buyer", 4, 9),
            ("supplier", "mark@supplier.example", "Consultant", 2, 5),
        ],
    ),
    (
        "Gamma Industrie",
        "Industry",
        3000,
        2000,
        [
            ("client", "g1@gamma.example", "Director", 2, 4),
            ("supplier", "eva@supplier.example", "Account manager", 2, 3),
        ],
    ),
    ("Delta Retail", "", None, None, [("client", "d1@delta.example", "", 3, 7)]),
)


ROLE_GROUPS = {
    "Director": "decision_maker",
    "Buyer": "buyer",
    "Account manager": "account_lead",
    "Consultant": "delivery",
}


def answers(questionnaire: Any, level: int, nps: int, title: str = "") -> dict[str, str]:
    """Scale answers around `level` (varied per item, so that item weights matter), the NPS answer and the
    role group of the job title `title` (none for "")."""
    values = {}
    if title and questionnaire.role_question is not None:
        values[questionnaire.role_question.key] = ROLE_GROUPS[title]
    for number, item in enumerate(questionnaire.scored_items):
        if item.type is QuestionType.NPS:
            values[item.key] = str(nps)
        elif item.type is QuestionType.SCALE:
            value = min(5, max(1, level + number % 3 - 1))
            values[item.key] = str(6 - value if item.reverse else value)
    return values


@dataclass
class Built:
    study: Study
    accounts: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def dashboard_study(db: Any, make_study: Callable[..., Any]) -> Callable[..., Built]:  # noqa: F811
    """A study with four accounts in three segments (one without), client roles and staff, all answered."""

    def factory(
        supplier: Any = None,
        phase: Phase = Phase.ANALYSE,
        slug: str = "fit-2026",
        previous: Study | None = None,
        shift: int = 0,
        title: str = "Client fit 2026",
    ) -> Built:
        """`shift` moves every client's answers up (or down) that many scale points; `previous`: the wave
        before (the same supplier's accounts, matched by name)."""
        study = make_study(
            supplier=supplier, slug=slug, name=title, previous=previous, questionnaires=fielded_in_2025()
        )
        built = Built(study)
        contacts: dict[str, Contact] = {}
        when = datetime(2026, 10, 1, 9, tzinfo=UTC)
        for name, segment, effort, billable, people in ACCOUNTS:
            in_scope = scope.add_account(
                session=db.session,
                study=study,
                name=name,
                segment=segment,
                effort_hours=None if effort is None else Decimal(effort),
                billable_hours=None if billable is None else Decimal(billable),
                actor=None,
            )
            built.accounts[name] = in_scope.account_id
            for side, email, role, level, nps in people:
                if email not in contacts:
                    contacts[email] = scope.add_contact(
                        session=db.session,
                        study=study,
                        side=Side(side),
                        email=email,
                        name=email.split("@")[0].title(),
                        role=role,
                        account_id=in_scope.account_id if side == "client" else None,
                        actor=None,
                    )
                perspective = Perspective(side)
                chosen = study.questionnaire_for(perspective, Purpose.SURVEY)
                questionnaire = load_version(session=db.session, version_id=chosen.version_id)
                when += timedelta(hours=1)
                add_response(
                    db.session,
                    study,
                    contacts[email],
                    in_scope.account_id,
                    perspective,
                    answers(questionnaire, level + shift if side == "client" else level, nps, role),
                    when,
                )
        study.phase = phase
        db.session.commit()
        return built

    return factory


class _Tables(HTMLParser):
    """Every <table> of a page: {caption: [[cell text, ...], ...]} (header rows included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._name = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row(table: list[list[str]], key: str, column: int = 0) -> list[str]:
    """The one row whose cell in `column` is `key`."""
    found = [cells for cells in table if len(cells) > column and cells[column] == key]
    assert len(found) == 1, (key, table)
    return found[0]


class _Facts(HTMLParser):
    """Every <dl> of a page flattened: {term: description text} (a later list's term wins)."""

    def __init__(self) -> None:
        super().__init__()
        self.facts: dict[str, str] = {}
        self._term: list[str] | None = None
        self._description: list[str] | None = None
        self._last = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "dt":
            self._term = []
        elif tag == "dd":
            self._description = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "dt" and self._term is not None:
            self._last = " ".join("".join(self._term).split())
            self._term = None
        elif tag == "dd" and self._description is not None:
            self.facts[self._last] = " ".join("".join(self._description).split())
            self._description = None

    def handle_data(self, data: str) -> None:
        if self._term is not None:
            self._term.append(data)
        elif self._description is not None:
            self._description.append(data)


def facts(html: str) -> dict[str, str]:
    """The page's definition lists: {term: description text}."""
    parser = _Facts()
    parser.feed(html)
    return parser.facts


def answer_more(
    db: Any, built: Built, account: str, people: list[tuple[str, str, int, int, str | None]]
) -> None:
    """More respondents of `account`: (side, email, level 1-5, nps, staff advice option or None), each a new
    contact answering the survey as `answers` does (staff with their own continue / realign / exit advice)."""
    study = built.study
    when = datetime(2026, 10, 20, 9, tzinfo=UTC)
    for side, email, level, nps, advice in people:
        perspective = Perspective(side)
        contact = scope.add_contact(
            session=db.session,
            study=study,
            side=Side(side),
            email=email,
            name=email.split("@")[0].title(),
            account_id=built.accounts[account] if side == "client" else None,
            actor=None,
        )
        version = study.questionnaire_for(perspective, Purpose.SURVEY).version_id
        questionnaire = load_version(session=db.session, version_id=version)
        values = answers(questionnaire, level, nps)
        if advice is not None:
            values[questionnaire.advice_question.key] = advice
        when += timedelta(hours=1)
        add_response(db.session, study, contact, built.accounts[account], perspective, values, when)
    db.session.commit()
