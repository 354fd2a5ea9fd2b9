"""The act pages: researchers record decisions and actions; account teams read, and update their own actions."""

from __future__ import annotations

from sqlalchemy import func, select

from surveyapp.act.models import ActionItem, Decision
from surveyapp.enums import ActionStatus, DecisionKind, Role
from surveyapp.studies.models import Study
from tests.act.conftest import MATCH, MISFIT, SWAYED, account_id, act, decide, decide_all


def test_researcher_records_the_proposed_decision(db, client, login, act_study, researcher):
    study = act_study()
    login(researcher)
    url = f"/studies/{study.slug}/act/accounts/{account_id(db, MATCH)}"

    page = client.get(url)
    response = client.post_form(url, {"kind": "continue", "rationale": "A good client for us"})

    decision = db.session.scalar(select(Decision))
    assert page.status_code == 200
    assert 'checked id="kind-0" name="kind" required type="radio" value="continue"' in page.get_data(
        as_text=True
    )
    assert response.status_code == 302
    assert (decision.kind, decision.rationale, decision.decided_by_id) == (
        DecisionKind.CONTINUE,
        "A good client for us",
        researcher.id,
    )


def test_override_without_reason_shows_the_message_and_keeps_what_was_typed(
    db, client, login, act_study, researcher
):
    study = act_study()
    login(researcher)

    response = client.post_form(
        f"/studies/{study.slug}/act/accounts/{account_id(db, MATCH)}",
        {"kind": "exit", "rationale": "Too <costly>", "handover_plan": "Hand over by March"},
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The decision differs from the proposal: say why you override it (the reason is kept)." in body
    assert "Too &lt;costly&gt;</textarea>" in body
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_misfit_proposal_is_exit_to_be_confirmed(db, client, login, act_study, researcher):
    study = act_study()
    login(researcher)

    body = client.get(f"/studies/{study.slug}/act/accounts/{account_id(db, MISFIT)}").get_data(as_text=True)

    assert 'Exit <span class="tag">to be confirmed</span>' in body


def test_act_page_groups_accounts_and_marks_overdue_actions(db, client, login, act_study, researcher):
    study = act_study()
    decisions = decide_all(db, study, researcher)
    action = act(db, decisions[SWAYED], "Renegotiate <b>scope</b>", researcher)
    action.due = action.due.replace(year=2000)  # overdue (set directly: creation refuses past dates)
    db.session.commit()
    login(researcher)

    body = client.get(f"/studies/{study.slug}/act").get_data(as_text=True)

    assert (
        body.index('id="group-continue"') < body.index('id="group-realign"') < body.index('id="group-exit"')
    )
    assert "3 of 3 accounts have a decision." in body
    assert "Renegotiate &lt;b&gt;scope&lt;/b&gt;" in body
    assert 'class="error-message">overdue</strong>' in body
    assert "1 action is overdue." in body


def test_account_team_reads_the_act_page_but_cannot_decide(db, client, login, act_study, make_user):
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    login(member)
    url = f"/studies/{study.slug}/act/accounts/{account_id(db, MATCH)}"

    overview = client.get(f"/studies/{study.slug}/act")
    page = client.get(url)
    refused = client.post_form(url, {"kind": "continue", "rationale": "x"})

    assert (overview.status_code, page.status_code, refused.status_code) == (200, 200, 404)
    assert "Save the decision" not in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0


def test_account_team_owner_updates_status_and_notes_only(
    db, client, login, act_study, researcher, make_user
):
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher, owner_user_id=member.id)
    login(member)

    response = client.post_form(
        f"/studies/{study.slug}/act/actions/{action.id}",
        {"status": "doing", "notes": "Meeting on Monday", "title": "Something else", "due": "2000-01-01"},
    )

    db.session.refresh(action)
    assert response.status_code == 302
    assert (action.status, action.notes, action.title, action.due.year) == (
        ActionStatus.DOING,
        "Meeting on Monday",
        "Renegotiate the price",
        2099,
    )


def test_account_team_member_cannot_update_an_action_they_do_not_own(
    db, client, login, act_study, researcher, make_user
):
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher)
    login(member)

    response = client.post_form(f"/studies/{study.slug}/act/actions/{action.id}", {"status": "done"})

    db.session.refresh(action)
    assert (response.status_code, action.status) == (404, ActionStatus.OPEN)


def test_researcher_of_another_supplier_gets_404(db, client, login, act_study, make_user, make_supplier):
    study = act_study()
    outsider = make_user(Role.RESEARCHER, suppliers=[make_supplier("Other Supplier")])
    login(outsider)

    response = client.get(f"/studies/{study.slug}/act")

    assert response.status_code == 404


def test_researcher_adds_an_action_with_a_user_owner(db, client, login, act_study, researcher, make_user):
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier], name="Tom Bakker")
    decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    login(researcher)

    response = client.post_form(
        f"/studies/{study.slug}/act/accounts/{account_id(db, SWAYED)}/actions",
        {
            "title": "Agree a fixed scope",
            "owner_user": str(member.id),
            "owner_language": "nl",
            "due": "2099-03-01",
        },
    )

    action = db.session.scalar(select(ActionItem))
    assert response.status_code == 302
    assert (action.title, action.owner_user_id, action.due.isoformat()) == (
        "Agree a fixed scope",
        member.id,
        "2099-03-01",
    )


