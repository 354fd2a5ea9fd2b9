"""A realistic synthetic study for report tests, the look check and the benchmark: the shipped dimension keys,
accounts in every quadrant, warning signals on real item keys, drift against a previous wave and one account
with the staff's prediction. Built with the pure analysis (`analyse_study` + `build_analysis_document`), so
the document is exactly what the analysis would print for these rows. Deterministic: no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveyapp.analysis import (
    AccountFigures,
    AccountFit,
    DimensionSpec,
    FitModel,
    NpsAnswer,
    OverallFit,
    RespondentDimensionScore,
    ResponseCounts,
    SignalAggregate,
    Thresholds,
    account_scores_from_respondents,
    analyse_study,
    build_analysis_document,
    quadrant,
)
from surveyapp.enums import Perspective

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
PREDICTED = Perspective.SUPPLIER_PREDICTS_CLIENT

WEIGHTS = {
    "needs_match": 2,
    "ways_of_working": 2,
    "scope_stability": 1,
    "execution_quality": 1,
    "effort": 2,
    "risk": 1,
    "friction": 1,
    "team_energy": 2,
    "mutual_value": 1,
    "relationship": 1,
}
SUPPLIER_ONLY = ("effort", "team_energy")
SHARED = tuple(key for key in WEIGHTS if key not in SUPPLIER_ONLY)

# name, client level, supplier level, supplier-only level, clients, staff, effort, billable, previous (c, s)
PROFILES = (
    ("Van Dijk Logistiek", 78, 74, 70, 3, 2, 2900, 2750, (80.0, 76.0)),
    ("Noordzee Havenbedrijf", 74, 58, 34, 3, 3, 5200, 3900, (75.0, 71.0)),
    ("Helder Zorggroep", 70, 72, 66, 3, 2, 2600, 2450, None),
    ("Stadsbank Utrecht", 44, 46, 38, 2, 2, 3400, 2100, (52.0, 58.0)),
    ("Polderwind Energie", 48, 71, 68, 1, 2, 1100, 1000, (66.0, 70.0)),
    ("Kempen Retail", 82, 79, 76, 1, 2, 1700, 1650, None),
    ("Greenfield Offices Ltd", 69, 52, 41, 2, 2, 2300, 2150, (70.0, 60.0)),
    ("Atlas Engineering", 57, None, None, 1, 0, 1900, 1500, None),
)
# Per-dimension offsets, so that the dimensions differ from each other the way real accounts do.
SHAPE = {
    "needs_match": 4,
    "ways_of_working": -7,
    "scope_stability": -11,
    "execution_quality": 2,
    "risk": 6,
    "friction": -3,
    "mutual_value": 1,
    "relationship": 5,
}
SIGNALS = {
    "Noordzee Havenbedrijf": [
        (SUPPLIER, "effort_1", 2, 12.5),
        (SUPPLIER, "scope_4", 2, 25.0),
        (SUPPLIER, "energy_2", 2, 37.5),
        (CLIENT, "scope_2", 2, 37.5),
    ],
    "Stadsbank Utrecht": [
        (CLIENT, "quality_2", 2, 25.0),
        (SUPPLIER, "wow_4", 2, 25.0),
        (CLIENT, "wow_2", 2, 40.0),
    ],
    "Greenfield Offices Ltd": [(SUPPLIER, "effort_1", 2, 25.0)],
    "Polderwind Energie": [(CLIENT, "quality_2", 1, 25.0)],
}


@dataclass(frozen=True)
class SyntheticStudy:
    document: dict[str, Any]
    figures: list[AccountFigures]


def _clip(value: float) -> float:
    return max(0.0, min(100.0, value))


def synthetic_study(*, accounts: int | None = None, study: str = "demo-2025") -> SyntheticStudy:
    """The study's analysis; `accounts` repeats the eight profiles with numbered names (for the benchmark)."""
    count = accounts or len(PROFILES)
    figures: list[AccountFigures] = []
    scores: list[RespondentDimensionScore] = []
    nps: list[NpsAnswer] = []
    signals: list[SignalAggregate] = []
    counts: list[ResponseCounts] = []
    previous: list[OverallFit] = []
    respondent = 1000
    for index in range(count):
        name, client, supplier, own, clients, staff, effort, billable, before = PROFILES[
            index % len(PROFILES)
        ]
        if accounts:
            name = f"{name} {index // len(PROFILES) + 1:03d}"
        account_id = index + 1
        figures.append(AccountFigures(account_id, name, f"CRM-{1001 + index}", 100_000, effort, billable))
        for number in range(clients):
            respondent += 1
            spread = (number - (clients - 1) / 2) * 8
            for key in SHARED:
                scores.append(
                    RespondentDimensionScore(
                        account_id, respondent, CLIENT, key, _clip(client + SHAPE[key] + spread)
                    )
                )
            nps.append(NpsAnswer(account_id, respondent, min(10, max(0, round(client / 10 + number - 1)))))
        for number in range(staff):
            respondent += 1
            spread = (number - (staff - 1) / 2) * 6
            for key in SHARED:
                scores.append(
                    RespondentDimensionScore(
                        account_id, respondent, SUPPLIER, key, _clip(supplier - SHAPE[key] / 2 + spread)
                    )
                )
            for key in SUPPLIER_ONLY:
                scores.append(
                    RespondentDimensionScore(account_id, respondent, SUPPLIER, key, _clip(own + spread))
                )
        if index % len(PROFILES) == 1:
            respondent += 1
            for key in SHARED:
                scores.append(
                    RespondentDimensionScore(
                        account_id, respondent, PREDICTED, key, _clip(client + 12 + SHAPE[key] * 1.5)
                    )
                )
        for perspective, item, n, score in SIGNALS.get(PROFILES[index % len(PROFILES)][0], []):
            signals.append(SignalAggregate(account_id, perspective, item, n, score))
        counts.append(
            ResponseCounts(
                account_id,
                CLIENT,
                invited=clients + 1,
                survey=clients - 1 if clients else 0,
                interview=1 if clients else 0,
            )
        )
        if staff:
            counts.append(ResponseCounts(account_id, SUPPLIER, invited=staff, survey=staff))
        if before is not None:
            # The previous wave's fit: only its overall fits and gap (no dimension rows to drift per dimension).
            then_client, then_supplier = before
            overall = OverallFit(account_id, then_client, then_supplier, then_client - then_supplier, 1, 1, 1)
            previous.append(AccountFit(account_id, overall, quadrant(overall, Thresholds()), (), None))
    analysis = analyse_study(
        study=study,
        scoring_version="5f0c2a9e" * 8,
        provisional=False,
        fit_model=FitModel(tuple(DimensionSpec(key, weight) for key, weight in WEIGHTS.items())),
        thresholds=Thresholds(),
        accounts=figures,
        account_scores=account_scores_from_respondents(scores),
        nps_answers=nps,
        signal_aggregates=signals,
        response_counts=counts,
        previous=previous,
    )
    return SyntheticStudy(document=build_analysis_document(analysis), figures=figures)
