"""Broken questionnaire files: every error is reported with its exact message and the line of the offending
node.

Each case is the questions of one section; HEADER and SECTION put them at line 13, so the expected line
numbers can be read off the case itself (first question line = 13).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.questionnaires import QuestionnaireError, ScoringModel, load_questionnaire

HEADER = """\
slug: broken
title: {nl: Kapot, en: Broken}
phase: interview
purpose: survey
perspective: client
intro: {nl: Hallo, en: Hello}
outro: {nl: Dag, en: Bye}
privacy: {nl: Privé, en: Private}
sections:
"""
SECTION = """\
  - key: s1
    title: {nl: Een, en: One}
    questions:
"""
SCALE = "scale: {points: 5, anchors: {1: {nl: laag, en: low}, 5: {nl: hoog, en: high}}}"


def questions_file(questions: str) -> str:
    """HEADER + one section holding the given questions (written at column 0, indented here)."""
    return HEADER + SECTION + textwrap.indent(textwrap.dedent(questions).strip("\n"), " " * 6) + "\n"


CASES: list[tuple[str, str, list[tuple[int, str]]]] = [
    (
        "unknown_dimension",
        f"""
        - key: scope_2
          type: scale
          text: {{nl: Vraag, en: Question}}
          dimension: scop
          {SCALE}
        """,
        [(16, "question 'scope_2': unknown dimension 'scop'")],
    ),
    (
        "unknown_dimension_with_suggestion",
        f"""
        - key: q1
          type: scale
          text: {{nl: Vraag, en: Question}}
          dimension: needs_mach
          {SCALE}
        """,
        [(16, "question 'q1': unknown dimension 'needs_mach' (did you mean 'needs_match'?)")],
    ),
    (
        "duplicate_question_key",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
        - key: q1
          type: text
          text: {nl: Twee, en: Two}
        """,
        [(16, "duplicate question key 'q1' (first on line 13)")],
    ),
    (
        "duplicate_yaml_mapping_key",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          text: {nl: Twee, en: Two}
        """,
        [(16, "duplicate key 'text' (first on line 15)")],
    ),
    (
        "duplicate_option_key",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: a, label: {nl: B, en: B}}
        """,
        [(18, "question 'q1': duplicate option key 'a' (first on line 17)")],
    ),
    (
        "duplicate_row_key",
        f"""
        - key: m
          type: matrix
          text: {{nl: Een, en: One}}
          {SCALE}
          rows:
            - {{key: r, text: {{nl: A, en: A}}}}
            - {{key: r, text: {{nl: B, en: B}}}}
        """,
        [(19, "question 'm': duplicate row key 'r' (first on line 18)")],
    ),
    (
        "show_if_does_not_parse",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
        - key: q2
          type: text
          text: {{nl: Twee, en: Two}}
          show_if: q1 = 2
        """,
        [(20, "question 'q2': show_if: unknown operator '=' at position 4 (use ==, !=, <, <=, >, >=)")],
    ),
    (
        "show_if_unknown_key",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          show_if: zz answered
        """,
        [(16, "question 'q1': show_if names unknown question 'zz'")],
    ),
    (
        "show_if_later_key",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          show_if: q2 answered
        - key: q2
          type: text
          text: {nl: Twee, en: Two}
        """,
        [(16, "question 'q1': show_if names 'q2', which comes later in the file")],
    ),
    (
        "show_if_names_itself",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          show_if: q1 answered
        """,
        [(16, "question 'q1': show_if names the question 'q1' itself")],
    ),
    (
        "show_if_unknown_option",
        """
        - key: role
          type: single
          text: {nl: Rol, en: Role}
          options:
            - {key: buyer, label: {nl: Inkoper, en: Buyer}}
            - {key: user, label: {nl: Gebruiker, en: User}}
        - key: q2
          type: text
          text: {nl: Twee, en: Two}
          show_if: role in [buyer, usr]
        """,
        [
            (
                22,
                "question 'q2': show_if compares 'role' with 'usr', which is not one of its options (did "
                "you mean 'user'?)",
            )
        ],
    ),
    (
        "show_if_orders_a_choice",
        """
        - key: role
          type: single
          text: {nl: Rol, en: Role}
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: b, label: {nl: B, en: B}}
        - key: q2
          type: text
          text: {nl: Twee, en: Two}
          show_if: role > 2
        """,
        [
            (22, "question 'q2': show_if cannot order the options of 'role' with '>'; use == or in"),
            (22, "question 'q2': show_if compares 'role' with '2', which is not one of its options"),
        ],
    ),
    (
        "show_if_compares_a_scale_with_a_word",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
        - key: q2
          type: text
          text: {{nl: Twee, en: Two}}
          show_if: q1 == high
        """,
        [(20, "question 'q2': show_if compares 'q1' (scale) with high, which is not a number")],
    ),
    (
        "show_if_value_off_the_scale",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
        - key: q2
          type: text
          text: {{nl: Twee, en: Two}}
          show_if: q1 == 6
        """,
        [(20, "question 'q2': show_if compares 'q1' with 6, which is not a value from 1 to 5")],
    ),
    (
        "show_if_names_a_matrix_without_row",
        f"""
        - key: m
          type: matrix
          text: {{nl: Een, en: One}}
          {SCALE}
          rows:
            - {{key: r, text: {{nl: A, en: A}}}}
        - key: q2
          type: text
          text: {{nl: Twee, en: Two}}
          show_if: m >= 3 or m.x >= 3
        """,
        [
            (22, "question 'q2': show_if names matrix 'm'; name one of its rows, as 'm.<row>'"),
            (22, "question 'q2': show_if names 'm.x', but matrix 'm' has no row 'x'"),
        ],
    ),
    (
        "show_if_date_needs_a_quoted_date",
        """
        - key: d
          type: date
          text: {nl: Datum, en: Date}
        - key: q2
          type: text
          text: {nl: Twee, en: Two}
          show_if: d > 2020
        """,
        [
            (
                19,
                "question 'q2': show_if compares date 'd' with 2020; write a quoted date such as "
                '"2025-01-31"',
            )
        ],
    ),
    (
        "scale_points_outside_2_to_11",
        """
        - key: q1
          type: scale
          text: {nl: Een, en: One}
          scale:
            points: 12
            anchors: {1: {nl: a, en: a}, 12: {nl: b, en: b}}
        """,
        [(17, "question 'q1': scale points must be from 2 to 11, not 12")],
    ),
    (
        "anchor_outside_the_scale",
        """
        - key: q1
          type: scale
          text: {nl: Een, en: One}
          scale:
            points: 5
            anchors:
              1: {nl: a, en: a}
              5: {nl: b, en: b}
              7: {nl: c, en: c}
        """,
        [(21, "question 'q1': anchor 7 is outside the scale 1..5")],
    ),
    (
        "scale_without_end_anchor",
        """
        - key: q1
          type: scale
          text: {nl: Een, en: One}
          scale:
            points: 5
            anchors:
              1: {nl: a, en: a}
        """,
        [(18, "question 'q1': the scale needs anchors for its lowest and highest values (missing: 5)")],
    ),
    (
        "scale_question_without_scale",
        """
        - key: q1
          type: scale
          text: {nl: Een, en: One}
        """,
        [(13, "question 'q1': a scale question needs 'scale' (points and anchors)")],
    ),
    (
        "option_score_outside_0_to_100",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          dimension: needs_match
          options:
            - {key: a, label: {nl: A, en: A}, score: 120}
            - {key: b, label: {nl: B, en: B}, score: -1}
        """,
        [
            (18, "question 'q1', option 'a': score 120 is outside 0..100"),
            (19, "question 'q1', option 'b': score -1 is outside 0..100"),
        ],
    ),
    (
        "scored_question_option_without_score",
        """
        - key: q1
          type: multi
          text: {nl: Een, en: One}
          dimension: needs_match
          options:
            - {key: a, label: {nl: A, en: A}, score: 50}
            - key: b
              label: {nl: B, en: B}
            - {key: na, label: {nl: N.v.t., en: N/a}, not_applicable: true}
        """,
        [(19, "question 'q1', option 'b': needs a score (the question has dimension 'needs_match')")],
    ),
    (
        "not_applicable_option_with_score",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: na, label: {nl: N.v.t., en: N/a}, not_applicable: true, score: 0}
        """,
        [(18, "question 'q1', option 'na': a not-applicable option cannot have a score")],
    ),
    (
        "choice_with_one_option",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          options:
            - {key: a, label: {nl: A, en: A}}
        """,
        [(16, "question 'q1': a single question needs at least two options")],
    ),
    (
        "reverse_on_single",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          reverse: true
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: b, label: {nl: B, en: B}}
        """,
        [
            (
                16,
                "question 'q1': 'reverse' is not allowed on single questions (give the options reversed "
                "scores instead)",
            )
        ],
    ),
    (
        "reverse_on_multi",
        """
        - key: q1
          type: multi
          text: {nl: Een, en: One}
          reverse: true
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: b, label: {nl: B, en: B}}
        """,
        [
            (
                16,
                "question 'q1': 'reverse' is not allowed on multi questions (give the options reversed "
                "scores instead)",
            )
        ],
    ),
    (
        "missing_english_text",
        """
        - key: q1
          type: text
          text: {nl: Een}
        """,
        [(15, "question 'q1': 'text.en' is required")],
    ),
    (
        "blank_dutch_text",
        """
        - key: q1
          type: text
          text: {nl: "  ", en: One}
        """,
        [(15, "question 'q1': 'text.nl' must not be empty")],
    ),
    (
        "text_is_not_bilingual",
        """
        - key: q1
          type: text
          text: One
        """,
        [(15, "question 'q1': 'text' must be a mapping (lines of 'field: value')")],
    ),
    (
        "unknown_placeholder",
        """
        - key: q1
          type: text
          text: {nl: "Hoe gaat het met {supplier}?", en: "How is {client} doing?"}
        """,
        [
            (
                15,
                "question 'q1': 'text.en' uses unknown placeholder '{client}' (allowed: {account}, "
                "{supplier})",
            )
        ],
    ),
    (
        "lone_brace",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          options:
            - {key: a, label: {nl: "Een { te veel", en: A}}
            - {key: b, label: {nl: B, en: "B }"}}
        """,
        [
            (
                17,
                "question 'q1', option 'a': 'label.nl' has a '{' without a closing '}' (write '{{' for a "
                "literal brace)",
            ),
            (
                18,
                "question 'q1', option 'b': 'label.en' has a '}' without an opening '{' (write '}}' for a "
                "literal brace)",
            ),
        ],
    ),
    (
        "second_nps",
        """
        - key: n1
          type: nps
          text: {nl: Een, en: One}
        - key: n2
          type: nps
          text: {nl: Twee, en: Two}
        """,
        [
            (
                17,
                "question 'n2': a second nps question (the first is 'n1' on line 14); a questionnaire has "
                "at most one",
            )
        ],
    ),
    (
        "role_tag_on_a_multi_choice",
        """
        - key: r1
          type: multi
          text: {nl: Rol, en: Role}
          tags: [role]
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: b, label: {nl: B, en: B}}
        """,
        [
            (
                16,
                "question 'r1': the 'role' tag belongs to a single-choice question (its options are the role "
                "groups)",
            )
        ],
    ),
    (
        "second_role_question",
        """
        - key: r1
          type: single
          text: {nl: Rol, en: Role}
          tags: [role]
          options: [{key: a, label: {nl: A, en: A}}, {key: b, label: {nl: B, en: B}}]
        - key: r2
          type: single
          text: {nl: Rol, en: Role}
          tags: [role]
          options: [{key: a, label: {nl: A, en: A}}, {key: b, label: {nl: B, en: B}}]
        """,
        [
            (
                21,
                "question 'r2': a second question tagged 'role' (the first is 'r1' on line 16); a questionnaire "
                "has at most one",
            )
        ],
    ),
    (
        "knockout_at_or_below_on_single",
        """
        - key: q1
          type: single
          text: {nl: Een, en: One}
          knockout_at_or_below: 1
          options:
            - {key: a, label: {nl: A, en: A}}
            - {key: b, label: {nl: B, en: B}}
        """,
        [(16, "question 'q1': 'knockout_at_or_below' is only used by scale questions")],
    ),
    (
        "knockout_at_or_below_off_the_scale",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
          knockout_at_or_below: 5
        """,
        [(17, "question 'q1': 'knockout_at_or_below' must be from 1 to 4, not 5")],
    ),
    (
        "condition_at_or_below_without_condition",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
          condition_at_or_below: 2
        """,
        [(17, "question 'q1': 'condition_at_or_below' needs a 'condition'")],
    ),
    (
        "not_applicable_on_text",
        """
        - key: q1
          type: longtext
          text: {nl: Een, en: One}
          not_applicable: true
        """,
        [(16, "question 'q1': 'not_applicable' is not allowed on longtext questions (leave it unanswered)")],
    ),
    (
        "dimension_on_text",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          dimension: needs_match
        """,
        [(16, "question 'q1': a text question never scores, so it cannot have a dimension")],
    ),
    (
        "dimension_on_number_without_bands",
        """
        - key: q1
          type: number
          text: {nl: Een, en: One}
          dimension: needs_match
        """,
        [
            (
                13,
                "question 'q1': a number question scores only through 'bands' (which answers score what); "
                "add them, or leave out the dimension and the signal tag",
            )
        ],
    ),
    (
        "bands_out_of_order_open_in_the_middle_and_closed_at_the_end",
        """
        - key: q1
          type: number
          text: {nl: Een, en: One}
          tags: [signal]
          bands:
            - {up_to: 5, score: 100}
            - {up_to: 2, score: 120}
            - {score: 50}
            - {up_to: 10, score: 0}
        """,
        [
            (19, "question 'q1': band 2: score 120 is outside 0..100"),
            (19, "question 'q1': band 2: 'up_to' 2 must be above the band before (5)"),
            (20, "question 'q1': band 3 needs 'up_to' (only the last band is open)"),
            (
                21,
                "question 'q1': the last band has no 'up_to' (it holds every answer above 10), so that every "
                "answer scores",
            ),
        ],
    ),
    (
        "bands_on_scale",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
          bands:
            - {{up_to: 1, score: 100}}
            - {{score: 0}}
        """,
        [(17, "question 'q1': 'bands' is only used by number questions")],
    ),
    (
        "options_on_scale",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
          options:
            - {{key: a, label: {{nl: A, en: A}}}}
            - {{key: b, label: {{nl: B, en: B}}}}
        """,
        [(17, "question 'q1': 'options' is only used by single and multi questions")],
    ),
    (
        "number_min_above_max",
        """
        - key: q1
          type: number
          text: {nl: Een, en: One}
          min: 10
          max: 5
        """,
        [(16, "question 'q1': 'min' (10) is greater than 'max' (5)")],
    ),
    (
        "mirror_of_without_mirror",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          mirror_of: q1
        """,
        [(16, "question 'q1': 'mirror_of' needs 'mirror' at the top of the file")],
    ),
    (
        "nps_tag_on_scale",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          {SCALE}
          tags: [nps]
        """,
        [(17, "question 'q1': the 'nps' tag belongs to the nps question only")],
    ),
    (
        "unknown_field_typo",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          requird: true
        """,
        [(16, "question 'q1': unknown field 'requird' (did you mean 'required'?)")],
    ),
    (
        "weight_as_text",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          dimension: needs_match
          weight: "2"
          {SCALE}
        """,
        [(17, "question 'q1': 'weight' must be a number")],
    ),
    (
        "weight_zero",
        f"""
        - key: q1
          type: scale
          text: {{nl: Een, en: One}}
          dimension: needs_match
          weight: 0
          {SCALE}
        """,
        [(17, "question 'q1': 'weight' must be greater than 0")],
    ),
    (
        "required_as_yaml_1_1_word",
        """
        - key: q1
          type: text
          text: {nl: Een, en: One}
          required: yes
        """,
        [(16, "question 'q1': 'required' must be true or false")],
    ),
    (
        "unknown_type",
        """
        - key: q1
          type: slider
          text: {nl: Een, en: One}
        """,
        [
            (
                14,
                "question 'q1': 'type' must be one of 'scale', 'nps', 'single', 'multi', 'text', 'longtext', "
                "'number', 'date' or 'matrix', not 'slider'",
            )
        ],
    ),
    (
        "bad_key",
        """
        - key: Q-1
          type: text
          text: {nl: Een, en: One}
        """,
        [
            (
                13,
                "question 'Q-1': 'key' must start with a lowercase letter and contain only a-z, 0-9 and _, "
                "not 'Q-1'",
            )
        ],
    ),
    (
        "question_is_not_a_mapping",
        """
        - just a line
        """,
        [(13, "question 1 must be a mapping (lines of 'field: value')")],
    ),
]


