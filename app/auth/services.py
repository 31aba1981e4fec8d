"""Accounts and login sessions. A session lives in the database: logout, a password change or
deactivation ends it there, and the idle and absolute limits are checked on every request."""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from app.auth import mfa, throttle
from app.auth.models import (
    UNUSABLE_PASSWORD,
    AccountActivation,
    ApiToken,
    PendingLogin,
    User,
    UserSession,
)
from app.auth.passwords import check_password_strength, hash_password, verify_password
from app.core import audit
from app.core.audit import AuditAction
from app.core.regions import ABROAD_OFFICES
from app.core.roles import Role
from app.db import utcnow
from app.errors import DomainError, InvalidInput, NotAllowed
from app.extensions import db

# last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(seconds=60)
PENDING_LOGIN_SECONDS = 300    # from a correct password to the second factor
TOTP_SETUP_SECONDS = 600       # from re-authentication to the first code of the new app
ACTIVATION_HOURS = 72          # an activation link for a new account
LOGIN_AGAIN = "Innloggingen må starte på nytt."


class LoginExpired(DomainError):
    """The pending second login step has ended, expired or no longer fits the account: log in again."""

    status_code = 409

    def __init__(self, message: str = LOGIN_AGAIN) -> None:
        super().__init__(message)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def create_user(*, email: str, name: str, role: Role, office: str | None, password: str | None, actor=None) -> User:
    """A new account. Without a password it cannot log in until it is activated through a one-time link
    (invite_user); only the command line and the demo data set a password directly."""
    email = (email or "").strip().lower()
    if "@" not in email:
        raise InvalidInput("Oppgi en gyldig e-postadresse.", field="email")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput(f"Det finnes allerede en bruker med e-postadressen {email}.", field="email")
    if role is Role.ABROAD_CASEWORKER and office not in ABROAD_OFFICES:
        raise InvalidInput("Saksbehandlere for behandling i utlandet må høre til et utenlandskontor: "
                           + ", ".join(ABROAD_OFFICES) + ".", field="office")
    if role is not Role.ABROAD_CASEWORKER and office:
        raise InvalidInput("Bare saksbehandlere for behandling i utlandet hører til et utenlandskontor.",
                           field="office")
    user = User(email=email, name=name.strip(), role=role, office=office,
                password_hash=UNUSABLE_PASSWORD if password is None else hash_password(password))
    db.session.add(user)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "user", user.id, user=actor,
                        changes={"email": [None, email], "role": [None, role.value], "office": [None, office]})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes as long for unknown users."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    # An account not yet activated is verified against the dummy hash, as an unknown one, and refused.
    usable = user is not None and user.activated
    valid = verify_password(user.password_hash if usable else None, password) and usable
    if user is None or not valid or not user.active:
        audit.record_access(AuditAction.LOGIN_FAILED, "user", user.id if user else None,
                            details={"email": (email or "")[:254]})
        return None
    return user


def start_session(user: User) -> str:
    """Create a login session and return its token (what Flask-Login keeps in the cookie)."""
    token = secrets.token_urlsafe(32)
    session = UserSession(token_hash=_token_hash(token), user_id=user.id,
                          remote_addr=request.remote_addr if has_request_context() else None)
    db.session.add(session)
    db.session.flush()
    user.session_token = token
    user.current_session = session
    audit.record_change(AuditAction.LOGIN, "user", user.id, user=user)
    return token


def load_session_user(token: str, now: datetime | None = None) -> User | None:
    """The user of a live session, or None when it has ended, idled out or grown too old."""
    # Every request asks this: the session and its user in one statement.
    session = db.session.scalar(select(UserSession).options(joinedload(UserSession.user))
                                .where(UserSession.token_hash == _token_hash(token)))
    if session is None or session.ended_at is not None:
        return None
    now = now or utcnow()
    config = current_app.config
    if now - _aware(session.last_seen_at) > timedelta(minutes=config["SESSION_IDLE_MINUTES"]):
        return _end(session, "idle", now)
    if now - _aware(session.created_at) > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"]):
        return _end(session, "expired", now)
    user = session.user
    if not user.active:
        return _end(session, "deactivated", now)
    if now - _aware(session.last_seen_at) > _TOUCH_INTERVAL:
        session.last_seen_at = now
        db.session.commit()
    user.session_token = token
    user.current_session = session
    return user


