"""Security test fixtures: the respondent-survey study of tests/responses (an invitation per client, a browser
that answers it) and the study factories of tests/studies, reused rather than rebuilt."""

from __future__ import annotations

from tests.responses.conftest import make_invitation, respondent, survey_study  # noqa: F401
from tests.studies.conftest import make_study, ready_study  # noqa: F401
