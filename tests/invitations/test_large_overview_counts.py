"""The invitations page of a 20,000-account study in the interview phase (issue 22): small, and its send and
reminder counts right, counted in the database instead of planned in Python."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from surveyapp.enums import InvitationStatus, Phase, Role, Side
from surveyapp.invitations.lifecycle import NOT_RESPONDED
from surveyapp.invitations.models import Invitation
from surveyapp.studies.models import Contact
from tests.studies.large_study import build_large_study

MAX_BYTES = 5_000_000


def test_overview_of_a_20000_account_study_in_interview_is_small_with_the_right_counts(
    db, client, login, make_user
):
    # Arrange: every invitation exists; the failed ones (never queued by us) and the lead's brief are due,
    # every sent or opened one may be reminded now
    built = build_large_study(db.session, phase=Phase.INTERVIEW, answered=200, client_only=100, decisions=0)
    failed = db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.status == InvitationStatus.FAILED)
    )
    waiting = db.session.execute(
        select(Contact.side, func.count(), func.count(distinct(Contact.id)))
        .select_from(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(Invitation.status.in_(NOT_RESPONDED))
        .group_by(Contact.side)
    ).all()
    reminders = sum(n for _side, n, _contacts in waiting)
    emails = sum(contacts for _side, _n, contacts in waiting)
    login(make_user(Role.RESEARCHER))

    # Act
    response = client.get(f"/studies/{built.study.slug}/invitations")

    # Assert
    html = response.get_data(as_text=True)
    assert (response.status_code, len(response.data) < MAX_BYTES) == (200, True)
    assert sorted((side.value, contacts) for side, _n, contacts in waiting) == [
        (Side.CLIENT.value, 38_900),
        (Side.SUPPLIER.value, 100),
    ]
    assert (failed, reminders, emails) == (800, 58_700, 39_000)
    assert "Ready to send: 801 invitations in 801 emails." in html
    assert "Client contacts: 800 invitations." in html
    assert "The brief, to the study lead." in html
    assert f"Remind {reminders} non-responders now ({emails} emails)" in html
    assert "Accounts 1–50 of 20,000" in html
