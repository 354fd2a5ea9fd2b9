"""Numbers and dates in a report's language (Babel, with the locale given explicitly).

The analysis JSON is already rounded (DESIGN rule 14): scores, gaps, sd, NPS and hours to one decimal; p,
alpha and r to three. These functions print exactly those numbers with that many decimals in the locale's
notation (66.7 / 66,7); quantizing an already-rounded value changes nothing, it only fixes the decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from surveyapp.analysis.rounding import readable_decimal

DASH = "—"


def _decimal(value: float | int | Decimal, digits: int) -> Decimal:
    return readable_decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


class Formatter:
    """Formats for one report language; every method prints None as a dash."""

    def __init__(self, language: str, time_zone: str = "Europe/Amsterdam") -> None:
        self.language = language
        self.time_zone = time_zone

    def _number(self, value: float | int | Decimal | None, digits: int, signed: bool = False) -> str:
        if value is None:
            return DASH
        number = _decimal(value, digits)
        decimals = "." + "0" * digits if digits else ""
        pattern = "#,##0" + decimals
        if signed and number != 0:
            pattern = f"+{pattern};-{pattern}"
        return format_decimal(number, pattern, locale=self.language)

    def score(self, value: float | None) -> str:
        """A score, sd, NPS or hour figure: one decimal (66.7)."""
        return self._number(value, 1)

    def gap(self, value: float | None) -> str:
        """A difference, with its sign (+24.2, -15.0; 0.0 without a sign)."""
        return self._number(value, 1, signed=True)

    def statistic(self, value: float | None) -> str:
        """A p-value, alpha or r: three decimals (0.037)."""
        return self._number(value, 3)

    def money(self, value: int | float | None, currency: str = "EUR") -> str:
        """An amount in whole units of the currency (€ 185.329 / €185,329); the JSON rounds it already."""
        if value is None:
            return DASH
        return format_currency(
            _decimal(value, 0),
            currency,
            format="¤ #,##0" if self.language == "nl" else "¤#,##0",
            locale=self.language,
            currency_digits=False,
        )

    def share(self, value: float | None) -> str:
        """A share of 0-1 as a whole percentage (3%), or with one decimal below 10% (2.9%); half-up (rule 14):
        the percentage is rounded here, so Babel's own (half-even) rounding has nothing left to do."""
        if value is None:
            return DASH
        digits = 1 if value != 0 and abs(value) < 0.1 else 0
        percent = _decimal(readable_decimal(value) * 100, digits)
        return format_percent(percent / 100, "#,##0.0%" if digits else "#,##0%", locale=self.language)

    def percent(self, value: float | None) -> str:
        """A percentage already on 0-100 (the JSON's `agreed`) as a whole percentage (67%), half-up (12.5 →
        13%)."""
        if value is None:
            return DASH
        return format_percent(_decimal(value, 0) / 100, "#,##0%", locale=self.language)

    def count(self, value: int | None) -> str:
        """A whole number with the locale's grouping (1,234 / 1.234)."""
        return self._number(value, 0)

    def threshold(self, value: float | int) -> str:
        """A threshold as configured: without decimals when it is whole (60), else as written (62.5)."""
        number = Decimal(repr(value) if isinstance(value, float) else str(value))
        if number == number.to_integral_value():
            return self._number(number, 0)
        return format_decimal(number, locale=self.language)

    def date(self, value: date | datetime | None) -> str:
        """A date in words (27 november 2026 / November 27, 2026); a timestamp in the study's time zone."""
        if value is None:
            return DASH
        if isinstance(value, datetime):
            value = value.astimezone(ZoneInfo(self.time_zone)).date()
        return format_date(value, "long", locale=self.language)
