from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.roles import Role
from app.db import Versioned, utcnow
from app.extensions import db

# The password hash of an account that has not been activated: no password verifies against it.
UNUSABLE_PASSWORD = "!activation-pending"


class User(Versioned, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    role: Mapped[Role]
    office: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())  # a start password
    totp_secret: Mapped[str | None] = mapped_column(String(64))   # base32; set when two-factor login is on
    totp_last_step: Mapped[int | None]                             # the last code's time step: no code twice

    sessions: Mapped[list["UserSession"]] = relationship(back_populates="user")

    # Set by the user loader: the login session this request belongs to; the token is Flask-Login's id.
    session_token = None
    current_session = None
    api_token_id = None   # set when the request came with an API token instead

    @property
    def activated(self) -> bool:
        """False until the user has chosen a password through their activation link."""
        return self.password_hash != UNUSABLE_PASSWORD

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class UserSession(db.Model):
    """A login. The cookie carries a random token; only its hash is stored, and an ended
    session can never be revived, so a cookie captured before logout is worthless."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    # Setting up or replacing the authenticator app after re-authentication: the new secret is made and kept
    # here, on the server, for this login only; the browser never sends it back.
    totp_setup_secret: Mapped[str | None] = mapped_column(String(64))
    totp_setup_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="sessions")


class PendingLogin(db.Model):
    """A correct password waiting for its second factor. The browser holds only a random one-time token
    (its hash is stored); who is logging in, when, where to go next and, on a first login, the new TOTP
    secret stay here, so whoever can sign a cookie can name neither a user nor a secret."""

    __tablename__ = "pending_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    next_url: Mapped[str | None] = mapped_column(String(2000))
    setup_secret: Mapped[str | None] = mapped_column(String(64))   # made by the server, never from the client
    ended_at: Mapped[datetime | None]                              # used, or refused: never again

    user: Mapped[User] = relationship()


class LoginFailure(db.Model):
    """A login, second-factor or re-authentication attempt that failed (or is still being checked). The
    counts per account and per address in a sliding window are the login limits; they live in the
    database, so every worker and every app server shares them. The account is kept as a hash of the
    typed e-mail address: the rows say nothing about who exists."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_account_at", "account", "at"),
                      Index("ix_login_failures_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))


class AccountActivation(db.Model):
    """A one-time link for a new account: the user opens it and chooses their own password, so the admin who
    made the account never knows one. Only the token's hash is kept; the link ends when used, replaced or
    expired."""

    __tablename__ = "account_activations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))   # used, replaced

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ApiToken(db.Model):
    """A personal token for the JSON API, sent as «Authorization: Bearer …». Only its hash is kept;
    the token itself is shown once, when it is made. It acts with its owner's role and office."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))   # the first characters, so the owner can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
