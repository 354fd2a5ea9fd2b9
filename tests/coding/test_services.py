"""Themes, tags and the quote selection: validation, constraints and consent."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from surveyapp.audit.models import AuditEvent
from surveyapp.coding import services
from surveyapp.coding.models import PALETTE, ReportQuote, Theme, ThemeTag
from surveyapp.coding.queries import themes_of
from surveyapp.coding.targets import ANSWER, QUOTE, Target
from surveyapp.enums import Role
from surveyapp.interviews.models import QuoteConsent

BLUE, RED = PALETTE[0], PALETTE[1]


@pytest.fixture
def researcher(make_user):
    return make_user(Role.RESEARCHER, all_suppliers=True)


def _theme(db, study, name, actor, colour=BLUE):
    theme = services.create_theme(session=db.session, study=study, name=name, colour=colour, actor=actor)
    db.session.commit()
    return theme


def test_create_theme_is_added_at_the_end_and_audited(db, coded_study, researcher):
    study = coded_study().study
    _theme(db, study, "Scope creep", researcher)

    second = services.create_theme(
        session=db.session,
        study=study,
        name="  Fast   service ",
        description=" Quick ",
        colour=RED,
        actor=researcher,
    )

    assert [(t.name, t.position, t.colour) for t in themes_of(session=db.session, study=study)] == [
        ("Scope creep", 0, BLUE),
        ("Fast service", 1, RED),
    ]
    assert second.description == "Quick"
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("theme.create") == 2


def test_create_theme_with_a_name_differing_only_in_case_is_refused(db, coded_study, researcher):
    study = coded_study().study
    _theme(db, study, "Scope creep", researcher)

    with pytest.raises(services.CodingError) as error:
        services.create_theme(
            session=db.session, study=study, name="SCOPE  creep", colour=BLUE, actor=researcher
        )

    assert str(error.value) == "This study already has a theme named Scope creep."


@pytest.mark.parametrize("colour", ["#123456", "blue", "#1F5FA8X", ""])
def test_create_theme_with_a_colour_outside_the_palette_is_refused(db, coded_study, researcher, colour):
    study = coded_study().study

    with pytest.raises(services.CodingError) as error:
        services.create_theme(session=db.session, study=study, name="X", colour=colour, actor=researcher)

    assert str(error.value) == "Choose one of the colours offered."


def test_create_theme_without_a_name_is_refused(db, coded_study, researcher):
    with pytest.raises(services.CodingError) as error:
        services.create_theme(
            session=db.session, study=coded_study().study, name="   ", colour=BLUE, actor=researcher
        )

    assert str(error.value) == "A theme needs a name."


def test_the_database_refuses_two_themes_with_the_same_name_key(db, coded_study):
    study = coded_study().study
    db.session.add(Theme(study_id=study.id, name="A", name_key="a", colour=BLUE, position=0))
    db.session.add(Theme(study_id=study.id, name="a", name_key="a", colour=BLUE, position=1))

    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_update_theme_renames_and_moves_it(db, coded_study, researcher):
    study = coded_study().study
    first, second, third = (_theme(db, study, name, researcher) for name in ("A", "B", "C"))

    services.update_theme(
        session=db.session,
        study=study,
        theme=third,
        name="Cost",
        description="",
        colour=RED,
        position=1,
        actor=researcher,
    )

    assert [(t.name, t.position) for t in themes_of(session=db.session, study=study)] == [
        ("Cost", 0),
        ("A", 1),
        ("B", 2),
    ]
    assert (first.position, second.position) == (1, 2)


def test_update_theme_to_the_name_of_another_is_refused(db, coded_study, researcher):
    study = coded_study().study
    _theme(db, study, "A", researcher)
    b = _theme(db, study, "B", researcher)

    with pytest.raises(services.CodingError):
        services.update_theme(
            session=db.session,
            study=study,
            theme=b,
            name="a",
            description="",
            colour=BLUE,
            position=2,
            actor=researcher,
        )


def test_delete_theme_needs_confirmation_and_removes_its_tags(db, coded_study, researcher):
    coded = coded_study()
    study = coded.study
    theme = _theme(db, study, "A", researcher)
    target = Target(ANSWER, coded.answer("j.kok@vandijk.example", "Van Dijk Logistiek"))
    services.save_tags(
        session=db.session, study=study, chosen={target: frozenset({theme.id})}, actor=researcher
    )
    db.session.commit()

    with pytest.raises(services.CodingError):
        services.delete_theme(session=db.session, study=study, theme=theme, confirmed=False, actor=researcher)
    removed = services.delete_theme(
        session=db.session, study=study, theme=theme, confirmed=True, actor=researcher
    )
    db.session.commit()

    assert removed == 1
    assert db.session.scalar(select(func.count()).select_from(ThemeTag)) == 0
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0


def test_save_tags_sets_exactly_the_chosen_themes(db, coded_study, researcher):
    coded = coded_study()
    study = coded.study
    a, b, c = (_theme(db, study, name, researcher) for name in ("A", "B", "C"))
    target = Target(ANSWER, coded.answer("j.kok@vandijk.example", "Van Dijk Logistiek"))
    services.save_tags(
        session=db.session, study=study, chosen={target: frozenset({a.id, b.id})}, actor=researcher
    )

    changed = services.save_tags(
        session=db.session, study=study, chosen={target: frozenset({b.id, c.id})}, actor=researcher
    )

    assert changed == 2
    assert set(db.session.scalars(select(ThemeTag.theme_id))) == {b.id, c.id}


def test_save_tags_refuses_a_theme_of_another_study_and_writes_nothing(
    db, coded_study, make_study, researcher
):
    coded = coded_study()
    mine = _theme(db, coded.study, "A", researcher)
    other = _theme(db, make_study(), "Other", researcher)
    first = Target(ANSWER, coded.answer("j.kok@vandijk.example", "Van Dijk Logistiek"))
    second = Target(ANSWER, coded.answer("s.visser@noordzee.example", "Noordzee Havenbedrijf"))

    with pytest.raises(services.CodingError):
        services.save_tags(
            session=db.session,
            study=coded.study,
            chosen={first: frozenset({mine.id}), second: frozenset({other.id})},
            actor=researcher,
        )

    assert db.session.scalar(select(func.count()).select_from(ThemeTag)) == 0


def test_save_tags_refuses_an_answer_that_is_not_free_text(db, coded_study, researcher):
    coded = coded_study()
    theme = _theme(db, coded.study, "A", researcher)
    from surveyapp.responses.models import Answer

    scored = db.session.scalar(select(Answer.id).where(Answer.item_key == "quote_consent"))

    with pytest.raises(services.CodingError):
        services.save_tags(
            session=db.session,
            study=coded.study,
            chosen={Target(ANSWER, scored): frozenset({theme.id})},
            actor=researcher,
        )


def test_a_tag_must_point_at_exactly_one_target(db, coded_study, researcher, add_interview_quote):
    coded = coded_study()
    theme = _theme(db, coded.study, "A", researcher)
    quote = add_interview_quote(
        coded.study,
        coded.accounts["Van Dijk Logistiek"],
        email="p@vandijk.example",
        name="P",
        consent=QuoteConsent.NAMED,
    )
    answer_id = coded.answer("j.kok@vandijk.example", "Van Dijk Logistiek")

    db.session.add(ThemeTag(theme_id=theme.id, answer_id=answer_id, quote_id=quote.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(ThemeTag(theme_id=theme.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_select_a_quote_without_consent_is_refused_with_a_clear_message(db, coded_study, researcher):
    coded = coded_study()
    refused = Target(ANSWER, coded.answer("a.meijer@noordzee.example", "Noordzee Havenbedrijf"))
    unanswered = Target(ANSWER, coded.answer("j.kok@vandijk.example", "Van Dijk Logistiek"))
    allowed = Target(ANSWER, coded.answer("s.visser@noordzee.example", "Noordzee Havenbedrijf"))

    with pytest.raises(services.CodingError) as error:
        services.save_selection(
            session=db.session,
            study=coded.study,
            chosen={refused: True, unanswered: True, allowed: True},
            actor=researcher,
        )

    assert str(error.value) == (
        "2 of the chosen quotes cannot be used: the respondent did not agree to be quoted "
        "(or did not answer the question about quotes)."
    )
    assert db.session.scalar(select(func.count()).select_from(ReportQuote)) == 0


def test_select_and_unselect_quotes(db, coded_study, researcher, add_interview_quote):
    coded = coded_study()
    answer = Target(ANSWER, coded.answer("s.visser@noordzee.example", "Noordzee Havenbedrijf"))
    quote = add_interview_quote(
        coded.study,
        coded.accounts["Van Dijk Logistiek"],
        email="p@vandijk.example",
        name="P",
        consent=QuoteConsent.NAMED,
    )
    target = Target(QUOTE, quote.id)

    added = services.save_selection(
        session=db.session, study=coded.study, chosen={answer: True, target: True}, actor=researcher
    )
    removed = services.save_selection(
        session=db.session, study=coded.study, chosen={answer: False}, actor=researcher
    )

    assert (added, removed) == (2, 1)
    assert db.session.scalars(select(ReportQuote.quote_id)).all() == [quote.id]
