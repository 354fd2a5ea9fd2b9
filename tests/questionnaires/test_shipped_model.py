"""The shipped fit model (questionnaires/*.yaml): it validates through the engine, and the methodological
promises of docs/method.md hold: mirrored pairs are comparable, interview guides score exactly what the
surveys score, every judged dimension has at least two items, all texts are bilingual, and the deal fit
check behaves as documented.

The structural checks read the YAML with PyYAML directly, so they state the model's rules independently of the
engine's own checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from surveyapp.questionnaires.loader import check_paths, load_directory
from surveyapp.questionnaires.types import advice_conditions, knockouts, score_answers

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "questionnaires"
METHOD_DOCS = (ROOT / "docs" / "method.md", ROOT / "docs" / "method.nl.md")

SLUGS = (
    "deal-fit-check",
    "fit-client",
    "fit-supplier",
    "fit-supplier-predicts",
    "intake",
    "interview-guide",
    "interview-guide-supplier",
)
DIMENSIONS = (
    "needs_match",
    "ways_of_working",
    "scope_stability",
    "execution_quality",
    "effort",
    "risk",
    "friction",
    "team_energy",
    "mutual_value",
    "relationship",
)
SCORED_TYPES = {"scale", "nps", "single", "multi", "matrix", "number"}
TEXT_FIELDS = {
    "title",
    "intro",
    "outro",
    "privacy",
    "text",
    "help",
    "label",
    "name",
    "description",
    "condition",
    "unit",
}
# Staff predicting the client's answers judge what the client judges (as the engine does).
JUDGE = {"client": "client", "supplier": "supplier", "supplier_predicts_client": "client"}


def load(slug: str) -> dict[str, Any]:
    with (FOLDER / f"{slug}.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def questions(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [question for section in data["sections"] for question in section["questions"]]


def scored(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["key"]: q for q in questions(data) if q["type"] in SCORED_TYPES and q.get("dimension")}


def scoring_signature(question: dict[str, Any]) -> tuple[Any, ...]:
    """Everything that decides how an item scores (DESIGN rule 1 and 3)."""
    scale = question.get("scale") or {}
    options = tuple((o["key"], o.get("score")) for o in question.get("options") or ())
    return (
        question["type"],
        question["dimension"],
        scale.get("points"),
        question.get("weight", 1),
        question.get("reverse", False),
        options,
        tuple((band.get("up_to"), band["score"]) for band in question.get("bands") or ()),
    )


def walk_texts(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every value under a text field name, anchor, or probe entry, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if key in TEXT_FIELDS:
                yield here, value
            elif key == "anchors":
                for point, anchor in value.items():
                    yield f"{here}.{point}", anchor
            elif key == "probe":
                for index, probe in enumerate(value):
                    yield f"{here}[{index}]", probe
            else:
                yield from walk_texts(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_texts(value, f"{path}[{index}]")


@pytest.fixture(scope="module")
def scoring() -> dict[str, Any]:
    with (FOLDER / "scoring.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# --- through the engine -------------------------------------------------------------------------------------


def test_shipped_folder_check_reports_no_errors_and_no_warnings() -> None:
    result = check_paths([FOLDER])

    assert result.errors == []
    assert result.warnings == []


def test_shipped_folder_loads_all_questionnaires_and_ten_dimensions() -> None:
    catalogue = load_directory(FOLDER)

    assert sorted(catalogue.questionnaires) == list(SLUGS)
    assert catalogue.scoring.dimension_keys == DIMENSIONS
    assert catalogue.warnings == ()


# --- scoring.yaml -------------------------------------------------------------------------------------------


def test_scoring_dimensions_are_the_shipped_ten_in_order(scoring: dict[str, Any]) -> None:
    assert tuple(d["key"] for d in scoring["dimensions"]) == DIMENSIONS


def test_scoring_effort_and_team_energy_are_supplier_only(scoring: dict[str, Any]) -> None:
    perspectives = {d["key"]: d["perspectives"] for d in scoring["dimensions"]}

    assert {key for key, value in perspectives.items() if value == ["supplier"]} == {"effort", "team_energy"}
    assert {key for key, value in perspectives.items() if value == ["client", "supplier"]} == set(
        DIMENSIONS
    ) - {
        "effort",
        "team_energy",
    }


def test_scoring_weights_are_two_for_the_four_core_dimensions(scoring: dict[str, Any]) -> None:
    weights = {d["key"]: d["weight"] for d in scoring["dimensions"]}

    assert weights == {
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


def test_scoring_thresholds_are_the_documented_ones(scoring: dict[str, Any]) -> None:
    assert scoring["thresholds"] == {
        "quadrant": 60,
        "gap": 15,
        "signal": 40,
        "min_n": 3,
        "borderline_band": 5,
        "confidential_min_n": 3,
        "deal_fit_go": 70,
        "deal_fit_no_go": 50,
    }
    assert scoring["perspectives_compared"] == ["client", "supplier"]


@pytest.mark.parametrize("doc", METHOD_DOCS, ids=lambda path: path.name)
def test_method_doc_thresholds_table_matches_scoring_yaml(doc: Path, scoring: dict[str, Any]) -> None:
    text = doc.read_text(encoding="utf-8")

    for name, value in scoring["thresholds"].items():
        assert f"| `{name}` | {value} |" in text, f"{doc.name} does not state threshold {name} = {value}"


# --- every file ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", [*SLUGS, "scoring"])
def test_every_text_has_nonempty_nl_and_en(slug: str) -> None:
    data = load(slug)
    problems = []

    for path, value in walk_texts(data):
        if not isinstance(value, dict) or set(value) != {"nl", "en"}:
            problems.append(f"{path}: not a {{nl, en}} mapping: {value!r}")
        elif not all(isinstance(text, str) and text.strip() for text in value.values()):
            problems.append(f"{path}: empty text")

    assert problems == []


@pytest.mark.parametrize("slug", SLUGS)
def test_section_and_question_keys_are_unique_per_file(slug: str) -> None:
    data = load(slug)
    section_keys = [section["key"] for section in data["sections"]]
    question_keys = [question["key"] for question in questions(data)]

    assert len(section_keys) == len(set(section_keys))
    assert len(question_keys) == len(set(question_keys))
    assert set(section_keys).isdisjoint(question_keys)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_scale_item_uses_the_fully_labelled_five_point_agree_scale(slug: str) -> None:
    reference = load("fit-client")["sections"][1]["questions"][0]["scale"]
    scales = [question["scale"] for question in questions(load(slug)) if question["type"] == "scale"]

    assert all(scale == reference for scale in scales)
    assert reference["points"] == 5
    assert sorted(reference["anchors"]) == [1, 2, 3, 4, 5]


# --- coverage of dimensions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug",
    ["fit-client", "fit-supplier", "fit-supplier-predicts", "interview-guide", "interview-guide-supplier"],
)
def test_every_judged_dimension_has_at_least_two_items_per_questionnaire(
    slug: str, scoring: dict[str, Any]
) -> None:
    data = load(slug)
    judge = JUDGE[data["perspective"]]
    judged = [d["key"] for d in scoring["dimensions"] if judge in d["perspectives"]]
    counts = {key: 0 for key in judged}
    for question in scored(data).values():
        counts[question["dimension"]] += 1  # KeyError: a dimension this perspective may not judge

    assert {key: count for key, count in counts.items() if count < 2} == {}


def test_item_counts_per_dimension_are_the_documented_ones() -> None:
    def per_dimension(slug: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for question in scored(load(slug)).values():
            counts[question["dimension"]] = counts.get(question["dimension"], 0) + 1
        return counts

    client = {
        "needs_match": 3,
        "ways_of_working": 4,
        "scope_stability": 3,
        "execution_quality": 3,
        "risk": 3,
        "friction": 3,
        "mutual_value": 4,
        "relationship": 6,
    }
    supplier = {
        **client,
        "ways_of_working": 6,  # + wow_4 and the count of workarounds
        "scope_stability": 4,
        "execution_quality": 6,  # + the count of mistakes, complexity, mistakes hard to prevent
        "effort": 4,  # + the unbilled hours
        "team_energy": 5,
        "relationship": 3,  # its own stance only: the client's loyalty is predicted in fit-supplier-predicts
    }

    assert per_dimension("fit-client") == client
    assert per_dimension("interview-guide") == client
    assert per_dimension("fit-supplier-predicts") == client
    assert per_dimension("fit-supplier") == supplier
    assert per_dimension("interview-guide-supplier") == supplier


# --- mirrors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug",
    ["fit-client", "fit-supplier", "fit-supplier-predicts", "interview-guide", "interview-guide-supplier"],
)
def test_every_mirror_of_pair_has_the_same_type_scale_dimension_weight_and_reverse(slug: str) -> None:
    data = load(slug)
    target = {q["key"]: q for q in questions(load(data["mirror"]))}
    mismatches = []

    for question in questions(data):
        if "mirror_of" not in question:
            continue
        other = target[question["mirror_of"]]
        if scoring_signature(question) != scoring_signature(other):
            mismatches.append((question["key"], scoring_signature(question), scoring_signature(other)))

    assert mismatches == []


@pytest.mark.parametrize(
    "slug",
    ["fit-client", "fit-supplier", "fit-supplier-predicts", "interview-guide", "interview-guide-supplier"],
)
def test_mirrored_items_keep_the_key_of_their_mirror(slug: str) -> None:
    data = load(slug)

    assert [q["key"] for q in questions(data) if "mirror_of" in q and q["mirror_of"] != q["key"]] == []


# The client's own loyalty (recommend, expect to stay, looking elsewhere) has no supplier mirror: the supplier can
# only predict it (fit-supplier-predicts), so the relationship gap compares each side's own stance.
CLIENT_ONLY = {"rel_nps", "rel_2", "rel_3"}


def test_every_client_scored_item_is_mirrored_by_supplier_and_by_prediction() -> None:
    client = set(scored(load("fit-client")))
    supplier_mirrors = {q["mirror_of"] for q in questions(load("fit-supplier")) if "mirror_of" in q}
    predicted_mirrors = {q["mirror_of"] for q in questions(load("fit-supplier-predicts")) if "mirror_of" in q}

    assert supplier_mirrors == client - CLIENT_ONLY
    assert predicted_mirrors == client
    assert set(scored(load("fit-supplier-predicts"))) == client


def test_client_scored_items_point_back_to_the_supplier_survey_except_the_clients_loyalty() -> None:
    client = scored(load("fit-client"))

    assert {key: q.get("mirror_of") for key, q in client.items()} == {
        key: None if key in CLIENT_ONLY else key for key in client
    }


def test_supplier_items_without_mirror_are_only_in_supplier_only_or_signal_roles() -> None:
    unmirrored = {key: q for key, q in scored(load("fit-supplier")).items() if "mirror_of" not in q}

    assert sorted(unmirrored) == sorted(
        [
            "wow_4",
            "wow_count_3m",
            "scope_4",
            "quality_count_3m",
            "quality_complexity",
            "quality_hard_to_prevent",
            "effort_1",
            "effort_hours_3m",
            "effort_2",
            "effort_3",
            "energy_1",
            "energy_2",
            "energy_3",
            "energy_fear",
            "energy_motivation",
        ]
    )


# --- interview guides pool with the surveys -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("guide", "survey"), [("interview-guide", "fit-client"), ("interview-guide-supplier", "fit-supplier")]
)
def test_interview_guide_scores_exactly_the_survey_items(guide: str, survey: str) -> None:
    guide_items = {key: scoring_signature(q) for key, q in scored(load(guide)).items()}
    survey_items = {key: scoring_signature(q) for key, q in scored(load(survey)).items()}

    assert guide_items == survey_items


@pytest.mark.parametrize(
    ("guide", "survey"), [("interview-guide", "fit-client"), ("interview-guide-supplier", "fit-supplier")]
)
def test_interview_guide_keeps_every_survey_question_key_and_tag(guide: str, survey: str) -> None:
    guide_questions = {q["key"]: q for q in questions(load(guide))}
    survey_questions = {q["key"]: q for q in questions(load(survey))}

    assert set(survey_questions) <= set(guide_questions)
    assert {k: (q["type"], q.get("tags", [])) for k, q in survey_questions.items()} == {
        k: (guide_questions[k]["type"], guide_questions[k].get("tags", [])) for k in survey_questions
    }


@pytest.mark.parametrize(
    ("guide", "survey"), [("interview-guide", "fit-client"), ("interview-guide-supplier", "fit-supplier")]
)
def test_interview_guide_has_the_survey_perspective_and_mirror(guide: str, survey: str) -> None:
    guide_data, survey_data = load(guide), load(survey)

    assert guide_data["purpose"] == "interview"
    assert (guide_data["perspective"], guide_data["mirror"]) == (
        survey_data["perspective"],
        survey_data["mirror"],
    )


@pytest.mark.parametrize("guide", ["interview-guide", "interview-guide-supplier"])
def test_interview_guide_has_probes_for_every_topic(guide: str) -> None:
    sections = load(guide)["sections"]

    assert [s["key"] for s in sections if len(s.get("probe", [])) < 1] == []


# --- the client survey --------------------------------------------------------------------------------------


def test_client_survey_is_the_interview_phase_client_survey_mirroring_fit_supplier() -> None:
    data = load("fit-client")

    assert (data["phase"], data["purpose"], data["perspective"], data["mirror"]) == (
        "interview",
        "survey",
        "client",
        "fit-supplier",
    )
    assert 30 <= len(questions(data)) <= 40


def test_client_survey_asks_the_required_role_first() -> None:
    first = questions(load("fit-client"))[0]

    assert (first["key"], first["type"], first["required"]) == ("role", "single", True)
    assert [o["key"] for o in first["options"]] == ["decision_maker", "day_to_day", "user", "buyer", "other"]


def test_client_survey_has_one_nps_item_in_relationship() -> None:
    nps = [q for q in questions(load("fit-client")) if q["type"] == "nps"]

    assert [(q["key"], q["dimension"]) for q in nps] == [("rel_nps", "relationship")]


def test_client_survey_open_questions_are_longtext_tagged_open() -> None:
    open_questions = [q for q in questions(load("fit-client")) if "open" in q.get("tags", [])]

    assert [(q["key"], q["type"]) for q in open_questions] == [
        ("open_works", "longtext"),
        ("open_change", "longtext"),
        ("open_leave", "longtext"),
    ]


@pytest.mark.parametrize("slug", ["fit-client", "interview-guide"])
def test_quote_consent_offers_named_anonymous_and_no(slug: str) -> None:
    consent = [q for q in questions(load(slug)) if "quote_consent" in q.get("tags", [])]

    assert [(q["key"], q["type"]) for q in consent] == [("quote_consent", "single")]
    assert [o["key"] for o in consent[0]["options"]] == ["named", "anonymous", "no"]


def test_client_survey_show_if_names_only_real_role_options() -> None:
    data = load("fit-client")
    roles = {o["key"] for o in questions(data)[0]["options"]}

    assert questions(data)[0]["key"] == "role"
    assert {"decision_maker", "buyer"} <= roles
    assert (
        next(q for q in questions(data) if q["key"] == "value_2")["show_if"]
        == "role in [decision_maker, buyer]"
    )


# --- signals ------------------------------------------------------------------------------------------------


def test_supplier_signal_items_are_keyed_so_that_a_low_score_is_the_warning() -> None:
    # Agreeing with a problem statement must give a LOW score, so those are reverse-keyed; energy_1 is the one
    # positively worded signal ("I enjoy working for ..."). Behaviour (how often, how many, how many hours) is
    # never reversed: its options and bands score "never" and 0 highest.
    signals = {
        key: (q["type"], q.get("reverse", False))
        for key, q in scored(load("fit-supplier")).items()
        if "signal" in q.get("tags", [])
    }

    assert signals == {
        "wow_freq": ("single", False),
        "wow_4": ("scale", True),
        "wow_count_3m": ("number", False),
        "scope_2": ("scale", True),
        "scope_4": ("scale", True),
        "quality_freq": ("single", False),
        "quality_count_3m": ("number", False),
        "quality_hard_to_prevent": ("scale", True),
        "effort_1": ("scale", True),
        "effort_hours_3m": ("number", False),
        "energy_1": ("scale", False),
        "energy_2": ("scale", True),
        "energy_fear": ("scale", True),
        "energy_motivation": ("scale", True),
        "risk_2": ("scale", True),
    }


@pytest.mark.parametrize(
    "slug", ["fit-client", "fit-supplier", "interview-guide", "interview-guide-supplier"]
)
def test_frequency_items_run_from_never_to_always_scoring_100_to_0(slug: str) -> None:
    frequencies = {
        key: [(o["key"], o["score"]) for o in q["options"]]
        for key, q in scored(load(slug)).items()
        if key in ("wow_freq", "quality_freq")
    }

    scale = [("never", 100), ("rarely", 75), ("sometimes", 50), ("often", 25), ("always", 0)]
    assert frequencies == {"wow_freq": scale, "quality_freq": scale}


@pytest.mark.parametrize("slug", ["fit-supplier", "interview-guide-supplier"])
def test_staff_counts_and_hours_of_the_last_three_months_are_banded(slug: str) -> None:
    numbers = {
        key: (q["dimension"], [(band.get("up_to"), band["score"]) for band in q["bands"]])
        for key, q in scored(load(slug)).items()
        if q["type"] == "number"
    }

    counts = [(0, 100), (2, 75), (5, 50), (10, 25), (None, 0)]
    assert numbers == {
        "wow_count_3m": ("ways_of_working", counts),
        "quality_count_3m": ("execution_quality", counts),
        "effort_hours_3m": ("effort", [(0, 100), (4, 75), (16, 50), (40, 25), (None, 0)]),
    }


def test_client_signal_items_are_the_mirrors_of_supplier_signals() -> None:
    client = scored(load("fit-client"))
    client_signals = {key for key, q in client.items() if "signal" in q.get("tags", [])}

    assert client_signals == {"wow_freq", "scope_2", "quality_freq"}
    assert [client[key]["type"] for key in sorted(client_signals)] == ["single", "scale", "single"]
    assert client["scope_2"]["reverse"]


def test_prediction_survey_carries_no_signal_tags() -> None:
    assert [q["key"] for q in questions(load("fit-supplier-predicts")) if "signal" in q.get("tags", [])] == []


# --- deal fit check -----------------------------------------------------------------------------------------


def deal_fit(answers: dict[str, Any], scoring: dict[str, Any]) -> tuple[float, bool, list[str]]:
    """Score one deal fit check as docs/method.md describes: rules 1, 3 and 5, knockouts, conditions."""
    weights = {d["key"]: d.get("weight", 1) for d in scoring["dimensions"]}
    by_key = {q["key"]: q for q in questions(load("deal-fit-check"))}
    per_dimension: dict[str, list[float]] = {}
    knocked_out = False
    conditions: list[str] = []
    for key, value in answers.items():
        question = by_key[key]
        if question["type"] == "single":
            option = next(o for o in question["options"] if o["key"] == value)
            score = option["score"]
            knocked_out |= option.get("knockout", False)
            if "condition" in option:
                conditions.append(option["condition"]["en"])
        else:
            score = (value - 1) / (question["scale"]["points"] - 1) * 100
            knocked_out |= value <= question.get("knockout_at_or_below", 0)
            if value <= question.get("condition_at_or_below", 0):
                conditions.append(question["condition"]["en"])
        per_dimension.setdefault(question["dimension"], []).append(score)
    means = {key: sum(scores) / len(scores) for key, scores in per_dimension.items()}
    total = sum(means[key] * weights[key] for key in means) / sum(weights[key] for key in means)
    return total, knocked_out, conditions


def advice(score: float, knocked_out: bool, scoring: dict[str, Any]) -> str:
    thresholds = scoring["thresholds"]
    if knocked_out or score < thresholds["deal_fit_no_go"] - 1e-9:
        return "no_go"
    return "go" if score >= thresholds["deal_fit_go"] - 1e-9 else "go_with_conditions"


EXAMPLE_A = {
    "dc_need": "core",
    "dc_why_us": "reputation",
    "dc_difference": 4,
    "dc_standard": "small_changes",
    "dc_scope": "mostly_clear",
    "dc_quality": 4,
    "dc_effort": "somewhat_more",
    "dc_budget": "fits",
    "dc_decision": "clear",
    "dc_risk": "none_known",
    "dc_chemistry": "businesslike",
    "dc_energy": 4,
    "dc_horizon": "project",
    "dc_reference": "some",
}
EXAMPLE_B = {
    "dc_need": "mostly",
    "dc_why_us": "unknown",
    "dc_difference": 4,
    "dc_standard": "small_changes",
    "dc_scope": "unknown",
    "dc_quality": 3,
    "dc_effort": "unknown",
    "dc_budget": "tight",
    "dc_decision": "partly_clear",
    "dc_risk": "none_known",
    "dc_chemistry": "businesslike",
    "dc_energy": 4,
    "dc_horizon": "partner",
    "dc_reference": "some",
}
EXAMPLE_D = {
    "dc_need": "partly",
    "dc_why_us": "price_or_availability",
    "dc_difference": 2,
    "dc_standard": "large_changes",
    "dc_scope": "shifting",
    "dc_quality": 3,
    "dc_effort": "much_more",
    "dc_budget": "too_low",
    "dc_decision": "unclear",
    "dc_risk": "manageable",
    "dc_chemistry": "stiff",
    "dc_energy": 2,
    "dc_horizon": "cheapest_once",
    "dc_reference": "revenue_only",
}


def test_deal_fit_check_is_a_prepare_phase_supplier_deal_check() -> None:
    data = load("deal-fit-check")

    assert (data["phase"], data["purpose"], data["perspective"]) == ("prepare", "deal_check", "supplier")


def test_deal_fit_check_has_between_10_and_15_questions_and_knockouts() -> None:
    all_questions = questions(load("deal-fit-check"))
    knockouts = [
        q["key"]
        for q in all_questions
        if "knockout_at_or_below" in q or any(o.get("knockout") for o in q.get("options", []))
    ]

    assert len(all_questions) == 15
    assert knockouts == ["dc_need", "dc_standard", "dc_quality", "dc_risk"]


def test_deal_fit_check_scores_every_dimension_of_the_model() -> None:
    assert {q["dimension"] for q in scored(load("deal-fit-check")).values()} == set(DIMENSIONS)


def test_deal_fit_check_unknown_is_a_scored_25_with_a_condition_and_never_a_knockout() -> None:
    unknowns = [
        (q["key"], o)
        for q in questions(load("deal-fit-check"))
        for o in q.get("options", [])
        if o["key"] == "unknown"
    ]

    assert [key for key, _ in unknowns] == [
        "dc_need",
        "dc_why_us",
        "dc_standard",
        "dc_scope",
        "dc_effort",
        "dc_budget",
        "dc_decision",
        "dc_risk",
        "dc_horizon",
    ]
    assert all(o["score"] == 25 and "condition" in o and not o.get("knockout") for _, o in unknowns)
    assert all(
        not o.get("not_applicable") for q in questions(load("deal-fit-check")) for o in q.get("options", [])
    )


def test_deal_fit_check_knockout_options_score_zero() -> None:
    knockout_scores = [
        o["score"]
        for q in questions(load("deal-fit-check"))
        for o in q.get("options", [])
        if o.get("knockout")
    ]

    assert knockout_scores == [0, 0, 0]


def test_deal_fit_example_a_is_go_at_74_9(scoring: dict[str, Any]) -> None:
    score, knocked_out, _ = deal_fit(EXAMPLE_A, scoring)

    assert (round(score, 1), knocked_out, advice(score, knocked_out, scoring)) == (74.9, False, "go")


def test_deal_fit_example_b_is_go_with_seven_conditions_at_60(scoring: dict[str, Any]) -> None:
    score, knocked_out, conditions = deal_fit(EXAMPLE_B, scoring)

    assert (score, knocked_out, advice(score, knocked_out, scoring)) == (60.0, False, "go_with_conditions")
    assert len(conditions) == 7


def test_deal_fit_example_b_would_be_go_if_unknowns_were_left_out(scoring: dict[str, Any]) -> None:
    known = {key: value for key, value in EXAMPLE_B.items() if value != "unknown"}
    score, knocked_out, _ = deal_fit(known, scoring)

    assert (round(score, 1), advice(score, knocked_out, scoring)) == (73.6, "go")


def test_deal_fit_example_c_knockout_is_no_go_despite_64_2(scoring: dict[str, Any]) -> None:
    score, knocked_out, _ = deal_fit({**EXAMPLE_A, "dc_standard": "their_way"}, scoring)

    assert (round(score, 1), knocked_out, advice(score, knocked_out, scoring)) == (64.2, True, "no_go")


def test_deal_fit_example_d_is_no_go_at_23_5(scoring: dict[str, Any]) -> None:
    score, knocked_out, _ = deal_fit(EXAMPLE_D, scoring)

    assert (round(score, 1), knocked_out, advice(score, knocked_out, scoring)) == (23.5, False, "no_go")


def engine_deal_fit(answers: dict[str, Any]) -> tuple[float, list[str], int]:
    """The same example scored by the engine's own item scoring, knockouts and conditions."""
    catalogue = load_directory(FOLDER)
    check, model = catalogue.get("deal-fit-check"), catalogue.scoring
    raw = {key: str(value) for key, value in answers.items()}
    items: dict[str, list[tuple[float, float]]] = {}
    for item in score_answers(check, raw).values():
        items.setdefault(item.dimension, []).append((item.score, item.weight))
    means = {key: sum(s * w for s, w in rows) / sum(w for _, w in rows) for key, rows in items.items()}
    weights = {key: model.dimension(key).weight for key in means}
    total = sum(means[key] * weights[key] for key in means) / sum(weights.values())
    return total, knockouts(check, raw), len(advice_conditions(check, raw))


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (EXAMPLE_A, (74.9, [], 2)),
        (EXAMPLE_B, (60.0, [], 7)),
        ({**EXAMPLE_A, "dc_standard": "their_way"}, (64.2, ["dc_standard"], 2)),
        (EXAMPLE_D, (23.5, [], 13)),
    ],
    ids=["A", "B", "C", "D"],
)
def test_engine_scores_the_documented_deal_fit_examples_identically(
    answers: dict[str, Any], expected: tuple[float, list[str], int]
) -> None:
    total, knocked, conditions = engine_deal_fit(answers)

    assert (round(total, 1), knocked, conditions) == expected


