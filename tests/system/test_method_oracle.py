"""A second, independent reading of DESIGN.md's scoring rules, held against the installed script.

A small hand-made dataset (two waves of one supplier, eight accounts; the previous wave on the questionnaires as
they were in 2025, `questionnaires/earlier/2025`, the current one on today's) is imported the way an operator does it
(`surveyapp init-db`, `suppliers create`, `studies create`, `import accounts|contacts|responses`, the installed
console script in a subprocess, on a fresh instance: SQLite, or a PostgreSQL database of its own when the suite
runs on PostgreSQL). The same raw answers are scored here by an *oracle* written from DESIGN.md alone ("The fit
model", rules 1-20) and the shipped questionnaire files — nothing is imported from `surveyapp.analysis` — and
every figure of `surveyapp analysis --study SLUG --format json` is compared with it, field by field, for every
account and the portfolio of both waves. A mismatch names the wave, the account and the field.

The oracle computes with exact fractions, so a threshold is reached exactly when DESIGN.md says it is (rule 7's
1e-9 tolerance exists to give float code the same answer), and rounds the exact value half-up (rule 14).

What each account of the current wave (`oracle-2026`) is there for:

- Anker Bouw: a clear match with three respondents per side (headline not indicative, sd from three), one
  client's older response superseded by a newer one (rule 2; the older one is later in the file), NA answers
  left out (rule 1), `value_2` answered only where its `show_if` shows it; its `friction` gap widens by more than
  the gap threshold since the previous wave while the account as a whole is not growing apart (rule 12 per
  dimension).
- Bolder Logistiek: client overall exactly 65.0 (|65 − 60| == band: not borderline, rule 17); NPS from one
  detractor (n = 1, indicative); its client overall fell by 17.5 (growing apart); its one rating staff
  member's `relationship` fell by exactly the gap threshold, 220/3 (2025 files: with the staff's NPS) ->
  175/3 (today's: own-stance items only), while the client's stayed and the gap narrowed (rule 7 counts an edge
  as reached, so that dimension is growing apart on that fall alone).
- Corvus Media: client overall exactly 60 made of thirds (quadrant reached at the edge, borderline); no NPS
  answer at all (score null, n 0); no billable hours (cost null); not in the previous wave (drift null).
- Dijk Retail: a match with effort 0 (cost null; left out of the median effort, kept in the median revenue);
  its `relationship` gap is exactly the gap threshold, 440/6 − 175/3 (flagged: rule 7's edge; naive float
  arithmetic misses it).
- Eems Energie: misfit; signals on both sides (incl. supplier-only signal items, and `risk_2`, a signal in
  the staff survey only), behaviour signals (the clients' frequency of workarounds, `wow_freq`; a staff
  member's unbilled hours and count of mistakes, `effort_hours_3m` in the open band and `quality_count_3m` at
  a band's inclusive edge), a dimension mean of exactly 56.25 (half-up: 56.3) and a gap of −6.25 (−6.3);
  staff advice incl. `unsure`.
- Fjord Finance: customer_swayed; client overall 64.75 (just inside the borderline band); low supplier-only
  dimensions (effort, team energy), so the like-for-like gap differs from client overall − supplier overall;
  its like-for-like gap grew by more than 15 (growing apart through the gap only); revenue forgone 88 562.5
  (half-up: 88 563).
- Gouda Zuivel: no shared dimension (gap null, 0 shared, supplier_only = effort and team energy); a client
  respondent who answered no scored item (a completed response, but not in client_n); blind_spot.
- Haven Holding: incomplete (supplier only), with a cost all the same (rule 11 per account: every quadrant);
  all hours billable (non-billable 0); drift of the supplier view only.

Cost (rule 11): the match accounts give three different medians — baseline share over Anker and Bolder (two:
even, 0.2125 -> 0.213), effort over Anker, Bolder and Corvus (three: odd, 200), revenue over all four (even,
325 000). The previous wave (`oracle-2025`) has no revenue for its match accounts, so `revenue_forgone` is null
there with a reason.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

import pytest
import yaml

from tests.conftest import TEST_DATABASE_URL

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "surveyapp"
QUESTIONNAIRES = PROJECT / "questionnaires"
SUPPLIER = "Oracle Supply"
PREVIOUS = "oracle-2025"
CURRENT = "oracle-2026"
TOLERANCE = Fraction(1, 10**9)  # rule 7


# ---- the model, read from the shipped files -------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    key: str
    type: str
    dimension: str | None
    weight: Fraction
    reverse: bool
    tags: frozenset[str]
    points: int | None
    options: tuple[tuple[str, Fraction | None], ...]  # (key, score) in the question's order
    bands: tuple[tuple[Fraction | None, Fraction], ...] = ()  # (up_to or None for the last, score)


@dataclass(frozen=True)
class Questionnaire:
    slug: str
    perspective: str
    items: dict[str, Item]


def _items(question: dict[str, Any]) -> Iterator[Item]:
    """A question's items; a matrix gives one per row (`question.row`), inheriting unless the row overrides."""

    def make(key: str, source: dict[str, Any], parent: dict[str, Any]) -> Item:
        def pick(name: str, default: Any) -> Any:
            return source.get(name, parent.get(name, default))

        scale = pick("scale", None) or {}
        options = tuple(
            (str(option["key"]), None if option.get("score") is None else Fraction(str(option["score"])))
            for option in pick("options", None) or ()
        )
        return Item(
            key=key,
            type=question["type"],
            dimension=pick("dimension", None),
            weight=Fraction(str(pick("weight", 1))),
            reverse=bool(pick("reverse", False)),
            tags=frozenset(pick("tags", None) or ()),
            points=scale.get("points"),
            options=options,
            bands=tuple(
                (
                    None if band.get("up_to") is None else Fraction(str(band["up_to"])),
                    Fraction(str(band["score"])),
                )
                for band in pick("bands", None) or ()
            ),
        )

    if question["type"] == "matrix":
        for row in question.get("rows", ()):
            yield make(f"{question['key']}.{row['key']}", row, question)
    else:
        yield make(question["key"], question, {})


def load_questionnaire(slug: str, folder: Path = QUESTIONNAIRES) -> Questionnaire:
    data = yaml.safe_load((folder / f"{slug}.yaml").read_text(encoding="utf-8"))
    items = {
        item.key: item
        for section in data["sections"]
        for question in section.get("questions", ())
        for item in _items(question)
    }
    return Questionnaire(slug=data["slug"], perspective=data["perspective"], items=items)


SCORING = yaml.safe_load((QUESTIONNAIRES / "scoring.yaml").read_text(encoding="utf-8"))
DIMENSIONS = [d["key"] for d in SCORING["dimensions"]]
DIMENSION_WEIGHT = {d["key"]: Fraction(str(d.get("weight", 1))) for d in SCORING["dimensions"]}
SIGNAL_GROUP = {d["key"]: d.get("signal_group") for d in SCORING["dimensions"]}
_THRESHOLDS = SCORING.get("thresholds", {})
QUADRANT = Fraction(str(_THRESHOLDS.get("quadrant", 60)))
GAP = Fraction(str(_THRESHOLDS.get("gap", 15)))
SIGNAL = Fraction(str(_THRESHOLDS.get("signal", 40)))
MIN_N = int(_THRESHOLDS.get("min_n", 3))
BAND = Fraction(str(_THRESHOLDS.get("borderline_band", 5)))
# The previous wave was fielded on the questionnaires as they were in 2025 (kept in questionnaires/earlier/2025),
# the current one on today's: each response is scored with the files of its wave, as the version pins promise.
CURRENT_FILES, EARLIER_FILES = "current", "earlier"
FOLDERS = {CURRENT_FILES: QUESTIONNAIRES, EARLIER_FILES: QUESTIONNAIRES / "earlier" / "2025"}
QUESTIONNAIRES_OF = {
    files: {slug: load_questionnaire(slug, folder) for slug in ("fit-client", "fit-supplier")}
    for files, folder in FOLDERS.items()
}


