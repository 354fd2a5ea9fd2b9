"""The tokenizer of show_if (grammar in show_if.py): characters to tokens; errors name the position."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MAX_LENGTH = 500
MAX_DEPTH = 10
MAX_DIGITS = 15

COMPARISON_OPERATORS = ("==", "!=", "<", "<=", ">", ">=")
ORDERING_OPERATORS = frozenset({"<", "<=", ">", ">="})
KEYWORDS = frozenset({"and", "or", "not", "in", "answered"})

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)?")
_WORD = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)?")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_EXPONENT = re.compile(r"-?[0-9]+(\.[0-9]+)?e[0-9]*")
_BARE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.")
_OPERATOR_CHARS = frozenset("=!<>")
_SPACES = frozenset(" \t\r\n")


class ShowIfError(ValueError):
    """An expression that is not a valid show_if condition."""


def show_text(text: str) -> str:
    """Quote a piece of input for a message, shortened so a 10 kB token does not flood the output."""
    return repr(text if len(text) <= 20 else text[:20] + "...")


def _describe_char(char: str) -> str:
    if char.isprintable():
        return repr(char)
    return f"U+{ord(char):04X}"


@dataclass(frozen=True, slots=True)
class Token:
    kind: Literal["(", ")", "[", "]", ",", "op", "word", "number", "string", "end"]
    text: str
    position: int


def tokenize(expression: str) -> list[Token]:
    """Split an expression into tokens; raises ShowIfError for characters the language does not have."""
    tokens: list[Token] = []
    index = 0
    length = len(expression)
    while index < length:
        char = expression[index]
        position = index + 1
        if char in _SPACES:
            index += 1
        elif char in "()[],":
            tokens.append(Token(char, char, position))  # type: ignore[arg-type]
            index += 1
        elif char in _OPERATOR_CHARS:
            end = index
            while end < length and expression[end] in _OPERATOR_CHARS:
                end += 1
            text = expression[index:end]
            if text not in COMPARISON_OPERATORS:
                raise ShowIfError(
                    f"unknown operator {show_text(text)} at position {position} (use ==, !=, <, <=, >, >=)"
                )
            tokens.append(Token("op", text, position))
            index = end
        elif char in "\"'":
            end = expression.find(char, index + 1)
            if end == -1:
                raise ShowIfError(f"the string starting at position {position} is not closed with {char}")
            text = expression[index + 1 : end]
            for offset, inner in enumerate(text):
                if not inner.isprintable():
                    raise ShowIfError(
                        f"unexpected character {_describe_char(inner)} at position {position + 1 + offset}"
                    )
            tokens.append(Token("string", text, position))
            index = end + 1
        elif char in _BARE_CHARS or char == "-":
            end = index + 1
            while end < length and expression[end] in _BARE_CHARS:
                end += 1
            tokens.append(_bare_token(expression[index:end], position))
            index = end
        else:
            hint = " (keys, option keys and operators are lowercase)" if char.isupper() else ""
            raise ShowIfError(f"unexpected character {_describe_char(char)} at position {position}{hint}")
    tokens.append(Token("end", "", length + 1))
    return tokens


def _bare_token(text: str, position: int) -> Token:
    if _NUMBER.fullmatch(text):
        digits = sum(char.isdigit() for char in text)
        if digits > MAX_DIGITS:
            raise ShowIfError(f"the number at position {position} has {digits} digits; at most {MAX_DIGITS}")
        return Token("number", text, position)
    if _EXPONENT.fullmatch(text):
        raise ShowIfError(
            f"the number {show_text(text)} at position {position} uses an exponent; write it out"
        )
    if _WORD.fullmatch(text):
        return Token("word", text, position)
    raise ShowIfError(f"{show_text(text)} at position {position} is not a key, option key or number")
