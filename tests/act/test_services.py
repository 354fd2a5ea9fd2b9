"""Decisions and actions through the services: proposals, overrides, phases, owners, due dates, lifecycle."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from surveyapp.act import services
from surveyapp.act.models import ActionItem, Decision
from surveyapp.analysis.service import analysis_document
from surveyapp.audit.models import AuditEvent
from surveyapp.enums import ActionStatus, DecisionKind, Language, Phase, Role
from surveyapp.studies import scope
from surveyapp.studies.phases import change_phase
from tests.act.conftest import FAR_AHEAD, MATCH, MISFIT, SWAYED, account_id, act, decide, decide_all


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_decision_keeps_the_quadrant_gaps_and_scoring_version_it_rests_on(db, act_study, researcher):
    study = act_study()
    document = analysis_document(session=db.session, study=study)
    entry = next(e for e in document["accounts"] if e["account"] == SWAYED)

    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher, rationale="Renegotiate the scope")

    assert (
        decision.kind,
        decision.proposal,
        decision.quadrant,
        decision.overall,
        [row["gap"] for row in decision.gaps],
        decision.scoring_version,
        decision.decided_by_id,
        decision.override_reason,
    ) == (
        DecisionKind.REALIGN,
        DecisionKind.REALIGN,
        "customer_swayed",
        entry["overall"],
        [row["gap"] for row in entry["dimensions"]],
        document["scoring_version"],
        researcher.id,
        None,
    )
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "decisions")) == (
        "decision.recorded"
    )


def test_override_without_a_reason_is_refused_and_nothing_is_written(db, act_study, researcher):
    study = act_study()

    with pytest.raises(services.ActError) as caught:
        decide(db, study, MATCH, DecisionKind.REALIGN, researcher)
    db.session.rollback()

    assert str(caught.value) == (
        "The decision differs from the proposal: say why you override it (the reason is kept)."
    )
    assert count(db, Decision) == 0


def test_override_with_a_reason_is_kept(db, act_study, researcher):
    study = act_study()

    decision = decide(
        db, study, MISFIT, DecisionKind.REALIGN, researcher, override_reason="New management, new chance"
    )

    assert (decision.kind, decision.proposal, decision.override_reason) == (
        DecisionKind.REALIGN,
        DecisionKind.EXIT,
        "New management, new chance",
    )


def test_exit_needs_a_hand_over_plan(db, act_study, researcher):
    study = act_study()

    with pytest.raises(services.ActError) as caught:
        decide(db, study, MISFIT, DecisionKind.EXIT, researcher, handover_plan="  ")

    assert str(caught.value) == "The hand-over plan is required."


def test_rationale_is_required(db, act_study, researcher):
    study = act_study()

    with pytest.raises(services.ActError) as caught:
        decide(db, study, MATCH, DecisionKind.CONTINUE, researcher, rationale=" \n ")

    assert str(caught.value) == "The rationale is required."


def test_decision_for_an_account_outside_the_study_is_refused(db, act_study, researcher, make_study):
    study = act_study()
    other = make_study(supplier=study.supplier)
    outside = scope.add_account(session=db.session, study=other, name="Elsewhere BV", actor=None)
    db.session.commit()

    with pytest.raises(services.ActError) as caught:
        services.record_decision(
            session=db.session,
            study=study,
            account_id=outside.account_id,
            kind=DecisionKind.CONTINUE,
            rationale="x",
            actor=researcher,
        )

    assert str(caught.value) == "That account is not in this study."


def test_incomplete_account_has_no_proposal_and_needs_no_reason(db, act_study, researcher):
    study = act_study()
    scope.add_account(session=db.session, study=study, name="Quiet BV", actor=None)
    db.session.commit()

    decision = decide(db, study, "Quiet BV", DecisionKind.REALIGN, researcher)

    assert (decision.quadrant, decision.proposal, decision.override_reason) == ("incomplete", None, None)


def test_decisions_are_refused_before_the_act_phase(db, answered_study, researcher):
    study = answered_study()  # in analyse

    with pytest.raises(services.ActError) as caught:
        decide(db, study, MATCH, DecisionKind.CONTINUE, researcher)

    assert str(caught.value).startswith("This study was moved back to the analyse phase")
    assert count(db, Decision) == 0


def test_moving_back_to_analyse_keeps_decisions_marked_for_review(db, act_study, researcher):
    study = act_study()
    decision = decide(db, study, MATCH, DecisionKind.CONTINUE, researcher, rationale="Keep going")

    change_phase(session=db.session, study=study, target=Phase.ANALYSE, actor=researcher, reason="Recode")
    db.session.commit()
    with pytest.raises(services.ActError):
        decide(db, study, MATCH, DecisionKind.CONTINUE, researcher, rationale="Changed")
    db.session.rollback()
    kept = db.session.get(Decision, decision.id)
    marked = (kept.needs_review, kept.rationale)
    change_phase(session=db.session, study=study, target=Phase.ACT, actor=researcher)
    confirmed = decide(db, study, MATCH, DecisionKind.CONTINUE, researcher, rationale="Confirmed")

    assert marked == (True, "Keep going")
    assert (confirmed.id, confirmed.needs_review, confirmed.rationale) == (decision.id, False, "Confirmed")


def test_action_due_before_today_is_refused(db, act_study, researcher):
    study = act_study()
    decision = decide(db, study, MATCH, DecisionKind.CONTINUE, researcher)

    with pytest.raises(services.ActError) as caught:
        act(db, decision, "Call them", researcher, due=date(2030, 5, 1), today=date(2030, 5, 2))

    assert str(caught.value) == "The due date cannot be before today."
    assert count(db, ActionItem) == 0


def test_action_due_today_is_accepted(db, act_study, researcher):
    study = act_study()
    decision = decide(db, study, MATCH, DecisionKind.CONTINUE, researcher)
    today = services.study_today(study)

    action = act(db, decision, "Call them", researcher, due=today)

    assert (action.due, action.status) == (today, ActionStatus.OPEN)


def test_action_owner_from_another_supplier_is_refused(db, act_study, researcher, make_user, make_supplier):
    study = act_study()
    decision = decide(db, study, MATCH, DecisionKind.CONTINUE, researcher)
    stranger = make_user(Role.ACCOUNT_TEAM, suppliers=[make_supplier("Competitor BV")])

    with pytest.raises(services.ActError) as caught:
        act(db, decision, "Call them", researcher, owner_user_id=stranger.id)

    assert str(caught.value) == (
        "The owner must be an active user of this supplier: its account team or a researcher."
    )
    assert count(db, ActionItem) == 0


def test_action_contact_owner_needs_a_valid_email(db, act_study, researcher):
    study = act_study()
    decision = decide(db, study, MATCH, DecisionKind.CONTINUE, researcher)

    with pytest.raises(services.ActError) as caught:
        act(db, decision, "Call them", researcher, owner_name="Olga", owner_email="olga(at)client")

    assert str(caught.value) == "olga(at)client is not a valid email address."


def test_action_links_to_a_dimension_of_the_account_only(db, act_study, researcher):
    study = act_study()
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    dimension = decision.gaps[0]["key"]

    linked = act(db, decision, "Fix it", researcher, link=f"dimension:{dimension}")
    with pytest.raises(services.ActError) as caught:
        act(db, decision, "Fix more", researcher, link="dimension:no-such-dimension")

    assert (linked.dimension, linked.signal) == (dimension, None)
    assert str(caught.value) == "Link the action to one of this account's dimensions or warning signals."


def test_action_lifecycle_from_open_to_done(db, act_study, researcher, make_user):
    study = act_study()
    owner = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier], language=Language.NL)
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher, owner_user_id=owner.id)

    seen = []
    for status, notes in ((ActionStatus.DOING, "Meeting planned"), (ActionStatus.DONE, "Signed")):
        services.update_action(session=db.session, action=action, status=status, notes=notes, actor=owner)
        db.session.commit()
        seen.append((action.status, action.notes))

    assert seen == [(ActionStatus.DOING, "Meeting planned"), (ActionStatus.DONE, "Signed")]
    assert (action.owner_user_id, action.owner_email, action.is_overdue(FAR_AHEAD + timedelta(days=1))) == (
        owner.id,
        None,
        False,
    )


def test_account_team_member_may_not_update_an_action_of_someone_else(db, act_study, researcher, make_user):
    study = act_study()
    owner = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    colleague = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher, owner_user_id=owner.id)

    with pytest.raises(services.ActError) as caught:
        services.update_action(
            session=db.session, action=action, status=ActionStatus.DONE, notes="", actor=colleague
        )

    assert str(caught.value) == "You may update only the actions you own."
    assert action.status == ActionStatus.OPEN


def test_decide_all_records_one_decision_per_account(db, act_study, researcher):
    study = act_study()

    decisions = decide_all(db, study, researcher)

    assert {name: d.kind for name, d in decisions.items()} == {
        MATCH: DecisionKind.CONTINUE,
        SWAYED: DecisionKind.REALIGN,
        MISFIT: DecisionKind.EXIT,
    }
    assert account_id(db, MATCH) == decisions[MATCH].account_id
