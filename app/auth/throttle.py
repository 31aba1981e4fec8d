"""The login limits (ASVS 6.3.1): failed attempts per account and per address in a sliding window.

Only failures count, so colleagues behind one hospital address and a user logging in many times a day are
never refused for succeeding. The counters are rows in the database, shared by every worker and app server
without Redis. An attempt is written *before* the password or code is checked and removed when it
succeeds: parallel attempts each see the others, so a burst cannot slip past the limit while the
password hashes are being computed. The account bucket is keyed by the typed e-mail address whether or not
an account has it, and a locked-out attempt is refused before anything is checked, so a lockout tells
nothing about which accounts exist.
"""
import hashlib
from datetime import timedelta

from flask import current_app, has_request_context, request
from limits import parse
from sqlalchemy import delete, func, or_, select

from app.auth.models import LoginFailure
from app.core import audit
from app.core.audit import AuditAction
from app.db import utcnow
from app.errors import DomainError
from app.extensions import db

TOO_MANY = "For mange mislykkede forsøk på kort tid. Vent et kvarter og prøv igjen."


class TooManyAttempts(DomainError):
    status_code = 429

    def __init__(self, message: str = TOO_MANY) -> None:
        super().__init__(message)


def account_key(email: str | None) -> str:
    """The bucket of a typed e-mail address (normalised as accounts are: trimmed, lower case)."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def _limit(setting: str) -> tuple[int, timedelta]:
    """"5 per 15 minutes" from config.py as (5, 15 minutes), read with Flask-Limiter's own parser."""
    item = parse(current_app.config[setting])
    return item.amount, timedelta(seconds=item.get_expiry())


def _count(column, value, since) -> int:
    return db.session.scalar(select(func.count()).select_from(LoginFailure)
                             .where(column == value, LoginFailure.at > since))


def begin(email: str | None) -> LoginFailure:
    """Count this attempt and return its row, or raise TooManyAttempts when the account or the address has
    used up its failures. Commits at once (the attempt counts even if the request fails afterwards); call it
    before any change of the request."""
    now = utcnow()
    address = request.remote_addr if has_request_context() else None
    account = account_key(email)
    attempt = LoginFailure(at=now, account=account, address=address)
    db.session.add(attempt)
    db.session.commit()
    per_account, account_window = _limit("LOGIN_LIMIT_PER_ACCOUNT")
    per_address, address_window = _limit("LOGIN_LIMIT_PER_ADDRESS")
    # This attempt is in the count: more than the limit means the limit's failures came first.
    locked = _count(LoginFailure.account, account, now - account_window) > per_account or (
        address is not None and _count(LoginFailure.address, address, now - address_window) > per_address)
    if locked:
        # A refused attempt checked nothing: it is no failure, and the lockout ends when the window has passed.
        # It is logged as the typed address, never as an account, as a failed login of an unknown one is.
        clear(attempt)
        db.session.commit()
        audit.record_access(AuditAction.LOGIN_FAILED, "user", None,
                            details={"email": (email or "")[:254], "locked_out": True})
        raise TooManyAttempts()
    return attempt


def clear(attempt: LoginFailure) -> None:
    """The attempt succeeded (or was never checked): it is no failure. Rows older than the windows go at the
    same time. Part of the caller's transaction."""
    window = max(_limit("LOGIN_LIMIT_PER_ACCOUNT")[1], _limit("LOGIN_LIMIT_PER_ADDRESS")[1])
    db.session.execute(delete(LoginFailure).where(or_(LoginFailure.id == attempt.id,
                                                      LoginFailure.at < utcnow() - window)))
