"""What the interview services raise: each carries a message fit to show (lazy, translated when shown)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveyapp.i18n import _l


class InterviewError(Exception):
    """An interview action that cannot be carried out; nothing was written."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


class InvalidInput(InterviewError):
    """Values that cannot be stored; `problems` maps an item key (or `note:<question>`) to its message."""

    def __init__(self, problems: Mapping[str, Any]) -> None:
        super().__init__(_l("Some of what you entered cannot be stored."))
        self.problems = dict(problems)


class ReasonRequired(InterviewError):
    """A change to a completed interview without a reason."""

    def __init__(self) -> None:
        super().__init__(
            _l("This interview is completed: give a reason for the change (it is kept in the audit log).")
        )


class MissingRequired(InterviewError):
    """Completing with required questions unanswered; `missing` maps section keys to question keys."""

    def __init__(self, missing: Mapping[str, list[str]]) -> None:
        super().__init__(_l("Some required questions have no answer yet."))
        self.missing = {key: list(value) for key, value in missing.items()}
