"""Keeping the last few analyses of this process, keyed by everything they were computed from.

The analysis rules (`analyse_study`) and the JSON document (`build_analysis_document`) are pure functions of
the rows the SQL layer reads. The pages that show a large study's analysis are asked for again and again with
the same data (a researcher pages through 400 pages of an account table, filters by segment, opens the act
page): for 20,000 accounts the rules and the document take most of a second beyond the reading (issue 22).

`AnalysisMemo.analysed(inputs)` returns the earlier result when the inputs are equal to the ones it was made
from, compared in full (not by a digest or a version number): a reused result is the one the rules would
make now, and any change the rules can see (an answer, an account's name, a threshold, a previous wave's fit)
gives new inputs and a new analysis. Only the rules' work is saved; the rows are read on every request.

A reused result is shared between requests: `StudyAnalysis` is frozen, and the document `document_of` keeps
is for readers that do not change it (the dashboard and act pages; `tests/dashboard/test_memo.py` checks them).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from surveyapp.analysis.report import Json, build_analysis_document
from surveyapp.analysis.study import StudyAnalysis

#: How many analyses a process keeps at most, of how many accounts together. An analysis kept with its
#: document takes about 5.5 kB per account (110 MB for 20,000 accounts, measured with tracemalloc;
#: bench/README.md), so the account budget bounds a worker's memory; an analysis of more accounts than the
#: budget is not kept. `SURVEYAPP_ANALYSIS_MEMO_ACCOUNTS` sets the budget (0: keep nothing).
DEFAULT_SIZE = 3
DEFAULT_ACCOUNTS = 20_000


@dataclass(slots=True)
class _Entry:
    inputs: Mapping[str, Any]
    result: StudyAnalysis
    document: Json | None = field(default=None)


class AnalysisMemo:
    """The last `size` analyses made through it, most recent first (thread-safe)."""

    def __init__(self, size: int = DEFAULT_SIZE, accounts: int = DEFAULT_ACCOUNTS) -> None:
        if size < 1:
            raise ValueError("an analysis memo keeps at least one analysis")
        self._size = size
        self.accounts = accounts
        self._entries: list[_Entry] = []
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def analysed(self, inputs: Mapping[str, Any], analyse: Callable[..., StudyAnalysis]) -> StudyAnalysis:
        """`analyse(**inputs)`, or the result of an earlier call with equal inputs.

        The inputs must be values that compare by content (tuples, frozen dataclasses, numbers, strings), with
        the cheap ones first: the comparison stops at the first difference."""
        with self._lock:
            entries = list(self._entries)
        for entry in entries:
            if entry.inputs == inputs:
                self._keep(entry, hit=True)
                return entry.result
        entry = _Entry(inputs=dict(inputs), result=analyse(**inputs))
        self._keep(entry, hit=False)
        return entry.result

    def document_of(self, result: StudyAnalysis) -> Json:
        """The analysis document of a result: kept with the result when this memo made it, built otherwise.
        Callers must not change it (it is shared with every later request for the same inputs)."""
        with self._lock:
            entry = next((e for e in self._entries if e.result is result), None)
            if entry is not None and entry.document is not None:
                return entry.document
        document = build_analysis_document(result)
        if entry is not None:
            with self._lock:
                entry.document = document
        return document

    def clear(self) -> None:
        """Forget every analysis, and the counts of reuses (`hits`) and analyses made (`misses`)."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def _keep(self, entry: _Entry, *, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1
            # The newest first; an older analysis of the same study is not asked for again.
            others = [
                e for e in self._entries if e is not entry and e.inputs["study"] != entry.inputs["study"]
            ]
            kept, budget = [], self.accounts
            for candidate in [entry, *others][: self._size]:
                if len(candidate.result.accounts) <= budget:
                    kept.append(candidate)
                    budget -= len(candidate.result.accounts)
            self._entries = kept

    def __repr__(self) -> str:
        return (
            f"<AnalysisMemo size={self._size} accounts={self.accounts} kept={len(self._entries)} "
            f"hits={self.hits} misses={self.misses}>"
        )
