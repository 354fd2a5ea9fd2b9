"""The analysis memo in the app (issue 22): pages reuse an analysis only while nothing it reads has changed,
and the pages that share its document leave it as the rules made it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from surveyapp.analysis.memo import DEFAULT_ACCOUNTS
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.service import MEMO, shared_analysis_document, study_analysis
from surveyapp.config import ConfigError
from surveyapp.enums import Perspective, Phase, Purpose, Role, Side
from surveyapp.questionnaires.services import load_version
from surveyapp.studies import scope
from surveyapp.studies.models import Account
from tests.dashboard.conftest import answers
from tests.reporting.studies import add_response


@pytest.fixture(autouse=True)
def _empty_memo():
    MEMO.clear()
    yield
    MEMO.clear()
    MEMO.accounts = DEFAULT_ACCOUNTS


def unhappy_client(db, study, account_id, email, when):
    """A new client of the account who answers every scale item at the bottom, submitted at `when`."""
    contact = scope.add_contact(
        session=db.session, study=study, side=Side.CLIENT, email=email, name=email.split("@")[0].upper(),
        role="Buyer", account_id=account_id, actor=None,
    )  # fmt: skip
    chosen = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
    questionnaire = load_version(session=db.session, version_id=chosen.version_id)
    add_response(
        db.session, study, contact, account_id, Perspective.CLIENT, answers(questionnaire, 1, 0), when
    )
    db.session.commit()


def _fresh_document(db, study):
    """The document the rules make now, without the memo."""
    MEMO.clear()
    return build_analysis_document(study_analysis(session=db.session, study=study))


def test_pages_leave_the_shared_analysis_document_unchanged(db, client, login, make_user, dashboard_study):
    # Arrange: a study in the act phase with a previous wave (drift), every page that reads the document
    previous = dashboard_study(slug="fit-2025", title="Client fit 2025", phase=Phase.ACT, shift=1)
    built = dashboard_study(supplier=previous.study.supplier, previous=previous.study, phase=Phase.ACT)
    slug, alpha = built.study.slug, built.accounts["Alpha Zorg"]
    login(make_user(Role.RESEARCHER, all_suppliers=True))
    pages = (
        f"/studies/{slug}/dashboard",
        f"/studies/{slug}/dashboard?segment=Care&role=decision_maker",
        f"/studies/{slug}/dashboard/accounts/{alpha}",
        f"/studies/{slug}/act",
        f"/studies/{slug}/act/accounts/{alpha}",
    )

    # Act
    statuses = [client.get(page).status_code for page in pages + pages]
    shared = shared_analysis_document(session=db.session, study=built.study)

    # Assert: the second round reused the analysis, and its document is still the rules' own
    assert statuses == [200] * 10
    assert (MEMO.misses, MEMO.hits) == (1, 10)
    assert shared == _fresh_document(db, built.study)


def test_renamed_account_gives_a_new_analysis(db, dashboard_study):
    # Arrange
    built = dashboard_study()
    first = study_analysis(session=db.session, study=built.study)
    db.session.get(Account, built.accounts["Delta Retail"]).name = "Delta Winkels"
    db.session.commit()

    # Act
    second = study_analysis(session=db.session, study=built.study)

    # Assert
    assert study_analysis(session=db.session, study=built.study) is second
    assert second is not first
    assert sorted(a.account.name for a in second.accounts) == [
        "Alpha Zorg", "Beta Zorg", "Delta Winkels", "Gamma Industrie",
    ]  # fmt: skip


def test_new_response_gives_a_new_analysis(db, dashboard_study):
    # Arrange: Delta Retail has one client response; a second client answers much lower
    built = dashboard_study()
    delta = built.accounts["Delta Retail"]
    before = shared_analysis_document(session=db.session, study=built.study)
    unhappy_client(db, built.study, delta, "d2@delta.example", datetime(2026, 11, 2, 9, tzinfo=UTC))

    # Act
    after = shared_analysis_document(session=db.session, study=built.study)

    # Assert
    entry = next(e for e in after["accounts"] if e["account"] == "Delta Retail")
    old = next(e for e in before["accounts"] if e["account"] == "Delta Retail")
    assert entry["responses"]["client"]["completed"] == old["responses"]["client"]["completed"] + 1
    assert entry["overall"]["client"] < old["overall"]["client"]
    assert after == _fresh_document(db, built.study)


def test_previous_wave_change_gives_a_new_analysis(db, dashboard_study):
    # Arrange: drift compares with the previous wave's fits; that wave gets a new response
    previous = dashboard_study(slug="fit-2025", title="Client fit 2025", phase=Phase.ACT, shift=1)
    built = dashboard_study(supplier=previous.study.supplier, previous=previous.study)
    first = study_analysis(session=db.session, study=built.study)
    delta = previous.accounts["Delta Retail"]
    unhappy_client(db, previous.study, delta, "d9@delta.example", datetime(2025, 11, 2, 9, tzinfo=UTC))

    # Act
    second = study_analysis(session=db.session, study=built.study)

    # Assert
    assert second is not first
    assert build_analysis_document(second) == _fresh_document(db, built.study)


def test_memo_off_analyses_every_time(db, make_app, dashboard_study):
    # Arrange: an app built with no budget sets this process's memo
    built = dashboard_study()
    make_app(ANALYSIS_MEMO_ACCOUNTS="0")
    first = study_analysis(session=db.session, study=built.study)

    # Act
    second = study_analysis(session=db.session, study=built.study)

    # Assert
    assert (MEMO.accounts, MEMO.hits) == (0, 0)
    assert second is not first
    assert second == first


@pytest.mark.parametrize("value", ["-1", "1.5", "lots", True])
def test_memo_budget_must_be_a_whole_number(make_app, value):
    # Act / Assert
    with pytest.raises(ConfigError) as error:
        make_app(ANALYSIS_MEMO_ACCOUNTS=value)
    assert str(error.value) == (
        f"SURVEYAPP_ANALYSIS_MEMO_ACCOUNTS must be a whole number zero or more, not {value!r}"
    )


def test_memo_reads_the_rows_again_on_every_request(db, dashboard_study):
    # Arrange: the memo saves the rules' work, never the reading: an uncommitted change is seen at once
    built = dashboard_study()
    study_analysis(session=db.session, study=built.study)
    account = db.session.scalar(select(Account).where(Account.id == built.accounts["Beta Zorg"]))
    account.name = "Beta Care"
    db.session.flush()

    # Act
    names = [a.account.name for a in study_analysis(session=db.session, study=built.study).accounts]

    # Assert
    assert "Beta Care" in names
