"""show_if against hostile and broken input: always a ShowIfError with a clear message, never a crash or "
"hang."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveyapp.questionnaires.show_if import ShowIfError, parse


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "the condition is empty"),
        ("   ", "the condition is empty"),
        (
            "q",
            "expected an operator (==, !=, <, <=, >, >=, in, answered) after 'q', found the end of the "
            "condition",
        ),
        ("q = 1", "unknown operator '=' at position 3 (use ==, !=, <, <=, >, >=)"),
        ("q => 1", "unknown operator '=>' at position 3 (use ==, !=, <, <=, >, >=)"),
        ("q <> 1", "unknown operator '<>' at position 3 (use ==, !=, <, <=, >, >=)"),
        ("q === 1", "unknown operator '===' at position 3 (use ==, !=, <, <=, >, >=)"),
        ("q ! 1", "unknown operator '!' at position 3 (use ==, !=, <, <=, >, >=)"),
        ("q ~= 1", "unexpected character '~' at position 3"),
        ("q == ", "expected a value after '==', found the end of the condition"),
        ("q == and", "expected a value after '==', found 'and' at position 6"),
        ("q > abc", "'>' at position 3 needs a number or a quoted date, not 'abc'"),
        ("q in buyer", "expected '[' after 'in', found 'buyer' at position 6"),
        ("q in []", "expected a value in the list, found ']' at position 7"),
        ("q in [a b]", "expected ',' or ']' in the list, found 'b' at position 9"),
        ("q in [a,]", "expected a value after ',', found ']' at position 9"),
        ("(q answered", "expected ')' to close the '(' at position 1, found the end of the condition"),
        ("q answered)", "unexpected ')' at position 11; expected 'and', 'or' or the end"),
        ("q answered q answered", "unexpected 'q' at position 12; expected 'and', 'or' or the end"),
        ("q answered and", "expected a question key, 'not' or '(', found the end of the condition"),
        ("and q answered", "expected a question key, 'not' or '(', found 'and' at position 1"),
        ("not", "expected a question key, 'not' or '(', found the end of the condition"),
        ("1 == q", "expected a question key, 'not' or '(', found '1' at position 1"),
        ("10_plus answered", "'10_plus' at position 1 is not a question key"),
        ("__import__('os')", "'__import__' at position 1 is not a question key"),
        (
            "Q answered",
            "unexpected character 'Q' at position 1 (keys, option keys and operators are lowercase)",
        ),
        ("q AND r", "unexpected character 'A' at position 3 (keys, option keys and operators are lowercase)"),
        ("q == 'buyer", "the string starting at position 6 is not closed with '"),
        ('q == "buyer', 'the string starting at position 6 is not closed with "'),
        ("q == 'a\x00b'", "unexpected character U+0000 at position 8"),
        ("q\x00 answered", "unexpected character U+0000 at position 2"),
        ("q == café", "unexpected character 'é' at position 9"),
        ("rôle answered", "unexpected character 'ô' at position 2"),
        ("q == 😀", "unexpected character '😀' at position 6"),
        ("q\u200b answered", "unexpected character U+200B at position 2"),
        ("q == 1e999999", "the number '1e999999' at position 6 uses an exponent; write it out"),
        ("q == 1.5e3", "the number '1.5e3' at position 6 uses an exponent; write it out"),
        ("q == 1e", "the number '1e' at position 6 uses an exponent; write it out"),
        ("q == " + "9" * 16, "the number at position 6 has 16 digits; at most 15"),
        ("q == 1.2.3", "'1.2.3' at position 6 is not a key, option key or number"),
        ("q == -", "'-' at position 6 is not a key, option key or number"),
        ("a.b.c answered", "'a.b.c' at position 1 is not a key, option key or number"),
        ("q == $x", "unexpected character '$' at position 6"),
        ("q == {x}", "unexpected character '{' at position 6"),
    ],
)
def test_parse_invalid_expression_raises_a_clear_error(expression: str, message: str) -> None:
    # Act
    with pytest.raises(ShowIfError) as caught:
        parse(expression)

    # Assert
    assert str(caught.value) == message


def test_parse_fifteen_digit_number_is_accepted() -> None:
    # Act
    condition = parse("q == 123456789.012345")

    # Assert
    assert condition.keys == frozenset({"q"})


def test_parse_ten_levels_of_nesting_is_accepted() -> None:
    # Act
    condition = parse("(" * 10 + "q answered" + ")" * 10)

    # Assert
    assert condition.keys == frozenset({"q"})


def test_parse_eleven_levels_of_parentheses_is_refused() -> None:
    # Act
    with pytest.raises(ShowIfError) as caught:
        parse("(" * 11 + "q answered" + ")" * 11)

    # Assert
    assert str(caught.value) == "the condition is nested more than 10 levels deep at position 11"


def test_parse_eleven_nots_is_refused() -> None:
    # Act
    with pytest.raises(ShowIfError) as caught:
        parse("not " * 11 + "q answered")

    # Assert
    assert str(caught.value) == "the condition is nested more than 10 levels deep at position 41"


def test_parse_ten_thousand_parentheses_is_refused_by_length() -> None:
    # Act
    with pytest.raises(ShowIfError) as caught:
        parse("(" * 10_000 + "q answered" + ")" * 10_000)

    # Assert
    assert str(caught.value) == "the condition is 20010 characters long; at most 500"


def test_parse_deep_nesting_within_the_length_limit_is_refused_by_depth() -> None:
    # Arrange
    expression = "(" * 245 + "q answered" + ")" * 245

    # Act
    with pytest.raises(ShowIfError) as caught:
        parse(expression)

    # Assert
    assert str(caught.value) == "the condition is nested more than 10 levels deep at position 11"


def test_parse_ten_kilobyte_expression_is_refused_quickly() -> None:
    # Arrange
    expression = " or ".join(["q answered"] * 800)
    started = time.perf_counter()

    # Act
    with pytest.raises(ShowIfError) as caught:
        parse(expression)

    # Assert
    assert str(caught.value) == f"the condition is {len(expression)} characters long; at most 500"
    assert time.perf_counter() - started < 1.0


def test_parse_five_thousand_nines_is_refused_by_length() -> None:
    # Act
    with pytest.raises(ShowIfError) as caught:
        parse("q == " + "9" * 5000)

    # Assert
    assert str(caught.value) == "the condition is 5005 characters long; at most 500"


def test_parse_long_token_is_shortened_in_the_message() -> None:
    # Arrange
    expression = "q == " + "a." * 50

    # Act
    with pytest.raises(ShowIfError) as caught:
        parse(expression)

    # Assert
    assert str(caught.value) == "'a.a.a.a.a.a.a.a.a.a....' at position 6 is not a key, option key or number"


def test_parse_longest_flat_expression_within_the_limit_is_accepted() -> None:
    # Arrange
    expression = " or ".join(["q answered"] * 35)

    # Act
    condition = parse(expression)

    # Assert
    assert len(expression) <= 500
    assert condition.evaluate({"q": "1"}) is True


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_parse_any_text_parses_or_raises_show_if_error(expression: str) -> None:
    # Act
    try:
        condition = parse(expression)
    except ShowIfError as error:
        # Assert
        assert str(error)
    else:
        assert condition.evaluate({}) in (True, False)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="()[],!=<>'\" abnotrdqe0123456789.-_", max_size=500))
def test_parse_grammar_soup_parses_or_raises_show_if_error(expression: str) -> None:
    # Act
    try:
        condition = parse(expression)
    except ShowIfError as error:
        # Assert
        assert str(error)
    else:
        assert condition.evaluate({"q": "1", "a": "x|y"}) in (True, False)
