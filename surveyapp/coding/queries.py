"""Read side of coding: the coding queue (paged, filtered in SQL), counts per theme, the quotes chosen for
reports with their attribution as the consent allows it now, and `account_themes` for the dashboard."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Subquery, exists, func, select
from sqlalchemy.orm import Session

from surveyapp.analysis.service import analysis_document
from surveyapp.coding.consent import Permission, permissions
from surveyapp.coding.models import ReportQuote, Theme, ThemeTag
from surveyapp.coding.targets import (
    ANSWER,
    QUOTE,
    SUPPLIER_SIDE,
    Target,
    side_of,
    target_condition,
    targets_subquery,
    version_keys,
)
from surveyapp.enums import Perspective, Quadrant
from surveyapp.interviews.models import QuoteConsent
from surveyapp.questionnaires.services import load_version
from surveyapp.studies.models import Account, Contact, Study

PER_PAGE = 25
PERSPECTIVE_FILTERS = ("client", "supplier")


def themes_of(*, session: Session, study: Study) -> list[Theme]:
    """The study's themes in their order."""
    return list(
        session.scalars(select(Theme).where(Theme.study_id == study.id).order_by(Theme.position, Theme.id))
    )


def _detailed(targets: Subquery) -> Any:
    return (
        select(
            targets,
            Account.name.label("account_name"),
            Contact.name.label("contact_name"),
            Contact.role.label("contact_role"),
            Contact.erased_at.is_not(None).label("erased"),
        )
        .join(Account, Account.id == targets.c.account_id)
        .join(Contact, Contact.id == targets.c.contact_id)
    )


@dataclass(frozen=True, slots=True)
class QueueFilters:
    question: str | None = None
    perspective: str | None = None  # "client" or "supplier"
    uncoded_only: bool = False


@dataclass(frozen=True, slots=True)
class QueueItem:
    target: Target
    text: str
    question: str
    perspective: str  # "client" or "supplier"
    account: str
    tags: frozenset[int]
    selected: bool
    permission: Permission


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[QueueItem]
    total: int
    page: int
    pages: int


def queue_questions(*, session: Session, study: Study, language: str) -> list[tuple[str, str]]:
    """The free-text questions of the counted responses' versions and of the interview guides, as (key, text)."""
    keys = version_keys(session=session, study=study)
    texts: dict[str, str] = {}
    for version_id, items in keys.free_text.items():
        questionnaire = load_version(session=session, version_id=version_id)
        for key in items:
            texts.setdefault(key, questionnaire.item(key).text.get(language))
    targets = targets_subquery(study, keys)
    for key in session.scalars(select(targets.c.question).where(targets.c.kind == QUOTE).distinct()):
        texts.setdefault(key, "")
    return sorted(texts.items())


