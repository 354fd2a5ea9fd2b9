"""Read-side queries for reports, scoped like everything else: a report is visible when its study is, and to
account teams only once a researcher approved it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.auth.models import User, user_suppliers
from surveyapp.auth.permissions import is_staff
from surveyapp.enums import Role
from surveyapp.reporting.models import Report, ReportKind, ReportStatus
from surveyapp.studies.models import Account, Study, StudyAccount
from surveyapp.studies.queries import get_visible_study


def made_for_account_teams(report: Report) -> bool:
    """Whether the report was made from what rule 18 lets leave the research team (every report made since the
    rule has its analysis's `confidentiality`; an earlier one may show what it now holds back)."""
    return isinstance(report.analysis, dict) and "confidentiality" in report.analysis


def _made_for_account_teams_sql(session: Session) -> Any:
    """`made_for_account_teams` in SQL, so that a list never loads the reports' analyses."""
    if session.get_bind().dialect.name == "postgresql":
        return Report.analysis["confidentiality"].is_not(None)
    return func.json_type(Report.analysis, "$.confidentiality").is_not(None)


def _outside_may_see(report: Report) -> bool:
    return (
        report.approved_at is not None
        and report.status is ReportStatus.READY
        and made_for_account_teams(report)
    )


def visible_report(*, session: Session, user: Any, report_id: int) -> Report | None:
    """The report if the user may see it; None otherwise (the caller answers 404). Account teams see approved
    reports made under rule 18 only."""
    report = session.get(Report, report_id)
    if report is None or get_visible_study(session=session, user=user, slug=report.study.slug) is None:
        return None
    if not is_staff(user) and not _outside_may_see(report):
        return None
    return report


def study_reports(*, session: Session, user: Any, study: Study) -> list[Report]:
    """The study's reports the user may see, newest first (account teams: approved ones only)."""
    statement = (
        select(Report)
        .outerjoin(Account, Account.id == Report.account_id)
        .where(Report.study_id == study.id)
        .order_by(
            Report.kind.desc(),
            func.lower(func.coalesce(Account.name, "")),
            Report.language,
            Report.version.desc(),
            Report.id.desc(),
        )
    )
    if not is_staff(user):
        statement = statement.where(
            Report.approved_at.is_not(None),
            Report.status == ReportStatus.READY,
            _made_for_account_teams_sql(session),
        )
    return list(session.scalars(statement))


def latest_versions(reports: list[Report]) -> tuple[list[Report], dict[int, int]]:
    """The newest version of each report (study, kind, account, language) in the given order (`study_reports`
    lists each report's versions together, newest first), and per newest version how many older ones there are."""
    latest: list[Report] = []
    older: dict[int, int] = {}
    seen: dict[tuple[object, ...], int] = {}
    for report in reports:
        key = (report.kind, report.account_id, report.language)
        if key in seen:
            older[seen[key]] += 1
            continue
        seen[key] = report.id
        older[report.id] = 0
        latest.append(report)
    return latest, older


def older_versions(*, session: Session, user: Any, report: Report) -> list[Report]:
    """The other versions of the same report (study, kind, account, language) the user may see."""
    statement = select(Report).where(
        Report.study_id == report.study_id,
        Report.kind == report.kind,
        Report.account_id.is_(None) if report.account_id is None else Report.account_id == report.account_id,
        Report.language == report.language,
        Report.id != report.id,
    )
    if not is_staff(user):
        statement = statement.where(
            Report.approved_at.is_not(None),
            Report.status == ReportStatus.READY,
            _made_for_account_teams_sql(session),
        )
    return list(session.scalars(statement.order_by(Report.version.desc())))


def accounts_in_scope(*, session: Session, study: Study) -> list[Account]:
    return list(
        session.scalars(
            select(Account)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
            .order_by(func.lower(Account.name))
        )
    )


def account_team_members(*, session: Session, supplier_id: int) -> list[User]:
    """The active account-team users of a supplier: the people a report may be sent to."""
    return list(
        session.scalars(
            select(User)
            .join(user_suppliers, user_suppliers.c.user_id == User.id)
            .where(
                user_suppliers.c.supplier_id == supplier_id,
                User.role == Role.ACCOUNT_TEAM,
                User.is_active_user.is_(True),
            )
            .order_by(func.lower(User.name), User.email)
        )
    )


def has_pending(reports: list[Report]) -> bool:
    return any(report.is_pending for report in reports)


def is_portfolio(report: Report) -> bool:
    return report.kind is ReportKind.PORTFOLIO
