"""Accounts and login sessions. A session lives in the database: logout, a password change or
deactivation ends it there, and the idle and absolute limits are checked on every request."""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import func, select, update

from app.auth.models import ApiToken, User, UserSession
from app.auth.passwords import hash_password, verify_password
from app.auth.roles import Role
from app.cases import audit
from app.cases.models import AuditAction
from app.cases.regions import ABROAD_OFFICES
from app.db import utcnow
from app.errors import InvalidInput, NotAllowed
from app.extensions import db

# last_seen_at is written at most this often, not on every request.
_TOUCH_INTERVAL = timedelta(seconds=60)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they are stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def create_user(*, email: str, name: str, role: Role, office: str | None, password: str, actor=None,
                temporary_password: bool = False) -> User:
    """A new account. A password an admin chose for someone (`temporary_password`) only opens the page where the
    user chooses their own (ASVS 6.4.1)."""
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
    user = User(email=email, name=name.strip(), role=role, office=office, password_hash=hash_password(password),
                must_change_password=temporary_password)
    db.session.add(user)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "user", user.id, user=actor,
                        changes={"email": [None, email], "role": [None, role.value], "office": [None, office]})
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Takes as long for unknown users."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    valid = verify_password(user.password_hash if user else None, password)
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
    session = db.session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
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


def end_sessions_by_admin(user: User, *, actor: User) -> int:
    """An admin logs `user` out everywhere (a stolen laptop, a suspicion); returns how many sessions ended."""
    ended = end_all_sessions(user, "ended_by_admin", keep=getattr(actor, "current_session", None))
    audit.record_change(AuditAction.LOGOUT, "user", user.id, user=actor, changes={"sessions_ended": [None, ended]})
    return ended


def end_everyones_sessions(*, actor: User) -> int:
    """Every user is logged out (after an incident), except the admin's own session."""
    query = update(UserSession).where(UserSession.ended_at.is_(None))
    keep = getattr(actor, "current_session", None)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    ended = db.session.execute(query.values(ended_at=utcnow(), end_reason="ended_by_admin")).rowcount
    audit.record_change(AuditAction.LOGOUT, "user", None, user=actor, changes={"sessions_ended": [None, ended]})
    return ended


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


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise InvalidInput("Nåværende passord er feil.", field="current_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_all_sessions(user, "password_changed", keep=getattr(user, "current_session", None))
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
    name = (name or "").strip()
    if not name:
        raise InvalidInput("Gi nøkkelen et navn, f.eks. hva den skal brukes til.", field="name")
    if not 1 <= days <= API_TOKEN_DAYS:
        raise InvalidInput(f"En nøkkel kan gjelde i 1 til {API_TOKEN_DAYS} dager.", field="days")
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(secret), prefix=secret[:10],
                     expires_at=utcnow() + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "api_token", token.id, user=user,
                        changes={"name": [None, name], "expires_at": [None, token.expires_at]})
    return token, secret


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

