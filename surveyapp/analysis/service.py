"""The analysis of a study as the app asks for it: the SQL inputs (`queries`) through the pure rules.

`study_analysis` gives the unrounded `StudyAnalysis`; `analysis_document` the JSON contract that the CLI,
the dashboard and the reports use. The fit model and thresholds come from the study's pinned scoring version;
before the study first entered analyse there is none, and the current scoring.yaml is used, marked
`provisional`. The previous wave (rule 12) is analysed with *its* pinned scoring version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.analysis import queries
from surveyapp.analysis._collector import collector_paused
from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_aggregates
from surveyapp.analysis.disclosure import Disclosure
from surveyapp.analysis.fit import AccountFit, assess_account
from surveyapp.analysis.inputs import (
    AccountDimensionAggregate,
    AccountFigures,
    AdviceAnswer,
    DimensionSpec,
    FitModel,
    NpsAnswer,
    ScoredRespondents,
    SignalAgreement,
)
from surveyapp.analysis.memo import AnalysisMemo
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.snapshot import Pending, SharedSnapshot
from surveyapp.analysis.study import StudyAnalysis, analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective, SignalGroup
from surveyapp.questionnaires.schema import ScoringModel
from surveyapp.questionnaires.services import load_scoring_version, load_version
from surveyapp.responses.models import Response
from surveyapp.studies.models import Study

#: This process's last analyses (`memo`): the rules run again only when what they read has changed.
MEMO = AnalysisMemo()


class AnalysisError(ValueError):
    """The study's data and its scoring version do not fit together; the message says what to do."""


def current_scoring() -> ScoringModel:
    """The scoring model of the running app's scoring.yaml (needs an app context)."""
    from surveyapp.questionnaires.runtime import catalogue

    return catalogue().scoring


def scoring_of(
    *, session: Session, study: Study, current: ScoringModel | None = None
) -> tuple[ScoringModel, bool]:
    """The scoring model a study is analysed with, and whether that is provisional.

    The pinned version when the study has one; otherwise `current` (default: the app's scoring.yaml), which is
    provisional until the study first enters analyse and pins it.
    """
    if study.scoring_version_id is not None:
        return load_scoring_version(session=session, version_id=study.scoring_version_id), False
    return (current if current is not None else current_scoring()), True


def fit_model_of(scoring: ScoringModel, *, sensitive: frozenset[str] | None = None) -> FitModel:
    """The dimensions and their weights, in scoring.yaml order, with those marked sensitive (`sensitive`, or
    the scoring model's own marks)."""
    if sensitive is None:
        sensitive = frozenset(dimension.key for dimension in scoring.dimensions if dimension.sensitive)
    return FitModel(
        tuple(
            DimensionSpec(dimension.key, dimension.weight, dimension.key in sensitive)
            for dimension in scoring.dimensions
        )
    )


def thresholds_of(scoring: ScoringModel) -> Thresholds:
    """The analysis thresholds of a scoring model."""
    values = scoring.thresholds
    return Thresholds(
        quadrant=values.quadrant,
        gap=values.gap,
        signal=values.signal,
        min_n=values.min_n,
        borderline_band=values.borderline_band,
    )


def _checked(
    aggregates: list[AccountDimensionAggregate], fit_model: FitModel, study: Study, scoring: ScoringModel
) -> list[AccountDimensionAggregate]:
    unknown = sorted({row.dimension for row in aggregates} - set(fit_model.keys))
    if unknown:
        raise AnalysisError(
            f"study {study.slug}: answers are scored in dimension(s) {', '.join(unknown)}, which scoring "
            f"version {scoring.version[:12]} does not declare; run `surveyapp analysis rescore --study "
            f"{study.slug} --repin` to score them with the current files"
        )
    return aggregates