def test_engine_gives_signal_items_a_low_score_when_things_are_bad() -> None:
    supplier = load_directory(FOLDER).get("fit-supplier")
    bad = {
        "wow_freq": "always",
        "wow_count_3m": "11",
        "scope_2": "5",
        "quality_freq": "always",
        "quality_count_3m": "11",
        "quality_hard_to_prevent": "5",
        "effort_1": "5",
        "effort_hours_3m": "40.5",
        "energy_1": "1",
        "energy_2": "5",
        "energy_fear": "5",
        "energy_motivation": "5",
        "risk_2": "5",
        "wow_4": "5",
        "scope_4": "5",
    }

    scores = score_answers(supplier, bad)

    assert {key: (answer.score, "signal" in answer.tags) for key, answer in scores.items()} == {
        key: (0.0, True) for key in bad
    }


# --- intake -------------------------------------------------------------------------------------------------


def test_intake_is_an_unscored_prepare_brief_without_perspective() -> None:
    data = load("intake")

    assert (data["phase"], data["purpose"], data["perspective"]) == ("prepare", "brief", "none")
    assert scored(data) == {}
    assert {
        "goal_main",
        "decisions",
        "expectations",
        "good_fit_accounts",
        "bad_fit_accounts",
        "do_not_contact",
        "sensitive_topics",
    } <= {q["key"] for q in questions(data)}