def coding_queue(*, session: Session, study: Study, filters: QueueFilters, page: int = 1) -> QueuePage:
    """One page of the targets to code, by account, question and kind, with their tags and selection."""
    keys = version_keys(session=session, study=study)
    targets = targets_subquery(study, keys)
    statement = _detailed(targets)
    if filters.question:
        statement = statement.where(targets.c.question == filters.question)
    if filters.perspective == "client":
        statement = statement.where(targets.c.perspective == Perspective.CLIENT)
    elif filters.perspective == "supplier":
        statement = statement.where(targets.c.perspective.in_(SUPPLIER_SIDE))
    if filters.uncoded_only:
        statement = statement.where(
            ~exists().where(target_condition(targets, ThemeTag.answer_id, ThemeTag.quote_id))
        )
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    rows = list(
        session.execute(
            statement.order_by(Account.name, targets.c.question, targets.c.kind, targets.c.id)
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    found = [Target(row.kind, row.id) for row in rows]
    tags = _tags_of(session, found)
    selected = _selected_of(session, study, found)
    allowed = permissions(session=session, keys=keys, rows=rows)
    items = [
        QueueItem(
            target=target,
            text=row.text,
            question=row.question,
            perspective=side_of(row.perspective),
            account=row.account_name,
            tags=frozenset(tags.get(target, ())),
            selected=target in selected,
            permission=allowed[(row.kind, row.id)],
        )
        for target, row in zip(found, rows, strict=True)
    ]
    return QueuePage(items, total, page, pages)


def _tags_of(session: Session, found: list[Target]) -> dict[Target, set[int]]:
    answer_ids = [t.id for t in found if t.kind == ANSWER]
    quote_ids = [t.id for t in found if t.kind != ANSWER]
    tags: dict[Target, set[int]] = {}
    rows = session.execute(
        select(ThemeTag.theme_id, ThemeTag.answer_id, ThemeTag.quote_id).where(
            ThemeTag.answer_id.in_(answer_ids) | ThemeTag.quote_id.in_(quote_ids)
        )
    )
    for theme_id, answer_id, quote_id in rows:
        target = Target(ANSWER, answer_id) if answer_id is not None else Target("quote", quote_id)
        tags.setdefault(target, set()).add(theme_id)
    return tags


def _selected_of(session: Session, study: Study, found: list[Target]) -> set[Target]:
    answer_ids = [t.id for t in found if t.kind == ANSWER]
    quote_ids = [t.id for t in found if t.kind != ANSWER]
    rows = session.execute(
        select(ReportQuote.answer_id, ReportQuote.quote_id).where(
            ReportQuote.study_id == study.id,
            ReportQuote.answer_id.in_(answer_ids) | ReportQuote.quote_id.in_(quote_ids),
        )
    )
    return {
        Target(ANSWER, answer_id) if answer_id is not None else Target("quote", quote_id)
        for answer_id, quote_id in rows
    }


@dataclass(frozen=True, slots=True)
class ThemeCount:
    theme: Theme
    client: int
    supplier: int
    quadrants: dict[str, int]

    @property
    def total(self) -> int:
        return self.client + self.supplier


@dataclass(frozen=True, slots=True)
class StudyCounts:
    rows: list[ThemeCount]
    quadrants: tuple[str, ...]
    # Mentions per theme id and account name, for the report sections.
    by_account: dict[str, Counter[int]]


def _tag_counts(session: Session, study: Study) -> list[tuple[int, Perspective, str, int]]:
    """(theme id, perspective, account name, tagged targets) for every tagged target of the study."""
    targets = targets_subquery(study, version_keys(session=session, study=study))
    statement = (
        select(ThemeTag.theme_id, targets.c.perspective, Account.name, func.count())
        .join(targets, target_condition(targets, ThemeTag.answer_id, ThemeTag.quote_id))
        .join(Account, Account.id == targets.c.account_id)
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(Theme.study_id == study.id)
        .group_by(ThemeTag.theme_id, targets.c.perspective, Account.name)
    )
    return [(theme_id, perspective, name, n) for theme_id, perspective, name, n in session.execute(statement)]


def theme_counts(*, session: Session, study: Study, document: Mapping[str, Any] | None = None) -> StudyCounts:
    """Per theme: tagged answers and quotes by perspective and by the account's quadrant (analysis JSON; pass
    `document` when the caller has it already)."""
    themes = themes_of(session=session, study=study)
    if document is None:
        document = analysis_document(session=session, study=study)
    quadrant_of = {account["account"]: account["quadrant"] for account in document["accounts"]}
    per_side: dict[int, Counter[str]] = {theme.id: Counter() for theme in themes}
    per_quadrant: dict[int, Counter[str]] = {theme.id: Counter() for theme in themes}
    by_account: dict[str, Counter[int]] = {}
    for theme_id, perspective, account, n in _tag_counts(session, study):
        per_side[theme_id][side_of(perspective)] += n
        per_quadrant[theme_id][quadrant_of.get(account, Quadrant.INCOMPLETE.value)] += n
        by_account.setdefault(account, Counter())[theme_id] += n
    quadrants = tuple(q.value for q in Quadrant)
    rows = [
        ThemeCount(
            theme=theme,
            client=per_side[theme.id]["client"],
            supplier=per_side[theme.id]["supplier"],
            quadrants={q: per_quadrant[theme.id][q] for q in quadrants},
        )
        for theme in themes
    ]
    return StudyCounts(rows, quadrants, by_account)


@dataclass(frozen=True, slots=True)
class ReportQuoteItem:
    """A selected quote as a report may print it now."""

    text: str
    attribution: str | None
    perspective: str  # "client" or "supplier"
    account: str
    target: Target


def selected_quotes(
    *, session: Session, study: Study, account_id: int | None = None
) -> list[ReportQuoteItem]:
    """The selected quotes the consent allows now (narrowed to anonymous where it was narrowed), by account."""
    keys = version_keys(session=session, study=study)
    targets = targets_subquery(study, keys)
    statement = _detailed(targets).join(
        ReportQuote,
        target_condition(targets, ReportQuote.answer_id, ReportQuote.quote_id)
        & (ReportQuote.study_id == study.id),
    )
    if account_id is not None:
        statement = statement.where(targets.c.account_id == account_id)
    rows = list(session.execute(statement.order_by(Account.name, ReportQuote.id)))
    allowed = permissions(session=session, keys=keys, rows=rows)
    return [
        ReportQuoteItem(
            text=row.text,
            attribution=allowed[(row.kind, row.id)].attribution,
            perspective=side_of(row.perspective),
            account=row.account_name,
            target=Target(row.kind, row.id),
        )
        for row in rows
        if allowed[(row.kind, row.id)].consent != QuoteConsent.NO
    ]


@dataclass(frozen=True, slots=True)
class AccountTheme:
    name: str
    colour: str
    client: int
    supplier: int


@dataclass(frozen=True, slots=True)
class AccountQuote:
    text: str
    attribution: str | None
    perspective: str


@dataclass(frozen=True, slots=True)
class AccountThemes:
    """What the dashboard shows of one account: its themes (with mentions) and its permitted chosen quotes."""

    themes: list[AccountTheme]
    quotes: list[AccountQuote]


def account_themes(*, session: Session, study: Study, account_id: int) -> AccountThemes:
    """The themes mentioned for this account (in the study's order, mentioned at least once) and its quotes."""
    themes = themes_of(session=session, study=study)
    targets = targets_subquery(study, version_keys(session=session, study=study))
    counts: dict[int, Counter[str]] = {theme.id: Counter() for theme in themes}
    for theme_id, perspective, n in session.execute(
        select(ThemeTag.theme_id, targets.c.perspective, func.count())
        .join(targets, target_condition(targets, ThemeTag.answer_id, ThemeTag.quote_id))
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(targets.c.account_id == account_id, Theme.study_id == study.id)
        .group_by(ThemeTag.theme_id, targets.c.perspective)
    ):
        counts[theme_id][side_of(perspective)] += n
    return AccountThemes(
        themes=[
            AccountTheme(theme.name, theme.colour, counts[theme.id]["client"], counts[theme.id]["supplier"])
            for theme in themes
            if counts[theme.id].total() > 0
        ],
        quotes=[
            AccountQuote(quote.text, quote.attribution, quote.perspective)
            for quote in selected_quotes(session=session, study=study, account_id=account_id)
        ],
    )
