"""Rule 18: what of an analysis may be shown outside the research team (account teams, sales, and every report
an account team receives).

- No standard deviation on fewer than three respondents: with two, a mean and an sd give away both answers.
- A dimension marked `sensitive` in scoring.yaml (team energy: judged by the supplier's own staff) is shown per
  account only from `confidential_min_n` raters; below that its mean is withheld (`"withheld": true`, n kept so
  that a report can say how many rated), and so are the warning signals of its items.
- A subgroup of respondents (a role group, a mode) is shown only from `confidential_min_n` respondents; when one
  group is hidden, the next smallest is hidden with it until the hidden groups together reach that many, so
  that no hidden figure can be worked out from the total and the groups shown (`hidden_groups`).

Researchers see everything; their screens mark subgroup cells under the threshold "identifiable".
Pure functions of the analysis JSON document (no Flask, no database).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Below this many respondents no standard deviation leaves the research team.
SD_MIN_N = 3

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What rule 18 needs to know about a study: its threshold, and what is sensitive."""

    confidential_min_n: int = 3
    sensitive_dimensions: frozenset[str] = frozenset()
    # The item keys of the sensitive dimensions' questions (their warning signals are per item).
    sensitive_items: frozenset[str] = frozenset()

    def group_shown(self, n: int) -> bool:
        """Whether a subgroup of n respondents may be shown outside the research team on its own."""
        return n >= self.confidential_min_n


def outside_cell(cell: Mapping[str, Any] | None, *, sensitive: bool, disclosure: Disclosure) -> Json | None:
    """An account's score cell as it may leave the research team (a new dict; `cell` is not changed)."""
    if cell is None:
        return None
    shown = dict(cell)
    n = int(cell.get("n") or 0)
    if n < SD_MIN_N and "sd" in shown:
        shown["sd"] = None
    if sensitive and cell.get("mean") is not None and not disclosure.group_shown(n):
        shown.update(mean=None, sd=None, withheld=True)
    return shown


def _outside_account(entry: Mapping[str, Any], disclosure: Disclosure) -> Json:
    shown = dict(entry)
    shown["dimensions"] = [
        {
            **row,
            "client": outside_cell(row.get("client"), sensitive=False, disclosure=disclosure),
            "supplier": outside_cell(
                row.get("supplier"),
                sensitive=row["key"] in disclosure.sensitive_dimensions,
                disclosure=disclosure,
            ),
        }
        for row in entry.get("dimensions") or []
    ]
    if entry.get("understanding") is not None:
        shown["understanding"] = [
            {
                **row,
                "predicted": outside_cell(row.get("predicted"), sensitive=False, disclosure=disclosure),
                "client": outside_cell(row.get("client"), sensitive=False, disclosure=disclosure),
            }
            for row in entry["understanding"]
        ]
    shown["signals"] = [
        signal
        for signal in entry.get("signals") or []
        if signal.get("question") not in disclosure.sensitive_items
        or disclosure.group_shown(int(signal.get("n") or 0))
    ]
    return shown


def outside_view(document: Mapping[str, Any], disclosure: Disclosure) -> Json:
    """The analysis document as it may be shown outside the research team. A new document: `document` may be
    shared (`analysis.memo`) and is only read. Portfolio figures, over accounts, stay as they are."""
    shown = dict(document)
    shown["accounts"] = [_outside_account(entry, disclosure) for entry in document.get("accounts") or []]
    shown["thresholds"] = {**document["thresholds"], "confidential_min_n": disclosure.confidential_min_n}
    shown["confidentiality"] = {
        "sd_min_n": SD_MIN_N,
        "sensitive_dimensions": sorted(disclosure.sensitive_dimensions),
    }
    return shown


_LAST: list[tuple[Mapping[str, Any], Disclosure, Json]] = []


def shared_outside_view(document: Mapping[str, Any], disclosure: Disclosure) -> Json:
    """`outside_view` of a shared document, made once while the same document object is asked for again (the
    pages of a 20,000-account study reuse one; the caller must not change the result)."""
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is document and last[1] == disclosure:
        return last[2]
    view = outside_view(document, disclosure)
    _LAST[:] = [(document, disclosure, view)]
    return view


def hidden_groups(sizes: Mapping[Any, int], disclosure: Disclosure) -> set[Any]:
    """The subgroups (key -> respondents) to hide outside the research team: those under the threshold, and
    then the smallest shown ones until the hidden groups hold at least `confidential_min_n` respondents
    together (or every group is hidden), so that the total minus the groups shown reveals no hidden figure."""
    hidden = {key for key, n in sizes.items() if not disclosure.group_shown(n)}
    if not hidden:
        return hidden
    shown = sorted((n, str(key), key) for key, n in sizes.items() if key not in hidden)
    while shown and sum(sizes[key] for key in hidden) < disclosure.confidential_min_n:
        hidden.add(shown.pop(0)[2])
    return hidden