def by_perspective(files: str, perspective: str) -> Questionnaire:
    return QUESTIONNAIRES_OF[files]["fit-client" if perspective == "client" else "fit-supplier"]


# ---- the dataset ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    name: str
    segment: str
    annual_revenue: int | None
    effort_hours: int | None
    billable_hours: int | None


@dataclass
class Response:
    account: str
    respondent: str
    perspective: str
    submitted_at: str
    answers: dict[str, str] = field(default_factory=dict)
    files: str = CURRENT_FILES

    @property
    def questionnaire(self) -> str:
        return by_perspective(self.files, self.perspective).slug


def _raw(score: float, item: Item) -> str:
    """The raw answer that gives `score` (0, 25, 50, 75, 100) to `item` (rule 1 backwards): a value on a 5-point
    scale, the option with that score, or a number in the band with that score."""
    if item.type == "single":
        return next(key for key, option_score in item.options if option_score == score)
    if item.type == "number":
        below = Fraction(-1)
        for up_to, band_score in item.bands:
            if band_score == score:
                return str(up_to if up_to is not None else below + 1)
            below = up_to if up_to is not None else below
        raise AssertionError(f"{item.key}: no band scores {score}")
    wanted = 100 - score if item.reverse else score
    steps = item.points - 1
    value = wanted * steps / 100 + 1
    assert value == int(value), f"{item.key}: no raw value gives {score}"
    return str(int(value))


def answers(
    perspective: str,
    dims: dict[str, float] | None = None,
    *,
    nps: int | None = None,
    role: str | None = None,
    advice: str | None = None,
    items: dict[str, str | float] | None = None,
    skip: tuple[str, ...] = (),
    files: str = CURRENT_FILES,
) -> dict[str, str]:
    """Answers that give every scale item of each dimension in `dims` that score (value_2 only when given:
    its show_if depends on the role), then `items` (a float is a score, a str the raw value: "NA", "2"),
    leaving out the items in `skip`."""
    questionnaire = by_perspective(files, perspective)
    given: dict[str, str] = {}
    if role is not None:
        given["role" if perspective == "client" else "staff_role"] = role
    for dimension, score in (dims or {}).items():
        for item in questionnaire.items.values():
            if item.dimension == dimension and item.type in SCORED_TYPES and item.key != "value_2":
                given[item.key] = _raw(score, item)
    for key, value in (items or {}).items():
        given[key] = value if isinstance(value, str) else _raw(value, questionnaire.items[key])
    if nps is not None:
        assert "rel_nps" in questionnaire.items, f"{questionnaire.slug} ({files}) has no NPS question"
        given["rel_nps"] = str(nps)
    if advice is not None:
        given["staff_advice"] = advice
    for key in skip:
        given.pop(key, None)
    return given


C, S = "client", "supplier"
SCORED_TYPES = ("scale", "single", "number")
EVERY_CLIENT_DIM = (
    "needs_match",
    "ways_of_working",
    "scope_stability",
    "execution_quality",
    "risk",
    "friction",
    "mutual_value",
    "relationship",
)


def same(score: float, *keys: str) -> dict[str, float]:
    return dict.fromkeys(keys or EVERY_CLIENT_DIM, score)


# Email -> (account or None for staff, name). Client contacts belong to one account; staff are assigned per study.
CLIENTS = {
    "a.c1@anker.example": "Anker Bouw",
    "a.c2@anker.example": "Anker Bouw",
    "a.c3@anker.example": "Anker Bouw",
    "b.c1@bolder.example": "Bolder Logistiek",
    "c.c1@corvus.example": "Corvus Media",
    "c.c2@corvus.example": "Corvus Media",
    "d.c1@dijk.example": "Dijk Retail",
    "e.c1@eems.example": "Eems Energie",
    "e.c2@eems.example": "Eems Energie",
    "f.c1@fjord.example": "Fjord Finance",
    "g.c1@gouda.example": "Gouda Zuivel",
    "g.c2@gouda.example": "Gouda Zuivel",
}
STAFF = ["anna@oracle-supply.example", "bram@oracle-supply.example", "cato@oracle-supply.example",
         "dirk@oracle-supply.example", "eva@oracle-supply.example"]  # fmt: skip
ANNA, BRAM, CATO, DIRK, EVA = STAFF


@dataclass
class Wave:
    slug: str
    name: str
    previous: str | None
    accounts: list[AccountRow]
    responses: list[Response]

    def assignments(self) -> list[tuple[str, str]]:
        """(staff email, account) for every staff member who rates an account in this wave."""
        seen: list[tuple[str, str]] = []
        for response in self.responses:
            pair = (response.respondent, response.account)
            if response.perspective == S and pair not in seen:
                seen.append(pair)
        return seen


