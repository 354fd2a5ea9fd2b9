"""Which invitations this browser session may answer: granted when a personal link is exchanged.

The contract between the link landing (invitations) and the respondent pages (responses): the landing calls
`grant`, the survey pages call `may_answer` and answer 404 otherwise.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

SESSION_KEY = "invitations"
MAX_GRANTS = 50


def grant(session: MutableMapping[str, Any], invitation_id: int) -> None:
    """Let this session answer the invitation (a staff member may hold links for several accounts)."""
    granted = [i for i in session.get(SESSION_KEY, []) if i != invitation_id]
    granted.append(invitation_id)
    session[SESSION_KEY] = granted[-MAX_GRANTS:]


def may_answer(session: MutableMapping[str, Any], invitation_id: int) -> bool:
    return invitation_id in session.get(SESSION_KEY, [])


def granted_ids(session: MutableMapping[str, Any]) -> list[int]:
    return list(session.get(SESSION_KEY, []))