def _end(session: UserSession, reason: str, now: datetime) -> None:
    session.ended_at = now
    session.end_reason = reason
    db.session.commit()
    return None


def end_session(user: User, reason: str = "logout") -> None:
    session = getattr(user, "current_session", None)
    if session is not None and session.ended_at is None:
        session.ended_at = utcnow()
        session.end_reason = reason
    audit.record_change(AuditAction.LOGOUT, "user", user.id, user=user)


def end_all_sessions(user: User, reason: str, *, keep: UserSession | None = None) -> int:
    """End every live session of `user` (except `keep`), e.g. after a password change; returns how many."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query.values(ended_at=utcnow(), end_reason=reason)).rowcount


def end_sessions_by_admin(user: User, *, actor: User) -> tuple[int, int]:
    """An admin logs `user` out everywhere (a stolen laptop, a suspicion): every session and every API token
    ends. Returns how many sessions ended and how many tokens were revoked."""
    ended = end_all_sessions(user, "ended_by_admin", keep=getattr(actor, "current_session", None))
    revoked = revoke_api_tokens(user, actor=actor, reason="ended_by_admin")
    audit.record_change(AuditAction.LOGOUT, "user", user.id, user=actor,
                        changes={"sessions_ended": [None, ended], "api_tokens_revoked": [None, revoked]})
    return ended, revoked


def end_everyones_sessions(*, actor: User) -> tuple[int, int]:
    """Every user is logged out (after an incident), except the admin's own session; every API token ends,
    the admin's own too. Returns how many sessions ended and how many tokens were revoked."""
    query = update(UserSession).where(UserSession.ended_at.is_(None))
    keep = getattr(actor, "current_session", None)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.execute(query.values(ended_at=utcnow(), end_reason="ended_by_admin")).rowcount
    revoked = revoke_api_tokens(None, actor=actor, reason="ended_by_admin")
    audit.record_change(AuditAction.LOGOUT, "user", None, user=actor,
                        changes={"sessions_ended": [None, ended], "api_tokens_revoked": [None, revoked]})
    return ended, revoked


def _is_live():
    """Sessions that still let someone in: not ended, and not idle past the limit."""
    idle_since = utcnow() - timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    return UserSession.ended_at.is_(None) & (UserSession.last_seen_at >= idle_since)


def live_session_counts() -> dict[int, int]:
    """{user id: live sessions} for the admin's user list."""
    return dict(db.session.execute(
        select(UserSession.user_id, func.count()).where(_is_live()).group_by(UserSession.user_id)).all())


