"""Rule 18: what of an analysis may be shown outside the research team (account teams, sales, and every report
an account team receives).

- No standard deviation on fewer than three respondents: with two, a mean and an sd give away both answers.
- A dimension marked `sensitive` in scoring.yaml (team energy: judged by the supplier's own staff) is shown per
  account only from `confidential_min_n` raters; below that its mean is withheld (`"withheld": true`, n kept so
  that a report can say how many rated), and so are the warning signals of its items.
- A subgroup of respondents (a role group, a mode) is shown only from `confidential_min_n` respondents; when one
  group is hidden, the next smallest is hidden with it until the hidden groups together reach that many, so
  that no hidden figure can be worked out from the total and the groups shown (`hidden_groups`).
- A sensitive dimension's change since the previous wave (rule 12's `drift.dimensions`) is withheld too
  (`{"key", "client": None, "supplier": None, "gap": None, "growing_apart": None, "withheld": True}`): with
  the current score shown it gives the previous wave's away, and the drift rows do not say whether that one
  rested on enough raters.
- While a sensitive dimension is withheld for an account, the supplier's overall fit would give it away (the
  overall is a weighted mean of the dimensions shown and the withheld one): in its place goes the supplier's
  overall without the sensitive dimensions (`"supplier_excludes"` names them), and the change of the supplier's
  overall since the previous wave is withheld (`"supplier_withheld": true` in `drift`). The quadrant stays:
  it says only on which side of the threshold the overall lies.
- The staff's own advice on an account (rule 20: continue / realign / exit) is shown from `confidential_min_n`
  staff members who advised; below that its counts are withheld (`{"counts": None, "n": n, "withheld": True}`,
  n kept so that a page can say how many advised): with one or two advisers a tally is their answers.

Researchers see everything; their screens mark subgroup cells under the threshold "identifiable".
Pure functions of the analysis JSON document (no Flask, no database).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

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


def outside_cell(
    cell: Mapping[str, Any] | None, *, sensitive: bool, disclosure: Disclosure
) -> Mapping[str, Any] | None:
    """An account's score cell as it may leave the research team: `cell` itself when nothing is held back,
    else a new dict (`cell` is never changed)."""
    if cell is None:
        return None
    n = cell["n"] or 0
    if sensitive and n < disclosure.confidential_min_n and cell["mean"] is not None:
        return {**cell, "mean": None, "sd": None, "withheld": True}
    if n < SD_MIN_N and cell.get("sd") is not None:
        return {**cell, "sd": None}
    return cell


def _outside_rows(
    rows: list[Mapping[str, Any]], first: str, second: str, sensitive: frozenset[str], disclosure: Disclosure
) -> list[Mapping[str, Any]]:
    """Rows of two cells (`first`, `second`; `second` is the supplier's, held back for a `sensitive` key) as
    they may leave the research team; `rows` itself when nothing changes (most rows of a study with several
    respondents per account)."""
    shown: list[Mapping[str, Any]] | None = None
    for index, row in enumerate(rows):
        one, two = row[first], row[second]
        new_one = outside_cell(one, sensitive=False, disclosure=disclosure)
        new_two = outside_cell(two, sensitive=row["key"] in sensitive, disclosure=disclosure)
        if new_one is one and new_two is two:
            if shown is not None:
                shown.append(row)
            continue
        if shown is None:
            shown = list(rows[:index])
        shown.append({**row, first: new_one, second: new_two})
    return rows if shown is None else shown


NOTHING: frozenset[str] = frozenset()


def outside_advice(advice: Mapping[str, Any] | None, disclosure: Disclosure) -> Mapping[str, Any] | None:
    """An account's staff advice tally (rule 20) as it may leave the research team: `advice` itself from
    `confidential_min_n` advisers (and for none: an empty tally gives nothing away), else only how many
    advised (a new dict; `advice` is never changed)."""
    if advice is None or advice.get("withheld"):
        return advice
    n = advice["n"] or 0
    if n == 0 or disclosure.group_shown(n):
        return advice
    return {"counts": None, "n": n, "withheld": True}


def withheld_dimensions(entry: Mapping[str, Any], disclosure: Disclosure) -> frozenset[str]:
    """The sensitive dimensions withheld for this account outside the research team (fewer raters than the
    threshold)."""
    if not disclosure.sensitive_dimensions:
        return NOTHING
    found = set()
    for row in entry["dimensions"]:
        if row["key"] in disclosure.sensitive_dimensions:
            cell = row.get("supplier")
            if (
                cell is not None
                and cell["mean"] is not None
                and (cell["n"] or 0) < disclosure.confidential_min_n
            ):
                found.add(row["key"])
    return frozenset(found)


def outside_overall(overall: Mapping[str, Any], withheld: frozenset[str]) -> Mapping[str, Any]:
    """An account's overall as it may leave the research team: the supplier's overall without the `withheld`
    sensitive dimensions in place of the full one (`overall` itself when none is withheld)."""
    if not withheld or overall.get("supplier") is None:
        return overall
    return {
        **overall,
        "supplier": overall.get("supplier_without_sensitive"),
        "supplier_excludes": sorted(withheld),
    }


def outside_drift(
    drift: Mapping[str, Any] | None, disclosure: Disclosure, withheld: frozenset[str] = NOTHING
) -> Mapping[str, Any] | None:
    """An account's drift as it may leave the research team: `drift` itself when it has no change of a
    sensitive dimension, else a new dict with those rows withheld, and the supplier overall's change while a
    sensitive dimension is `withheld` for the account (`drift` is never changed)."""
    if drift is None or not disclosure.sensitive_dimensions:
        return drift
    rows = drift.get("dimensions") or []
    sensitive_rows = any(
        row["key"] in disclosure.sensitive_dimensions and row.get("supplier") is not None for row in rows
    )
    hide_supplier = bool(withheld) and drift.get("supplier") is not None
    if not sensitive_rows and not hide_supplier:
        return drift
    shown_supplier = {"supplier": None, "supplier_withheld": True} if hide_supplier else {}
    return {
        **drift,
        **shown_supplier,
        "dimensions": [
            {
                "key": row["key"],
                "client": None,
                "supplier": None,
                "gap": None,
                "growing_apart": None,
                "withheld": True,
            }
            if row["key"] in disclosure.sensitive_dimensions and row.get("supplier") is not None
            else row
            for row in rows
        ],
    }


def outside_account(entry: Mapping[str, Any], disclosure: Disclosure) -> Mapping[str, Any]:
    """One account of the analysis document as it may leave the research team (`entry` itself when nothing
    is held back)."""
    dimensions = entry["dimensions"]
    understanding = entry.get("understanding")
    signals = entry.get("signals") or []
    shown_dimensions = _outside_rows(
        dimensions, "client", "supplier", disclosure.sensitive_dimensions, disclosure
    )
    shown_understanding = (
        None
        if understanding is None
        else _outside_rows(understanding, "predicted", "client", NOTHING, disclosure)
    )
    advice = entry.get("staff_advice")
    shown_advice = outside_advice(advice, disclosure)
    withheld = withheld_dimensions(entry, disclosure)
    overall = entry.get("overall")
    shown_overall = overall if overall is None else outside_overall(overall, withheld)
    drift = entry.get("drift")
    shown_drift = outside_drift(drift, disclosure, withheld)
    shown_signals = signals
    if disclosure.sensitive_items and signals:
        shown_signals = [
            signal
            for signal in signals
            if signal["question"] not in disclosure.sensitive_items
            or disclosure.group_shown(signal["n"] or 0)
        ]
    if (
        shown_dimensions is dimensions
        and shown_understanding is understanding
        and len(shown_signals) == len(signals)
        and shown_advice is advice
        and shown_drift is drift
        and shown_overall is overall
    ):
        return entry
    shown = {
        **entry,
        "dimensions": shown_dimensions,
        "understanding": shown_understanding,
        "signals": shown_signals,
    }
    if "staff_advice" in entry:
        shown["staff_advice"] = shown_advice
    if "drift" in entry:
        shown["drift"] = shown_drift
    if overall is not None:
        shown["overall"] = shown_overall
    return shown


def outside_summary(entry: Mapping[str, Any], keys: Sequence[str], disclosure: Disclosure) -> Json:
    """The `keys` of an account's entry as they may leave the research team, for an overview row: the
    headline (overall, drift) held back as `outside_account` holds it, without the cells of every dimension."""
    shown = {key: entry[key] for key in keys if key in entry}
    withheld = withheld_dimensions(entry, disclosure)
    if "overall" in shown:
        shown["overall"] = outside_overall(shown["overall"], withheld)
    if "drift" in shown:
        shown["drift"] = outside_drift(shown["drift"], disclosure, withheld)
    return shown


class OutsideAccounts(Sequence[Mapping[str, Any]]):
    """The accounts of an analysis document, each held back as it is read (`outside_account`): a page that
    shows a few of 20,000 accounts pays for those few."""

    def __init__(self, accounts: Sequence[Mapping[str, Any]], disclosure: Disclosure) -> None:
        self._accounts = accounts
        self._disclosure = disclosure

    def __len__(self) -> int:
        return len(self._accounts)

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[Mapping[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | list[Mapping[str, Any]]:
        if isinstance(index, slice):
            return [outside_account(entry, self._disclosure) for entry in self._accounts[index]]
        return outside_account(self._accounts[index], self._disclosure)

    def __repr__(self) -> str:
        return f"<OutsideAccounts {len(self)} accounts>"


def withheld_somewhere(accounts: Sequence[Mapping[str, Any]], disclosure: Disclosure) -> frozenset[str]:
    """The sensitive dimensions withheld for at least one of these accounts (fewer raters than the threshold).

    A figure over several accounts would give such an account's score away (n × mean minus the accounts
    shown), so outside the research team a sensitive dimension's portfolio figure goes with it."""
    if not disclosure.sensitive_dimensions:
        return frozenset()
    found: set[str] = set()
    for entry in accounts:
        for row in entry["dimensions"]:
            key = row["key"]
            if key in disclosure.sensitive_dimensions and key not in found:
                cell = row.get("supplier")
                if (
                    cell is not None
                    and cell["mean"] is not None
                    and cell["n"] < disclosure.confidential_min_n
                ):
                    found.add(key)
        if found == disclosure.sensitive_dimensions:
            break
    return frozenset(found)