# --- method v2: staff advice (rule 20) and signal groups -----------------------------------------------------


@pytest.mark.parametrize("slug", ["fit-supplier", "interview-guide-supplier"])
def test_supplier_questionnaires_tag_one_advice_question_with_the_decisions(slug: str) -> None:
    # Act
    tagged = [question for question in questions(load(slug)) if "advice" in question.get("tags", ())]

    # Assert: staff_advice, a single choice of the three decisions and "not sure", without a dimension
    assert [question["key"] for question in tagged] == ["staff_advice"]
    (question,) = tagged
    assert question["type"] == "single"
    assert "dimension" not in question
    assert [option["key"] for option in question["options"]] == ["continue", "realign", "exit", "unsure"]


@pytest.mark.parametrize("slug", ["fit-client", "fit-supplier-predicts", "interview-guide", "intake"])
def test_other_questionnaires_have_no_advice_question(slug: str) -> None:
    # Act / Assert
    assert [q["key"] for q in questions(load(slug)) if "advice" in q.get("tags", ())] == []


def test_scoring_signal_groups_are_the_articles(scoring: dict[str, Any]) -> None:
    # Act
    groups = {dimension["key"]: dimension.get("signal_group") for dimension in scoring["dimensions"]}

    # Assert: needs match, mutual value and relationship carry none (their signals would be "other")
    assert groups == {
        "needs_match": None,
        "ways_of_working": "workarounds",
        "scope_stability": "workarounds",
        "execution_quality": "small_errors",
        "effort": "cost_to_serve",
        "risk": "fear_and_reluctance",
        "friction": "fear_and_reluctance",
        "team_energy": "fear_and_reluctance",
        "mutual_value": None,
        "relationship": None,
    }
