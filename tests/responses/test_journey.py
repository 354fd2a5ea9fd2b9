"""Navigation through a questionnaire: visible pages, next and previous, page numbers, what is still required,
and where a returning respondent resumes."""

from __future__ import annotations

from surveyapp.responses import journey
from tests.responses.conftest import ALL_TYPES

USER = {"role": "user"}
OTHER = {"role": "other"}


def test_journey_visible_sections_follow_the_answers():
    # fit: `role != other`, which is false while the role is unanswered
    assert [s.key for s in journey.visible_sections(ALL_TYPES, {})] == ["about", "loyalty"]
    assert [s.key for s in journey.visible_sections(ALL_TYPES, USER)] == ["about", "fit", "loyalty"]
    assert [s.key for s in journey.visible_sections(ALL_TYPES, OTHER)] == ["about", "loyalty"]


def test_journey_next_and_previous_skip_hidden_pages():
    assert journey.next_section(ALL_TYPES, USER, "about") == "fit"
    assert journey.next_section(ALL_TYPES, OTHER, "about") == "loyalty"
    assert journey.next_section(ALL_TYPES, OTHER, "loyalty") is None
    assert journey.previous_section(ALL_TYPES, OTHER, "loyalty") == "about"
    assert journey.previous_section(ALL_TYPES, OTHER, "about") is None


def test_journey_position_counts_visible_pages_only():
    assert journey.position(ALL_TYPES, USER, "loyalty") == (3, 3)
    assert journey.position(ALL_TYPES, OTHER, "loyalty") == (2, 2)


def test_journey_missing_required_only_on_visible_pages_and_not_applicable_counts():
    assert journey.missing_required(ALL_TYPES, {}) == {"about": ["role"], "loyalty": ["recommend"]}
    assert journey.missing_required(ALL_TYPES, USER) == {"fit": ["needs"], "loyalty": ["recommend"]}
    assert journey.missing_required(ALL_TYPES, {**OTHER, "recommend": "7"}) == {}
    assert journey.first_incomplete(ALL_TYPES, {**USER, "needs": "NA"}) == "loyalty"


def test_journey_resume_point():
    assert journey.resume_point(ALL_TYPES, {}, None) == "about"
    assert journey.resume_point(ALL_TYPES, USER, "fit") == "fit"
    assert journey.resume_point(ALL_TYPES, OTHER, "fit") == "about"
    assert journey.resume_point(ALL_TYPES, USER, "gone") == "about"
    assert journey.resume_point(ALL_TYPES, USER, journey.REVIEW) == journey.REVIEW


def test_journey_counted_answers_drop_hidden_and_empty_ones():
    answers = {"role": "other", "needs": "4", "name": "", "recommend": "3", "unknown": "x"}

    assert journey.counted_answers(ALL_TYPES, answers) == {"role": "other", "recommend": "3"}
