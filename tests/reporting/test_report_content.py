"""What a report says: the account, every dimension, the exact numbers of the analysis JSON in the report's
language, the sections that have data and none that do not (real WeasyPrint, real PDF parsing)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from surveyapp.reporting.formatting import Formatter
from surveyapp.reporting.models import ReportKind
from surveyapp.reporting.rendering import report_html, report_pdf
from tests.reporting.conftest import has_number, pdf_text

ACCOUNT = "Noordzee Havenbedrijf"


def _cell_numbers(fmt: Formatter, cell: dict | None) -> list[str]:
    if cell is None:
        return []
    numbers = [fmt.score(cell["mean"]), fmt.count(cell["n"])]
    if "sd" in cell and cell["sd"] is not None:
        numbers.append(fmt.score(cell["sd"]))
    return numbers


def account_numbers(fmt: Formatter, account: dict, *, details: bool = True) -> list[str]:
    """Every number of one account in the analysis JSON, formatted as the report prints it; without `details`,
    those of the portfolio report's one-page summary (no understanding gap, no response counts)."""
    numbers = [fmt.score(account["overall"]["client"]), fmt.score(account["overall"]["supplier"])]
    numbers.append(fmt.gap(account["overall"]["gap"]))
    for row in account["dimensions"] + ((account["understanding"] or []) if details else []):
        numbers += _cell_numbers(fmt, row["client"]) + _cell_numbers(
            fmt, row.get("supplier") or row.get("predicted")
        )
        if row["gap"] is not None:
            numbers.append(fmt.gap(row["gap"]))
    numbers += [fmt.score(account["nps"]["score"]), fmt.count(account["nps"]["n"])]
    for signal in account["signals"]:
        numbers += [fmt.score(signal["score"]), fmt.count(signal["n"])]
    if account["drift"]:
        numbers += [fmt.gap(account["drift"][key]) for key in ("client", "supplier", "gap")]
    if not details:
        return numbers
    responses = account["responses"]
    numbers += [
        fmt.count(responses[side][key]) for side in ("client", "supplier") for key in ("invited", "completed")
    ]
    return numbers


@pytest.mark.parametrize(("language", "decimal_example"), [("nl", "73,4"), ("en", "73.4")])
def test_account_report_contains_account_dimensions_and_exact_numbers(make_inputs, language, decimal_example):
    # Arrange
    inputs = make_inputs(language)
    account = inputs.account(ACCOUNT)
    fmt = Formatter(language)

    # Act
    text = pdf_text(report_pdf(inputs, ReportKind.ACCOUNT, ACCOUNT).data)

    # Assert
    assert ACCOUNT in text
    assert all(dimension.name in text for dimension in inputs.dimensions.values())
    missing = [number for number in account_numbers(fmt, account) if not has_number(text, number)]
    assert missing == []
    assert has_number(text, decimal_example)  # the client's overall fit, in the language's notation


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "en",
            [
                "Executive summary",
                "Largest gaps",
                "Warning signals",
                "Net Promoter Score",
                "Appendix: method",
                "Customer swayed",
                "Drift since the previous wave",
                "Understanding gap",
                "Confidential",
            ],
        ),
        (
            "nl",
            [
                "Managementsamenvatting",
                "Grootste verschillen",
                "Waarschuwingssignalen",
                "Net Promoter Score",
                "Bijlage: methode",
                "Gezwicht voor de klant",
                "Drift sinds de vorige meting",
                "Begripskloof",
                "Vertrouwelijk",
            ],
        ),
    ],
)
def test_account_report_labels_are_in_the_report_language(make_inputs, language, labels):
    text = pdf_text(report_pdf(make_inputs(language), ReportKind.ACCOUNT, ACCOUNT).data)

    assert [label for label in labels if label not in text] == []