def previous_account_fits(
    *, session: Session, study: Study, current: ScoringModel | None = None
) -> list[AccountFit]:
    """The fits (overall, like-for-like gap, dimension rows) of every account with a score in a study's
    scope, scored with that study's own scoring version: what the next wave's drift compares with (rule 12).
    An account without any score has nothing to compare and is left out."""
    scoring, _ = scoring_of(session=session, study=study, current=current)
    fit_model = fit_model_of(scoring)
    thresholds = thresholds_of(scoring)
    aggregates = _checked(queries.account_aggregates(session=session, study=study), fit_model, study, scoring)
    index = AccountScoreIndex(account_scores_from_aggregates(aggregates))
    scored = index.account_ids()
    return [
        assess_account(account.account_id, index, fit_model, thresholds)
        for account in queries.account_figures(session=session, study=study)
        if account.account_id in scored
    ]


def advice_options_of(*, session: Session, study: Study, items: queries.ItemSets) -> tuple[str, ...] | None:
    """Rule 20's options: those of the advice questions answered (`items`), then those of the study's own
    supplier questionnaires, so that a study whose staff have not answered yet tallies zeros rather than
    nothing. None when neither has a question tagged `advice`."""
    options = list(items.advice_options or ())
    found = items.advice_options is not None
    for row in sorted(study.questionnaires, key=lambda row: row.id):
        if row.perspective is not Perspective.SUPPLIER:
            continue
        question = load_version(session=session, version_id=row.version_id).advice_question
        if question is not None:
            found = True
            options += [option.key for option in question.options or () if option.key not in options]
    return tuple(options) if found else None


def signal_groups_of(scoring: ScoringModel, items: queries.ItemSets) -> dict[str, SignalGroup]:
    """The article's group of every signal item (by key): its dimension's `signal_group` in scoring.yaml."""
    groups = {dimension.key: dimension.signal_group for dimension in scoring.dimensions}
    return {
        key: groups.get(dimension, SignalGroup.OTHER) for key, dimension in items.signal_dimensions.items()
    }


def study_analysis(*, session: Session, study: Study, current: ScoringModel | None = None) -> StudyAnalysis:
    """The whole analysis of a study (rules 2-13), unrounded, from SQL aggregates.

    `current` is the scoring model to use while the study has none pinned (default: the app's scoring.yaml).
    Raises AnalysisError when the stored scores name a dimension the scoring version does not know.
    """
    with collector_paused():
        return _study_analysis(session=session, study=study, current=current)


@dataclass(frozen=True, slots=True)
class _SideInputs:
    """What the analysis reads beside the units (`_study_analysis`)."""

    tally: queries.ResponseTally
    item_rows: list[Any]
    nps: list[NpsAnswer]
    figures: list[AccountFigures]
    respondents: list[ScoredRespondents]
    advice: list[AdviceAnswer]
    agreement: list[SignalAgreement]


def _side_inputs(
    session: Session, study_id: int, items: queries.ItemSets, thresholds: Thresholds
) -> _SideInputs:
    study = session.get_one(Study, study_id)
    tally = queries.response_tally(session=session, study=study)
    item_rows = queries.summed_item_rows(
        session=session,
        study=study,
        signals=items.signals,
        uncounted=tally.uncounted,
        signals_at_most=thresholds.signal,
        reversed_items=items.reversed_signals,
    )
    return _SideInputs(
        tally=tally,
        item_rows=item_rows,
        nps=queries.nps_answers(session=session, study=study, nps=items.nps),
        figures=queries.account_figures(session=session, study=study),
        respondents=queries.scored_respondents(session=session, study=study),
        advice=queries.advice_answers(session=session, study=study, advice=items.advice),
        agreement=queries.signal_agreement(item_rows),
    )


def _answer_aggregates(
    session: Session, study_id: int, items: queries.ItemSets, side: Pending[_SideInputs]
) -> queries.AnswerAggregates:
    return queries.answer_aggregates(
        session=session,
        study=session.get_one(Study, study_id),
        signals=items.signals,
        item_rows=lambda: side.result().item_rows,
    )


