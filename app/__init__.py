"""Helsesak: case management for Nye Metoder, the expert panel and treatment abroad."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.db import MAX_INTEGER
from config import Config


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
    from app.security import register_security_headers

    register_blueprints(app)
    register_error_handlers(app)
    register_filters(app)
    register_security_headers(app)
    register_cli(app)
    register_listeners()
    register_reports(app)
    return app


def register_reports(app: Flask) -> None:
    """Each module registers its annual statistics report; app.reports then serves them all (pages, job, CLI)."""
    from app.abroad.statistics import register_report as register_abroad_report
    from app.methods.statistics import register_report as register_methods_report
    from app.panel.statistics import register_report as register_panel_report
    from app.reports import init_app as init_reports

    register_abroad_report()
    register_panel_report()
    register_methods_report()
    init_reports(app)


def register_listeners() -> None:
    """Modules react to each other's events through signals, never by reading each other's tables."""
    from app.abroad.listeners import register_listeners as register_abroad_listeners
    from app.panel.listeners import register_listeners as register_panel_listeners

    register_panel_listeners()
    register_abroad_listeners()


def _init_login(app: Flask) -> None:
    from app.auth.services import load_session_user
    from app.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logg inn for å se denne siden."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)


def register_blueprints(app: Flask) -> None:
    from app.abroad import api as abroad_api  # noqa: F401  (each module's API routes, on app.api.bp)
    from app.abroad.views import bp as abroad_bp
    from app.api import bp as api_bp
    from app.methods import api as methods_api  # noqa: F401
    from app.panel import api as panel_api  # noqa: F401
    from app.reports import api as reports_api  # noqa: F401
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.cases.views import bp as cases_bp
    from app.methods.public_views import bp as public_methods_bp
    from app.methods.views import bp as methods_bp
    from app.panel.views import bp as panel_bp

    for bp in (auth_bp, cases_bp, admin_bp, methods_bp, public_methods_bp, abroad_bp, panel_bp, api_bp):
        app.register_blueprint(bp)

    @app.get("/helse")
    def health():
        """Liveness check for load balancers; public and without data."""
        return {"status": "ok"}


def register_cli(app: Flask) -> None:
    from app.abroad.cli import abroad_cli
    from app.auth.cli import users_cli
    from app.backup import backup_command, restore_command
    from app.cases.audit_chain import audit_cli
    from app.deploy_checks import check_deploy
    from app.demo import demo_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(check_deploy)
    app.cli.add_command(demo_cli)
    app.cli.add_command(abroad_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
