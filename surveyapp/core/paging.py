"""Paging of long lists (issue 22): a page of rows read with LIMIT/OFFSET, its place in the whole list, and the
plain GET parameter that chooses it (`?page=2`), so paging works without JavaScript and every page has its own
address.

The parts, from the request to the template:

- `wanted(request.args)` reads the page number a list is asked for (default 1). Anything that is not a whole
  number from 1 up answers 404, as an unknown address does.
- `fetch(session, statement, wanted)` counts the rows and reads the one page of them, in the statement's order;
  only that page leaves the database.
- A page past the end of its list (`?page=9` of a three-page list, e.g. a bookmark from before accounts were
  removed) answers 404 with a page that says how many pages there are and links to the last one:
  `beyond_end(page)`. That is deliberate: showing the last page instead would give a second address for it and
  hide that the list changed.
- `templates/_pagination.html` draws the navigation (`aria-label`, the current page marked
  `aria-current="page"`) with `Page.url`, which keeps every other GET parameter of the request (filters, the
  page numbers of other lists on the same page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from flask import abort, render_template, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

#: Rows per page of every paged list: a screenful or two, and a page of well under 100 kB.
PAGE_SIZE = 50
#: Page numbers shown on either side of the current page in the navigation.
WINDOW = 2
# More digits than any list has pages: a longer number is not a page of ours (and would overflow OFFSET).
MAX_DIGITS = 7


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which page of a list a request asks for, and under which GET parameter (and anchor) its links go."""

    number: int = 1
    param: str = "page"
    anchor: str | None = None
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def wanted(args: Mapping[str, str], param: str = "page", *, anchor: str | None = None) -> Wanted:
    """The page number in `args[param]` (1 when absent or empty); 404 for anything but a whole number ≥ 1."""
    raw = (args.get(param) or "").strip()
    if not raw:
        return Wanted(1, param, anchor)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > MAX_DIGITS or int(raw) < 1:
        abort(404)
    return Wanted(int(raw), param, anchor)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its rows, which page it is, and how many rows the whole list has."""

    items: Sequence[T]
    total: int
    wanted: Wanted

    @property
    def number(self) -> int:
        return self.wanted.number

    @property
    def size(self) -> int:
        return self.wanted.size

    @property
    def param(self) -> str:
        return self.wanted.param

    @property
    def pages(self) -> int:
        """How many pages the list has; an empty list has one (empty) page."""
        return max(1, -(-self.total // self.size))

    @property
    def beyond_end(self) -> bool:
        return self.number > self.pages

    @property
    def first(self) -> int:
        """The position (1-based) of the first row on this page in the whole list; 0 when there is none."""
        return self.wanted.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.wanted.offset + len(self.items) if self.items else 0

    @property
    def has_previous(self) -> bool:
        return 1 < self.number <= self.pages

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self) -> list[int | None]:
        """The page numbers the navigation shows: the first, the last, and those near the current one; None
        where numbers are left out (shown as an ellipsis)."""
        shown = {1, self.pages, *range(self.number - WINDOW, self.number + WINDOW + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for n in numbers:
            if result and n - (result[-1] or 0) > 1:
                # One missing number is shown itself rather than as an ellipsis standing for it.
                result.append(n - 1 if n - (result[-1] or 0) == 2 else None)
            result.append(n)
        return result

    def url(self, number: int) -> str:
        """The address of page `number` of this list: the current request's path and GET parameters, with this
        list's parameter set (left out for page 1, so that page 1 has one address)."""
        pairs = [(key, value) for key, value in request.args.items(multi=True) if key != self.param]
        if number > 1:
            pairs.append((self.param, str(number)))
        query = urlencode(pairs)
        anchor = f"#{self.wanted.anchor}" if self.wanted.anchor else ""
        return f"{request.script_root}{request.path}{'?' + query if query else ''}{anchor}"


def count_of(session: Session, statement: Select[Any]) -> int:
    """How many rows `statement` gives (its ORDER BY dropped)."""
    return int(session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0)


def fetch(
    session: Session,
    statement: Select[Any],
    page: Wanted,
    *,
    total: int | None = None,
    scalars: bool = False,
) -> Page[Any]:
    """The wanted page of `statement`'s rows (ORM entities with `scalars`), in the statement's order, which
    must be total (end on a unique column) so that a row never shows on two pages. `total` saves the count
    when the caller knows it already; a page past the end reads no rows."""
    counted = count_of(session, statement) if total is None else total
    items: Sequence[Any] = []
    if page.offset < counted:
        limited = statement.limit(page.size).offset(page.offset)
        items = list(session.scalars(limited)) if scalars else session.execute(limited).all()
    return Page(items=items, total=counted, wanted=page)


def beyond_end(*pages: Page[Any]) -> tuple[str, int] | None:
    """For a request that asks for a page past the end of one of its lists: a 404 page that says how many
    pages that list has and links to its last page. None when every page asked for exists."""
    for page in pages:
        if page.beyond_end:
            return render_template("page_beyond_end.html", page=page), 404
    return None
