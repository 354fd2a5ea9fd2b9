"""Fault: the app is restarted (a new app instance on the same database) in the middle of a survey, an
interview or a report. Everything continues from the last save: nothing lives only in the old process.

A report that a stopped web process left `queued` is rendered by the next `tick` (tests/jobs/test_render.py,
test_tick_renders_reports_left_in_the_queue_...); one left `rendering` by a renderer that died with its
process is the case below.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from surveyapp.db import utcnow
from surveyapp.jobs.render import render_queued_reports
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.reporting.services import claim_for_rendering, request_report
from surveyapp.responses.models import COMPLETED, Response
from tests.interviews.conftest import Screen
from tests.responses.conftest import ABOUT, FIT, LOYALTY, checked, location, stored, text_of


def test_survey_continues_after_a_restart_from_the_last_saved_page(
    db, make_app, survey_study, make_invitation, respondent
):
    # Arrange: two pages saved on the first app instance.
    setup = survey_study()
    invitation = make_invitation(setup.study, setup.ben, setup.globex_id)
    before = respondent(invitation)
    before.save("about", ABOUT)
    before.save("fit", FIT)
    shown_before = checked(text_of(before.page("fit")))

    # Act: a new instance of the app; the respondent opens the personal link again.
    restarted = make_app()
    again = respondent(invitation, target=restarted.test_client())
    start = again.get()
    page = again.page("fit")
    saved = again.save("loyalty", LOYALTY)
    submitted = again.submit()

    # Assert
    assert start.status_code == 200
    assert f'href="{again.base}/page/loyalty"' in text_of(start)
    assert checked(text_of(page)) == shown_before
    assert shown_before[0] == "q-needs-3"
    assert (location(saved), location(submitted)) == (f"{again.base}/review", f"{again.base}/done")
    assert db.session.scalar(select(Response.status)) == COMPLETED
    assert {key: stored(db)[key] for key in ("role", "needs", "why")} == {
        "role": "user",
        "needs": "4",
        "why": "Slow replies.",
    }


def test_interview_resumes_after_a_restart_with_the_saved_answers(
    db, make_app, login, fieldwork, researcher, started
):
    # Arrange: the researcher saved a topic on the first app instance.
    work = fieldwork()
    interview = started(work, researcher)
    first = make_app().test_client()
    login(researcher, target=first)
    tab = Screen(first, interview.id)
    tab.topic("needs")
    saved = tab.save_topic("needs", {"q-needs_2": "2"})

    # Act: a new instance of the app, the researcher logs in again and opens the interview.
    second = make_app().test_client()
    login(researcher, target=second)
    resumed = Screen(second, interview.id)
    page = text_of(resumed.topic("needs"))

    # Assert
    assert saved.status_code in (302, 303)
    assert re.search(r'<input checked[^>]*id="q-needs_2-1"', page) is not None


def test_report_left_rendering_by_a_dead_process_is_rendered_by_the_next_tick(app, db, answered_study):
    # Arrange: a renderer claimed the report an hour ago and died with its process.
    study = answered_study()
    report_id = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO).id
    db.session.commit()
    claim_for_rendering(session=db.session, report_id=report_id, now=utcnow() - timedelta(hours=1))
    db.session.commit()

    # Act: the restarted app's tick.
    rendered = render_queued_reports()

    # Assert
    db.session.expire_all()
    assert rendered == 1
    assert db.session.get(Report, report_id).status is ReportStatus.READY
