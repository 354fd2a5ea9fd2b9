"""The engine's own user-facing texts (questionnaire texts come from the files, in both languages).

Lazy, so they are translated in the language of the request that shows them; outside a request they are
English. Functions with arguments return lazy strings too.
"""

from __future__ import annotations

from flask_babel import LazyString

from surveyapp.i18n import lazy_gettext as _l

NOT_APPLICABLE_LABEL = _l("Not applicable")
REQUIRED_MARK = _l("required")
NPS_LOW = _l("Not at all likely")
NPS_HIGH = _l("Extremely likely")

REQUIRED = _l("Please answer this question.")
REQUIRED_ROW = _l("Please answer this statement.")
CHOOSE_SHOWN = _l("Choose one of the options shown.")
NA_WITH_ANSWER = _l("Give an answer or tick 'not applicable', not both.")
NA_COMBINED = _l("'Not applicable' cannot be combined with other options.")
ENTER_NUMBER = _l("Enter a number, such as 12 or 12.5.")
ENTER_DATE = _l("Enter a date as YYYY-MM-DD, such as 2025-03-31.")

EMPTY_VALUE = _l("an empty value is no answer; leave it out")
NA_NOT_OFFERED = _l("'NA' (not applicable) is not offered for this question")
HAS_NUL = _l("contains a NUL character")


def at_least(minimum: str) -> LazyString:
    """Form error: a number below the minimum."""
    return _l("Enter a number of at least %(minimum)s.", minimum=minimum)


def at_most(maximum: str) -> LazyString:
    """Form error: a number above the maximum."""
    return _l("Enter a number of at most %(maximum)s.", maximum=maximum)


def too_long(maximum: int, length: int) -> LazyString:
    """Form error: a text longer than allowed."""
    return _l("Use at most %(maximum)d characters (now %(length)d).", maximum=maximum, length=length)


def not_on_scale(raw: str, low: int, high: int) -> LazyString:
    """Import error: a value outside the scale."""
    return _l("'%(raw)s' is not a value from %(low)d to %(high)d", raw=raw, low=low, high=high)


def not_an_option(raw: str, options: str) -> LazyString:
    """Import error: an unknown option key."""
    return _l("'%(raw)s' is not an option of this question (options: %(options)s)", raw=raw, options=options)


def chosen_twice(key: str) -> LazyString:
    """Import error: the same option twice in a multi answer."""
    return _l("option '%(key)s' is chosen twice", key=key)


def not_combinable(key: str) -> LazyString:
    """Import error: a not-applicable option together with other options."""
    return _l("'%(key)s' (not applicable) cannot be combined with other options", key=key)


def not_a_number(raw: str) -> LazyString:
    """Import error: a value that is not a number."""
    return _l("'%(raw)s' is not a number (write it like 12 or 12.5)", raw=raw)


def not_a_date(raw: str) -> LazyString:
    """Import error: a value that is not a date."""
    return _l("'%(raw)s' is not a date (write it as YYYY-MM-DD)", raw=raw)


def below_minimum(raw: str, minimum: str) -> LazyString:
    """Import error: a number below the minimum."""
    return _l("%(raw)s is below the minimum %(minimum)s", raw=raw, minimum=minimum)


def above_maximum(raw: str, maximum: str) -> LazyString:
    """Import error: a number above the maximum."""
    return _l("%(raw)s is above the maximum %(maximum)s", raw=raw, maximum=maximum)


def longer_than(maximum: int) -> LazyString:
    """Import error: a text longer than allowed."""
    return _l("the text is longer than %(maximum)d characters", maximum=maximum)
