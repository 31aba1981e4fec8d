"""Password hashing with argon2id; the cost comes from the configuration (cheap in tests)."""
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.errors import InvalidInput

# Verified against when the account does not exist, so unknown and known users take equally long.
_DUMMY_PASSWORD = "not-a-real-password"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return _cached_hasher(config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"])


@lru_cache(maxsize=4)
def _cached_hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Hashed once per cost setting, so an unknown user costs one verification, as a known one does."""
    return hasher.hash(_DUMMY_PASSWORD)


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords in leaked password lists (shipped offline by zxcvbn)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password_strength(password: str) -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InvalidInput(f"Passordet må ha minst {minimum} tegn.", field="password")
    if password.casefold() in common_passwords():
        raise InvalidInput("Passordet er blant de mest brukte passordene og er lett å gjette. Velg et annet.",
                           field="password")
    if len(set(password)) < 4:
        raise InvalidInput("Passordet er for enkelt. Velg et passord med flere ulike tegn.", field="password")
