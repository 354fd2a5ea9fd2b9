"""Changing coding: themes (create, edit, delete), the tags of a page of targets, the quotes chosen for reports.

Services take keyword arguments, check everything first and then write (nothing is written half-way), flush and
never commit. Every change is recorded in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.coding.consent import permissions
from surveyapp.coding.models import MAX_DESCRIPTION, MAX_NAME, PALETTE, ReportQuote, Theme, ThemeTag
from surveyapp.coding.queries import _detailed, themes_of
from surveyapp.coding.targets import ANSWER, Target, in_targets, targets_subquery, version_keys
from surveyapp.db import claim_edit
from surveyapp.i18n import _l
from surveyapp.interviews.models import QuoteConsent
from surveyapp.studies.models import Study

_HEX = re.compile(r"#[0-9a-f]{6}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: At most this many themes per study: digits 1-9 reach the first nine, the rest is by mouse or tab.
MAX_THEMES = 50


class CodingError(ValueError):
    """A coding change that cannot be made; the message says why."""


class ThemeEditConflict(CodingError):
    """Someone else saved the theme after the edit form was opened; nothing was changed."""


def name_key(name: str) -> str:
    """What makes two theme names the same: case and spacing do not count."""
    return " ".join(name.split()).casefold()


def _clean_theme(
    session: Session, study: Study, *, name: str, description: str, colour: str, theme: Theme | None
) -> tuple[str, str, str]:
    clean = " ".join(name.split())
    if not clean:
        raise CodingError(_l("A theme needs a name."))
    if len(clean) > MAX_NAME:
        raise CodingError(_l("A theme's name has at most %(n)d characters.", n=MAX_NAME))
    text = description.replace("\r\n", "\n").strip()
    if len(text) > MAX_DESCRIPTION:
        raise CodingError(_l("A description has at most %(n)d characters.", n=MAX_DESCRIPTION))
    if _CONTROL.search(clean) or _CONTROL.search(text):
        raise CodingError(_l("The name or description contains a control character."))
    hexed = colour.strip().lower()
    if not _HEX.fullmatch(hexed) or hexed not in PALETTE:
        raise CodingError(_l("Choose one of the colours offered."))
    same = session.scalar(select(Theme).where(Theme.study_id == study.id, Theme.name_key == name_key(clean)))
    if same is not None and same is not theme:
        raise CodingError(_l("This study already has a theme named %(name)s.", name=same.name))
    return clean, text, hexed


def create_theme(
    *, session: Session, study: Study, name: str, description: str = "", colour: str, actor: Any
) -> Theme:
    """Add a theme at the end of the study's list."""
    count = session.scalar(select(func.count()).select_from(Theme).where(Theme.study_id == study.id)) or 0
    if count >= MAX_THEMES:
        raise CodingError(_l("A study has at most %(n)d themes.", n=MAX_THEMES))
    clean, text, hexed = _clean_theme(
        session, study, name=name, description=description, colour=colour, theme=None
    )
    last = session.scalar(select(func.max(Theme.position)).where(Theme.study_id == study.id))
    theme = Theme(
        study_id=study.id,
        name=clean,
        name_key=name_key(clean),
        description=text,
        colour=hexed,
        position=0 if last is None else last + 1,
    )
    session.add(theme)
    session.flush()
    record(
        session=session,
        action="theme.create",
        actor=actor,
        obj=theme,
        supplier_id=study.supplier_id,
        details={"name": clean},
    )
    return theme


def update_theme(
    *,
    session: Session,
    study: Study,
    theme: Theme,
    name: str,
    description: str,
    colour: str,
    position: int,
    actor: Any,
    expected_version: int | None = None,
) -> Theme:
    """Rename, describe, recolour or move a theme (position 1 = first); the others shift to make room.

    `expected_version` is the `edit_version` the edit form showed: when someone else saved the theme since,
    this raises ThemeEditConflict and changes nothing (None: no check).
    """
    if not claim_edit(session=session, model=Theme, row_id=theme.id, expected=expected_version):
        raise ThemeEditConflict(
            _l(
                "Someone else changed this theme while you were editing it. Nothing of yours is saved yet: "
                "what you typed is still below. Save again to keep your version."
            )
        )
    clean, text, hexed = _clean_theme(
        session, study, name=name, description=description, colour=colour, theme=theme
    )
    themes = [t for t in themes_of(session=session, study=study) if t is not theme]
    if not 1 <= position <= len(themes) + 1:
        raise CodingError(_l("The position is a number from 1 to %(n)d.", n=len(themes) + 1))
    themes.insert(position - 1, theme)
    old_name = theme.name
    theme.name, theme.name_key, theme.description, theme.colour = clean, name_key(clean), text, hexed
    for index, each in enumerate(themes):
        each.position = index
    session.flush()
    record(
        session=session,
        action="theme.update",
        actor=actor,
        obj=theme,
        supplier_id=study.supplier_id,
        details={"name": clean, "previous_name": old_name},
    )
    return theme


def delete_theme(*, session: Session, study: Study, theme: Theme, confirmed: bool, actor: Any) -> int:
    """Delete a theme and its tags (only when confirmed); returns how many tags went with it."""
    if not confirmed:
        raise CodingError(_l("Tick the box to confirm that the theme and its tags are deleted."))
    tags = (
        session.scalar(select(func.count()).select_from(ThemeTag).where(ThemeTag.theme_id == theme.id)) or 0
    )
    record(
        session=session,
        action="theme.delete",
        actor=actor,
        obj=theme,
        supplier_id=study.supplier_id,
        details={"name": theme.name, "tags": tags},
    )
    session.execute(delete(ThemeTag).where(ThemeTag.theme_id == theme.id))
    session.delete(theme)
    session.flush()
    for index, each in enumerate(themes_of(session=session, study=study)):
        each.position = index
    session.flush()
    return tags


