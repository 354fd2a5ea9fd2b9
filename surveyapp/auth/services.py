"""User accounts: creation, roles and supplier access, authentication, password links, ending sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.auth.models import PasswordToken, User
from surveyapp.auth.passwords import hash_password, password_problem, verify_password
from surveyapp.db import utcnow
from surveyapp.enums import Language, Role
from surveyapp.i18n import _l
from surveyapp.studies.models import Supplier

TOKEN_PURPOSES = ("set", "reset")


class UserError(ValueError):
    """A request about a user that cannot be carried out; the message says why, in one line."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    record: PasswordToken


def normalise_email(email: str) -> str:
    """Validate syntax (no DNS lookup) and return the lower-cased address."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise UserError(_l("%(email)s is not a valid email address.", email=email.strip()[:254])) from None
    return result.normalized.lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_role_suppliers(role: Role, suppliers: list[Supplier], all_suppliers: bool) -> None:
    if role in (Role.ACCOUNT_TEAM, Role.SALES) and len(suppliers) != 1:
        raise UserError(_l("A user with role %(role)s needs exactly one supplier.", role=role.value))
    if role == Role.RESEARCHER and not all_suppliers and not suppliers:
        raise UserError(_l("A researcher needs access to all suppliers or to at least one."))


def find_user(*, session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    *,
    session: Session,
    email: str,
    role: Role,
    name: str = "",
    suppliers: list[Supplier] | None = None,
    all_suppliers: bool | None = None,
    language: Language | None = None,
    password: str | None = None,
    hasher: PasswordHasher,
    actor: User | None = None,
    actor_label: str | None = None,
) -> User:
    """Create a user. A researcher without suppliers gets all suppliers unless `all_suppliers` says otherwise."""
    address = normalise_email(email)
    suppliers = suppliers or []
    if all_suppliers is None:
        all_suppliers = role == Role.RESEARCHER and not suppliers
    if role != Role.RESEARCHER:
        all_suppliers = False
    _check_role_suppliers(role, suppliers, all_suppliers)
    if find_user(session=session, email=address) is not None:
        raise UserError(_l("A user with email %(email)s already exists.", email=address))
    if password is not None and (problem := password_problem(password)):
        raise UserError(problem)
    user = User(
        email=address,
        name=name.strip(),
        role=role,
        language=language,
        all_suppliers=all_suppliers,
        suppliers=list(suppliers),
        password_hash=hash_password(hasher, password) if password else None,
    )
    session.add(user)
    session.flush()
    record(
        session=session,
        action="user.created",
        actor=actor,
        actor_label=actor_label,
        obj=user,
        details={"role": role.value, "suppliers": [s.id for s in suppliers], "all_suppliers": all_suppliers},
    )
    return user


def update_user(
    *,
    session: Session,
    user: User,
    name: str,
    role: Role,
    suppliers: list[Supplier],
    all_suppliers: bool,
    language: Language | None,
    active: bool,
    actor: User,
) -> User:
    """Change a user's role, supplier access, language or active flag; losing access ends their sessions."""
    if role != Role.RESEARCHER:
        all_suppliers = False
    _check_role_suppliers(role, suppliers, all_suppliers)
    if user.id == actor.id and (role != Role.ADMIN or not active):
        raise UserError(_l("You cannot remove your own admin role or deactivate yourself."))
    before = {
        "role": user.role.value,
        "suppliers": sorted(s.id for s in user.suppliers),
        "all_suppliers": user.all_suppliers,
        "active": user.is_active_user,
    }
    user.name = name.strip()
    user.role = role
    user.suppliers = list(suppliers)
    user.all_suppliers = all_suppliers
    user.language = language
    user.is_active_user = active
    after = {
        "role": role.value,
        "suppliers": sorted(s.id for s in suppliers),
        "all_suppliers": all_suppliers,
        "active": active,
    }
    if after != before:
        # Narrower rights must hold at once, not at the end of an eight-hour session.
        user.session_version += 1
    session.flush()
    record(
        session=session,
        action="user.updated",
        actor=actor,
        obj=user,
        details={"before": before, "after": after},
    )
    return user


def authenticate(*, session: Session, email: str, password: str, hasher: PasswordHasher) -> User | None:
    """The active user with this email and password, or None; takes the same time whether or not the email exists."""
    user = find_user(session=session, email=email)
    stored = user.password_hash if user is not None else None
    if not verify_password(hasher, stored, password) or user is None or not user.is_active_user:
        return None
    if hasher.check_needs_rehash(stored or ""):
        user.password_hash = hash_password(hasher, password)
    user.last_login_at = utcnow()
    session.flush()
    return user


def end_sessions(*, session: Session, user: User) -> None:
    """Invalidate every session cookie issued to this user so far."""
    user.session_version += 1
    session.flush()


def issue_password_token(
    *, session: Session, user: User, purpose: str, hours: int, actor: User | None = None
) -> IssuedToken:
    """Create a one-time link token (returned once, stored only as a hash); earlier unused ones stop working."""
    if purpose not in TOKEN_PURPOSES:
        raise ValueError(f"unknown password token purpose {purpose!r}")
    now = utcnow()
    for old in session.scalars(
        select(PasswordToken).where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    issued = PasswordToken(
        user_id=user.id,
        token_hash=token_hash(token),
        purpose=purpose,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(issued)
    session.flush()
    record(session=session, action=f"user.password_link_{purpose}", actor=actor, obj=user)
    return IssuedToken(token=token, record=issued)


def valid_password_token(*, session: Session, token_digest: str) -> PasswordToken | None:
    """The unused, unexpired token with this hash whose user is active, or None."""
    found = session.scalar(select(PasswordToken).where(PasswordToken.token_hash == token_digest))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    if not found.user.is_active_user:
        return None
    return found


def set_password_with_token(
    *, session: Session, token_digest: str, password: str, hasher: PasswordHasher
) -> User:
    """Use a one-time token to set a password; ends every existing session of that user."""
    found = valid_password_token(session=session, token_digest=token_digest)
    if found is None:
        raise UserError(_l("This link has expired or has already been used."))
    if problem := password_problem(password):
        raise UserError(problem)
    user = found.user
    user.password_hash = hash_password(hasher, password)
    found.used_at = utcnow()
    end_sessions(session=session, user=user)
    record(session=session, action="user.password_set", actor=user, obj=user)
    return user


def change_password(*, session: Session, user: User, current: str, new: str, hasher: PasswordHasher) -> None:
    """Change one's own password; every other session of the user ends."""
    if not verify_password(hasher, user.password_hash, current):
        raise UserError(_l("The current password is not correct."))
    if problem := password_problem(new):
        raise UserError(problem)
    user.password_hash = hash_password(hasher, new)
    end_sessions(session=session, user=user)
    record(session=session, action="user.password_changed", actor=user, obj=user)


def set_password_directly(*, session: Session, user: User, password: str, hasher: PasswordHasher) -> None:
    """Set a password from the command line (operator action), ending the user's sessions."""
    if problem := password_problem(password):
        raise UserError(problem)
    user.password_hash = hash_password(hasher, password)
    end_sessions(session=session, user=user)
    record(session=session, action="user.password_set", actor_label="cli", obj=user)
