"""The JSON API (/api/v1/). Personal bearer tokens act with their owner's role and office: the same
access policy (404 outside the scope) and the same audit rows as the web pages. Input is checked by the
very WTForms forms the pages use, and errors come back as JSON with field names (422).

Modules declare their endpoints with `endpoint()` (in app/<module>/api.py); the OpenAPI 3.1
description at /api/v1/openapi.json is assembled from those declarations, so it cannot drift.
"""
from dataclasses import dataclass, field

from flask import Blueprint, g, jsonify, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from app.errors import DomainError, EditConflict, InvalidInput, InvalidInputs
from app.extensions import csrf, db
from app.forms import CONCURRENT_SAVE, show_draft_errors
from app.modules import Module

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MODULE = Module(blueprints=("app.api:bp",))   # registered once every module has declared its routes

API_TITLE = "Helsesak API"
API_VERSION = "1.0"


class ApiError(Exception):
    """A refused request, answered as {"message": …, "errors": {field: [message, …]}}, with `details` (what the
    client needs to decide its next request, e.g. the possible duplicates) added to the body."""

    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None,
                 details: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors, self.details = status, message, errors or {}, details or {}


@dataclass
class Declared:
    """One endpoint as the OpenAPI description shows it."""

    rule: str
    method: str
    summary: str
    tag: str
    public: bool = False
    form: type | None = None          # the request body: the page's WTForms form
    response: dict | None = None      # JSON schema of the success response
    status: int = 200
    query: dict = field(default_factory=dict)   # query parameter name → JSON schema


DECLARED: list[Declared] = []
_PUBLIC_ENDPOINTS: set[str] = set()


def endpoint(rule: str, *, method: str = "GET", summary: str, tag: str, public: bool = False, form=None,
             response: dict | None = None, status: int = 200, query: dict | None = None):
    """Register a view on the API blueprint and declare it for the OpenAPI description."""
    def register(view):
        DECLARED.append(Declared(rule, method, summary, tag, public, form, response, status, query or {}))
        name = f"{tag}_{view.__name__}"
        if public:
            _PUBLIC_ENDPOINTS.add(f"api.{name}")
        bp.add_url_rule(rule, endpoint=name, view_func=view, methods=[method])
        return view
    return register


@bp.before_request
def authenticate() -> None:
    """Every endpoint but the public ones needs a valid token; a session cookie is not enough (the API has
    no CSRF protection, so a browser session must not work here)."""
    from app.auth.services import user_for_api_token

    if request.endpoint in _PUBLIC_ENDPOINTS or request.endpoint == "api.openapi":
        return
    scheme, _, secret = (request.headers.get("Authorization") or "").partition(" ")
    user = user_for_api_token(secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, "Mangler gyldig API-nøkkel (Authorization: Bearer …).")
    g._login_user = user   # Flask-Login's current_user for this request only; no session is touched


def json_input(form_class, check=None, **kwargs):
    """The request's JSON object checked by `form_class` (the page's form, without CSRF). When the form refuses
    it, `check` (the service's checks on what the form accepted, as on the page: show_draft_errors) runs too,
    so the answer names every error at once. A form with a file field also takes multipart/form-data: the same
    fields as form parts, the file as a file part (OpenAPI shows both)."""
    if request.mimetype == "multipart/form-data":
        values = CombinedMultiDict([request.form, request.files])
    else:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            raise ApiError(400, "Forespørselen må ha et JSON-objekt som innhold.")
        values = MultiDict()
        for name, value in payload.items():
            for item in value if isinstance(value, list) else [value]:
                values.add(name, "" if item is None else str(item).lower() if isinstance(item, bool) else str(item))
    form = form_class(formdata=values, meta={"csrf": False}, **kwargs)
    if not form.validate():
        if check is not None:
            show_draft_errors(form, check)
        errors = {name: list(messages) for name, messages in form.errors.items() if name and name != "csrf_token"}
        raise ApiError(422, " ".join(form.form_errors) or "Forespørselen har feil som må rettes.", errors)
    return form


def field_errors(error: InvalidInput) -> dict[str, list[str]] | None:
    """A refused input's messages by field name, every one when several were refused at once."""
    messages = error.by_field() if isinstance(error, InvalidInputs) else {error.field: [str(error)]}
    named = {name: texts for name, texts in messages.items() if name}
    return named or None


def run(action):
    """Run a service call and commit once; a refused rule rolls everything back and is answered as JSON. A save
    that loses to a concurrent one (a stale version, the same row at the same moment) is 409, as a stale
    `version` is."""
    try:
        result = action()
        db.session.commit()
    except (EditConflict, StaleDataError) as error:
        db.session.rollback()
        raise ApiError(409, str(error if isinstance(error, EditConflict) else EditConflict())) from None
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, CONCURRENT_SAVE) from None
    except InvalidInput as error:
        db.session.rollback()
        raise ApiError(422, str(error), field_errors(error)) from None
    except DomainError as error:
        db.session.rollback()
        raise ApiError(error.status_code, str(error)) from None
    return result


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    body = {"message": error.message, **error.details}
    if error.errors:
        body["errors"] = error.errors
    response = jsonify(body)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="helsesak"'
    return response, error.status


@bp.get("/openapi.json")
def openapi():
    from app.api.openapi import document

    return jsonify(document())
