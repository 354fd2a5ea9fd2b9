"""Report fixtures: inputs for the in-process pipeline (synthetic analysis, the shipped texts) and a study in
the database with completed responses, for the renderer child, the pages and the CLI."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader

from surveyapp.questionnaires.runtime import catalogue
from surveyapp.reporting.context import DimensionText, Hours, QuestionnaireRef, ReportInputs, StudyFacts
from tests.mail.smtpserver import smtp_server  # noqa: F401
from tests.reporting.security import AUDIT, Audit, listening_socket
from tests.reporting.studies import SUPPLIER, answered_study  # noqa: F401
from tests.reporting.synthetic import synthetic_study
from tests.studies.conftest import make_study  # noqa: F401

GENERATED = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    """All text of a PDF, whitespace collapsed to single spaces (line and cell breaks are layout)."""
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def has_number(text: str, number: str) -> bool:
    """Whether `number` occurs as a whole token (not as part of a longer number)."""
    return re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", text) is not None


@pytest.fixture
def audit() -> Iterator[Audit]:
    """Every file opened and every network attempt while the test runs."""
    AUDIT.opened.clear()
    AUDIT.network.clear()
    AUDIT.recording = True
    yield AUDIT
    AUDIT.recording = False


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real socket listening on loopback: nothing may connect to it."""
    server = listening_socket()
    yield server
    server.close()


@pytest.fixture
def make_inputs(app: Any) -> Callable[..., ReportInputs]:
    """ReportInputs for the synthetic study in a language, with the shipped dimension names and item texts."""
    # The synthetic study (fit-2025) answered the 2025 items; read here, before a test starts watching files.
    shipped = catalogue().as_fielded("2025")

    def factory(
        language: str = "en", *, document: dict[str, Any] | None = None, **overrides: Any
    ) -> ReportInputs:
        synthetic = synthetic_study()
        texts = {}
        for perspective, slug in (("client", "fit-client"), ("supplier", "fit-supplier")):
            for item in shipped.get(slug).items:
                texts[(perspective, item.key)] = item.text.get(language)
        values: dict[str, Any] = {
            "document": document or synthetic.document,
            "language": language,
            "facts": StudyFacts(
                supplier=SUPPLIER,
                study_name="Client fit 2025",
                study_slug="fit-2025",
                generated_at=GENERATED,
                previous_study="Client fit 2024",
                questionnaires=(
                    QuestionnaireRef("fit-client", "fit-client", shipped.get("fit-client").version),
                ),
            ),
            "dimensions": {
                d.key: DimensionText(d.name.get(language), d.description.get(language))
                for d in shipped.scoring.dimensions
            },
            "item_texts": texts,
            "hours": {f.name: Hours(f.effort_hours, f.billable_hours) for f in synthetic.figures},
        }
        values.update(overrides)
        return ReportInputs(**values)

    return factory