@pytest.mark.parametrize(("name", "questions", "expected"), CASES, ids=[case[0] for case in CASES])
def test_load_questionnaire_broken_question_reports_exact_message_and_line(
    tmp_path: Path, scoring: ScoringModel, name: str, questions: str, expected: list[tuple[int, str]]
) -> None:
    # Arrange
    path = tmp_path / "broken.yaml"
    path.write_text(questions_file(questions), encoding="utf-8")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert caught.value.messages == [f"{path}:{line}: {message}" for line, message in expected]


FILE_CASES: list[tuple[str, str, list[tuple[int, str]]]] = [
    (
        "tab_indentation",
        "slug: broken\ntitle:\n\t{nl: a, en: b}\n",
        [
            (
                3,
                "invalid YAML: found character '\\t' that cannot start any token (while scanning for the "
                "next token)",
            )
        ],
    ),
    (
        "unclosed_quote",
        'slug: broken\ntitle: {nl: "Kapot, en: Broken}\nphase: interview\n',
        [
            (
                4,
                "invalid YAML: found unexpected end of stream (while scanning a quoted scalar that starts "
                "on line 2)",
            )
        ],
    ),
    (
        "mapping_value_in_plain_text",
        "slug: broken\ntitle: {nl: Kapot, en: Broken}\nintro: Hallo: daar\n",
        [(3, "invalid YAML: mapping values are not allowed here")],
    ),
    (
        "unquoted_question_mark_in_flow_mapping",
        "slug: broken\ntitle: {nl: Wat?, en: What?}\n",
        [
            (
                2,
                "invalid YAML: expected ',' or '}', but got '?' (while parsing a flow mapping); put texts "
                "that "
                "contain : ? , # [ ] { } in quotes",
            )
        ],
    ),
    (
        "bad_indentation",
        "slug: broken\nsections:\n  - key: a\n   title: x\n",
        [
            (
                4,
                "invalid YAML: expected <block end>, but found '<block mapping start>' (while parsing a "
                "block collection that starts on line 3)",
            )
        ],
    ),
    ("empty_file", "", [(1, "the file is empty")]),
    ("only_a_comment", "# nothing yet\n", [(1, "the file is empty")]),
    (
        "not_a_mapping",
        "- slug: broken\n",
        [(1, "the file must be a mapping of fields (slug: ..., title: ..., sections: ...)")],
    ),
    (
        "two_documents",
        "slug: broken\n---\nslug: again\n",
        [
            (
                2,
                "invalid YAML: expected a single document in the stream but found another document (see "
                "line 1)",
            )
        ],
    ),
    (
        "merge_key",
        HEADER.replace("intro: {nl: Hallo, en: Hello}", "intro: &t {nl: Hallo, en: Hello}").replace(
            "outro: {nl: Dag, en: Bye}", "outro: {<<: *t}"
        )
        + SECTION
        + "      - {key: q, type: text, text: {nl: a, en: b}}\n",
        [
            (7, "merge keys ('<<') are not supported; write the fields out"),
            (7, "'outro.nl' is required"),
            (7, "'outro.en' is required"),
        ],
    ),
    (
        "recursive_alias",
        "slug: broken\nsections: &s [*s]\n",
        [(2, "an alias refers to the structure that contains it")],
    ),
    (
        "missing_top_level_fields",
        "slug: broken\ntitle: {nl: Kapot, en: Broken}\n",
        [
            (1, "'phase' is required"),
            (1, "'purpose' is required"),
            (1, "'perspective' is required"),
            (1, "'intro' is required"),
            (1, "'outro' is required"),
            (1, "'privacy' is required"),
            (1, "'sections' is required"),
        ],
    ),
    (
        "slug_does_not_match_file_name",
        HEADER.replace("slug: broken", "slug: broke")
        + SECTION
        + "      - {key: q, type: text, text: {nl: a, en: b}}\n",
        [(1, "slug 'broke' does not match the file name 'broken.yaml'")],
    ),
    (
        "slug_too_long",
        HEADER.replace("slug: broken", "slug: " + "a" * 81)
        + SECTION
        + "      - {key: q, type: text, text: {nl: a, en: b}}\n",
        [
            (1, "'slug' must be at most 80 characters long"),
            (1, f"slug '{'a' * 81}' does not match the file name 'broken.yaml'"),
        ],
    ),
    (
        "top_level_typo_and_bad_enum",
        HEADER.replace("phase: interview", "phase: interviewing").replace(
            "perspective: client", "perspectiv: client"
        )
        + SECTION
        + "      - {key: q, type: text, text: {nl: a, en: b}}\n",
        [
            (1, "'perspective' is required"),
            (3, "'phase' must be one of 'prepare', 'interview', 'analyse' or 'act', not 'interviewing'"),
            (5, "unknown field 'perspectiv' (did you mean 'perspective'?)"),
        ],
    ),
    (
        "duplicate_section_key_and_section_show_if",
        HEADER
        + SECTION
        + "      - {key: q1, type: text, text: {nl: a, en: b}}\n"
        + "  - key: s1\n"
        + "    title: {nl: Twee, en: Two}\n"
        + "    show_if: q2 answered\n"
        + "    questions:\n"
        + "      - {key: q2, type: text, text: {nl: a, en: b}}\n",
        [
            (14, "duplicate section key 's1' (first on line 10)"),
            (16, "section 's1': show_if names 'q2', which is not in an earlier section"),
        ],
    ),
    (
        "section_without_questions",
        HEADER + "  - key: s1\n    title: {nl: Een, en: One}\n    questions: []\n",
        [(12, "section 's1': 'questions' needs at least 1 entry")],
    ),
    (
        "placeholder_in_intro_and_section_title",
        HEADER.replace("intro: {nl: Hallo, en: Hello}", "intro: {nl: 'Hallo {name}', en: Hello}")
        + SECTION.replace("title: {nl: Een, en: One}", "title: {nl: Een, en: 'One {x'}")
        + "      - {key: q, type: text, text: {nl: a, en: b}}\n",
        [
            (6, "'intro.nl' uses unknown placeholder '{name}' (allowed: {account}, {supplier})"),
            (11, "section 's1': 'title.en' has a '{' without a closing '}' (write '{{' for a literal brace)"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), FILE_CASES, ids=[case[0] for case in FILE_CASES])
def test_load_questionnaire_broken_file_reports_exact_message_and_line(
    tmp_path: Path, scoring: ScoringModel, name: str, text: str, expected: list[tuple[int, str]]
) -> None:
    # Arrange
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert caught.value.messages == [f"{path}:{line}: {message}" for line, message in expected]


def test_load_questionnaire_many_errors_are_all_reported_in_line_order(
    tmp_path: Path, scoring: ScoringModel
) -> None:
    # Arrange
    path = tmp_path / "broken.yaml"
    path.write_text(
        questions_file(
            f"""
            - key: q1
              type: scale
              text: {{nl: Een, en: One}}
              dimension: scop
              {SCALE}
            - key: q2
              type: text
              text: {{nl: Twee}}
            - key: q3
              type: single
              text: {{nl: Drie, en: Three}}
              reverse: true
              show_if: q9 answered
              options:
                - {{key: a, label: {{nl: A, en: A}}}}
                - {{key: b, label: {{nl: B, en: B}}}}
            - key: q1
              type: text
              text: {{nl: Vier, en: Four}}
            """
        ),
        encoding="utf-8",
    )

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert caught.value.messages == [
        f"{path}:16: question 'q1': unknown dimension 'scop'",
        f"{path}:20: question 'q2': 'text.en' is required",
        f"{path}:24: question 'q3': 'reverse' is not allowed on single questions (give the options reversed "
        "scores instead)",
        f"{path}:25: question 'q3': show_if names unknown question 'q9'",
        f"{path}:29: duplicate question key 'q1' (first on line 13)",
    ]


def test_load_questionnaire_not_utf8_reports_the_line(tmp_path: Path, scoring: ScoringModel) -> None:
    # Arrange
    path = tmp_path / "broken.yaml"
    path.write_bytes(b"slug: broken\ntitle: {nl: Caf\xe9, en: Cafe}\n")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert caught.value.messages == [f"{path}:2: the file is not valid UTF-8"]


def test_load_questionnaire_error_message_joins_all_messages(
    write: Callable[[str, str], Path], scoring: ScoringModel
) -> None:
    # Arrange
    path = write("broken.yaml", "slug: broken\n")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert str(caught.value) == "\n".join(caught.value.messages)
    assert len(caught.value.messages) == 8


# --- rule 20: the staff's continue / realign / exit question (tag `advice`) ------------------------------------


def advice_question(key: str, kind: str = "single") -> str:
    """A question tagged `advice` with the options continue, realign, exit and unsure (nine lines)."""
    return (
        f"- key: {key}\n"
        f"  type: {kind}\n"
        "  text: {nl: Advies, en: Advice}\n"
        "  tags: [advice]\n"
        "  options:\n"
        "    - {key: continue, label: {nl: Doorgaan, en: Continue}}\n"
        "    - {key: realign, label: {nl: Andere afspraken, en: Realign}}\n"
        "    - {key: exit, label: {nl: Afscheid, en: Exit}}\n"
        "    - {key: unsure, label: {nl: Weet ik niet, en: Not sure}}\n"
    )


def test_load_questionnaire_advice_question_with_an_unsure_option_loads(
    tmp_path: Path, scoring: ScoringModel
) -> None:
    # Arrange: continue, realign and exit, and one more option ("not sure"), which is counted too
    path = tmp_path / "broken.yaml"
    path.write_text(questions_file(advice_question("a1")), encoding="utf-8")

    # Act
    questionnaire = load_questionnaire(path, scoring)

    # Assert
    assert questionnaire.advice_question is not None
    assert questionnaire.advice_question.key == "a1"
    assert [option.key for option in questionnaire.advice_question.options] == [
        "continue",
        "realign",
        "exit",
        "unsure",
    ]


def test_load_questionnaire_without_advice_tag_has_no_advice_question(
    tmp_path: Path, scoring: ScoringModel
) -> None:
    # Arrange: the same question without the tag
    path = tmp_path / "broken.yaml"
    path.write_text(questions_file(advice_question("a1").replace("  tags: [advice]\n", "")), encoding="utf-8")

    # Act
    questionnaire = load_questionnaire(path, scoring)

    # Assert
    assert questionnaire.advice_question is None


@pytest.mark.parametrize("kind", ["multi", "text"])
def test_load_questionnaire_advice_tag_on_a_non_single_question_is_refused(
    tmp_path: Path, scoring: ScoringModel, kind: str
) -> None:
    # Arrange
    question = advice_question("a1", kind)
    if kind == "text":
        question = question[: question.index("  options:")]
    path = tmp_path / "broken.yaml"
    path.write_text(questions_file(question), encoding="utf-8")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert: reported at the tags (line 16)
    assert caught.value.messages == [
        f"{path}:16: question 'a1': the 'advice' tag belongs to a single-choice question (continue / realign "
        "/ exit)"
    ]


def test_load_questionnaire_advice_tag_on_a_scale_is_refused(tmp_path: Path, scoring: ScoringModel) -> None:
    # Arrange
    path = tmp_path / "broken.yaml"
    path.write_text(
        questions_file(
            f"""
            - key: a1
              type: scale
              text: {{nl: Advies, en: Advice}}
              tags: [advice]
              {SCALE}
            """
        ),
        encoding="utf-8",
    )

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert caught.value.messages == [
        f"{path}:16: question 'a1': the 'advice' tag belongs to a single-choice question (continue / realign "
        "/ exit)"
    ]


def test_load_questionnaire_advice_question_without_realign_and_exit_is_refused(
    tmp_path: Path, scoring: ScoringModel
) -> None:
    # Arrange: continue and "not sure" only
    path = tmp_path / "broken.yaml"
    path.write_text(
        questions_file(
            """
            - key: a1
              type: single
              text: {nl: Advies, en: Advice}
              tags: [advice]
              options:
                - {key: continue, label: {nl: Doorgaan, en: Continue}}
                - {key: unsure, label: {nl: Weet ik niet, en: Not sure}}
            """
        ),
        encoding="utf-8",
    )

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert: reported at the options (line 17)
    assert caught.value.messages == [
        f"{path}:17: question 'a1': the 'advice' question needs the options continue, realign, exit; missing: "
        "realign, exit"
    ]


def test_load_questionnaire_second_advice_question_is_refused(tmp_path: Path, scoring: ScoringModel) -> None:
    # Arrange: a1 on lines 13-21 (tags on 16), a2 from line 22 (tags on 25)
    path = tmp_path / "broken.yaml"
    path.write_text(questions_file(advice_question("a1") + advice_question("a2")), encoding="utf-8")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(path, scoring)

    # Assert
    assert caught.value.messages == [
        f"{path}:25: question 'a2': a second question tagged 'advice' (the first is 'a1' on line 16); a "
        "questionnaire has at most one"
    ]
