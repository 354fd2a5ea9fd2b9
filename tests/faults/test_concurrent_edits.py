"""Fault: two researchers (or two tabs) edit the same study settings, theme or decision at once.

Each edit form carries the row's `edit_version` in a hidden field; the service saves with a compare-and-set
on it. The later save of a stale form is refused with a conflict message, nothing of it is written, the form
keeps what was typed, and it now carries the current version, so saving again knowingly replaces the other
version. (Interview answers do the same on Answer.version: tests/interviews/test_conflicts.py.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.act.models import Decision
from surveyapp.coding.models import PALETTE, Theme
from surveyapp.coding.services import create_theme
from surveyapp.enums import Role
from surveyapp.studies.models import Study
from tests.act.conftest import MATCH, account_id

VERSION = re.compile(r'<input id="edit_version" name="edit_version" type="hidden" value="([^"]*)">')
STUDY_CONFLICT = (
    "Someone else changed this study&#39;s settings while you were editing them. Nothing of yours is saved "
    "yet: what you typed is still below. Save again to keep your version."
)
THEME_CONFLICT = (
    "Someone else changed this theme while you were editing it. Nothing of yours is saved yet: what you "
    "typed is still below. Save again to keep your version."
)
DECISION_CONFLICT = (
    "Someone else recorded a decision for this account while you were editing it; it is shown above. "
    "Nothing of yours is saved yet: what you typed is still below. Save again to replace it."
)


@pytest.fixture
def two_researchers(app, make_user, login):
    """Two logged-in browsers of two researchers."""
    browsers = []
    for email in ("anna@agency.example", "bert@agency.example"):
        user = make_user(Role.RESEARCHER, email=email, all_suppliers=True)
        browser = app.test_client()
        login(user, target=browser)
        browsers.append(browser)
    return browsers


def shown_version(page: Any) -> str:
    found = VERSION.findall(page.get_data(as_text=True))
    assert len(found) == 1, found
    return found[0]


def settings(name: str, version: str) -> dict[str, str]:
    return {
        "name": name,
        "time_zone": "Europe/Amsterdam",
        "deadline": "",
        "reminder_days": "4, 9",
        "max_reminders": "2",
        "edit_version": version,
    }


def test_study_settings_saved_over_a_stale_form_are_refused_with_the_typed_values_kept(
    db, make_study, two_researchers
):
    # Arrange
    study = make_study(name="Klantfit")
    anna, bert = two_researchers
    url = f"/studies/{study.slug}/settings"
    anna_version, bert_version = shown_version(anna.get(url)), shown_version(bert.get(url))
    saved = anna.post_form(url, settings("Klantfit (Anna)", anna_version))

    # Act
    refused = bert.post_form(url, settings("Klantfit <Bert>", bert_version))

    # Assert
    body = refused.get_data(as_text=True)
    db.session.expire_all()
    assert (saved.status_code, refused.status_code) == (302, 422)
    assert STUDY_CONFLICT in body
    assert 'value="Klantfit &lt;Bert&gt;"' in body
    assert db.session.get(Study, study.id).name == "Klantfit (Anna)"
    assert (anna_version, bert_version, shown_version(refused)) == ("1", "1", "2")


def test_study_settings_saved_again_after_a_conflict_replace_the_other_version(
    db, make_study, two_researchers
):
    # Arrange
    study = make_study(name="Klantfit")
    anna, bert = two_researchers
    url = f"/studies/{study.slug}/settings"
    stale = shown_version(bert.get(url))
    anna.post_form(url, settings("Klantfit (Anna)", shown_version(anna.get(url))))
    refused = bert.post_form(url, settings("Klantfit (Bert)", stale))

    # Act
    again = bert.post_form(url, settings("Klantfit (Bert)", shown_version(refused)))

    # Assert
    db.session.expire_all()
    assert again.status_code == 302
    assert (db.session.get(Study, study.id).name, db.session.get(Study, study.id).edit_version) == (
        "Klantfit (Bert)",
        3,
    )


def test_theme_edited_in_two_tabs_keeps_the_first_save_and_refuses_the_second(
    db, make_study, make_user, client, login
):
    # Arrange: one researcher, the theme's edit page open in two tabs.
    study = make_study()
    user = make_user(Role.RESEARCHER, all_suppliers=True)
    theme = create_theme(session=db.session, study=study, name="Prijs", colour=PALETTE[0], actor=None)
    db.session.commit()
    login(user)
    url = f"/studies/{study.slug}/coding/themes/{theme.id}"
    first_tab, second_tab = shown_version(client.get(url)), shown_version(client.get(url))
    form = {"description": "", "colour": PALETTE[1], "position": "1"}
    saved = client.post_form(url, {**form, "name": "Prijs en kosten", "edit_version": first_tab})

    # Act
    refused = client.post_form(url, {**form, "name": "Tarieven", "edit_version": second_tab})
    again = client.post_form(url, {**form, "name": "Tarieven", "edit_version": shown_version(refused)})

    # Assert
    body = refused.get_data(as_text=True)
    assert (saved.status_code, refused.status_code, again.status_code) == (302, 422, 302)
    assert THEME_CONFLICT in body
    assert 'value="Tarieven"' in body
    db.session.expire_all()
    assert db.session.scalars(select(Theme.name)).all() == ["Tarieven"]


def test_two_researchers_recording_the_first_decision_at_once_get_a_conflict_not_an_overwrite(
    db, act_study, two_researchers
):
    # Arrange: both open the account page before either decided.
    study = act_study()
    anna, bert = two_researchers
    url = f"/studies/{study.slug}/act/accounts/{account_id(db, MATCH)}"
    anna_version, bert_version = shown_version(anna.get(url)), shown_version(bert.get(url))
    saved = anna.post_form(
        url, {"kind": "continue", "rationale": "Anna: a good client", "edit_version": anna_version}
    )

    # Act
    refused = bert.post_form(
        url, {"kind": "continue", "rationale": "Bert: <steady> client", "edit_version": bert_version}
    )

    # Assert
    body = refused.get_data(as_text=True)
    db.session.expire_all()
    assert (anna_version, bert_version) == ("", "")
    assert (saved.status_code, refused.status_code) == (302, 422)
    assert DECISION_CONFLICT in body
    assert "Bert: &lt;steady&gt; client</textarea>" in body
    assert "Anna: a good client" in body
    assert db.session.scalars(select(Decision.rationale)).all() == ["Anna: a good client"]
    assert shown_version(refused) == "1"


def test_decision_changed_over_a_stale_form_is_refused_then_replaced_on_purpose(
    db, act_study, two_researchers
):
    # Arrange: a decision exists; both open it; Anna changes it first.
    study = act_study()
    anna, bert = two_researchers
    url = f"/studies/{study.slug}/act/accounts/{account_id(db, MATCH)}"
    anna.post_form(url, {"kind": "continue", "rationale": "First", "edit_version": ""})
    anna_version, bert_version = shown_version(anna.get(url)), shown_version(bert.get(url))
    anna.post_form(url, {"kind": "continue", "rationale": "Anna's change", "edit_version": anna_version})

    # Act
    refused = bert.post_form(
        url, {"kind": "continue", "rationale": "Bert's change", "edit_version": bert_version}
    )
    stored_after_refusal = db.session.scalars(select(Decision.rationale)).all()
    again = bert.post_form(
        url, {"kind": "continue", "rationale": "Bert's change", "edit_version": shown_version(refused)}
    )

    # Assert
    db.session.expire_all()
    assert (refused.status_code, again.status_code) == (422, 302)
    assert stored_after_refusal == ["Anna's change"]
    assert db.session.execute(select(Decision.rationale, Decision.edit_version)).all() == [
        ("Bert's change", 3)
    ]
