from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from yihu.config import get_settings


@lru_cache
def hasher() -> PasswordHasher:
    s = get_settings()
    return PasswordHasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib, parallelism=1, type=Type.ID)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache
def dummy_hash() -> str:
    """Verified against when no account matches, so a miss costs as long as a wrong password."""
    return hash_password("no-such-account-password")


def needs_rehash(stored: str) -> bool:
    return hasher().check_needs_rehash(stored)