def _known_targets(session: Session, study: Study, wanted: list[Target]) -> list[Any]:
    """The detailed target rows of these targets that belong to the study (all of them, or CodingError)."""
    if not wanted:
        return []
    keys = version_keys(session=session, study=study)
    targets = targets_subquery(study, keys)
    rows = list(session.execute(_detailed(targets).where(in_targets(targets, wanted))))
    if len(rows) != len(set(wanted)):
        raise CodingError(_l("Some of these answers can no longer be coded; reload the page and try again."))
    return rows


def save_tags(*, session: Session, study: Study, chosen: Mapping[Target, frozenset[int]], actor: Any) -> int:
    """Make the tags of each target in `chosen` exactly its set of theme ids; returns how many tags changed.

    Targets not in `chosen` keep their tags, so a page of the queue saves only what it showed.
    """
    theme_ids = {theme.id for theme in themes_of(session=session, study=study)}
    if any(not ids <= theme_ids for ids in chosen.values()):
        raise CodingError(_l("A theme on this page no longer exists; reload the page and try again."))
    _known_targets(session, study, list(chosen))
    answer_ids = [t.id for t in chosen if t.kind == ANSWER]
    quote_ids = [t.id for t in chosen if t.kind != ANSWER]
    current: dict[Target, set[int]] = {target: set() for target in chosen}
    existing = session.execute(
        select(ThemeTag.id, ThemeTag.theme_id, ThemeTag.answer_id, ThemeTag.quote_id).where(
            ThemeTag.answer_id.in_(answer_ids) | ThemeTag.quote_id.in_(quote_ids)
        )
    )
    removed: list[int] = []
    for tag_id, theme_id, answer_id, quote_id in existing:
        target = Target(ANSWER, answer_id) if answer_id is not None else Target("quote", quote_id)
        if theme_id in chosen[target]:
            current[target].add(theme_id)
        else:
            removed.append(tag_id)
    if removed:
        session.execute(delete(ThemeTag).where(ThemeTag.id.in_(removed)))
    added = [
        ThemeTag(theme_id=theme_id, created_by_id=getattr(actor, "id", None), **target.columns())
        for target, ids in chosen.items()
        for theme_id in sorted(ids - current[target])
    ]
    session.add_all(added)
    session.flush()
    changed = len(removed) + len(added)
    if changed:
        record(
            session=session,
            action="coding.tags",
            actor=actor,
            obj=study,
            supplier_id=study.supplier_id,
            details={"added": len(added), "removed": len(removed), "targets": len(chosen)},
        )
    return changed


def save_selection(*, session: Session, study: Study, chosen: Mapping[Target, bool], actor: Any) -> int:
    """Select (True) or unselect (False) targets as quotes for the report; returns how many changed.

    A target whose respondent did not agree to be quoted cannot be selected: the whole change is refused with a
    message naming the reason. Unselecting is always possible.
    """
    rows = _known_targets(session, study, list(chosen))
    keys = version_keys(session=session, study=study)
    allowed = permissions(session=session, keys=keys, rows=rows)
    refused = [
        target
        for target, wanted in chosen.items()
        if wanted and not allowed[(target.kind, target.id)].allowed
    ]
    if refused:
        raise CodingError(
            _l(
                "%(n)d of the chosen quotes cannot be used: the respondent did not agree to be quoted "
                "(or did not answer the question about quotes).",
                n=len(refused),
            )
        )
    existing = {
        Target(ANSWER, a) if a is not None else Target("quote", q): selection_id
        for selection_id, a, q in session.execute(
            select(ReportQuote.id, ReportQuote.answer_id, ReportQuote.quote_id).where(
                ReportQuote.study_id == study.id
            )
        )
    }
    removed = [existing[t] for t, wanted in chosen.items() if not wanted and t in existing]
    added = [t for t, wanted in chosen.items() if wanted and t not in existing]
    if removed:
        session.execute(delete(ReportQuote).where(ReportQuote.id.in_(removed)))
    session.add_all(
        ReportQuote(study_id=study.id, selected_by_id=getattr(actor, "id", None), **t.columns())
        for t in added
    )
    session.flush()
    if removed or added:
        record(
            session=session,
            action="coding.quotes",
            actor=actor,
            obj=study,
            supplier_id=study.supplier_id,
            details={"selected": len(added), "unselected": len(removed)},
        )
    return len(removed) + len(added)


def consent_label(consent: QuoteConsent) -> Any:
    """How a permission reads on the coding page."""
    return {
        QuoteConsent.NAMED: _l("may be quoted with name"),
        QuoteConsent.ANONYMOUS: _l("may be quoted anonymously"),
        QuoteConsent.NO: _l("may not be quoted"),
    }[consent]


def save_page(
    *,
    session: Session,
    study: Study,
    tags: Mapping[Target, frozenset[int]],
    selection: Mapping[Target, bool],
    actor: Any,
) -> int:
    """Save one page of the coding queue: its tags and its quote selection, together or not at all."""
    return save_tags(session=session, study=study, chosen=tags, actor=actor) + save_selection(
        session=session, study=study, chosen=selection, actor=actor
    )
