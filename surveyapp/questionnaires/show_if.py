"""show_if: the small, safe condition language of questionnaires.

Grammar (docs/questionnaires.md)::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | atom
    atom    := "(" expr ")" | KEY OP VALUE | KEY "in" "[" VALUE ("," VALUE)* "]" | KEY "answered"
    OP      := == | != | < | <= | > | >=
    VALUE   := number | option key (bare word) | "quoted string" | 'quoted string'

A hand-written tokenizer and recursive-descent parser; nothing is ever evaluated as Python. The length limit
is checked before anything else and the nesting limit bounds the recursion, so no input can hang the parser
or exhaust the stack. Every failure is a ShowIfError naming the (1-based) position.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Literal

from surveyapp.questionnaires.show_if_tokens import (
    COMPARISON_OPERATORS,
    KEY_PATTERN,
    KEYWORDS,
    MAX_DEPTH,
    MAX_DIGITS,
    MAX_LENGTH,
    ORDERING_OPERATORS,
    ShowIfError,
    Token,
    show_text,
    tokenize,
)

NOT_APPLICABLE = "NA"
# Answers are compared as numbers only when they look like the numbers the engine stores.
_STORED_NUMBER = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,30})?")

RawAnswers = Mapping[str, str | None]

__all__ = [
    "COMPARISON_OPERATORS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "NOT_APPLICABLE",
    "ORDERING_OPERATORS",
    "And",
    "Answered",
    "Comparison",
    "Condition",
    "Membership",
    "Not",
    "Or",
    "ShowIfError",
    "Value",
    "parse",
    "tokenize",
]


@dataclass(frozen=True, slots=True)
class Value:
    """A value in a condition, as written (quotes removed)."""

    text: str
    kind: Literal["number", "word", "string"]

    @property
    def number(self) -> Decimal | None:
        """The value as a number, for number values."""
        return Decimal(self.text) if self.kind == "number" else None

    def __str__(self) -> str:
        if self.kind != "string":
            return self.text
        return f"'{self.text}'" if '"' in self.text else f'"{self.text}"'


def _answer(answers: RawAnswers, key: str) -> str | None:
    """A real answer, or None for unanswered and not applicable."""
    raw = answers.get(key)
    if raw is None or raw == "" or raw == NOT_APPLICABLE:
        return None
    return raw


def _as_number(raw: str) -> Decimal | None:
    return Decimal(raw) if _STORED_NUMBER.fullmatch(raw) else None


def _matches(raw: str, value: Value) -> bool:
    """Equality as the format defines it: numeric for numbers, else by text; any chosen option of a multi."""
    if value.kind == "number":
        number = _as_number(raw)
        if number is not None:
            return number == value.number
    if raw == value.text:
        return True
    # A multi choice is stored as option keys joined by "|": it matches when any chosen option does.
    return "|" in raw and value.text in raw.split("|")


class Condition(ABC):
    """A parsed show_if expression."""

    @property
    @abstractmethod
    def keys(self) -> frozenset[str]:
        """The item keys the condition names."""

    @abstractmethod
    def evaluate(self, answers: RawAnswers) -> bool:
        """True when the condition holds for these raw answers (answers of hidden items must be left out)."""

    @abstractmethod
    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        """The comparisons in the condition, left to right."""


@dataclass(frozen=True)
class Comparison(Condition):
    key: str
    operator: str
    value: Value

    @property
    def keys(self) -> frozenset[str]:
        return frozenset({self.key})

    def evaluate(self, answers: RawAnswers) -> bool:
        raw = _answer(answers, self.key)
        if raw is None:
            return False
        if self.operator == "==":
            return _matches(raw, self.value)
        if self.operator == "!=":
            return not _matches(raw, self.value)
        left: Decimal | str | None
        right: Decimal | str | None
        if self.value.kind == "number":
            left, right = _as_number(raw), self.value.number
            if left is None:
                return False
        else:
            # Quoted values compare as text: ISO dates order correctly that way.
            left, right = raw, self.value.text
        assert right is not None
        if self.operator == "<":
            return left < right  # type: ignore[operator]
        if self.operator == "<=":
            return left <= right  # type: ignore[operator]
        if self.operator == ">":
            return left > right  # type: ignore[operator]
        return left >= right  # type: ignore[operator]

    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        yield self

    def __str__(self) -> str:
        return f"{self.key} {self.operator} {self.value}"


@dataclass(frozen=True)
class Membership(Condition):
    key: str
    values: tuple[Value, ...]

    @property
    def keys(self) -> frozenset[str]:
        return frozenset({self.key})

    def evaluate(self, answers: RawAnswers) -> bool:
        raw = _answer(answers, self.key)
        return raw is not None and any(_matches(raw, value) for value in self.values)

    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        yield self

    def __str__(self) -> str:
        return f"{self.key} in [{', '.join(str(value) for value in self.values)}]"


@dataclass(frozen=True)
class Answered(Condition):
    key: str

    @property
    def keys(self) -> frozenset[str]:
        return frozenset({self.key})

    def evaluate(self, answers: RawAnswers) -> bool:
        return _answer(answers, self.key) is not None

    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        yield self

    def __str__(self) -> str:
        return f"{self.key} answered"


@dataclass(frozen=True)
class Not(Condition):
    operand: Condition

    @property
    def keys(self) -> frozenset[str]:
        return self.operand.keys

    def evaluate(self, answers: RawAnswers) -> bool:
        return not self.operand.evaluate(answers)

    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        yield from self.operand.atoms()

    def __str__(self) -> str:
        return f"not {_grouped(self.operand)}"


@dataclass(frozen=True)
class And(Condition):
    operands: tuple[Condition, ...]

    @cached_property
    def keys(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset().union(*(operand.keys for operand in self.operands))

    def evaluate(self, answers: RawAnswers) -> bool:
        return all(operand.evaluate(answers) for operand in self.operands)

    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        for operand in self.operands:
            yield from operand.atoms()

    def __str__(self) -> str:
        return " and ".join(_grouped(operand) for operand in self.operands)


@dataclass(frozen=True)
class Or(Condition):
    operands: tuple[Condition, ...]

    @cached_property
    def keys(self) -> frozenset[str]:  # type: ignore[override]
        return frozenset().union(*(operand.keys for operand in self.operands))

    def evaluate(self, answers: RawAnswers) -> bool:
        return any(operand.evaluate(answers) for operand in self.operands)

    def atoms(self) -> Iterator[Comparison | Membership | Answered]:
        for operand in self.operands:
            yield from operand.atoms()

    def __str__(self) -> str:
        return " or ".join(_grouped(operand) for operand in self.operands)


def _grouped(condition: Condition) -> str:
    return f"({condition})" if isinstance(condition, And | Or) else str(condition)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at_keyword(self, word: str) -> bool:
        return self.current.kind == "word" and self.current.text == word

    def describe(self, token: Token) -> str:
        return (
            "the end of the condition"
            if token.kind == "end"
            else f"{show_text(token.text)} at position {token.position}"
        )

    def parse(self) -> Condition:
        if self.current.kind == "end":
            raise ShowIfError("the condition is empty")
        condition = self.parse_or(0)
        if self.current.kind != "end":
            raise ShowIfError(f"unexpected {self.describe(self.current)}; expected 'and', 'or' or the end")
        return condition

    def parse_or(self, depth: int) -> Condition:
        operands = [self.parse_and(depth)]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.parse_and(depth))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self, depth: int) -> Condition:
        operands = [self.parse_not(depth)]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.parse_not(depth))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def enter(self, depth: int, token: Token) -> int:
        if depth + 1 > MAX_DEPTH:
            raise ShowIfError(
                f"the condition is nested more than {MAX_DEPTH} levels deep at position {token.position}"
            )
        return depth + 1

    def parse_not(self, depth: int) -> Condition:
        if self.at_keyword("not"):
            token = self.advance()
            return Not(self.parse_not(self.enter(depth, token)))
        return self.parse_atom(depth)

    def parse_atom(self, depth: int) -> Condition:
        token = self.current
        if token.kind == "(":
            self.advance()
            inner = self.parse_or(self.enter(depth, token))
            if self.current.kind != ")":
                raise ShowIfError(
                    f"expected ')' to close the '(' at position {token.position}, "
                    f"found {self.describe(self.current)}"
                )
            self.advance()
            return inner
        if token.kind != "word" or token.text in KEYWORDS:
            raise ShowIfError(f"expected a question key, 'not' or '(', found {self.describe(token)}")
        if not KEY_PATTERN.fullmatch(token.text):
            raise ShowIfError(f"{show_text(token.text)} at position {token.position} is not a question key")
        self.advance()
        return self.parse_test(token.text)

    def parse_test(self, key: str) -> Condition:
        token = self.current
        if token.kind == "op":
            self.advance()
            value = self.parse_value(f"after '{token.text}'")
            if token.text in ORDERING_OPERATORS and value.kind == "word":
                raise ShowIfError(
                    f"'{token.text}' at position {token.position} needs a number or a quoted date, "
                    f"not {show_text(value.text)}"
                )
            return Comparison(key, token.text, value)
        if self.at_keyword("answered"):
            self.advance()
            return Answered(key)
        if self.at_keyword("in"):
            self.advance()
            return Membership(key, self.parse_list())
        raise ShowIfError(
            f"expected an operator (==, !=, <, <=, >, >=, in, answered) after '{key}', "
            f"found {self.describe(token)}"
        )

    def parse_list(self) -> tuple[Value, ...]:
        if self.current.kind != "[":
            raise ShowIfError(f"expected '[' after 'in', found {self.describe(self.current)}")
        self.advance()
        values = [self.parse_value("in the list")]
        while self.current.kind == ",":
            self.advance()
            values.append(self.parse_value("after ','"))
        if self.current.kind != "]":
            raise ShowIfError(f"expected ',' or ']' in the list, found {self.describe(self.current)}")
        self.advance()
        return tuple(values)

    def parse_value(self, where: str) -> Value:
        token = self.current
        if token.kind in ("number", "string") or (token.kind == "word" and token.text not in KEYWORDS):
            self.advance()
            return Value(token.text, token.kind)  # type: ignore[arg-type]
        raise ShowIfError(f"expected a value {where}, found {self.describe(token)}")


@lru_cache(maxsize=2048)
def parse(expression: str) -> Condition:
    """Parse a show_if expression; raises ShowIfError with a message that names the position."""
    if not isinstance(expression, str):
        raise ShowIfError("a condition must be text")
    if len(expression) > MAX_LENGTH:
        raise ShowIfError(f"the condition is {len(expression)} characters long; at most {MAX_LENGTH}")
    return _Parser(tokenize(expression)).parse()
