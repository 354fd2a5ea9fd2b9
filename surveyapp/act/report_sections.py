"""The act phase's optional report sections (see surveyapp/reporting/context.py): per account its decision
and its actions. Named in the app config as `REPORT_SECTION_PROVIDERS="surveyapp.act.report_sections:sections"`.

Besides the keys the report templates read, a decision carries `follow_up`: one sentence on what became of
the previous wave's decision for this account (its actions done and the change in fit), or None.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from sqlalchemy import select

from surveyapp.act.forms import DECISION_NAMES, STATUS_LABELS
from surveyapp.act.proposals import Change, FollowUp
from surveyapp.act.queries import decisions_by_account, follow_ups
from surveyapp.analysis.service import analysis_document
from surveyapp.i18n import _
from surveyapp.studies.models import Account, Study


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def follow_up_sentence(follow: FollowUp) -> str:
    """The follow-up line in the current locale."""
    actions = _(
        "Previous wave: %(decision)s; %(done)d of %(total)d actions done.",
        decision=str(DECISION_NAMES[follow.decision.value]),
        done=follow.actions_done,
        total=follow.actions_total,
    )
    if follow.change is Change.NOT_MEASURED:
        return f"{actions} " + _(
            "No change in fit can be measured (the account lacks responses in one of the waves)."
        )
    change = _(
        "Change in overall fit: client %(client)s, supplier %(supplier)s, gap %(gap)s.",
        client=_signed(follow.client_change),
        supplier=_signed(follow.supplier_change),
        gap=_signed(follow.gap_change),
    )
    verdict = {
        Change.CLOSER: _("Closer together."),
        Change.GROWING_APART: _("Growing apart."),
        Change.NO_CLEAR_CHANGE: _("No clear change."),
    }[follow.change]
    return f"{actions} {change} {verdict}"


def sections(
    *, session: Any, study: Study, language: str, document: Mapping[str, Any] | None = None
) -> dict[str | None, dict[str, Any]]:
    """{account name: {"decision": {...}, "actions": [...]}} for every account with a decision in the study,
    and {"previous_decision": {...}} for every account with a decision in the previous wave (rule 12)."""
    decisions = decisions_by_account(session=session, study=study)
    followed = (
        follow_ups(
            session=session,
            study=study,
            document=document if document is not None else analysis_document(session=session, study=study),
        )
        if study.previous_study_id is not None
        else {}
    )
    result: dict[str | None, dict[str, Any]] = {}
    names = dict(
        session.execute(select(Account.id, Account.name).where(Account.id.in_(sorted(followed)))).all()
        if followed
        else []
    )
    with force_locale(language):
        for account_id, follow in followed.items():
            result.setdefault(names[account_id], {})["previous_decision"] = {
                "decision": follow.decision.value,
                "follow_up": follow_up_sentence(follow),
            }
        for decision in sorted(decisions.values(), key=lambda d: d.account.name):
            follow = followed.get(decision.account_id)
            result.setdefault(decision.account.name, {}).update(
                {
                    "decision": {
                        "decision": decision.kind.value,
                        "rationale": decision.rationale,
                        "decided_at": decision.decided_at.astimezone(ZoneInfo(study.time_zone)).date(),
                        "follow_up": follow_up_sentence(follow) if follow else None,
                    },
                    "actions": [
                        {
                            "title": action.title,
                            "owner": action.owner_label,
                            "due": action.due,
                            "status": str(STATUS_LABELS[action.status.value]),
                        }
                        for action in decision.actions
                    ],
                }
            )
    return result
