"""Decisions and actions in the reports: the section provider's data, and the text of rendered PDFs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from surveyapp.act import next_wave, services
from surveyapp.act.report_sections import sections
from surveyapp.enums import ActionStatus, DecisionKind, Language, Role
from surveyapp.jobs.render import run_render
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.reporting.models import Report, ReportKind
from surveyapp.reporting.services import request_report
from surveyapp.studies.models import Account
from tests.act.conftest import MATCH, MISFIT, SWAYED, act, answer_again, decide, decide_all
from tests.reporting.conftest import pdf_text

PROVIDER = "surveyapp.act.report_sections:sections"


def test_sections_hold_the_decision_and_actions_per_account(db, act_study, researcher, make_user):
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, name="Tom Bakker", suppliers=[study.supplier])
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher, rationale="Scope keeps growing")
    action = act(
        db, decision, "Agree a fixed scope", researcher, owner_user_id=member.id, due=date(2099, 3, 1)
    )
    services.update_action(
        session=db.session, action=action, status=ActionStatus.DOING, notes="", actor=member
    )
    db.session.commit()

    result = sections(session=db.session, study=study, language="en")

    assert result == {
        SWAYED: {
            "decision": {
                "decision": "realign",
                "rationale": "Scope keeps growing",
                "decided_at": services.study_today(study),
                "follow_up": None,
            },
            "actions": [
                {
                    "title": "Agree a fixed scope",
                    "owner": "Tom Bakker",
                    "due": date(2099, 3, 1),
                    "status": "Doing",
                }
            ],
        }
    }


def test_account_and_portfolio_reports_show_decisions_and_actions(db, make_app, act_study, researcher):
    study = act_study(language=Language.EN)
    decisions = decide_all(db, study, researcher)
    act(
        db, decisions[MISFIT], "Hand over the keys", researcher, owner_name="Olga Owner", due=date(2099, 3, 1)
    )
    account = db.session.scalar(select(Account).where(Account.name == MISFIT))
    account_report = request_report(
        session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account
    ).id
    portfolio_report = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO).id
    db.session.commit()
    configured = make_app(REPORT_SECTION_PROVIDERS=[PROVIDER])

    outcomes = [run_render(report_id, app=configured).ok for report_id in (account_report, portfolio_report)]

    account_text = pdf_text(db.session.get(Report, account_report).pdf)
    portfolio_text = pdf_text(db.session.get(Report, portfolio_report).pdf)
    assert outcomes == [True, True]
    assert "Decision and next steps" in account_text
    assert "Why exit" in account_text
    assert "Hand over the keys" in account_text
    assert "Olga Owner" in account_text
    assert "Decision: Continue — Why continue" in portfolio_text
    assert "Decision: Exit — Why exit" in portfolio_text


def test_sections_of_a_follow_up_wave_say_what_became_of_the_previous_decision(db, act_study, researcher):
    study = act_study()
    decisions = decide_all(db, study, researcher)
    action = act(db, decisions[MATCH], "Keep the monthly review", researcher)
    services.update_action(
        session=db.session, action=action, status=ActionStatus.DONE, notes="", actor=researcher
    )
    wave = next_wave.start_next_wave(
        session=db.session,
        study=study,
        slug="fit-2026",
        name="Fit 2026",
        deadline=None,
        catalogue=catalogue().as_fielded("2025"),  # the numbers below were worked out on those items
        actor=researcher,
    )
    db.session.commit()
    answer_again(db, wave, {MATCH: (1, 4)})
    wave.phase = study.phase
    db.session.commit()
    decide(db, wave, MATCH, DecisionKind.REALIGN, researcher, override_reason="Growing apart")

    result = sections(session=db.session, study=wave, language="en")

    # The gap's change is of rule 6's like-for-like gap (the dimensions both sides rated), not client −
    # supplier overall: -85.7, where the overall fits' changes differ by 85.6.
    follow_up = (
        "Previous wave: Continue; 1 of 1 actions done. "
        "Change in overall fit: client -85.4, supplier +0.2, gap -85.7. Growing apart."
    )
    assert result[MATCH]["decision"]["follow_up"] == follow_up
    assert result[MATCH]["previous_decision"] == {"decision": "continue", "follow_up": follow_up}
