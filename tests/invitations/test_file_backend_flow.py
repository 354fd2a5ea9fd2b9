"""The `make run` experience: send from the page, find the .eml files, follow a link, see it marked opened."""

from __future__ import annotations

import threading
import time
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from surveyapp.enums import InvitationStatus
from surveyapp.extensions import db
from surveyapp.invitations.models import Invitation
from tests.conftest import CSRF_INPUT, PASSWORD
from tests.invitations.conftest import links_in


def wait_for_background_jobs(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while any(t.name.startswith("job-") for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the background delivery did not finish"
        time.sleep(0.05)


def test_send_from_the_page_writes_eml_files_whose_link_marks_opened(make_app, fit_study, make_user):
    app = make_app(MAIL_BACKEND="file", JOBS_MODE="thread")
    client = app.test_client()
    with app.app_context():
        slug = fit_study().slug
        user = make_user()
        email = user.email
    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": CSRF_INPUT.search(login_page)[1]}
    )
    page = client.get(f"/studies/{slug}/invitations").get_data(as_text=True)

    client.post(f"/studies/{slug}/invitations/send", data={"csrf_token": CSRF_INPUT.search(page)[1]})
    wait_for_background_jobs()

    files = sorted(Path(app.config["MAIL_OUTBOX_DIR"]).glob("*.eml"))
    brief = next(
        message_from_bytes(f.read_bytes(), policy=policy.default)
        for f in files
        if "-invitation.eml" in f.name and b"briefing" in f.read_bytes()
    )
    link = links_in(brief.get_body(preferencelist=("plain",)).get_content())[0]
    landing = client.get(f"/s/{link}")
    with app.app_context():
        opened = db.session.scalar(select(Invitation).where(Invitation.account_id.is_(None)))
        status = opened.status
    assert len(files) == 3
    assert landing.status_code == 302
    assert status == InvitationStatus.OPENED