def test_account_report_dates_are_formatted_for_the_language(make_inputs):
    english = pdf_text(report_pdf(make_inputs("en"), ReportKind.ACCOUNT, ACCOUNT).data)
    dutch = pdf_text(report_pdf(make_inputs("nl"), ReportKind.ACCOUNT, ACCOUNT).data)

    assert "November 27, 2026" in english
    assert "27 november 2026" in dutch


@pytest.mark.parametrize("language", ["nl", "en"])
def test_portfolio_report_has_toc_every_account_and_exact_numbers(make_inputs, language):
    # Arrange
    inputs = make_inputs(language)
    fmt = Formatter(language)
    portfolio = inputs.document["portfolio"]

    # Act
    rendered = report_pdf(inputs, ReportKind.PORTFOLIO)
    text = pdf_text(rendered.data)

    # Assert: every account and its numbers, the portfolio block's numbers, the table of contents
    for account in inputs.document["accounts"]:
        assert account["account"] in text
        assert [n for n in account_numbers(fmt, account, details=False) if not has_number(text, n)] == []
    cost = portfolio["cost_of_mismatch"]
    expected = [
        fmt.score(cost[key])
        for key in ("nonbillable_hours", "median_match_hours", "equivalent_matching_clients")
    ]
    expected += [fmt.score(portfolio["nps"]["score"]), fmt.count(portfolio["nps"]["n"])]
    expected += [fmt.count(count) for count in portfolio["quadrants"].values()]
    for row in portfolio["dimensions"]:
        expected += [fmt.score(row[side]["mean"]) for side in ("client", "supplier") if row[side]]
        expected += [fmt.gap(row["gap"])] if row["gap"] is not None else []
    assert [n for n in expected if not has_number(text, n)] == []
    toc = {
        "en": ["Contents", "The portfolio at a glance", "The cost of mismatch", "Accounts ranked by risk"],
        "nl": [
            "Inhoud",
            "Het portfolio in één oogopslag",
            "De kosten van een mismatch",
            "Klanten gerangschikt op risico",
        ],
    }[language]
    assert [entry for entry in toc if entry not in text] == []
    assert rendered.pages == len(PdfReader(BytesIO(rendered.data)).pages)


def test_portfolio_table_of_contents_points_to_the_right_pages(make_inputs):
    # Arrange
    rendered = report_pdf(make_inputs("en"), ReportKind.PORTFOLIO)
    reader = PdfReader(BytesIO(rendered.data))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]

    # Act: the page number the contents give for the cost of mismatch, and where that chapter really starts
    listed = int(pages[1].split("The cost of mismatch")[1].strip(". ").split()[0])
    actual = next(
        index for index, text in enumerate(pages, start=1) if text.startswith("The cost of mismatch Hours")
    )

    # Assert
    assert listed == actual


def test_report_pages_carry_running_header_and_page_numbers(make_inputs):
    rendered = report_pdf(make_inputs("en"), ReportKind.ACCOUNT, ACCOUNT)
    reader = PdfReader(BytesIO(rendered.data))
    last = " ".join((reader.pages[-1].extract_text() or "").split())
    second = " ".join((reader.pages[1].extract_text() or "").split())

    assert f"Page {rendered.pages} of {rendered.pages}" in last
    assert f"Page 2 of {rendered.pages}" in second
    assert (
        f"Brightline Facility Services · Account report · {ACCOUNT} Executive summary Confidential" in second
    )


def test_sections_without_data_are_left_out(make_inputs):
    # Arrange: Van Dijk has no prediction, no signals; no decision, themes or actions anywhere
    html = report_html(make_inputs("en"), ReportKind.ACCOUNT, "Van Dijk Logistiek")

    # Assert
    assert 'id="understanding"' not in html
    assert 'id="themes"' not in html
    assert 'id="actions"' not in html
    assert 'id="commentary"' not in html
    assert "What to do" in html
    assert "No statement scores at or below the warning threshold of 40." in html