def live_sessions_of(user: User) -> list[UserSession]:
    """The user's live sessions, newest first (the «Innlogginger» page)."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, _is_live())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())))


def end_own_session(user: User, session: UserSession) -> None:
    """The user ends one of their other sessions (a browser left logged in elsewhere)."""
    if session.user_id != user.id or session.ended_at is not None:
        raise NotAllowed("Innloggingen finnes ikke eller er allerede avsluttet.")
    session.ended_at = utcnow()
    session.end_reason = "ended_by_user"
    audit.record_change(AuditAction.LOGOUT, "user_session", session.id, user=user)


def dormant_users(days: int, *, now: datetime | None = None) -> list[User]:
    """Active accounts that have not logged in for `days` days (never logged in: counted from creation)."""
    since = (now or utcnow()) - timedelta(days=days)
    last_login = (select(UserSession.user_id, func.max(UserSession.created_at).label("at"))
                  .group_by(UserSession.user_id).subquery())
    return list(db.session.scalars(
        select(User).outerjoin(last_login, last_login.c.user_id == User.id)
        .where(User.active.is_(True), func.coalesce(last_login.c.at, User.created_at) < since)
        .order_by(User.email)))


def reauthenticate(user: User, *, password: str | None, code: str | None = None, with_code: bool = True) -> None:
    """The logged-in user proves again who they are before changing how they log in or making an API token
    (ASVS 7.5.1): the current password and, when they have one, a code from their app, so a stolen session
    alone is not enough. Wrong answers count against the account's login limit. Call it first in a unit of work,
    before any change, and after every check of the input that could still refuse it: a unit that fails after a
    right answer leaves its attempt counted as a failure."""
    attempt = throttle.begin(user.email)
    if not verify_password(user.password_hash, password or ""):
        audit.record_access(AuditAction.LOGIN_FAILED, "user", user.id, user=user,
                            details={"reauthentication": "password"})
        raise InvalidInput("Nåværende passord er feil.", field="current_password")
    if with_code and user.totp_secret:
        mfa.check_code(user, code)
    throttle.clear(attempt)


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """A new password ends the account's other sessions and every API token (a token made by whoever knew the
    old password must not outlive it)."""
    check_password_strength(new_password)
    reauthenticate(user, password=current_password, with_code=False)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_all_sessions(user, "password_changed", keep=getattr(user, "current_session", None))
    revoke_api_tokens(user, actor=user, reason="password_changed")
    audit.record_change(AuditAction.UPDATE, "user", user.id, user=user, changes={"password": ["***", "***"]})


def reset_two_factor(user: User, *, actor: User) -> None:
    if user.totp_secret is None:
        return
    user.totp_secret = None
    user.totp_last_step = None
    end_all_sessions(user, "two_factor_reset")
    audit.record_change(AuditAction.UPDATE, "user", user.id, user=actor, changes={"two_factor": [True, False]})


def set_active(user: User, active: bool, *, actor=None) -> None:
    changes = audit.apply_changes(user, {"active": active})
    if not active:
        end_all_sessions(user, "deactivated")
    if changes:
        audit.record_change(AuditAction.UPDATE, "user", user.id, user=actor, changes=changes)


# Personal API tokens

API_TOKEN_PREFIX = "hs_"
API_TOKEN_DAYS = 90   # at most; a token is a password that never asks for a second factor


def create_api_token(user: User, *, name: str, days: int = API_TOKEN_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token itself, which is never stored or shown again."""
    name = _check_token_request(name, days)
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(secret), prefix=secret[:10],
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "api_token", token.id, user=user,
                        changes={"name": [None, name], "expires_at": [None, token.expires_at]})
    return token, secret


def _check_token_request(name: str | None, days: int) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Gi nøkkelen et navn, f.eks. hva den skal brukes til.", field="name")
    if not 1 <= days <= API_TOKEN_DAYS:
        raise InvalidInput(f"En nøkkel kan gjelde i 1 til {API_TOKEN_DAYS} dager.", field="days")
    return name


def issue_api_token(user: User, *, name: str, days: int, password: str | None,
                    code: str | None = None) -> tuple[ApiToken, str]:
    """A token made from the account page: only after re-authentication, since a token outlives the session
    that made it and never asks for a second factor."""
    _check_token_request(name, days)
    reauthenticate(user, password=password, code=code)
    return create_api_token(user, name=name, days=days)


def revoke_api_tokens(user: User | None, *, actor: User, reason: str) -> int:
    """Revoke every live token of `user` (of everyone when None), one audit row each; returns how many."""
    now = utcnow()
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    tokens = list(db.session.scalars(query.order_by(ApiToken.id)))
    for token in tokens:
        token.revoked_at = now
        audit.record_change(AuditAction.UPDATE, "api_token", token.id, user=actor,
                            changes={"revoked_at": [None, now], "end_reason": [None, reason]})
    return len(tokens)


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.user_id != actor.id:
        raise InvalidInput("Du kan bare trekke tilbake dine egne nøkler.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record_change(AuditAction.UPDATE, "api_token", token.id, user=actor,
                            changes={"revoked_at": [None, token.revoked_at]})


