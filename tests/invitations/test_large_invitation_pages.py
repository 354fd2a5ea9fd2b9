"""The invitation pages of a large study (issue 22): the per-account table and the non-responders are paged;
the send panel names the first skipped contacts and counts the rest."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from surveyapp.enums import Language, Phase, Role, Side
from surveyapp.invitations.lifecycle import NOT_RESPONDED
from surveyapp.invitations.models import Invitation
from surveyapp.studies import scope
from surveyapp.studies.models import Account
from tests.studies.large_study import account_name, build_large_study

MAX_BYTES = 5_000_000


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _waiting(db: Any, account_id: int | None = None) -> int:
    """How many invitations (of one account) were delivered and not completed."""
    statement = select(func.count()).select_from(Invitation).where(Invitation.status.in_(NOT_RESPONDED))
    if account_id is not None:
        statement = statement.where(Invitation.account_id == account_id)
    return int(db.session.scalar(statement))


def test_invitation_pages_of_a_20000_account_study_are_small_and_paged(db, client, login, make_user):
    # Arrange: the analyse phase, where nothing is sent any more (the send plan is bench/'s to time)
    built = build_large_study(db.session, phase=Phase.ANALYSE, answered=200, client_only=100, decisions=0)
    slug = built.study.slug
    waiting = _waiting(db)
    login(make_user(Role.RESEARCHER))

    # Act
    overview = client.get(f"/studies/{slug}/invitations")
    non_responders = client.get(f"/studies/{slug}/invitations/non-responders")

    # Assert
    assert [overview.status_code, non_responders.status_code] == [200, 200]
    assert [len(overview.data) < MAX_BYTES, len(non_responders.data) < MAX_BYTES] == [True, True]
    assert "Accounts 1–50 of 20,000" in _text(overview)
    assert re.findall(r'<th scope="row"><a href="[^"]*">(Account \d{5})</a>', _text(overview)) == [
        account_name(n) for n in range(1, 51)
    ]
    assert f"Non-responders 1–50 of {waiting:,}" in _text(non_responders)
    assert '<nav class="pagination" aria-label="Pages of the non-responders">' in _text(non_responders)


def test_invitations_overview_page_three_shows_the_last_accounts(db, client, login, make_user):
    # Arrange
    built = build_large_study(db.session, accounts=120, phase=Phase.ANALYSE, answered=0, client_only=0)
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{built.study.slug}/invitations?page=3"))

    # Assert
    assert "Accounts 101–120 of 120" in html
    assert re.findall(r'<th scope="row"><a href="[^"]*">(Account \d{5})</a>', html) == [
        account_name(n) for n in range(101, 121)
    ]


def test_non_responders_page_groups_by_account_with_each_accounts_total(db, client, login, make_user):
    # Arrange: 60 accounts, each with two client invitations and one staff invitation
    built = build_large_study(db.session, accounts=60, phase=Phase.ANALYSE, answered=0, client_only=0)
    login(make_user(Role.RESEARCHER))

    # Act
    html = _text(client.get(f"/studies/{built.study.slug}/invitations/non-responders?page=2"))

    # Assert
    headings = re.findall(
        r'<h2 id="nr-\d+"><a href="[^"]*">(Account \d{5})</a> <span class="hint">\((\d+)\)', html
    )
    names = [name for name, _total in headings]
    ids = dict(db.session.execute(select(Account.name, Account.id).where(Account.name.in_(names))).all())
    assert f"Non-responders 51–100 of {_waiting(db)}" in html
    assert names == sorted(names)
    assert [int(total) for _name, total in headings] == [_waiting(db, ids[name]) for name in names]
    assert html.count("<li>Client ") + html.count("<li>Staff member ") == 50


def test_send_panel_names_20_skipped_contacts_and_counts_the_rest(db, fit_study, make_user, login, client):
    # Arrange: 25 opted-out client contacts on Acme BV
    study = fit_study()
    acme = db.session.scalar(select(Account.id).where(Account.name == "Acme BV"))
    for number in range(25):
        contact = scope.add_contact(
            session=db.session,
            study=study,
            side=Side.CLIENT,
            email=f"gone{number:02d}@acme.example",
            name=f"Gone {number:02d}",
            language=Language.NL,
            account_id=acme,
            actor=None,
        )
        contact.opted_out_at = datetime(2026, 1, 1, tzinfo=UTC)
    study.phase = Phase.INTERVIEW
    db.session.commit()
    login(make_user())

    # Act
    html = _text(client.get(f"/studies/{study.slug}/invitations"))

    # Assert
    assert re.findall(r"<li>(Gone \d\d) \(", html) == [f"Gone {number:02d}" for number in range(20)]
    assert "And 5 more contacts." in html
