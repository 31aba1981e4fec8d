"""Two-factor login with time-based one-time codes (TOTP, RFC 6238) from an authenticator app. A code
is accepted once: the step it belongs to is remembered, so a code seen over someone's shoulder cannot be
replayed. Required in production configuration (TOTP_REQUIRED)."""
import hmac
import re

import pyotp
import segno

from app.auth.models import User
from app.core import audit
from app.core.audit import AuditAction
from app.db import utcnow
from app.errors import InvalidInput

ISSUER = "Helsesak"
CLOCK_DRIFT_STEPS = 1   # a code from the step before or after is accepted too


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The provisioning URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def check_code(user: User, code: str | None, *, secret: str | None = None, now=None) -> None:
    """Accept `code` for the user's secret (or for `secret` while setting it up) once, or raise InvalidInput.
    The step of the last accepted code belongs to the user's secret: a new secret starts afresh."""
    secret = secret or user.totp_secret
    if secret is None:
        raise InvalidInput("Tofaktorinnlogging er ikke satt opp for kontoen.", field="code")
    totp = pyotp.TOTP(secret)
    last_step = user.totp_last_step if secret == user.totp_secret else None
    code = "".join((code or "").split())
    moment = now or utcnow()
    current = totp.timecode(moment)
    steps = range(current - CLOCK_DRIFT_STEPS, current + CLOCK_DRIFT_STEPS + 1) if re.fullmatch(r"\d{6}", code) else ()
    for step in steps:
        if hmac.compare_digest(totp.generate_otp(step).encode(), code.encode()):
            if last_step is not None and step <= last_step:
                break   # already used: a replay
            user.totp_last_step = step
            return
    audit.record_access(AuditAction.LOGIN_FAILED, "user", user.id, user=user, details={"factor": "totp"})
    raise InvalidInput("Koden stemmer ikke, eller er allerede brukt. Skriv inn den nyeste koden fra appen.",
                       field="code")


def enable(user: User, *, secret: str, code: str | None, now=None) -> None:
    """Turn the app with `secret` on (or replace the earlier app) once a code from it is right."""
    changes = {"two_factor": [False, True]} if user.totp_secret is None else {"two_factor_app": ["***", "***"]}
    check_code(user, code, secret=secret, now=now)
    user.totp_secret = secret
    audit.record_change(AuditAction.UPDATE, "user", user.id, user=user, changes=changes)