def user_for_api_token(secret: str, now: datetime | None = None) -> User | None:
    """The active owner of a valid, unexpired, unrevoked token, or None."""
    if not secret or not secret.startswith(API_TOKEN_PREFIX):
        return None
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(secret)))
    if (token is None or token.revoked_at is not None or _aware(token.expires_at) <= now
            or not token.user.active):
        return None
    if token.last_used_at is None or now - _aware(token.last_used_at) > _TOUCH_INTERVAL:
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    user = token.user
    user.api_token_id = token.id
    return user


def api_tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc())))



def live_api_tokens_of(user: User) -> list[ApiToken]:
    """The tokens that still work (not revoked, not expired), for the admin's user page."""
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc())))


# The second login step. The browser keeps only a random token; everything else is in pending_logins.

def start_pending_login(user: User, next_url: str | None) -> str:
    """A correct password for an account that needs a second factor: returns the one-time token for the
    cookie. A first login (no app yet) gets a new TOTP secret, made here and kept on the server."""
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(PendingLogin).where(PendingLogin.created_at < utcnow() - timedelta(days=1)))
    db.session.add(PendingLogin(token_hash=_token_hash(token), user_id=user.id,
                                next_url=next_url if next_url and len(next_url) <= 2000 else None,
                                setup_secret=None if user.totp_secret else mfa.new_secret()))
    db.session.flush()
    return token


def pending_login(token, now: datetime | None = None) -> PendingLogin | None:
    """The live pending login of this cookie token, or None: unknown, used, older than five minutes, the account
    deactivated, or no longer fitting the account (an app set up since a first login began, or reset since)."""
    if not isinstance(token, str) or not token:
        return None
    pending = db.session.scalar(select(PendingLogin).where(PendingLogin.token_hash == _token_hash(token)))
    now = now or utcnow()
    if (pending is None or pending.ended_at is not None or not pending.user.active
            or now - _aware(pending.created_at) > timedelta(seconds=PENDING_LOGIN_SECONDS)):
        return None
    return None if _no_longer_fits(pending) else pending


def finish_pending_login(pending: PendingLogin, code: str | None) -> User:
    """Check the code (on a first login: set the new app up with it) and use the pending login up. A wrong code
    leaves it usable until it expires; the login limits count the wrong codes."""
    user = pending.user
    if pending.ended_at is not None or _no_longer_fits(pending):
        raise LoginExpired()
    if pending.setup_secret is not None:
        mfa.enable(user, secret=pending.setup_secret, code=code)
    else:
        mfa.check_code(user, code)
    used = db.session.execute(update(PendingLogin).where(PendingLogin.id == pending.id, PendingLogin.ended_at.is_(None))
                              .values(ended_at=utcnow())).rowcount
    if used != 1:   # another request used it first
        raise LoginExpired()
    return user


def _no_longer_fits(pending: PendingLogin) -> bool:
    """The setup branch is only for an account without a second factor, the code branch only for one with it:
    a first login never replaces an app set up since, and a reset app is set up again from the password step."""
    return (pending.setup_secret is None) != (pending.user.totp_secret is not None)


# Setting up, replacing and removing one's own second factor, after re-authentication.

def start_totp_setup(user: User, *, password: str | None, code: str | None = None) -> str:
    """Re-authenticate, then make a new secret for this login session (kept on the server) and return it."""
    reauthenticate(user, password=password, code=code)
    session = user.current_session
    session.totp_setup_secret = mfa.new_secret()
    session.totp_setup_at = utcnow()
    return session.totp_setup_secret


def totp_setup_secret(user: User, now: datetime | None = None) -> str | None:
    """The secret being set up in this login session, or None when there is none or it is too old."""
    session = getattr(user, "current_session", None)
    if session is None or session.totp_setup_secret is None or session.totp_setup_at is None:
        return None
    if (now or utcnow()) - _aware(session.totp_setup_at) > timedelta(seconds=TOTP_SETUP_SECONDS):
        return None
    return session.totp_setup_secret