def current_wave() -> Wave:
    accounts = [
        AccountRow("Anker Bouw", "construction", 400000, 200, 175),
        AccountRow("Bolder Logistiek", "logistics", 250000, 100, 70),
        AccountRow("Corvus Media", "media", 900000, 300, None),
        AccountRow("Dijk Retail", "retail", 150000, 0, 0),
        AccountRow("Eems Energie", "energy", 120000, 150, 60),
        AccountRow("Fjord Finance", "finance", 300000, 120, 40),
        AccountRow("Gouda Zuivel", "food", 80000, 80, 80),
        AccountRow("Haven Holding", "holding", 50000, 90, 90),
    ]
    when = "2026-03-{:02d}T10:00:00"
    r = Response
    responses = [
        # Anker Bouw: a clear match, three per side.
        r("Anker Bouw", "a.c1@anker.example", C, when.format(12),
          answers(C, {**same(75), "friction": 100}, nps=9, role="decision_maker", items={"value_2": 100.0})),
        r("Anker Bouw", "a.c2@anker.example", C, when.format(10),
          answers(C, {**same(75), "ways_of_working": 50, "friction": 75}, nps=10, role="user",
                  items={"wow_freq": 25.0, "scope_3": "NA", "quality_1": "NA"})),
        r("Anker Bouw", "a.c3@anker.example", C, when.format(11),
          answers(C, {**same(100, "needs_match", "execution_quality"), **same(75, "ways_of_working", "risk",
                  "friction", "mutual_value", "relationship"), "scope_stability": 50}, nps=7, role="buyer",
                  items={"value_2": "NA", "rel_3": "NA", "friction_2": 50.0})),
        r("Anker Bouw", ANNA, S, when.format(2),
          answers(S, {**same(75), "friction": 50, "effort": 50, "team_energy": 75}, advice="continue")),
        r("Anker Bouw", BRAM, S, when.format(3),
          answers(S, {**same(75), "needs_match": 100, "friction": 50, "effort": 75, "team_energy": 75},
                  advice="continue", items={"quality_freq": "NA", "wow_count_3m": 50.0})),
        r("Anker Bouw", CATO, S, when.format(4),
          answers(S, {**same(50), "friction": 50, "effort": 50, "team_energy": 50}, advice="realign",
                  role="delivery")),
        # Bolder Logistiek: client overall exactly 65, NPS of one detractor.
        r("Bolder Logistiek", "b.c1@bolder.example", C, when.format(9),
          answers(C, {**same(75, "needs_match", "ways_of_working", "risk", "friction"),
                  **same(50, "scope_stability", "execution_quality", "mutual_value", "relationship")}, nps=5)),
        r("Bolder Logistiek", DIRK, S, when.format(2),
          answers(S, {**same(75), "needs_match": 100, "effort": 75, "team_energy": 100}, advice="continue",
                  items={"rel_1": 50.0, "rel_trust": 50.0, "rel_commit": 75.0})),
        r("Bolder Logistiek", EVA, S, when.format(3),
          answers(S, {**same(100, "needs_match", "ways_of_working", "effort", "team_energy")}, advice="exit")),
        # Corvus Media: client overall exactly 60, made of thirds; no NPS answer.
        r("Corvus Media", "c.c1@corvus.example", C, when.format(8),
          answers(C, {"needs_match": 75, "ways_of_working": 50, "risk": 50, "friction": 50},
                  role="user",
                  items={"scope_1": 75.0, "scope_2": 75.0, "scope_3": 50.0, "quality_1": 75.0, "quality_freq": 50.0,
                         "quality_3": 50.0, "value_1": 75.0, "value_3": 50.0, "value_4": "NA", "rel_1": 75.0,
                         "rel_2": 50.0})),
        r("Corvus Media", "c.c2@corvus.example", C, when.format(9),
          answers(C, {"needs_match": 50, "ways_of_working": 75, "risk": 50, "friction": 50},
                  role="user",
                  items={"scope_1": 50.0, "scope_2": 75.0, "scope_3": 75.0, "quality_1": 50.0, "quality_freq": 75.0,
                         "quality_3": 50.0, "value_1": 50.0, "value_3": 75.0, "rel_1": 50.0, "rel_2": 75.0})),
        r("Corvus Media", ANNA, S, when.format(2),
          answers(S, {**same(75), "effort": 50, "team_energy": 75}, advice="continue")),
        # Dijk Retail: a match without effort hours.
        r("Dijk Retail", "d.c1@dijk.example", C, when.format(7),
          answers(C, {**same(75), "scope_stability": 50}, nps=9, role="decision_maker",
                  items={"value_2": 50.0, "rel_3": 50.0})),
        r("Dijk Retail", BRAM, S, when.format(2),
          answers(S, {**same(75), "effort": 75, "team_energy": 50}, advice="continue",
                  items={"rel_1": 50.0, "rel_trust": 50.0})),
        # Eems Energie: misfit with warning signals on both sides.
        r("Eems Energie", "e.c1@eems.example", C, when.format(6),
          answers(C, {**same(25), "needs_match": 50, "mutual_value": 50},
                  nps=3, role="user",
                  items={"wow_freq": 25.0, "scope_2": 25.0, "quality_freq": 50.0, "risk_1": 100.0, "risk_2": 25.0,
                         "risk_3": "NA"})),
        r("Eems Energie", "e.c2@eems.example", C, when.format(7),
          answers(C, {**same(50), "ways_of_working": 25, "relationship": 25}, nps=8, role="buyer",
                  items={"wow_freq": 0.0, "scope_2": 50.0, "quality_freq": 25.0, "value_2": 25.0, "risk_1": 75.0,
                         "risk_2": 25.0, "risk_3": 50.0})),
        r("Eems Energie", CATO, S, when.format(2),
          answers(S, {**same(50), "effort": 25, "team_energy": 25, "needs_match": 25},
                  advice="exit", items={"risk_1": 100.0, "risk_2": 25.0, "risk_3": 100.0, "energy_1": 25.0})),
        r("Eems Energie", DIRK, S, when.format(3),
          answers(S, {**same(50), "effort": 50, "team_energy": 25, "relationship": 25},
                  advice="unsure", items={"risk_1": 75.0, "risk_2": 50.0, "risk_3": 25.0, "effort_1": 0.0,
                         "energy_1": 50.0, "wow_4": 25.0, "effort_hours_3m": 0.0, "quality_count_3m": 25.0})),
        # Fjord Finance: customer_swayed, client overall 64.75 (borderline), costly on the supplier-only side.
        r("Fjord Finance", "f.c1@fjord.example", C, when.format(5),
          answers(C, {**same(75, "needs_match", "ways_of_working", "risk", "friction"),
                  **same(50, "scope_stability", "execution_quality", "mutual_value")}, nps=7, role="user",
                  items={"rel_1": 25.0, "rel_3": "NA"})),
        r("Fjord Finance", EVA, S, when.format(2),
          answers(S, {**same(50), "effort": 0, "team_energy": 25}, advice="realign")),
        r("Fjord Finance", BRAM, S, when.format(3),
          answers(S, {**same(50), "needs_match": 25, "effort": 25, "team_energy": 0}, advice="exit",
                  items={"energy_1": 25.0})),
        # Gouda Zuivel: no dimension in common; one client answered no scored item.
        r("Gouda Zuivel", "g.c1@gouda.example", C, when.format(4),
          answers(C, {"needs_match": 25, "ways_of_working": 50}, role="user")),
        r("Gouda Zuivel", "g.c2@gouda.example", C, when.format(4),
          answers(C, role="other", items={"open_works": "The people, mostly."})),
        r("Gouda Zuivel", CATO, S, when.format(2),
          answers(S, {"effort": 75, "team_energy": 100}, advice="continue")),
        # Haven Holding: the supplier's view only.
        r("Haven Holding", DIRK, S, when.format(2),
          answers(S, {**same(50), "effort": 50, "team_energy": 50}, advice="realign",
                  items={"scope_4": 0.0, "wow_4": 25.0})),
        r("Haven Holding", EVA, S, when.format(3),
          answers(S, {**same(75), "effort": 25, "team_energy": 75}, advice="continue",
                  items={"scope_4": 25.0})),
        # An older response of Anker's first client, later in the file: superseded by the one of the 12th.
        r("Anker Bouw", "a.c1@anker.example", C, when.format(1),
          answers(C, same(25), nps=2, role="user")),
    ]  # fmt: skip
    return Wave(CURRENT, "Oracle 2026", PREVIOUS, accounts, responses)


