"""The calendar file: RFC 5545 text escaping, folding at 75 octets, UTC times, one VEVENT."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from surveyapp.interviews.ics import Event, calendar, escape_text, fold
from tests.interviews.icsparse import events, unfold

START = datetime(2030, 3, 31, 12, 30, tzinfo=timezone(timedelta(hours=2)))


def _event(**kwargs):
    values = {
        "uid": "interview-1@surveyapp",
        "sequence": 0,
        "start": START,
        "end": START + timedelta(minutes=45),
        "summary": "Interview",
        **kwargs,
    }
    return Event(**values)


def test_ics_escape_text_escapes_specials_and_line_breaks():
    assert escape_text("a\\b;c,d\r\ne\nf\tg\x07h") == "a\\\\b\\;c\\,d\\ne\\nf gh"


def test_ics_fold_keeps_lines_within_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "é" * 100

    folded = fold(line)

    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line


def test_ics_calendar_has_one_event_in_utc_with_escaped_text():
    event = _event(summary="Talk; with, Ann\\Bob", description="Line 1\nLine 2", location="Room 2, floor 3")

    data = calendar(event, stamp=datetime(2030, 3, 1, 9, 0, 5, tzinfo=UTC))

    properties, [vevent] = events(data)
    assert properties["VERSION"] == "2.0" and properties["METHOD"] == "PUBLISH"
    assert properties["PRODID"] == "-//surveyapp//interviews//EN"
    assert vevent == {
        "UID": "interview-1@surveyapp",
        "DTSTAMP": "20300301T090005Z",
        "DTSTART": "20300331T103000Z",
        "DTEND": "20300331T111500Z",
        "SEQUENCE": "0",
        "STATUS": "CONFIRMED",
        "SUMMARY": "Talk; with, Ann\\Bob",
        "DESCRIPTION": "Line 1\nLine 2",
        "LOCATION": "Room 2, floor 3",
        "TRANSP": "OPAQUE",
    }
    assert "SUMMARY:Talk\\; with\\, Ann\\\\Bob" in unfold(data)


def test_ics_cancelled_event_keeps_its_uid_with_a_higher_sequence():
    data = calendar(_event(sequence=1, cancelled=True), stamp=START)

    _properties, [vevent] = events(data)
    assert (vevent["UID"], vevent["SEQUENCE"], vevent["STATUS"]) == (
        "interview-1@surveyapp",
        "1",
        "CANCELLED",
    )


def test_ics_refuses_naive_times_and_an_end_before_the_start():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar(_event(start=datetime(2030, 1, 1, 12), end=datetime(2030, 1, 1, 13)), stamp=START)
    with pytest.raises(ValueError, match="ends after it starts"):
        calendar(_event(end=START), stamp=START)