def _outside_portfolio(portfolio: Mapping[str, Any], withheld: frozenset[str]) -> Mapping[str, Any]:
    if not withheld:
        return portfolio
    return {
        **portfolio,
        "dimensions": [
            {**row, "supplier": {**row["supplier"], "mean": None, "withheld": True}}
            if row["key"] in withheld and row.get("supplier") is not None
            else row
            for row in portfolio.get("dimensions") or []
        ],
    }


def outside_view(document: Mapping[str, Any], disclosure: Disclosure) -> Json:
    """The analysis document as it may be shown outside the research team. `document` may be shared
    (`analysis.memo`) and is only read; the view shares the parts that are shown as they are, so it is read-only
    too. Portfolio figures over accounts stay, but a sensitive dimension's when any account's is withheld."""
    shown = dict(document)
    accounts = document.get("accounts") or []
    shown["accounts"] = [outside_account(entry, disclosure) for entry in accounts]
    if "portfolio" in document:
        shown["portfolio"] = _outside_portfolio(
            document["portfolio"], withheld_somewhere(accounts, disclosure)
        )
    shown["thresholds"] = {**document["thresholds"], "confidential_min_n": disclosure.confidential_min_n}
    shown["confidentiality"] = {
        "sd_min_n": SD_MIN_N,
        "sensitive_dimensions": sorted(disclosure.sensitive_dimensions),
    }
    return shown


def lazy_outside_view(document: Mapping[str, Any], disclosure: Disclosure) -> Json:
    """`outside_view` whose accounts are held back as they are read (`OutsideAccounts`): for pages, which show
    a few accounts of many. Not for serialising (reports and exports use `outside_view`)."""
    accounts = document.get("accounts") or []
    shown = outside_view({**document, "accounts": []}, disclosure)
    shown["accounts"] = OutsideAccounts(accounts, disclosure)
    if "portfolio" in document:
        shown["portfolio"] = _outside_portfolio(
            document["portfolio"], withheld_somewhere(accounts, disclosure)
        )
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
