"""Password hashing with argon2, with parameters from the settings and rehashing when they change."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from surveyapp.i18n import _l

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


@lru_cache(maxsize=8)
def hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(ph: PasswordHasher, password: str) -> str:
    return ph.hash(password)


def verify_password(ph: PasswordHasher, stored_hash: str | None, password: str) -> bool:
    """True when the password matches; a missing hash still costs one verification (no timing oracle)."""
    target = stored_hash or _dummy_hash(ph)
    try:
        ok = ph.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and stored_hash is not None


def _dummy_hash(ph: PasswordHasher) -> str:
    return _dummy_for(ph.time_cost, ph.memory_cost, ph.parallelism)


@lru_cache(maxsize=8)
def _dummy_for(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return hasher(time_cost, memory_cost, parallelism).hash("not-a-real-password-for-timing")


def password_problem(password: str) -> object | None:
    """Why a new password is refused, or None (length only: NIST 800-63B advises against composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("The password may have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    return None


def hasher_from_config(config: dict) -> PasswordHasher:
    """The password hasher with the parameters in the app's settings."""
    return hasher(
        int(config["ARGON2_TIME_COST"]), int(config["ARGON2_MEMORY_COST"]), int(config["ARGON2_PARALLELISM"])
    )
