"""The coding queue, the counts per theme and the quotes the consent allows, read at the time of reading."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.coding import services
from surveyapp.coding.models import PALETTE
from surveyapp.coding.queries import (
    AccountQuote,
    AccountTheme,
    AccountThemes,
    QueueFilters,
    account_themes,
    coding_queue,
    selected_quotes,
    theme_counts,
)
from surveyapp.coding.targets import ANSWER, QUOTE, Target
from surveyapp.enums import Role
from surveyapp.interviews.models import Interview, QuoteConsent
from surveyapp.responses.models import Answer

VAN_DIJK, NOORDZEE, STADSBANK = "Van Dijk Logistiek", "Noordzee Havenbedrijf", "Stadsbank Utrecht"


@pytest.fixture
def researcher(make_user):
    return make_user(Role.RESEARCHER, all_suppliers=True)


def _tag(db, study, researcher, chosen):
    services.save_tags(session=db.session, study=study, chosen=chosen, actor=researcher)
    db.session.commit()


def test_queue_lists_every_free_text_answer_of_counted_responses(db, coded_study):
    coded = coded_study()

    page = coding_queue(session=db.session, study=coded.study, filters=QueueFilters())

    assert page.total == 8
    assert [(i.account, i.perspective, i.text) for i in page.items][:3] == [
        (NOORDZEE, "client", "Scope creep every month."),
        (NOORDZEE, "client", "Invoices are late."),
        (NOORDZEE, "supplier", "The client is demanding."),
    ]
    assert {i.question for i in page.items} == {"open_works"}


def test_queue_filters_by_perspective_and_uncoded(db, coded_study, researcher):
    coded = coded_study()
    theme = services.create_theme(
        session=db.session, study=coded.study, name="A", colour=PALETTE[0], actor=researcher
    )
    _tag(
        db,
        coded.study,
        researcher,
        {Target(ANSWER, coded.answer("j.kok@vandijk.example", VAN_DIJK)): frozenset({theme.id})},
    )

    supplier = coding_queue(
        session=db.session, study=coded.study, filters=QueueFilters(perspective="supplier")
    )
    uncoded = coding_queue(session=db.session, study=coded.study, filters=QueueFilters(uncoded_only=True))
    other_question = coding_queue(
        session=db.session, study=coded.study, filters=QueueFilters(question="open_leave")
    )

    assert [(i.account, i.text) for i in supplier.items] == [
        (NOORDZEE, "The client is demanding."),
        (STADSBANK, "Too many small changes."),
        (VAN_DIJK, "Too many small changes."),
    ]
    assert uncoded.total == 7
    assert "They keep to the planning." not in [i.text for i in uncoded.items]
    assert other_question.total == 0


def test_queue_shows_the_permission_of_each_answer(db, coded_study):
    coded = coded_study()

    page = coding_queue(session=db.session, study=coded.study, filters=QueueFilters(perspective="client"))

    assert {i.text: (i.permission.consent, i.permission.attribution) for i in page.items} == {
        "Fast answers on the phone.": (QuoteConsent.NAMED, "Marieke van Dijk, Director, Van Dijk Logistiek"),
        "They keep to the planning.": (QuoteConsent.NO, None),
        "Scope creep every month.": (QuoteConsent.ANONYMOUS, None),
        "Invoices are late.": (QuoteConsent.NO, None),
        '<img src="file:///etc/passwd"> hostile': (
            QuoteConsent.NAMED,
            "Lotte Dekker, CFO, Stadsbank Utrecht",
        ),
    }


def test_queue_pages_by_twenty_five(db, coded_study, add_interview_quote):
    coded = coded_study()
    for number in range(20):
        add_interview_quote(
            coded.study,
            coded.accounts[VAN_DIJK],
            email=f"p{number}@vandijk.example",
            name=f"P{number}",
            consent=QuoteConsent.NAMED,
            text=f"Quote {number}",
        )

    second = coding_queue(session=db.session, study=coded.study, filters=QueueFilters(), page=2)
    beyond = coding_queue(session=db.session, study=coded.study, filters=QueueFilters(), page=9)

    assert (second.total, second.pages, second.page, len(second.items)) == (28, 2, 2, 3)
    assert beyond.page == 2


def test_theme_counts_by_perspective_and_quadrant(db, coded_study, researcher, add_interview_quote):
    coded = coded_study()
    theme = services.create_theme(
        session=db.session, study=coded.study, name="A", colour=PALETTE[0], actor=researcher
    )
    quote = add_interview_quote(
        coded.study, coded.accounts[VAN_DIJK], email="p@vandijk.example", name="P", consent=QuoteConsent.NAMED
    )
    _tag(
        db,
        coded.study,
        researcher,
        {
            Target(ANSWER, coded.answer("j.kok@vandijk.example", VAN_DIJK)): frozenset({theme.id}),
            Target(ANSWER, coded.answer("s.visser@noordzee.example", NOORDZEE)): frozenset({theme.id}),
            Target(ANSWER, coded.answer("eva@brightline.example", STADSBANK)): frozenset({theme.id}),
            Target(QUOTE, quote.id): frozenset({theme.id}),
        },
    )

    counts = theme_counts(session=db.session, study=coded.study)

    [row] = counts.rows
    assert (row.client, row.supplier, row.total) == (3, 1, 4)
    assert row.quadrants == {"match": 2, "customer_swayed": 1, "blind_spot": 0, "misfit": 1, "incomplete": 0}


def test_selected_quote_narrows_or_drops_when_consent_is_narrowed(
    db, coded_study, researcher, add_interview_quote
):
    coded = coded_study()
    named_answer = Target(ANSWER, coded.answer("m.vandijk@vandijk.example", VAN_DIJK))
    quote = add_interview_quote(
        coded.study,
        coded.accounts[VAN_DIJK],
        email="p@vandijk.example",
        name="Piet",
        consent=QuoteConsent.NAMED,
    )
    services.save_selection(
        session=db.session,
        study=coded.study,
        chosen={named_answer: True, Target(QUOTE, quote.id): True},
        actor=researcher,
    )
    db.session.commit()
    before = [(q.text, q.attribution) for q in selected_quotes(session=db.session, study=coded.study)]

    consent = db.session.get(Answer, coded.answer("m.vandijk@vandijk.example", VAN_DIJK))
    consent_answer = (
        db.session.query(Answer).filter_by(response_id=consent.response_id, item_key="quote_consent").one()
    )
    consent_answer.value = "anonymous"
    db.session.get(Interview, quote.interview_id).consent_quote = QuoteConsent.NO
    db.session.commit()
    after = [(q.text, q.attribution) for q in selected_quotes(session=db.session, study=coded.study)]

    assert before == [
        ("Fast answers on the phone.", "Marieke van Dijk, Director, Van Dijk Logistiek"),
        ("We would choose them again.", "Piet, COO, Van Dijk Logistiek"),
    ]
    assert after == [("Fast answers on the phone.", None)]


def test_supplier_answers_are_quoted_anonymously_only(db, coded_study, researcher):
    coded = coded_study()
    target = Target(ANSWER, coded.answer("mark@brightline.example", NOORDZEE))
    services.save_selection(session=db.session, study=coded.study, chosen={target: True}, actor=researcher)

    [quote] = selected_quotes(session=db.session, study=coded.study)

    assert (quote.text, quote.attribution, quote.perspective) == (
        "The client is demanding.",
        None,
        "supplier",
    )


def test_account_themes_for_the_dashboard(db, coded_study, researcher):
    coded = coded_study()
    a = services.create_theme(
        session=db.session, study=coded.study, name="Scope", colour=PALETTE[1], actor=researcher
    )
    b = services.create_theme(
        session=db.session, study=coded.study, name="Unused", colour=PALETTE[2], actor=researcher
    )
    _tag(
        db,
        coded.study,
        researcher,
        {
            Target(ANSWER, coded.answer("s.visser@noordzee.example", NOORDZEE)): frozenset({a.id}),
            Target(ANSWER, coded.answer("mark@brightline.example", NOORDZEE)): frozenset({a.id}),
            Target(ANSWER, coded.answer("j.kok@vandijk.example", VAN_DIJK)): frozenset({b.id}),
        },
    )
    services.save_selection(
        session=db.session,
        study=coded.study,
        chosen={Target(ANSWER, coded.answer("s.visser@noordzee.example", NOORDZEE)): True},
        actor=researcher,
    )

    found = account_themes(session=db.session, study=coded.study, account_id=coded.accounts[NOORDZEE])
    empty = account_themes(session=db.session, study=coded.study, account_id=coded.accounts[STADSBANK])

    assert found == AccountThemes(
        themes=[AccountTheme("Scope", PALETTE[1], 1, 1)],
        quotes=[AccountQuote("Scope creep every month.", None, "client")],
    )
    assert empty == AccountThemes(themes=[], quotes=[])


def test_queue_leaves_out_answers_of_superseded_responses(db, coded_study):
    from datetime import UTC, datetime

    from surveyapp.enums import Perspective
    from surveyapp.studies.models import Contact
    from tests.reporting.studies import add_response

    coded = coded_study()
    kok = db.session.scalar(select(Contact).where(Contact.email == "j.kok@vandijk.example"))
    add_response(
        db.session,
        coded.study,
        kok,
        coded.accounts[VAN_DIJK],
        Perspective.CLIENT,
        {"role": "decision_maker", "open_works": "Second thoughts."},
        datetime(2026, 11, 1, 9, tzinfo=UTC),
    )
    db.session.commit()

    texts = [
        i.text for i in coding_queue(session=db.session, study=coded.study, filters=QueueFilters()).items
    ]

    assert "Second thoughts." in texts
    assert "They keep to the planning." not in texts