def previous_wave() -> Wave:
    accounts = [
        AccountRow("Anker Bouw", "construction", None, 180, 160),
        AccountRow("Bolder Logistiek", "logistics", None, 90, 80),
        AccountRow("Eems Energie", "energy", None, 140, 70),
        AccountRow("Fjord Finance", "finance", 250000, 100, 50),
        AccountRow("Haven Holding", "holding", None, 80, 60),
    ]
    when = "2025-03-{:02d}T09:30:00"
    r = Response
    earlier = partial(answers, files=EARLIER_FILES)
    responses = [
        r("Anker Bouw", "a.c1@anker.example", C, when.format(10),
          earlier(C, {**same(75), "friction": 75}, nps=9, role="user")),
        r("Anker Bouw", "a.c2@anker.example", C, when.format(11),
          earlier(C, {**same(75), "friction": 75}, nps=8, role="user")),
        r("Anker Bouw", ANNA, S, when.format(2),
          earlier(S, {**same(75), "friction": 75, "effort": 50, "team_energy": 75}, nps=8, advice="continue")),
        r("Anker Bouw", BRAM, S, when.format(3),
          earlier(S, {**same(75), "friction": 50, "effort": 75, "team_energy": 75}, nps=8, advice="continue")),
        r("Bolder Logistiek", "b.c1@bolder.example", C, when.format(9),
          earlier(C, {**same(100, "needs_match", "ways_of_working"), **same(75, "scope_stability",
                  "execution_quality", "risk", "friction", "mutual_value"), "relationship": 50}, nps=5)),
        r("Bolder Logistiek", DIRK, S, when.format(2),
          earlier(S, {**same(75), "needs_match": 100, "effort": 75, "team_energy": 75}, nps=7,
                  advice="continue", items={"rel_1": 75.0, "rel_2": 75.0, "rel_3": "NA"})),
        r("Eems Energie", "e.c1@eems.example", C, when.format(6),
          earlier(C, same(50), nps=6, role="user")),
        r("Eems Energie", CATO, S, when.format(2),
          earlier(S, {**same(50), "effort": 25, "team_energy": 50}, advice="realign")),
        r("Fjord Finance", "f.c1@fjord.example", C, when.format(5),
          earlier(C, {**same(50), "needs_match": 75}, nps=7, role="user")),
        r("Fjord Finance", EVA, S, when.format(2),
          earlier(S, {**same(50), "needs_match": 75, "effort": 25, "team_energy": 50}, nps=7,
                  advice="continue")),
        r("Haven Holding", DIRK, S, when.format(2),
          earlier(S, {**same(75), "effort": 50, "team_energy": 50}, advice="continue")),
    ]  # fmt: skip
    for response in responses:
        response.files = EARLIER_FILES
    return Wave(PREVIOUS, "Oracle 2025", None, accounts, responses)


# ---- the oracle: DESIGN.md's rules, read again ------------------------------------------------------------------


def item_score(item: Item, raw: str) -> Fraction | None:
    """Rule 1: an item's score on 0-100, or None (not applicable, text, an unscored option)."""
    if raw == "NA":
        return None
    if item.type == "scale":
        value = Fraction(raw)
        score = (value - 1) / (item.points - 1) * 100
    elif item.type == "nps":
        score = Fraction(raw) * 10
    elif item.type == "number":  # a count or hours: the score of its band (rule 1)
        value = Fraction(raw.replace(",", "."))
        return next((score for up_to, score in item.bands if up_to is None or value <= up_to), None)
    elif item.type in ("single", "multi"):
        scores = dict(item.options)
        chosen = [scores.get(key) for key in raw.split("|")]
        chosen = [score for score in chosen if score is not None]
        if not chosen:
            return None
        return sum(chosen, Fraction(0)) / len(chosen)  # `reverse` is invalid on choices
    else:
        return None
    return 100 - score if item.reverse else score


def mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def weighted_mean(pairs: list[tuple[Fraction, Fraction]]) -> Fraction:
    total = sum((weight for _value, weight in pairs), Fraction(0))
    return sum((value * weight for value, weight in pairs), Fraction(0)) / total


def sample_sd(values: list[Fraction]) -> float | None:
    if len(values) < 2:
        return None
    centre = mean(values)
    return math.sqrt(float(sum(((v - centre) ** 2 for v in values), Fraction(0)) / (len(values) - 1)))


def reached_at_least(value: Fraction, threshold: Fraction) -> bool:
    return value >= threshold - TOLERANCE


def reached_at_most(value: Fraction, threshold: Fraction) -> bool:
    return value <= threshold + TOLERANCE


def counted(responses: list[Response]) -> list[Response]:
    """Rule 2: the latest completed response per (contact, account, perspective), by completion time."""
    latest: dict[tuple[str, str, str], Response] = {}
    for response in responses:
        key = (response.respondent, response.account, response.perspective)
        when = datetime.fromisoformat(response.submitted_at)
        if key not in latest or when > datetime.fromisoformat(latest[key].submitted_at):
            latest[key] = response
    return list(latest.values())


@dataclass
class Cell:
    mean: Fraction
    n: int
    sd: float | None


@dataclass
class AccountResult:
    name: str
    row: AccountRow
    cells: dict[str, dict[str, Cell]]  # perspective -> dimension -> cell
    overall: dict[str, Fraction | None]
    overall_n: dict[str, int]
    gap: Fraction | None
    shared: list[str]
    quadrant: str
    nps_answers: list[int]
    signals: dict[tuple[str, str], dict[str, Any]]
    advice: dict[str, int]
    advice_n: int
    completed: dict[str, int]
    dimension_gap: dict[str, Fraction | None] = field(default_factory=dict)


def respondent_dimension_scores(response: Response) -> dict[str, Fraction]:
    """Rule 3: a respondent's weighted mean of item scores per dimension (items with weight > 0)."""
    questionnaire = by_perspective(response.files, response.perspective)
    per_dimension: dict[str, list[tuple[Fraction, Fraction]]] = {}
    for key, raw in response.answers.items():
        item = questionnaire.items[key]
        score = item_score(item, raw)
        if item.dimension is None or score is None or item.weight <= 0:
            continue
        per_dimension.setdefault(item.dimension, []).append((score, item.weight))
    return {dimension: weighted_mean(pairs) for dimension, pairs in per_dimension.items()}


def quadrant_of(client: Fraction | None, supplier: Fraction | None) -> str:
    """Rule 7."""
    if client is None or supplier is None:
        return "incomplete"
    client_fits = reached_at_least(client, QUADRANT)
    supplier_fits = reached_at_least(supplier, QUADRANT)
    if client_fits and supplier_fits:
        return "match"
    if client_fits:
        return "customer_swayed"
    if supplier_fits:
        return "blind_spot"
    return "misfit"


