"""Role gates, safe redirects, the secret key and the security headers every response carries."""
import os
import secrets
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.core.roles import Role
from app.errors import InvalidQuery
from app.extensions import limiter, login_manager
from config import PUBLISHED_SECRET_KEYS


def role_required(*roles: Role):
    """Allow the view only to logged-in users with one of `roles` (403 otherwise)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else get_remote_address()


# Exports and file downloads hold many patients' data: one shared budget per user slows a scripted
# bulk download of the register (ASVS 2.4.1) without hindering any real day's work.
download_limit = limiter.shared_limit(lambda: current_app.config["DOWNLOAD_LIMIT_PER_USER"], scope="downloads",
                                      key_func=_user_key)


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirect, ASVS 3.7.2). A control
    character anywhere makes the target unusable: CR/LF would split the Location header, and urlsplit
    silently drops tab and newline, so "/\t/evil.example" would otherwise pass as a path."""
    if not target or any(char < " " or char == "\x7f" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


CONTROL_CHARACTER_REFUSED = ("Forespørselen inneholder et ugyldig tegn (NUL-tegnet eller et annet kontrolltegn) "
                             "og kan ikke behandles.")
# C0 control characters no keyboard types into a field; tab, line feed and carriage return are text.
_CONTROL_CHARACTERS = frozenset(map(chr, range(32))) - {"\t", "\n", "\r"}


def _has_control_character(value) -> bool:
    if isinstance(value, str):
        return not _CONTROL_CHARACTERS.isdisjoint(value)
    if isinstance(value, dict):
        return any(_has_control_character(key) or _has_control_character(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_control_character(item) for item in value)
    return False


def refuse_control_characters() -> None:
    """A NUL or another control character in the path, a query parameter, a form field (every repeated value) or
    a JSON body is refused with 400 before any view runs: no text a person types contains one, and PostgreSQL
    cannot store or compare NUL (a DataError otherwise)."""
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    values: list = [request.path, *(text for source in sources for key, items in source.lists()
                                    for text in (key, *items))]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if _has_control_character(values):
        raise InvalidQuery(CONTROL_CHARACTER_REFUSED)


def configure_secret_key(app: Flask) -> None:
    """The key that signs cookies. Unset with a SECRET_KEY_FILE (development): a random key for this machine,
    made on first start. A key published in the source code is refused outside the test suite, whatever
    address the app is served on: whoever knows the key can sign any cookie."""
    config = app.config
    if not config.get("SECRET_KEY") and config.get("SECRET_KEY_FILE"):
        config["SECRET_KEY"] = instance_secret_key(Path(config["SECRET_KEY_FILE"]))
        config["SECRET_KEY_GENERATED"] = True   # one machine's key: flask check-deploy reports it (H001)
    if config.get("SECRET_KEY") in PUBLISHED_SECRET_KEYS and not config.get("TESTING"):
        raise RuntimeError("SECRET_KEY is a key published in the source code; set SECRET_KEY to a random value "
                           "(or leave it unset in development to use a key made for this machine)")


def instance_secret_key(path: Path) -> str:
    """The key kept in `path`, made (48 random bytes, readable by the owner only) when there is none. The file
    appears whole or not at all (written aside, then linked into place), so workers starting together under
    gunicorn all read the same key."""
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass   # another process was first: use its key
        finally:
            draft.unlink()
        key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key; remove the file to have a new one made")
    return key


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def register_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(refuse_control_characters)

    @app.after_request
    def set_headers(response):
        nonce = csp_nonce()
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
