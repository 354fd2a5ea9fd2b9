"""An optional-section provider for tests, named in REPORT_SECTION_PROVIDERS as
"tests.reporting.providers:sections" (the way a later capability plugs its data into reports)."""

from __future__ import annotations

from typing import Any


def sections(
    *, session: Any, study: Any, language: str, document: Any = None
) -> dict[str | None, dict[str, Any]]:
    greeting = "Goedemiddag" if language == "nl" else "Good afternoon"
    return {
        "Noordzee Havenbedrijf": {
            "quotes": [
                {"text": f"{greeting} from {study.slug}", "attribution": None, "perspective": "client"}
            ],
        },
        None: {"themes": [{"name": "Scope creep", "mentions": 3}]},
    }
