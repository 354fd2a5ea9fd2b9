"""show_if: parsing valid expressions into the AST, the keys they name, and evaluation truth tables."""

from __future__ import annotations

import pytest

from surveyapp.questionnaires.show_if import (
    And,
    Answered,
    Comparison,
    Membership,
    Not,
    Or,
    Value,
    parse,
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("q3 >= 4", Comparison("q3", ">=", Value("4", "number"))),
        ("role == buyer", Comparison("role", "==", Value("buyer", "word"))),
        ("role != 'buyer'", Comparison("role", "!=", Value("buyer", "string"))),
        ('when < "2025-01-31"', Comparison("when", "<", Value("2025-01-31", "string"))),
        ("hours > -2.5", Comparison("hours", ">", Value("-2.5", "number"))),
        ("m.clear <= 2", Comparison("m.clear", "<=", Value("2", "number"))),
        ("size == 10_plus", Comparison("size", "==", Value("10_plus", "word"))),
        ("role in [buyer, user]", Membership("role", (Value("buyer", "word"), Value("user", "word")))),
        ("role in [ 'a b' ]", Membership("role", (Value("a b", "string"),))),
        ("q answered", Answered("q")),
        ("not q answered", Not(Answered("q"))),
        ("not not q answered", Not(Not(Answered("q")))),
        ("a answered and b answered", And((Answered("a"), Answered("b")))),
        ("a answered or b answered or c answered", Or((Answered("a"), Answered("b"), Answered("c")))),
        (
            "a answered or b answered and c answered",
            Or((Answered("a"), And((Answered("b"), Answered("c"))))),
        ),
        (
            "(a answered or b answered) and c answered",
            And((Or((Answered("a"), Answered("b"))), Answered("c"))),
        ),
        ("((((q answered))))", Answered("q")),
        ("\tq  ==\n1 ", Comparison("q", "==", Value("1", "number"))),
    ],
)
def test_parse_valid_expression_gives_the_ast(expression: str, expected: object) -> None:
    # Act
    condition = parse(expression)

    # Assert
    assert condition == expected


def test_parse_keys_lists_every_name_used() -> None:
    # Arrange
    condition = parse("a == 1 and (b.row in [x, y] or not c answered) and a != 2")

    # Act
    keys = condition.keys

    # Assert
    assert keys == frozenset({"a", "b.row", "c"})


def test_parse_str_rewrites_the_condition_canonically() -> None:
    # Act
    text = str(parse("not(a==1 or b  in[x,'y z']) and c answered"))

    # Assert
    assert text == 'not (a == 1 or b in [x, "y z"]) and c answered'


def test_parse_str_round_trips_to_an_equal_condition() -> None:
    # Arrange
    condition = parse('(a >= 1.5 or not b answered) and c in ["it\'s", x]')

    # Act
    again = parse(str(condition))

    # Assert
    assert again == condition


def test_value_number_is_exact_decimal() -> None:
    # Act
    number = Value("12.50", "number").number

    # Assert
    assert str(number) == "12.50"


@pytest.mark.parametrize(
    ("expression", "answers", "expected"),
    [
        # scale values compare as numbers
        ("q >= 4", {"q": "4"}, True),
        ("q >= 4", {"q": "3"}, False),
        ("q > 4", {"q": "5"}, True),
        ("q > 4", {"q": "4"}, False),
        ("q < 4", {"q": "10"}, False),
        ("q <= 4", {"q": "4"}, True),
        ("q == 4", {"q": "4.0"}, True),
        ("q != 4", {"q": "5"}, True),
        ("q != 4", {"q": "4"}, False),
        ("hours > 10.5", {"hours": "10.51"}, True),
        ("hours > -1", {"hours": "-0.5"}, True),
        # unanswered, not applicable and empty: every comparison is false, so `not` of it is true
        ("q >= 1", {}, False),
        ("q >= 1", {"q": None}, False),
        ("q >= 1", {"q": ""}, False),
        ("q >= 1", {"q": "NA"}, False),
        ("q != 1", {}, False),
        ("q != 1", {"q": "NA"}, False),
        ("not q >= 1", {}, True),
        ("not q == 1", {"q": "NA"}, True),
        # answered: a real answer only
        ("q answered", {"q": "1"}, True),
        ("q answered", {"q": "NA"}, False),
        ("q answered", {"q": ""}, False),
        ("q answered", {}, False),
        ("not q answered", {}, True),
        # single choice and text
        ("role == buyer", {"role": "buyer"}, True),
        ("role == buyer", {"role": "user"}, False),
        ("role == 'buyer'", {"role": "buyer"}, True),
        ("role in [buyer, user]", {"role": "user"}, True),
        ("role in [buyer, user]", {"role": "other"}, False),
        ('name == "Ann"', {"name": "Ann"}, True),
        ('name != "Ann"', {"name": "Bob"}, True),
        # multi choice: true when any chosen option matches
        ("ch == phone", {"ch": "mail|phone"}, True),
        ("ch == post", {"ch": "mail|phone"}, False),
        ("ch in [post, mail]", {"ch": "mail|phone"}, True),
        ("ch != phone", {"ch": "mail|phone"}, False),
        ("ch != post", {"ch": "mail|phone"}, True),
        # a numeric option key
        ("size == 1", {"size": "1|2"}, True),
        # a number compared with a non-numeric answer: never true for ordering
        ("q > 1", {"q": "buyer"}, False),
        # dates compare as text, which orders ISO dates correctly
        ('d >= "2020-01-01"', {"d": "2020-01-01"}, True),
        ('d < "2020-01-01"', {"d": "2019-12-31"}, True),
        ('d > "2020-01-01"', {"d": "2019-12-31"}, False),
        # matrix rows by item key
        ("m.late >= 3", {"m.late": "3"}, True),
        ("m.late >= 3", {"m": "3"}, False),
    ],
)
def test_evaluate_comparison_truth_table(
    expression: str, answers: dict[str, str | None], expected: bool
) -> None:
    # Act
    result = parse(expression).evaluate(answers)

    # Assert
    assert result is expected


@pytest.mark.parametrize(
    ("a", "b", "and_", "or_", "not_a"),
    [
        (False, False, False, False, True),
        (False, True, False, True, True),
        (True, False, False, True, False),
        (True, True, True, True, False),
    ],
)
def test_evaluate_logic_truth_table(a: bool, b: bool, and_: bool, or_: bool, not_a: bool) -> None:
    # Arrange
    answers = {"a": "1" if a else None, "b": "1" if b else None}

    # Act
    results = (
        parse("a answered and b answered").evaluate(answers),
        parse("a answered or b answered").evaluate(answers),
        parse("not a answered").evaluate(answers),
    )

    # Assert
    assert results == (and_, or_, not_a)


def test_evaluate_precedence_and_binds_tighter_than_or() -> None:
    # Arrange
    answers = {"a": "1"}

    # Act
    without = parse("a answered or b answered and c answered").evaluate(answers)
    grouped = parse("(a answered or b answered) and c answered").evaluate(answers)

    # Assert
    assert (without, grouped) == (True, False)


def test_parse_same_expression_twice_returns_the_cached_condition() -> None:
    # Act
    first = parse("cache_me answered")
    second = parse("cache_me answered")

    # Assert
    assert first is second
