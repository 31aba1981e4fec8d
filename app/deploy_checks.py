"""Is this configuration safe to serve health data with? The rules behind `flask check-deploy`
(after Django's `check --deploy`); production refuses to start on any error."""
from dataclasses import dataclass

import click
from flask import current_app
from flask.cli import with_appcontext

from config import PUBLISHED_SECRET_KEYS

# OWASP Password Storage Cheat Sheet: argon2id with at least 19 MiB memory and two iterations.
MIN_HASH_MEMORY_KIB = 19_456
MIN_HASH_TIME_COST = 2


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    error: bool   # an error stops a production start; a warning is reported by check-deploy


def _error(code: str, message: str) -> Finding:
    return Finding(code, message, error=True)


def _warning(code: str, message: str) -> Finding:
    return Finding(code, message, error=False)


def check_settings(config) -> list[Finding]:
    """Everything unsafe about `config` (a Flask config or any mapping of settings)."""
    return _unsafe_settings(config) + _weak_settings(config)


def _unsafe_settings(config) -> list[Finding]:
    """The errors: settings production must not start with."""
    findings = []
    secret = config.get("SECRET_KEY") or ""
    if secret in PUBLISHED_SECRET_KEYS or len(secret) < 32 or config.get("SECRET_KEY_GENERATED"):
        findings.append(_error("H001", "SECRET_KEY must be set to a random value of at least 32 characters "
                                       "(not a key from the source code, nor one generated under instance/ "
                                       "for a single development machine)"))
    if config.get("DEBUG"):
        findings.append(_error("H002", "DEBUG must be off: the debugger runs code and shows data"))
    if not config.get("SESSION_COOKIE_SECURE"):
        findings.append(_error("H003", "SESSION_COOKIE_SECURE must be on (HTTPS-only cookies)"))
    if not config.get("SESSION_COOKIE_HTTPONLY"):
        findings.append(_error("H004", "SESSION_COOKIE_HTTPONLY must be on (no script access to the session)"))
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        findings.append(_error("H005", "SESSION_COOKIE_SAMESITE must be Lax or Strict"))
    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        findings.append(_error("H006", "DATABASE_URL must point at PostgreSQL"))
    if not config.get("WTF_CSRF_ENABLED", True):
        findings.append(_error("H007", "WTF_CSRF_ENABLED must be on (CSRF tokens on every form)"))
    if config.get("TESTING") or config.get("DEMO_DATA_ALLOWED"):
        findings.append(_error("H008", "TESTING and DEMO_DATA_ALLOWED must be off"))
    if not config.get("TOTP_REQUIRED"):
        findings.append(_error("H009", "TOTP_REQUIRED must be on: every login needs a second factor"))
    if not str(config.get("SESSION_COOKIE_NAME", "")).startswith("__Host-") or config.get("SESSION_COOKIE_DOMAIN"):
        findings.append(_error("H010", "SESSION_COOKIE_NAME must start with __Host- (and SESSION_COOKIE_DOMAIN be "
                                       "unset), so the session cookie is bound to this host over HTTPS"))
    return findings


def _weak_settings(config) -> list[Finding]:
    """The warnings: settings check-deploy reports but production starts with."""
    findings = []
    if not config.get("REDIS_URL"):
        findings.append(_warning("H101", "REDIS_URL is not set: background jobs run inside web requests and "
                                          "the download budget is counted per worker process"))
    if not config.get("REMEMBER_COOKIE_SECURE"):
        findings.append(_warning("H102", "REMEMBER_COOKIE_SECURE should be on"))
    if (config.get("PASSWORD_HASH_MEMORY_COST", 0) < MIN_HASH_MEMORY_KIB
            or config.get("PASSWORD_HASH_TIME_COST", 0) < MIN_HASH_TIME_COST):
        findings.append(_warning("H103", f"argon2id needs at least {MIN_HASH_MEMORY_KIB} KiB memory and "
                                          f"{MIN_HASH_TIME_COST} iterations (PASSWORD_HASH_MEMORY_COST/TIME_COST)"))
    if config.get("PASSWORD_MIN_LENGTH", 0) < 12:
        findings.append(_warning("H104", "PASSWORD_MIN_LENGTH should be at least 12"))
    if config.get("SESSION_IDLE_MINUTES", 0) > 30 or config.get("SESSION_ABSOLUTE_HOURS", 0) > 12:
        findings.append(_warning("H105", "sessions should end after at most 30 minutes idle and 12 hours in all"))
    if config.get("PREFERRED_URL_SCHEME") != "https":
        findings.append(_warning("H106", "PREFERRED_URL_SCHEME should be https"))
    if not config.get("MAX_CONTENT_LENGTH"):
        findings.append(_warning("H107", "MAX_CONTENT_LENGTH should limit the size of requests"))
    return findings


def errors_in(config) -> list[Finding]:
    return [finding for finding in check_settings(config) if finding.error]


@click.command("check-deploy")
@with_appcontext
def check_deploy() -> None:
    """Report unsafe settings of the configuration in use; exit 1 when there is any."""
    findings = check_settings(current_app.config)
    for finding in findings:
        click.echo(f"{finding.code} {'ERROR' if finding.error else 'WARNING'}: {finding.message}")
    if findings:
        raise SystemExit(1)
    click.echo("No problems found: the configuration is safe to deploy.")