def _study_analysis(*, session: Session, study: Study, current: ScoringModel | None) -> StudyAnalysis:
    scoring, provisional = scoring_of(session=session, study=study, current=current)
    # Rule 18 as `disclosure_of` applies it: a version pinned before the rule marks nothing sensitive.
    latest = current if current is not None else current_scoring()
    sensitive = frozenset(
        dimension.key for model in (scoring, latest) for dimension in model.dimensions if dimension.sensitive
    )
    fit_model = fit_model_of(scoring, sensitive=sensitive)
    thresholds = thresholds_of(scoring)
    items = queries.ItemSets.of(queries.scoring_questionnaires(session=session, study=study))
    previous = study.previous_study
    study_id = study.id
    # One snapshot for every input. On PostgreSQL a thread reads the counts, item sums, NPS answers and figures
    # on a connection of its own while another connection reads the units, which this thread adds up
    # meanwhile; on SQLite (or after a write in this transaction) all of it is read here, in order.
    snapshot = SharedSnapshot(session)
    side = snapshot.start(lambda reader: _side_inputs(reader, study_id, items, thresholds))
    try:
        answers = snapshot.run(lambda reader: _answer_aggregates(reader, study_id, items, side))
    except BaseException:
        side.wait()  # the thread must not outlive this transaction's snapshot; this error is the one to see
        raise
    inputs = side.result()
    aggregates = _checked(answers.accounts, fit_model, study, scoring)
    # Cheap values first: the memo compares inputs in this order and stops at the first difference.
    return MEMO.analysed(
        {
            "study": study.slug,
            "scoring_version": scoring.version,
            "provisional": provisional,
            "fit_model": fit_model,
            "thresholds": thresholds,
            "accounts": tuple(inputs.figures),
            "account_scores": account_scores_from_aggregates(aggregates),
            "nps_answers": tuple(inputs.nps),
            "signal_aggregates": tuple(answers.signals),
            "response_counts": tuple(inputs.tally.counts),
            "alpha_aggregates": tuple(answers.alpha),
            "previous": (
                None
                if previous is None
                else tuple(previous_account_fits(session=session, study=previous, current=current))
            ),
            "scored_respondents": tuple(inputs.respondents),
            "signal_groups": signal_groups_of(scoring, items),
            "signal_agreement": tuple(inputs.agreement),
            "behaviour_signals": items.behaviour_signals,
            "advice_answers": tuple(inputs.advice),
            "advice_options": advice_options_of(session=session, study=study, items=items),
        },
        analyse_study,
    )


def analysis_document(
    *, session: Session, study: Study, current: ScoringModel | None = None
) -> dict[str, Any]:
    """The analysis JSON of a study (the contract of `build_analysis_document`, rule 14's rounding)."""
    with collector_paused():  # one pause for both steps
        return build_analysis_document(study_analysis(session=session, study=study, current=current))


def shared_analysis_document(*, session: Session, study: Study) -> dict[str, Any]:
    """The analysis JSON of a study for pages that only read it (dashboard, act): shared with later requests
    for the same data, so the caller must not change it. Everyone else uses `analysis_document`."""
    with collector_paused():
        return MEMO.document_of(study_analysis(session=session, study=study))


def disclosure_of(*, session: Session, study: Study) -> Disclosure:
    """Rule 18 for a study: the stricter of its scoring version's and the current scoring.yaml's threshold,
    and every dimension either marks sensitive (a version pinned before rule 18 existed marks none), with
    the item keys of those dimensions in the questionnaires the study's responses answered."""
    pinned, _provisional = scoring_of(session=session, study=study)
    current = current_scoring()
    sensitive = frozenset(
        dimension.key for model in (pinned, current) for dimension in model.dimensions if dimension.sensitive
    )
    versions = session.scalars(
        select(Response.questionnaire_version_id).where(Response.study_id == study.id).distinct()
    ).all()
    items = frozenset(
        item.key
        for version_id in versions
        for item in load_version(session=session, version_id=version_id).items
        if item.dimension in sensitive
    )
    return Disclosure(
        confidential_min_n=max(pinned.thresholds.confidential_min_n, current.thresholds.confidential_min_n),
        sensitive_dimensions=sensitive,
        sensitive_items=items,
    )
