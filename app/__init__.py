"""Helsesak: case management for Nye Metoder, the expert panel and treatment abroad."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.db import MAX_INTEGER
from config import Config

# The domain modules, each described by the `MODULE` in its package (app/modules.py); methods first, since
# the others consult it (and the abroad demo cites a method).
MODULES = ("app.methods", "app.panel", "app.abroad")
# Every part the factory plugs in, in main-menu order: the core and the shared parts around the modules.
PARTS = ("app.auth", "app.cases", *MODULES, "app.reports", "app.admin", "app.archive", "app.api")


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in a URL stops at the largest id a database integer column holds, so an absurd id in a
    URL is a plain 404 instead of an overflow in the database driver."""

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = None, max: int = MAX_INTEGER,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def create_app(config_class: type[Config] = Config) -> Flask:
    app = Flask(__name__, template_folder="../templates")
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.from_object(config_class)
    from app.db import sqlite_engine_options

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite_engine_options(app.config)
    if app.config.get("REFUSE_UNSAFE_SETTINGS"):
        from app.deploy_checks import errors_in

        if problems := errors_in(app.config):
            raise RuntimeError("Unsafe production settings: " + "; ".join(problem.message for problem in problems))
    from app.security import configure_secret_key

    configure_secret_key(app)

    if app.config["TRUSTED_PROXIES"]:
        # Client address and scheme from the proxy, so rate limits and the audit log see the real client.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from app.extensions import babel, csrf, db, limiter, migrate, rq

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "nb_NO", timezone_selector=lambda: "Europe/Oslo")
    limiter.init_app(app)
    rq.init_app(app)
    _init_login(app)

    from app.error_pages import register_error_handlers
    from app.formatting import register_filters
    from app.modules import init_modules
    from app.security import register_security_headers

    init_modules(app, PARTS)
    register_error_handlers(app)
    register_filters(app)
    register_security_headers(app)
    register_app_routes(app)
    return app


def _init_login(app: Flask) -> None:
    from app.auth.services import load_session_user
    from app.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logg inn for å se denne siden."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)


def register_app_routes(app: Flask) -> None:
    """What belongs to the app as a whole rather than to a module: the health check and the operator's commands."""
    from app.backup import backup_command, restore_command
    from app.demo import demo_cli
    from app.deploy_checks import check_deploy

    for command in (check_deploy, demo_cli, backup_command, restore_command):
        app.cli.add_command(command)

    @app.get("/helse")
    def health():
        """Liveness check for load balancers; public and without data."""
        return {"status": "ok"}
