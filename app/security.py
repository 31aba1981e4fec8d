"""Role gates, safe redirects and the security headers every response carries."""
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.auth.roles import Role
from app.errors import InvalidQuery
from app.extensions import limiter, login_manager


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


NUL_REFUSED = "Forespørselen inneholder et ugyldig tegn (NUL-tegnet) og kan ikke behandles."


def refuse_nul_characters() -> None:
    """A NUL character in the path, a query parameter or a form field is refused with 400 before any view runs:
    no text a person types contains it, and PostgreSQL cannot store or compare it (a DataError otherwise)."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        raise InvalidQuery(NUL_REFUSED)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def register_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(refuse_nul_characters)

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