def test_action_with_a_past_due_date_is_refused_on_the_page(db, client, login, act_study, researcher):
    study = act_study()
    decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    login(researcher)

    response = client.post_form(
        f"/studies/{study.slug}/act/accounts/{account_id(db, SWAYED)}/actions",
        {
            "title": "Too late",
            "owner_user": "0",
            "owner_name": "Olga",
            "owner_email": "olga@client.example",
            "owner_language": "en",
            "due": "2001-01-01",
        },
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The due date cannot be before today." in body
    assert 'value="Too late"' in body
    assert db.session.scalar(select(func.count()).select_from(ActionItem)) == 0


def test_next_wave_button_starts_it_once(db, client, login, act_study, researcher):
    study = act_study()
    login(researcher)
    form = {"slug": "fit-2026", "name": "Client fit 2026", "deadline": "2027-12-01"}

    page = client.get(f"/studies/{study.slug}/act").get_data(as_text=True)
    first = client.post_form(f"/studies/{study.slug}/act/next-wave", form)
    second = client.post_form(f"/studies/{study.slug}/act/next-wave", {**form, "slug": "fit-2026-b"})

    waves = db.session.scalars(select(Study).where(Study.previous_study_id == study.id)).all()
    assert 'value="fit-2026"' in page  # the proposed short name, editable
    assert (first.status_code, first.headers["Location"]) == (302, "/studies/fit-2026")
    assert second.status_code == 422
    assert "The next wave of this study has already been started: fit-2026." in second.get_data(as_text=True)
    assert [(w.slug, w.phase.value, w.deadline.isoformat()) for w in waves] == [
        ("fit-2026", "prepare", "2027-12-01")
    ]


def test_act_page_before_the_analyse_phase_says_when_it_is_available(
    db, client, login, make_study, researcher
):
    study = make_study()
    login(researcher)

    body = client.get(f"/studies/{study.slug}/act").get_data(as_text=True)

    assert "this page is available from the analyse phase on. The study is in the Prepare phase." in body


def test_editing_a_decision_after_moving_back_to_analyse_is_refused_with_a_message(
    db, client, login, act_study, researcher
):
    study = act_study()
    decide(db, study, MATCH, DecisionKind.CONTINUE, researcher, rationale="Keep going")
    login(researcher)
    client.post_form(f"/studies/{study.slug}/phase", {"target": "analyse", "reason": "Recode two answers"})

    overview = client.get(f"/studies/{study.slug}/act").get_data(as_text=True)
    response = client.post_form(
        f"/studies/{study.slug}/act/accounts/{account_id(db, MATCH)}",
        {"kind": "continue", "rationale": "Changed"},
    )

    decision = db.session.scalar(select(Decision))
    assert "marked for review" in overview
    assert response.status_code == 422
    assert "This study was moved back to the analyse phase" in response.get_data(as_text=True)
    assert (decision.rationale, decision.needs_review) == ("Keep going", True)


def test_researcher_changes_an_actions_title_owner_and_due_date(
    db, client, login, act_study, researcher, make_user
):
    # Arrange
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier], name="Tom Bakker")
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher)
    login(researcher)
    url = f"/studies/{study.slug}/act/actions/{action.id}/edit"

    # Act
    form = client.get(url).get_data(as_text=True)
    response = client.post_form(
        url,
        {
            "title": "Agree a fixed scope",
            "owner_user": str(member.id),
            "owner_language": "nl",
            "due": "2099-06-30",
        },
    )

    # Assert
    db.session.refresh(action)
    assert 'value="Renegotiate the price"' in form and 'value="olga@client.example"' in form
    assert response.status_code == 302
    assert (action.title, action.owner_user_id, action.owner_email, action.due.isoformat()) == (
        "Agree a fixed scope",
        member.id,
        None,
        "2099-06-30",
    )


def test_changing_an_action_to_a_past_due_date_is_refused_and_keeps_what_was_typed(
    db, client, login, act_study, researcher
):
    # Arrange
    study = act_study()
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher)
    login(researcher)

    # Act
    response = client.post_form(
        f"/studies/{study.slug}/act/actions/{action.id}/edit",
        {
            "title": "Renegotiate now",
            "owner_user": "0",
            "owner_name": "Olga Owner",
            "owner_email": "olga@client.example",
            "owner_language": "en",
            "due": "2001-01-01",
        },
    )

    # Assert
    body = response.get_data(as_text=True)
    db.session.refresh(action)
    assert response.status_code == 422
    assert "The due date cannot be before today." in body and 'value="Renegotiate now"' in body
    assert (action.title, action.due.isoformat()) == ("Renegotiate the price", "2099-01-01")


def test_account_team_owner_cannot_change_what_an_action_is(
    db, client, login, act_study, researcher, make_user
):
    # Arrange
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    action = act(db, decision, "Renegotiate the price", researcher, owner_user_id=member.id)
    login(member)

    # Act
    response = client.post_form(
        f"/studies/{study.slug}/act/actions/{action.id}/edit",
        {"title": "Nothing", "owner_user": str(member.id), "owner_language": "nl", "due": "2099-06-30"},
    )

    # Assert
    db.session.refresh(action)
    assert response.status_code == 404
    assert (action.title, action.due.isoformat()) == ("Renegotiate the price", "2099-01-01")
