"""Settings for development, test and production, read from the environment.

`DATABASE_URL` chooses the database (default: an SQLite file under instance/),
`REDIS_URL` the job queue (unset: jobs run in-process), `SECRET_KEY` signs sessions (unset in development:
a random key made once for this machine and kept in instance/secret_key).
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
# Keys that are in the source code, so anyone can sign cookies with them: the development default of earlier
# versions and the test suite's key. create_app refuses them outside the test suite.
DEV_SECRET_KEY = "dev-only-insecure-key"
TEST_SECRET_KEY = "test-secret-key"
PUBLISHED_SECRET_KEYS = frozenset({DEV_SECRET_KEY, TEST_SECRET_KEY})


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'helsesak.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_SECONDS = 10   # SQLite: how long a request waits for the write lock, then 503
    REDIS_URL = os.environ.get("REDIS_URL")

    # Background jobs (Flask-RQ): a real Redis when configured, otherwise in-process.
    RQ_QUEUES = ["default", "pdf"]
    RQ_CONNECTION = REDIS_URL or {}
    RQ_CONNECTION_CLASS = None if REDIS_URL else "fakeredis.FakeRedis"
    RQ_ASYNC = bool(REDIS_URL)

    # Flask-Limiter (the download budget); shared storage with Redis.
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True   # Redis down: limit per process rather than fail every login
    RATELIMIT_HEADERS_ENABLED = True
    DOWNLOAD_LIMIT_PER_USER = os.environ.get("DOWNLOAD_LIMIT_PER_USER", "30 per minute; 300 per hour")
    # Failed login attempts (wrong passwords and codes, also when re-authenticating), counted in the database
    # per address and per typed account (app/auth/throttle.py); successful logins never count.
    LOGIN_LIMIT_PER_ADDRESS = "20 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12

    # argon2id; production-strength defaults (RFC 9106 second recommendation).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_MIN_LENGTH = 12
    # Two-factor login (TOTP): offered to everyone, required for everyone when on.
    TOTP_REQUIRED = os.environ.get("TOTP_REQUIRED", "").lower() in ("1", "true", "on")

    MAX_CONTENT_LENGTH = 25 * 1024 * 1024
    DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
    DOCUMENT_STORAGE = os.environ.get("DOCUMENT_STORAGE", "local")  # "local" or "database"
    DOCUMENT_DIR = os.environ.get("DOCUMENT_DIR", str(INSTANCE_DIR / "documents"))
    # Where the admin's archive page writes each Noark 5 deposit (a new directory per extraction).
    ARCHIVE_DIR = os.environ.get("ARCHIVE_DIR", str(INSTANCE_DIR / "arkivuttrekk"))

    # Log review (/admin/logg/kontroll, Normen fact sheet 15): what the page flags as unusual access.
    LOG_REVIEW_PATIENTS = 20              # one user opening this many different patients ...
    LOG_REVIEW_WINDOW_MINUTES = 10        # ... within this many minutes
    LOG_REVIEW_WORKING_HOURS = (7, 17)    # Oslo time, from–to, on Norwegian working days
    LOG_REVIEW_DEFAULT_DAYS = 7           # the period reviewed when none is chosen (up to today)
    LOG_REVIEW_MAX_DAYS = 31              # the longest period one review covers

    # Published reports: a count under this many (but not zero) is suppressed where it could identify a patient,
    # with the cost and share next to it (app/reports/publishing.py). The internal view shows exact numbers.
    REPORT_SUPPRESSION_THRESHOLD = int(os.environ.get("REPORT_SUPPRESSION_THRESHOLD", "3"))

    BABEL_DEFAULT_LOCALE = "nb_NO"
    BABEL_DEFAULT_TIMEZONE = "Europe/Oslo"
    DEMO_DATA_ALLOWED = True
    # How many reverse proxies (TLS terminators) set X-Forwarded-For/-Proto in front of the app.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))


class DevelopmentConfig(Config):
    DEBUG = False
    # Without SECRET_KEY: a random key made on first start and kept here (mode 0600), so no key is published.
    SECRET_KEY_FILE = str(INSTANCE_DIR / "secret_key")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = TEST_SECRET_KEY
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    RQ_CONNECTION: dict | str = {}
    RQ_CONNECTION_CLASS = "fakeredis.FakeRedis"
    RQ_ASYNC = False
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 8
    DOCUMENT_STORAGE = "database"


class ProductionConfig(Config):
    REFUSE_UNSAFE_SETTINGS = True   # create_app stops on any error of app/deploy_checks.py
    TOTP_REQUIRED = True
    DEMO_DATA_ALLOWED = False
    SESSION_COOKIE_SECURE = True
    # The __Host- prefix makes browsers accept the cookie only over HTTPS, for this host and path "/":
    # no sibling domain can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-helsesak"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig, "test": TestConfig}


def config_from_environment() -> type[Config]:
    """The settings class named by HELSESAK_ENV (development by default)."""
    name = os.environ.get("HELSESAK_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"HELSESAK_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