def test_optional_sections_are_rendered_when_their_data_exists(make_inputs):
    # Arrange
    sections = {
        ACCOUNT: {
            "themes": [{"name": "Scope creep", "mentions": 4}],
            "quotes": [
                {"text": "They always pick up the phone.", "attribution": None, "perspective": "client"}
            ],
            "decision": {
                "decision": "realign",
                "rationale": "Renegotiate the scope.",
                "decided_at": date(2026, 11, 2),
            },
            "actions": [
                {
                    "title": "Agree a change procedure",
                    "owner": "Eva Jansen",
                    "due": date(2026, 12, 15),
                    "status": "open",
                }
            ],
        }
    }
    inputs = make_inputs("en", sections=sections, commentary={ACCOUNT: "Scope is the issue."})

    # Act
    text = pdf_text(report_pdf(inputs, ReportKind.ACCOUNT, ACCOUNT).data)

    # Assert
    for expected in (
        "Themes and quotes",
        "Scope creep",
        "“They always pick up the phone.”",
        "Anonymous · Client",
        "Decision and next steps",
        "Realign",
        "Renegotiate the scope.",
        "Action plan",
        "Agree a change procedure",
        "December 15, 2026",
        "The researcher's commentary",
        "Scope is the issue.",
    ):
        assert expected in text
    assert "What to do" not in text


def test_indicative_values_are_marked(make_inputs):
    text = pdf_text(report_pdf(make_inputs("en"), ReportKind.ACCOUNT, ACCOUNT).data)

    assert "92.0†" in text  # the staff's prediction rests on one respondent
    assert "78.0†" not in text  # three clients: not indicative
    assert has_number(text, "78.0")
    assert "† Indicative: based on fewer than 3 respondents" in text


def _first_page(pdf: bytes) -> str:
    """The text of the page after the cover: the executive summary."""
    return PdfReader(BytesIO(pdf)).pages[1].extract_text()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_account_report_first_page_answers_the_cost_question_in_hours_and_money(make_inputs, language):
    # Arrange
    inputs = make_inputs(language)
    account = inputs.account(ACCOUNT)
    cost, basis = account["cost"], inputs.document["portfolio"]["cost_of_mismatch"]
    fmt = Formatter(language)

    # Act
    page = " ".join(_first_page(report_pdf(inputs, ReportKind.ACCOUNT, ACCOUNT).data).split())

    # Assert: the article's question for this account, with the document's own numbers
    expected = {
        "en": (
            f"Of the {fmt.score(cost['effort_hours'])} hours spent on this account, "
            f"{fmt.score(cost['nonbillable_hours'])} were not billable.",
            f"{fmt.share(basis['baseline_share'])} of its hours",
            f"Beyond that, this account took {fmt.score(cost['excess_hours'])} hours: the energy to serve "
            f"{fmt.score(cost['equivalent_matching_clients'])} matching clients, worth about "
            f"{fmt.money(cost['revenue_forgone'])} in revenue a year.",
        ),
        "nl": (
            f"Van de {fmt.score(cost['effort_hours'])} uur die aan deze klant is besteed, was "
            f"{fmt.score(cost['nonbillable_hours'])} uur niet declarabel.",
            f"{fmt.share(basis['baseline_share'])} van zijn uren",
            f"{fmt.score(cost['excess_hours'])} uur",
        ),
    }[language]
    assert [sentence for sentence in expected if sentence not in page] == []
    assert cost["revenue_forgone"] > 0


def test_account_report_first_page_marks_the_headline_and_tallies_the_staff_advice(make_inputs):
    # Arrange
    inputs = make_inputs("en")
    overall = inputs.account(ACCOUNT)["overall"]

    # Act
    page = " ".join(_first_page(report_pdf(inputs, ReportKind.ACCOUNT, ACCOUNT).data).split())

    # Assert: what the headline rests on (rule 17), the like-for-like gap (rule 6)
    assert (
        f"Based on {overall['client_n']} client respondents and {overall['supplier_n']} staff raters." in page
    )
    assert f"over the {overall['shared_dimensions']} dimensions both rated" in page
