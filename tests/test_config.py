"""Settings: production refuses unsafe defaults; every response carries the security headers."""
import os
import stat
import subprocess
import sys

import pytest

from app import create_app
from app.deploy_checks import check_settings
from config import (
    BASE_DIR,
    DEV_SECRET_KEY,
    TEST_SECRET_KEY,
    DevelopmentConfig,
    ProductionConfig,
    TestConfig,
)


def _production(**overrides) -> type[ProductionConfig]:
    return type("Production", (ProductionConfig,), overrides)


def test_production_refuses_the_default_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_production(SECRET_KEY=DEV_SECRET_KEY))


def test_development_without_a_key_makes_one_for_this_machine_and_keeps_it(tmp_path, monkeypatch):
    """`make run` needs no configuration, and no key is published: the first start makes a random key, readable
    by its owner only, that later starts (and every gunicorn worker) read back."""
    path = tmp_path / "instance" / "secret_key"
    config = type("Development", (DevelopmentConfig,), {"SECRET_KEY": None, "SECRET_KEY_FILE": str(path)})
    first, second = create_app(config), create_app(config)
    assert first.secret_key == second.secret_key == path.read_text()
    assert len(first.secret_key) >= 64 and first.secret_key not in (DEV_SECRET_KEY, TEST_SECRET_KEY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = type("Development", (DevelopmentConfig,), {"SECRET_KEY": None,
                                                       "SECRET_KEY_FILE": str(tmp_path / "other" / "secret_key")})
    assert create_app(other).secret_key != first.secret_key   # each machine its own
    assert [finding.code for finding in check_settings(first.config) if finding.code == "H001"] == ["H001"]
    assert first.test_client().get("/login").status_code == 200


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, TEST_SECRET_KEY])
def test_a_key_from_the_source_code_is_refused_outside_the_test_suite(key, tmp_path):
    for base in (DevelopmentConfig, ProductionConfig):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(type("Configured", (base,), {"SECRET_KEY": key, "SECRET_KEY_FILE": str(tmp_path / "k")}))
    assert create_app(type("Suite", (TestConfig,), {"SECRET_KEY": key})).secret_key == key


def test_production_refuses_cookies_without_https():
    with pytest.raises(RuntimeError, match="HTTPS-only"):
        create_app(_production(SECRET_KEY="x" * 40, SESSION_COOKIE_SECURE=False))


POSTGRESQL = "postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_test"


def test_production_refuses_sqlite():
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        create_app(_production(SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite:///helsesak.db"))


def test_production_starts_with_safe_settings_and_sends_hsts():
    app = create_app(_production(SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI=POSTGRESQL))
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]


def test_production_session_cookie_is_host_bound_secure_and_httponly():
    production = create_app(_production(SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI=POSTGRESQL))
    response = production.test_client().get("/login", base_url="https://localhost")   # the form's CSRF token
    cookie = next(header for header in response.headers.getlist("Set-Cookie") if header.startswith("__Host-"))
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert {"secure", "httponly", "path=/", "samesite=lax"} <= set(attributes)
    assert not any(part.startswith("domain=") for part in attributes)


def test_demo_data_is_refused_in_production():
    app = create_app(_production(SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI=POSTGRESQL))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "produksjonsoppsett" in result.output


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_health_check_is_public_and_says_nothing_else(client):
    response = client.get("/helse")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_errors_are_bokmal_pages(client, login, make_user):
    response = login(make_user("analyst")).get("/finnes-ikke")
    assert response.status_code == 404
    assert "Siden finnes ikke" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(database_url):
    app = create_app(type("Proxied", (TestConfig,), {"TRUSTED_PROXIES": 1, "SQLALCHEMY_DATABASE_URI": database_url}))
    seen = {}

    def inner(environ, start_response):
        seen["address"], seen["scheme"] = environ["REMOTE_ADDR"], environ["wsgi.url_scheme"]
        start_response("204 No Content", [])
        return [b""]

    app.wsgi_app.app = inner  # what the proxy fix hands on to Flask
    app.test_client().get("/helse", headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert seen == {"address": "203.0.113.7", "scheme": "https"}


def test_the_wsgi_entry_point_freezes_what_loading_the_app_made(tmp_path):
    """Frozen, the app's long-lived objects are left out of full garbage collections (wsgi.py)."""
    script = "import gc, wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.db'}"}
    frozen = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            check=True)
    assert int(frozen.stdout.split()[-1]) > 10_000
