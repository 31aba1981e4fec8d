"""How the application answers an error: a bokmål error page (JSON under /api/), the transaction rolled back.

Part of the composition (create_app registers it): it turns every part's errors into responses."""
from flask import Flask, g, jsonify, render_template, request
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.core.audit import AuditAction, record_access
from app.errors import JOBS_UNAVAILABLE, DomainError
from app.extensions import db

HTTP_ERROR_TEXTS = {
    400: ("Ugyldig forespørsel", "Forespørselen kunne ikke behandles. Gå tilbake og prøv igjen."),
    403: ("Ingen tilgang", "Du har ikke tilgang til denne siden."),
    404: ("Siden finnes ikke", "Siden finnes ikke, eller du har ikke tilgang til den."),
    405: ("Ugyldig forespørsel", "Denne handlingen er ikke tillatt her."),
    413: ("Filen er for stor", "Filen er større enn det som er tillatt."),
    429: ("For mange forsøk", "For mange forsøk på kort tid. Vent litt og prøv igjen."),
    500: ("Noe gikk galt", "En uventet feil oppstod. Ingenting er lagret. Prøv igjen, eller kontakt brukerstøtte."),
}

DATABASE_BUSY = ("Prøv igjen om litt", "Helsesak har mange forespørsler akkurat nå. Ingenting er lagret. "
                 "Prøv igjen om litt.")
DATABASE_UNAVAILABLE = ("Databasen er utilgjengelig", "Helsesak får ikke kontakt med databasen. Ingenting er "
                        "lagret. Prøv igjen om litt, eller kontakt brukerstøtte.")
RETRY_AFTER_SECONDS = 5


def register_error_handlers(app: Flask) -> None:
    def page(title: str, message: str, status: int):
        """The error page, or for the JSON API (also where no route matched) a JSON body."""
        if request.path.startswith("/api/"):
            return jsonify({"message": message}), status
        return render_template("errors/error.html", title=title, message=message), status

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return page(error.title, str(error), error.status_code)

    def http_error(error: HTTPException):
        if error.code >= 500:
            db.session.rollback()
        title, message = HTTP_ERROR_TEXTS.get(error.code, HTTP_ERROR_TEXTS[500])
        return page(title, message, error.code)

    for status in HTTP_ERROR_TEXTS:
        app.register_error_handler(status, http_error)

    @app.errorhandler(RedisError)
    def jobs_unavailable(error: RedisError):
        """A page that reads the job queue (a report order, an import's progress) while Redis is down."""
        db.session.rollback()
        app.logger.warning("Redis unavailable: %s", error)
        return page("Bakgrunnsjobber er utilgjengelige", JOBS_UNAVAILABLE, 503)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """SQLite still locked after the busy timeout, or the database server out of reach: 503 with
        Retry-After; the transaction is rolled back, so nothing is half-saved."""
        db.session.rollback()
        app.logger.warning("Database unavailable: %s", error.orig)
        if "_login_user" not in g:
            g._login_user = AnonymousUserMixin()   # the error page must not need the database to render
        busy = "locked" in str(error.orig) or "busy" in str(error.orig)
        title, message = DATABASE_BUSY if busy else DATABASE_UNAVAILABLE
        response = app.make_response(page(title, message, 503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        """A post without a valid token is either an expired form or a forged cross-site request: refused,
        and logged as a denied attempt (ASVS 16.3.3) for the admin's log review."""
        db.session.rollback()
        record_access(AuditAction.DENIED, "csrf", request.path,
                      details={"method": request.method, "reason": error.description})
        return render_template("errors/error.html", title="Skjemaet er utløpt",
                               message="Skjemaet er utløpt eller ble sendt fra en annen side. "
                                       "Last siden på nytt og prøv igjen."), 400