def analyse_account(row: AccountRow, responses: list[Response]) -> AccountResult:
    mine = [response for response in responses if response.account == row.name]
    per_perspective: dict[str, dict[str, list[Fraction]]] = {C: {}, S: {}}
    overall_n = {C: 0, S: 0}
    for response in mine:
        scores = respondent_dimension_scores(response)
        if scores:
            overall_n[response.perspective] += 1  # rule 17
        for dimension, score in scores.items():
            per_perspective[response.perspective].setdefault(dimension, []).append(score)
    cells = {
        perspective: {
            dimension: Cell(mean(values), len(values), sample_sd(values))  # rule 4
            for dimension, values in by_dimension.items()
        }
        for perspective, by_dimension in per_perspective.items()
    }
    overall: dict[str, Fraction | None] = {}
    for perspective in (C, S):  # rule 5
        pairs = [(cell.mean, DIMENSION_WEIGHT[dimension]) for dimension, cell in cells[perspective].items()]
        overall[perspective] = weighted_mean(pairs) if pairs else None
    shared = [d for d in DIMENSIONS if d in cells[C] and d in cells[S]]  # rule 6, like for like
    gap = None
    if shared:
        gap = weighted_mean([(cells[C][d].mean, DIMENSION_WEIGHT[d]) for d in shared]) - weighted_mean(
            [(cells[S][d].mean, DIMENSION_WEIGHT[d]) for d in shared]
        )
    dimension_gap = {
        d: (cells[C][d].mean - cells[S][d].mean) if d in shared else None
        for d in set(cells[C]) | set(cells[S])
    }
    files = mine[0].files if mine else CURRENT_FILES
    nps_item = next(item.key for item in by_perspective(files, C).items.values() if item.type == "nps")
    nps_answers = [
        int(response.answers[nps_item])
        for response in mine
        if response.perspective == C and response.answers.get(nps_item, "NA") != "NA"
    ]
    signals: dict[tuple[str, str], dict[str, Any]] = {}  # rule 9
    for perspective in (C, S):
        questionnaire = by_perspective(files, perspective)
        for item in questionnaire.items.values():
            if "signal" not in item.tags:
                continue
            raws = [
                response.answers[item.key]
                for response in mine
                if response.perspective == perspective and response.answers.get(item.key, "NA") != "NA"
            ]
            scored = [(raw, item_score(item, raw)) for raw in raws]
            scored = [(raw, score) for raw, score in scored if score is not None]
            if not scored:
                continue
            score = mean([score for _raw, score in scored])
            if reached_at_most(score, SIGNAL):
                agreed = None
                if item.type == "scale":  # agreeing with the statement: the upper half of the agree scale
                    middle = Fraction(item.points + 1, 2)
                    agreed = Fraction(
                        sum(1 for raw, _s in scored if Fraction(raw) > middle) * 100, len(scored)
                    )
                elif item.type in ("single", "number"):  # behaviour: reporting the problem, below the middle
                    agreed = Fraction(sum(1 for _raw, s in scored if s < 50) * 100, len(scored))
                signals[(item.key, perspective)] = {
                    "score": score,
                    "n": len(scored),
                    "group": SIGNAL_GROUP.get(item.dimension) if item.dimension else None,
                    "agreed": agreed,
                    "behaviour": item.type in ("single", "number"),
                }
    advice_item = next(item for item in by_perspective(files, S).items.values() if "advice" in item.tags)
    advice = {key: 0 for key, _score in advice_item.options}  # rule 20
    advice_n = 0
    for response in mine:
        if response.perspective == S and advice_item.key in response.answers:
            advice[response.answers[advice_item.key]] += 1
            advice_n += 1
    return AccountResult(
        name=row.name,
        row=row,
        cells=cells,
        overall=overall,
        overall_n=overall_n,
        gap=gap,
        shared=shared,
        quadrant=quadrant_of(overall[C], overall[S]),
        nps_answers=nps_answers,
        signals=signals,
        advice=advice,
        advice_n=advice_n,
        completed={
            perspective: sum(1 for r in mine if r.perspective == perspective) for perspective in (C, S)
        },
        dimension_gap=dimension_gap,
    )


def nps_of(answers_: list[int]) -> dict[str, Any]:
    """Rule 8: % promoters (9-10) - % detractors (0-6)."""
    promoters = sum(1 for value in answers_ if value >= 9)
    detractors = sum(1 for value in answers_ if value <= 6)
    n = len(answers_)
    return {
        "score": Fraction((promoters - detractors) * 100, n) if n else None,
        "n": n,
        "promoters": promoters,
        "passives": n - promoters - detractors,
        "detractors": detractors,
    }


def frac_median(values: list[Fraction]) -> Fraction | None:
    return median(sorted(values)) if values else None


@dataclass
class Cost:
    baseline: Fraction
    median_hours: Fraction | None
    median_revenue: Fraction | None
    per_account: dict[str, dict[str, Any] | None]
    portfolio: dict[str, Any]


def cost_of_mismatch(results: list[AccountResult]) -> Cost:
    """Rule 11, method v2."""

    def known(row: AccountRow) -> bool:
        return row.effort_hours is not None and row.effort_hours > 0 and row.billable_hours is not None

    def nonbillable(row: AccountRow) -> Fraction:
        return max(Fraction(0), Fraction(row.effort_hours) - Fraction(row.billable_hours))

    matches = [result.row for result in results if result.quadrant == "match"]
    shares = [nonbillable(row) / row.effort_hours for row in matches if known(row)]
    baseline = frac_median(shares) if shares else Fraction(0)
    median_hours = frac_median(
        [Fraction(row.effort_hours) for row in matches if row.effort_hours and row.effort_hours > 0]
    )
    median_revenue = frac_median(
        [Fraction(row.annual_revenue) for row in matches if row.annual_revenue and row.annual_revenue > 0]
    )

    def excess(row: AccountRow) -> Fraction:
        return max(Fraction(0), nonbillable(row) - baseline * row.effort_hours)

    def equivalent(hours: Fraction) -> Fraction | None:
        return hours / median_hours if median_hours is not None else None

    def forgone(hours: Fraction) -> Fraction | None:
        clients = equivalent(hours)
        return clients * median_revenue if clients is not None and median_revenue is not None else None

    per_account: dict[str, dict[str, Any] | None] = {}
    for result in results:
        row = result.row
        if not known(row):
            per_account[row.name] = None
            continue
        per_account[row.name] = {
            "effort_hours": Fraction(row.effort_hours),
            "billable_hours": Fraction(row.billable_hours),
            "nonbillable_hours": nonbillable(row),
            "excess_hours": excess(row),
            "equivalent_matching_clients": equivalent(excess(row)),
            "revenue_forgone": forgone(excess(row)),
        }
    costly = [r.row for r in results if r.quadrant in ("misfit", "customer_swayed")]
    costly_known = [row for row in costly if known(row)]
    total_excess = sum((excess(row) for row in costly_known), Fraction(0))
    portfolio = {
        "accounts": {len(costly_known), len(costly)},  # which of the two the field counts, DESIGN leaves open
        "nonbillable_hours": sum((nonbillable(row) for row in costly_known), Fraction(0)),
        "excess_hours": total_excess,
        "baseline_share": baseline,
        "median_match_hours": median_hours,
        "median_match_revenue": median_revenue,
        "equivalent_matching_clients": equivalent(total_excess),
        "revenue_forgone": forgone(total_excess),
    }
    return Cost(baseline, median_hours, median_revenue, per_account, portfolio)


def growing(
    client: Fraction | None, supplier: Fraction | None, gap_now: Fraction | None, gap_before: Fraction | None
) -> bool:
    """Rule 12 with rule 7's edge: a fit falls, or |gap| grows, by the gap threshold (or more)."""
    falls = any(delta is not None and reached_at_least(-delta, GAP) for delta in (client, supplier))
    widens = (
        gap_now is not None
        and gap_before is not None
        and reached_at_least(abs(gap_now) - abs(gap_before), GAP)
    )
    return falls or widens


def difference(now: Fraction | None, before: Fraction | None) -> Fraction | None:
    return None if now is None or before is None else now - before


def drift_of(now: AccountResult, before: AccountResult | None) -> dict[str, Any] | None:
    """Rule 12: current - previous, overall and per dimension."""
    if before is None:
        return None
    if all(v is None for v in now.overall.values()) or all(v is None for v in before.overall.values()):
        return None
    client = difference(now.overall[C], before.overall[C])
    supplier = difference(now.overall[S], before.overall[S])
    gap = difference(now.gap, before.gap)
    dimensions = {}
    for dimension in DIMENSIONS:
        deltas = {}
        for perspective in (C, S):
            cell_now = now.cells[perspective].get(dimension)
            cell_before = before.cells[perspective].get(dimension)
            deltas[perspective] = difference(
                cell_now.mean if cell_now else None, cell_before.mean if cell_before else None
            )
        gap_now = now.dimension_gap.get(dimension)
        gap_before = before.dimension_gap.get(dimension)
        dimension_gap = difference(gap_now, gap_before)
        if deltas[C] is None and deltas[S] is None and dimension_gap is None:
            continue
        dimensions[dimension] = {
            "client": deltas[C],
            "supplier": deltas[S],
            "gap": dimension_gap,
            "growing_apart": growing(deltas[C], deltas[S], gap_now, gap_before),
        }
    return {
        "client": client,
        "supplier": supplier,
        "gap": gap,
        "growing_apart": growing(client, supplier, now.gap, before.gap),
        "dimensions": dimensions,
    }