def finish_totp_setup(user: User, *, code: str | None) -> None:
    """The first code of the new app turns it on (replacing any earlier app); other sessions end (ASVS 7.4.3)."""
    secret = totp_setup_secret(user)
    if secret is None:
        raise InvalidInput("Oppsettet er utløpt. Start på nytt med passordet ditt.", field="code")
    mfa.enable(user, secret=secret, code=code)
    user.current_session.totp_setup_secret = None
    user.current_session.totp_setup_at = None
    end_all_sessions(user, "two_factor_changed", keep=user.current_session)


def remove_two_factor(user: User, *, password: str | None, code: str | None) -> None:
    """Turn one's own second factor off (only where it is not required); other sessions end."""
    if current_app.config["TOTP_REQUIRED"]:
        raise NotAllowed("Tofaktorinnlogging er påkrevd og kan ikke slås av. Du kan bytte til en ny app.")
    if user.totp_secret is None:
        raise InvalidInput("Tofaktorinnlogging er ikke slått på.")
    reauthenticate(user, password=password, code=code)
    user.totp_secret = None
    user.totp_last_step = None
    end_all_sessions(user, "two_factor_changed", keep=getattr(user, "current_session", None))
    audit.record_change(AuditAction.UPDATE, "user", user.id, user=user, changes={"two_factor": [True, False]})


# Activation links: an admin makes an account, the user chooses its password (ASVS 6.4.1).

def invite_user(*, email: str, name: str, role: Role, office: str | None, actor: User) -> tuple[User, str]:
    """A new account without a password and its activation link's token (shown to the admin once)."""
    user = create_user(email=email, name=name, role=role, office=office, password=None, actor=actor)
    return user, issue_activation(user, actor=actor)


def issue_activation(user: User, *, actor: User | None) -> str:
    """A new one-time activation token for an account that has not been activated; earlier links end. An
    activated account gets none: a link would let whoever holds it set the password of someone in use."""
    if user.activated:
        raise DomainError("Kontoen er allerede aktivert. Brukeren logger inn med sitt eget passord.")
    if not user.active:
        raise DomainError("Kontoen er deaktivert og kan ikke aktiveres.")
    now = utcnow()
    db.session.execute(update(AccountActivation).where(AccountActivation.user_id == user.id,
                                                       AccountActivation.ended_at.is_(None))
                       .values(ended_at=now, end_reason="replaced"))
    token = secrets.token_urlsafe(32)
    activation = AccountActivation(token_hash=_token_hash(token), user_id=user.id,
                                   created_by_id=actor.id if actor is not None else None,
                                   expires_at=now + timedelta(hours=ACTIVATION_HOURS))
    db.session.add(activation)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "account_activation", activation.id, user=actor,
                        changes={"user_id": [None, user.id], "expires_at": [None, activation.expires_at]})
    return token


def activation_for(token, now: datetime | None = None) -> AccountActivation | None:
    """The live activation of this token, or None: unknown, used, replaced, expired, or the account deactivated."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    activation = db.session.scalar(select(AccountActivation)
                                   .where(AccountActivation.token_hash == _token_hash(token)))
    if (activation is None or activation.ended_at is not None or not activation.user.active
            or _aware(activation.expires_at) <= (now or utcnow()) or activation.user.activated):
        return None
    return activation


def activate_account(token: str, *, password: str) -> User:
    """The user's own first password, through the link; the link is used up."""
    activation = activation_for(token)
    if activation is None:
        raise NotAllowed("Lenken er ugyldig, brukt eller utløpt. Be administratoren om en ny.")
    user = activation.user
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    used = db.session.execute(update(AccountActivation).where(AccountActivation.id == activation.id,
                                                              AccountActivation.ended_at.is_(None))
                              .values(ended_at=utcnow(), end_reason="used")).rowcount
    if used != 1:
        raise NotAllowed("Lenken er allerede brukt.")
    audit.record_change(AuditAction.UPDATE, "user", user.id, user=user,
                        changes={"password": [None, "***"], "activated": [False, True]})
    return user
