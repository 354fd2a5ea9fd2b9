"""Both catalogues are complete: every string in the code and templates has a Dutch translation,
and the compiled catalogues match their sources."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "surveyapp" / "translations"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHOD_MAP = [
    ("surveyapp/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
    ("reports/**.html", "jinja2"),
]


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def test_dutch_catalogue_translates_every_string():
    catalog = _catalog("nl")

    missing = sorted(m for m in _source_messages() if not (catalog.get(m) and catalog.get(m).string))

    assert missing == []


def test_english_catalogue_lists_every_string():
    catalog = _catalog("en")

    missing = sorted(m for m in _source_messages() if catalog.get(m) is None)

    assert missing == []


def test_dutch_translations_keep_their_placeholders():
    catalog = _catalog("nl")
    placeholder = re.compile(r"%\((\w+)\)[sd]")
    wrong = [
        message.id
        for message in catalog
        if message.id
        and message.string
        and isinstance(message.id, str)
        and sorted(placeholder.findall(message.id)) != sorted(placeholder.findall(message.string))
    ]

    assert wrong == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_compiled_catalogue_matches_its_source(language):
    source = _catalog(language)
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as handle:
        compiled = read_mo(handle)
    buffer = BytesIO()
    write_mo(buffer, source)
    buffer.seek(0)
    expected = read_mo(buffer)

    assert _entries(compiled) == _entries(expected)


def _entries(catalog) -> dict:
    # Plural messages have a list of ids and strings; make them hashable to compare.
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}