def analyse(wave: Wave) -> tuple[list[AccountResult], Cost]:
    responses = counted(wave.responses)
    results = [analyse_account(row, responses) for row in wave.accounts]
    return results, cost_of_mismatch(results)


# ---- rule 14: rounding, and the expected document -------------------------------------------------------------


def rounded(value: Fraction | float | None, places: int = 1) -> float | None:
    """Half-up (away from zero) on the exact value: one decimal, three for the baseline share, 0 for money."""
    if value is None:
        return None
    with localcontext() as context:
        context.prec = 60
        exact = (
            Decimal(value.numerator) / Decimal(value.denominator)
            if isinstance(value, Fraction)
            else Decimal(repr(value))
        )
        return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def money(value: Fraction | None) -> float | None:
    return rounded(value, 0)


def indicative(value: Any, n: int) -> bool:
    return value is not None and n < MIN_N


def expected_cell(cell: Cell | None, *, with_sd: bool = True) -> dict[str, Any] | None:
    if cell is None:
        return None
    expected: dict[str, Any] = {"mean": rounded(cell.mean), "n": cell.n, "indicative": cell.n < MIN_N}
    if with_sd:
        expected["sd"] = rounded(cell.sd)
    return expected


def expected_account(result: AccountResult, cost: Cost, drift: dict[str, Any] | None) -> dict[str, Any]:
    overall = result.overall
    client_scored = bool(result.cells[C])
    supplier_only = sorted(d for d in result.cells[S] if d not in result.cells[C]) if client_scored else []
    borderline = any(value is not None and abs(value - QUADRANT) < BAND for value in overall.values())
    nps = nps_of(result.nps_answers)
    dimensions = {}
    for dimension in DIMENSIONS:
        client = result.cells[C].get(dimension)
        supplier = result.cells[S].get(dimension)
        if client is None and supplier is None:
            continue
        gap = result.dimension_gap.get(dimension)
        dimensions[dimension] = {
            "client": expected_cell(client),
            "supplier": expected_cell(supplier),
            "gap": rounded(gap),
            "flagged": gap is not None and reached_at_least(abs(gap), GAP),
        }
    account_cost = cost.per_account[result.name]
    return {
        "quadrant": result.quadrant,
        "overall": {
            "client": rounded(overall[C]),
            "supplier": rounded(overall[S]),
            "gap": rounded(result.gap),
            "shared_dimensions": len(result.shared),
            "supplier_only": supplier_only,
            "client_n": result.overall_n[C],
            "supplier_n": result.overall_n[S],
            "indicative": result.overall_n[C] < MIN_N or result.overall_n[S] < MIN_N,
            "borderline": borderline,
        },
        "dimensions": dimensions,
        "nps": {**nps, "score": rounded(nps["score"]), "indicative": indicative(nps["score"], nps["n"])},
        "signals": {
            key: {
                "score": rounded(signal["score"]),
                "n": signal["n"],
                "indicative": signal["n"] < MIN_N,
                "group": signal["group"],
                "agreed": rounded(signal["agreed"]),
                "behaviour": signal["behaviour"],
            }
            for key, signal in result.signals.items()
        },
        "responses": {
            "client": {"completed": result.completed[C]},
            "supplier": {"completed": result.completed[S]},
            "by_mode": {"import": result.completed[C] + result.completed[S]},
        },
        "drift": None
        if drift is None
        else {
            "client": rounded(drift["client"]),
            "supplier": rounded(drift["supplier"]),
            "gap": rounded(drift["gap"]),
            "growing_apart": drift["growing_apart"],
            "dimensions": {
                key: {
                    "client": rounded(values["client"]),
                    "supplier": rounded(values["supplier"]),
                    "gap": rounded(values["gap"]),
                    "growing_apart": values["growing_apart"],
                }
                for key, values in drift["dimensions"].items()
            },
        },
        "cost": None
        if account_cost is None
        else {
            "effort_hours": rounded(account_cost["effort_hours"]),
            "billable_hours": rounded(account_cost["billable_hours"]),
            "nonbillable_hours": rounded(account_cost["nonbillable_hours"]),
            "excess_hours": rounded(account_cost["excess_hours"]),
            "equivalent_matching_clients": rounded(account_cost["equivalent_matching_clients"]),
            "revenue_forgone": money(account_cost["revenue_forgone"]),
        },
        "staff_advice": {"counts": result.advice, "n": result.advice_n},
    }


def expected_portfolio(results: list[AccountResult], cost: Cost) -> dict[str, Any]:
    quadrants = dict.fromkeys(("match", "customer_swayed", "blind_spot", "misfit", "incomplete"), 0)
    for result in results:
        quadrants[result.quadrant] += 1
    pooled = nps_of([value for result in results for value in result.nps_answers])
    dimensions = {}
    for dimension in DIMENSIONS:
        cells = {}
        for perspective in (C, S):  # rule 13: the mean of the account scores, n = accounts with a score
            scores = [
                r.cells[perspective][dimension].mean for r in results if dimension in r.cells[perspective]
            ]
            cells[perspective] = Cell(mean(scores), len(scores), None) if scores else None
        if cells[C] is None and cells[S] is None:
            continue
        pairs = [r for r in results if r.dimension_gap.get(dimension) not in (None, 0)]
        # rule 13: the Wilcoxon test only from 10 non-zero pairs, alpha only from 30 respondents: this dataset
        # (eight accounts, at most a dozen respondents a side) has neither, so both must be null
        assert len(pairs) < 10 and all(sum(r.overall_n[p] for r in results) < 30 for p in (C, S))
        dimensions[dimension] = {
            "client": expected_cell(cells[C], with_sd=False),
            "supplier": expected_cell(cells[S], with_sd=False),
            "wilcoxon": None,
            "alpha": {"client": None, "supplier": None},
        }
    portfolio_cost = cost.portfolio
    return {
        "quadrants": quadrants,
        "nps": {
            **pooled,
            "score": rounded(pooled["score"]),
            "indicative": indicative(pooled["score"], pooled["n"]),
        },
        "cost_of_mismatch": {
            "accounts": portfolio_cost["accounts"],
            "nonbillable_hours": rounded(portfolio_cost["nonbillable_hours"]),
            "excess_hours": rounded(portfolio_cost["excess_hours"]),
            "baseline_share": rounded(portfolio_cost["baseline_share"], 3),
            "median_match_hours": rounded(portfolio_cost["median_match_hours"]),
            "median_match_revenue": money(portfolio_cost["median_match_revenue"]),
            "equivalent_matching_clients": rounded(portfolio_cost["equivalent_matching_clients"]),
            "revenue_forgone": money(portfolio_cost["revenue_forgone"]),
            # rule 11: each figure null "with the reason" when its input is missing
            "reason": None if portfolio_cost["revenue_forgone"] is not None else "a reason",
        },
        "dimensions": dimensions,
    }


# ---- comparing ------------------------------------------------------------------------------------------------


