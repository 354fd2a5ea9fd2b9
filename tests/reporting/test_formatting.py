"""Numbers and dates in a report's language: exactly the JSON's numbers, with the locale's notation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from surveyapp.reporting.formatting import Formatter


@pytest.mark.parametrize(
    ("language", "method", "value", "expected"),
    [
        ("en", "score", 66.7, "66.7"),
        ("nl", "score", 66.7, "66,7"),
        ("nl", "score", 2750.0, "2.750,0"),
        ("en", "score", 2750.0, "2,750.0"),
        ("en", "score", None, "—"),
        ("en", "gap", 24.2, "+24.2"),
        ("nl", "gap", -15.0, "-15,0"),
        ("en", "gap", 0.0, "0.0"),
        ("en", "statistic", 0.037, "0.037"),
        ("nl", "statistic", 0.871, "0,871"),
        ("nl", "count", 1234, "1.234"),
        ("en", "threshold", 60.0, "60"),
        ("nl", "threshold", 62.5, "62,5"),
        ("en", "threshold", 3, "3"),
        ("en", "money", 185329, "€185,329"),
        ("nl", "money", 185329, "€ 185.329"),
        ("en", "money", None, "—"),
        ("en", "percent", 12.5, "13%"),  # half-up (rule 14), not Babel's half-even 12%
        ("nl", "percent", 66.7, "67%"),
        ("en", "share", 0.052, "5.2%"),
        ("nl", "share", 0.0125, "1,3%"),  # below 10%: one decimal, half-up
        ("en", "share", 0.125, "13%"),
        ("en", "share", 0.0, "0%"),
    ],
)
def test_formatter_prints_the_json_numbers_in_the_locale(language, method, value, expected):
    assert getattr(Formatter(language), method)(value) == expected


def test_formatter_dates_in_words_and_timestamps_in_the_study_time_zone():
    english, dutch = Formatter("en", "Europe/Amsterdam"), Formatter("nl", "Europe/Amsterdam")

    assert english.date(date(2026, 11, 27)) == "November 27, 2026"
    assert dutch.date(date(2026, 11, 27)) == "27 november 2026"
    # 23:30 UTC on the 27th is already the 28th in Amsterdam
    assert dutch.date(datetime(2026, 11, 27, 23, 30, tzinfo=UTC)) == "28 november 2026"