def _same_number(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return abs(float(expected) - float(actual)) < 1e-9
    return expected == actual


def compare(expected: Any, actual: Any, where: str, problems: list[str]) -> None:
    """Every field of `expected` must be in `actual` with the same value; extra fields of `actual` are ignored."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            problems.append(f"{where}: expected {json.dumps(expected, default=str)}, product {actual!r}")
            return
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing in the product's JSON (expected {value!r})")
                continue
            compare(value, actual[key], f"{where}.{key}", problems)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            problems.append(f"{where}: expected {expected!r}, product {actual!r}")
            return
        for index, (value, other) in enumerate(zip(expected, actual, strict=True)):
            compare(value, other, f"{where}[{index}]", problems)
    elif not _same_number(expected, actual):
        problems.append(f"{where}: expected {expected!r}, product {actual!r}")


def _all_null(entry: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(entry.get(key) is None for key in keys)


def compare_account(
    expected: dict[str, Any], actual: dict[str, Any], where: str, problems: list[str]
) -> None:
    plain = {key: value for key, value in expected.items() if key not in ("dimensions", "signals", "drift")}
    plain["overall"] = {k: v for k, v in expected["overall"].items() if k != "supplier_only"}
    compare(plain, actual, where, problems)
    shown_only = sorted(actual.get("overall", {}).get("supplier_only") or [])
    if shown_only != expected["overall"]["supplier_only"]:
        problems.append(
            f"{where}.overall.supplier_only: expected {expected['overall']['supplier_only']}, product {shown_only}"
        )
    # dimensions, keyed; a dimension the product lists that the oracle has no score for must be empty
    shown = {entry["key"]: entry for entry in actual.get("dimensions", [])}
    for key, value in expected["dimensions"].items():
        if key not in shown:
            problems.append(f"{where}.dimensions[{key}]: missing in the product's JSON")
            continue
        compare(value, shown[key], f"{where}.dimensions[{key}]", problems)
    for key, entry in shown.items():
        if key not in expected["dimensions"] and not _all_null(entry, ("client", "supplier", "gap")):
            problems.append(f"{where}.dimensions[{key}]: the oracle has no score, product {entry}")
    # signals, keyed by (question, perspective)
    signals = {(entry["question"], entry["perspective"]): entry for entry in actual.get("signals", [])}
    for key, value in expected["signals"].items():
        if key not in signals:
            problems.append(f"{where}.signals[{key[0]} {key[1]}]: missing in the product's JSON ({value})")
            continue
        compare(value, signals[key], f"{where}.signals[{key[0]} {key[1]}]", problems)
    for key, entry in signals.items():
        if key not in expected["signals"]:
            problems.append(
                f"{where}.signals[{key[0]} {key[1]}]: not a signal for the oracle, product {entry}"
            )
    # drift
    drift = expected["drift"]
    if drift is None or actual.get("drift") is None:
        if drift != actual.get("drift"):
            problems.append(f"{where}.drift: expected {drift!r}, product {actual.get('drift')!r}")
        return
    compare(
        {k: v for k, v in drift.items() if k != "dimensions"}, actual["drift"], f"{where}.drift", problems
    )
    shown_drift = {entry["key"]: entry for entry in actual["drift"].get("dimensions", [])}
    for key, value in drift["dimensions"].items():
        if key not in shown_drift:
            problems.append(f"{where}.drift.dimensions[{key}]: missing in the product's JSON ({value})")
            continue
        compare(value, shown_drift[key], f"{where}.drift.dimensions[{key}]", problems)
    for key, entry in shown_drift.items():
        if key not in drift["dimensions"] and not _all_null(entry, ("client", "supplier", "gap")):
            problems.append(f"{where}.drift.dimensions[{key}]: the oracle has no delta, product {entry}")


def compare_portfolio(
    expected: dict[str, Any], actual: dict[str, Any], where: str, problems: list[str]
) -> None:
    cost = dict(expected["cost_of_mismatch"])
    accounts = cost.pop("accounts")
    reason = cost.pop("reason")
    plain = {key: value for key, value in expected.items() if key != "dimensions"}
    compare({**plain, "cost_of_mismatch": cost}, actual, where, problems)
    shown_cost = actual.get("cost_of_mismatch", {})
    if shown_cost.get("accounts") not in accounts:
        problems.append(f"{where}.cost_of_mismatch.accounts: expected one of {sorted(accounts)}, "
                        f"product {shown_cost.get('accounts')!r}")  # fmt: skip
    shown_reason = shown_cost.get("reason")
    if (reason is None) != (shown_reason is None) or (
        shown_reason is not None and not str(shown_reason).strip()
    ):
        problems.append(f"{where}.cost_of_mismatch.reason: expected {'null' if reason is None else 'a reason'}, "
                        f"product {shown_reason!r}")  # fmt: skip
    shown = {entry["key"]: entry for entry in actual.get("dimensions", [])}
    for key, value in expected["dimensions"].items():
        if key not in shown:
            problems.append(f"{where}.dimensions[{key}]: missing in the product's JSON")
            continue
        compare(value, shown[key], f"{where}.dimensions[{key}]", problems)


# ---- running the installed script ---------------------------------------------------------------------------


def run(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [str(SCRIPT), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"surveyapp {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if value is None else value for value in row] for row in rows])
    return path


def fielded_on(env: dict[str, str], folder: Path, files: str) -> dict[str, str]:
    """The environment of the wave's fieldwork: for the earlier files, a questionnaire folder as it was then
    (today's folder with the 2025 files in place of the ones that changed since)."""
    if files == CURRENT_FILES:
        return env
    then = folder / f"questionnaires-{files}"
    then.mkdir(exist_ok=True)
    for source in [*QUESTIONNAIRES.glob("*.yaml"), *FOLDERS[files].glob("*.yaml")]:
        shutil.copyfile(source, then / source.name)
    return {**env, "SURVEYAPP_QUESTIONNAIRE_DIR": str(then)}


def import_wave(env: dict[str, str], folder: Path, wave: Wave) -> None:
    env = fielded_on(env, folder, wave.responses[0].files)
    previous = ["--previous", wave.previous] if wave.previous else []
    run(env, folder, "studies", "create", wave.slug, "--supplier", SUPPLIER, "--name", wave.name, *previous)
    accounts = write_csv(
        folder / f"{wave.slug}-accounts.csv",
        ["name", "segment", "annual_revenue", "effort_hours", "billable_hours"],
        [[a.name, a.segment, a.annual_revenue, a.effort_hours, a.billable_hours] for a in wave.accounts],
    )
    in_scope = {account.name for account in wave.accounts}
    contacts = [
        [account, email, email.split("@")[0], "contact", "en", "client"]
        for email, account in CLIENTS.items()
        if account in in_scope
    ] + [
        [account, email, email.split("@")[0], "staff", "nl", "supplier"]
        for email, account in wave.assignments()
    ]
    contacts_file = write_csv(
        folder / f"{wave.slug}-contacts.csv",
        ["account", "email", "name", "role", "language", "side"],
        contacts,
    )
    answers_file = write_csv(
        folder / f"{wave.slug}-responses.csv",
        [
            "account",
            "respondent",
            "perspective",
            "questionnaire",
            "question",
            "value",
            "mode",
            "submitted_at",
        ],
        [
            [r.account, r.respondent, r.perspective, r.questionnaire, key, value, "import", r.submitted_at]
            for r in wave.responses
            for key, value in r.answers.items()
        ],
    )
    run(env, folder, "import", "accounts", "--study", wave.slug, str(accounts))
    run(env, folder, "import", "contacts", "--study", wave.slug, str(contacts_file))
    run(env, folder, "import", "responses", "--study", wave.slug, str(answers_file))


@pytest.fixture(scope="module")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Both waves imported through the installed script; the analysis JSON of each."""
    folder = tmp_path_factory.mktemp("method-oracle")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SURVEYAPP_", "FLASK_"))}
    env.update(SURVEYAPP_ENV="development", SURVEYAPP_INSTANCE_PATH=str(folder / "instance"))
    url = None
    if TEST_DATABASE_URL:
        from tests.system.cli_helpers import fresh_postgres_database

        url = fresh_postgres_database(TEST_DATABASE_URL, "method_oracle")
        env["SURVEYAPP_DATABASE_URL"] = url
    (folder / "instance").mkdir()
    try:
        run(env, folder, "init-db")
        run(env, folder, "suppliers", "create", SUPPLIER, "--language", "en")
        import_wave(env, folder, previous_wave())
        import_wave(env, folder, current_wave())
        yield {
            slug: json.loads(run(env, folder, "analysis", "--study", slug, "--format", "json"))
            for slug in (PREVIOUS, CURRENT)
        }
    finally:
        if url:
            from tests.system.cli_helpers import drop_postgres_database

            drop_postgres_database(url)


def oracle() -> dict[str, dict[str, Any]]:
    """The expected document of both waves: per account name, and the portfolio."""
    before_wave, now_wave = previous_wave(), current_wave()
    before_results, before_cost = analyse(before_wave)
    now_results, now_cost = analyse(now_wave)
    before_by_name = {result.name: result for result in before_results}
    return {
        PREVIOUS: {
            "accounts": {r.name: expected_account(r, before_cost, None) for r in before_results},
            "portfolio": expected_portfolio(before_results, before_cost),
            "results": {r.name: r for r in before_results},
        },
        CURRENT: {
            "accounts": {
                r.name: expected_account(r, now_cost, drift_of(r, before_by_name.get(r.name)))
                for r in now_results
            },
            "portfolio": expected_portfolio(now_results, now_cost),
            "results": {r.name: r for r in now_results},
        },
    }


# ---- the tests ---------------------------------------------------------------------------------------------------


def test_the_dataset_hits_the_edges_it_was_made_for():
    """The oracle's own view of the dataset: each account still tests what the module docstring says."""
    expected = oracle()
    now = expected[CURRENT]["results"]
    accounts = expected[CURRENT]["accounts"]
    quadrants = {name: result.quadrant for name, result in now.items()}
    assert quadrants == {
        "Anker Bouw": "match",
        "Bolder Logistiek": "match",
        "Corvus Media": "match",
        "Dijk Retail": "match",
        "Eems Energie": "misfit",
        "Fjord Finance": "customer_swayed",
        "Gouda Zuivel": "blind_spot",
        "Haven Holding": "incomplete",
    }
    assert (
        now["Bolder Logistiek"].overall[C] == 65 and not accounts["Bolder Logistiek"]["overall"]["borderline"]
    )
    assert now["Corvus Media"].overall[C] == 60 and accounts["Corvus Media"]["overall"]["borderline"]
    assert (
        now["Fjord Finance"].overall[C] == Fraction("64.75")
        and accounts["Fjord Finance"]["overall"]["borderline"]
    )
    assert now["Fjord Finance"].gap != now["Fjord Finance"].overall[C] - now["Fjord Finance"].overall[S]
    assert now["Gouda Zuivel"].shared == [] and now["Gouda Zuivel"].overall_n[C] == 1
    assert accounts["Bolder Logistiek"]["nps"]["n"] == 1
    assert accounts["Corvus Media"]["nps"]["n"] == 0
    assert accounts["Anker Bouw"]["overall"]["indicative"] is False
    assert accounts["Eems Energie"]["dimensions"]["risk"]["client"]["mean"] == 56.3
    assert accounts["Eems Energie"]["dimensions"]["risk"]["gap"] == -6.3
    assert accounts["Eems Energie"]["staff_advice"]["counts"]["unsure"] == 1
    assert {key[1] for key in accounts["Eems Energie"]["signals"]} == {C, S}
    assert ("risk_2", S) in accounts["Eems Energie"]["signals"]
    behaviour = {
        key: (signal["score"], signal["agreed"], signal["group"])
        for key, signal in accounts["Eems Energie"]["signals"].items()
        if key[0] in ("wow_freq", "effort_hours_3m", "quality_count_3m")
    }
    assert behaviour == {
        ("wow_freq", C): (12.5, 100.0, "workarounds"),
        ("effort_hours_3m", S): (12.5, 100.0, "cost_to_serve"),  # 41 hours (the open band: 0) and 40 (25)
        ("quality_count_3m", S): (37.5, 50.0, "small_errors"),  # 10 (a band's inclusive edge: 25) and 5 (50)
    }
    anker_drift = accounts["Anker Bouw"]["drift"]
    assert not anker_drift["growing_apart"] and anker_drift["dimensions"]["friction"]["growing_apart"]
    bolder_drift = accounts["Bolder Logistiek"]["drift"]
    assert bolder_drift["growing_apart"] and bolder_drift["dimensions"]["relationship"]["supplier"] == -15.0
    assert bolder_drift["dimensions"]["relationship"]["client"] == 0.0
    assert bolder_drift["dimensions"]["relationship"]["growing_apart"]
    assert now["Dijk Retail"].dimension_gap["relationship"] == GAP
    assert accounts["Dijk Retail"]["dimensions"]["relationship"]["flagged"]
    fjord_drift = expected[CURRENT]["accounts"]["Fjord Finance"]["drift"]
    assert fjord_drift["growing_apart"] and fjord_drift["client"] > 0 and fjord_drift["supplier"] > -15
    assert accounts["Corvus Media"]["drift"] is None
    cost = expected[CURRENT]["portfolio"]["cost_of_mismatch"]
    assert (cost["baseline_share"], cost["median_match_hours"], cost["median_match_revenue"]) == (
        0.213,
        200,
        325000,
    )
    assert accounts["Fjord Finance"]["cost"]["revenue_forgone"] == 88563
    assert accounts["Dijk Retail"]["cost"] is None and accounts["Corvus Media"]["cost"] is None
    assert expected[PREVIOUS]["portfolio"]["cost_of_mismatch"]["revenue_forgone"] is None


@pytest.mark.parametrize("slug", [PREVIOUS, CURRENT])
def test_the_analysis_json_is_what_design_md_says(product: dict[str, dict[str, Any]], slug: str):
    expected = oracle()[slug]
    document = product[slug]
    problems: list[str] = []
    compare(
        {
            "quadrant": float(QUADRANT),
            "gap": float(GAP),
            "signal": float(SIGNAL),
            "min_n": MIN_N,
            "borderline_band": float(BAND),
        },
        document.get("thresholds"),
        f"{slug}.thresholds",
        problems,
    )
    shown = {account["account"]: account for account in document["accounts"]}
    assert sorted(shown) == sorted(expected["accounts"]), f"{slug}: accounts {sorted(shown)}"
    for name, account in expected["accounts"].items():
        compare_account(account, shown[name], f"{slug} / {name}", problems)
    compare_portfolio(expected["portfolio"], document["portfolio"], f"{slug} / portfolio", problems)
    assert not problems, f"{len(problems)} field(s) differ from the oracle:\n" + "\n".join(problems)
