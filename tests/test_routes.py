"""Walks every route: nothing but the public ones answers without login, and every route
that takes a case id refuses a user outside the case's scope with 404 and an audit row."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.core.audit import AuditEvent
from app.extensions import db
from app.methods.services import register_method
from config import TestConfig
from tests.factories import new_method

PUBLIC_ENDPOINTS = {"static", "auth.login", "health",
                    # The public journal (offentleglova) and its access request form (tests/archive).
                    "public_journal.index", "public_journal.export_csv", "public_journal.export_xml",
                    "public_journal.access_request", "public_journal.receipt",
                    # A new account's one-time activation link: its user has no password yet (tests/admin).
                    "auth.activate",
                    # Nye Metoder publishes its method pages; they hold no personal data (tests/methods).
                    "public_methods.index", "public_methods.detail", "public_methods.decisions_overview",
                    "public_methods.changes_feed", "public_methods.method_feed", "public_methods.assessment_pdf",
                    "public_methods.report_file", "public_methods.meeting_paper",
                    # ... and the same data in the API, with the API's description (tests/api).
                    "api.openapi", "api.methods_list_methods", "api.methods_get_method", "api.methods_list_changes",
                    "api.methods_get_method_changes"}


def _rules():
    app = create_app(TestConfig)
    return sorted(((rule.rule, rule.endpoint, method) for rule in app.url_map.iter_rules()
                   for method in rule.methods & {"GET", "POST", "PUT"}), key=str)


def _url(rule: str, values: dict) -> str:
    """The rule with `values` filled in, and 1 for every other id (a child object that does not exist)."""
    url = rule
    for name, value in values.items():
        for converter in ("int:", ""):
            url = url.replace(f"<{converter}{name}>", str(value))
    url = re.sub(r"<int:\w+>", "1", url)
    url = re.sub(r"<any\(([^,)]+)[^)]*\):\w+>", r"\1", url)   # the first of the choices
    url = re.sub(r"<(\w+)>", r"\1", url)                           # a string argument: its own name
    assert "<" not in url, f"unfilled argument in {rule}"
    return url


RULES = _rules()
CASE_RULES = [rule for rule in RULES if "<int:case_id>" in rule[0] and not rule[1].startswith("api.")]
API_CASE_RULES = [rule for rule in RULES if "<int:case_id>" in rule[0] and rule[1].startswith("api.abroad_")]
METHOD_RULES = [rule for rule in RULES if "<reference>" in rule[0] and rule[1] not in PUBLIC_ENDPOINTS]


def test_the_route_walk_covers_the_case_routes():
    assert len(CASE_RULES) >= 10 and len(METHOD_RULES) >= 5 and len(API_CASE_RULES) >= 8
    assert {endpoint for _rule, endpoint, _method in RULES} >= PUBLIC_ENDPOINTS - {"static"}


@pytest.mark.parametrize(("rule", "endpoint", "method"), RULES)
def test_every_non_public_route_needs_login(client, rule, endpoint, method):
    if endpoint in PUBLIC_ENDPOINTS:
        return
    url = _url(rule, {"case_id": 1, "user_id": 1, "patient_id": 1, "meeting_id": 1, "reference": "ID2025_102"})
    response = client.open(url, method=method)
    if endpoint.startswith("api."):   # the API wants a token, and says so
        assert response.status_code == 401, f"{method} {url} answered {response.status_code} without a token"
        return
    assert response.status_code == 302, f"{method} {url} answered {response.status_code} without login"
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("rule", "endpoint", "method"), CASE_RULES)
def test_case_routes_refuse_users_outside_the_scope(app, login, make_user, make_case, rule, endpoint, method):
    case_id = make_case(make_user("abroad_caseworker", "helse-vest"), home_region="helse-vest")
    outsider = login(make_user("abroad_caseworker", "helse-sor-ost"))
    url = _url(rule, {"case_id": case_id})

    response = outsider.open(url, method=method, data={"title": "Overtatt", "version": "1"})

    assert response.status_code == 404, f"{method} {url} answered {response.status_code} outside the scope"
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.case_id == case_id))
    assert denied == 1


@pytest.mark.parametrize(("rule", "endpoint", "method"), API_CASE_RULES)
def test_api_case_routes_refuse_tokens_outside_the_scope(app, client, make_user, make_case, rule, endpoint, method):
    from app.auth.services import create_api_token

    case_id = make_case(make_user("abroad_caseworker", "helse-vest"), home_region="helse-vest")
    with app.app_context():
        secret = create_api_token(db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost")), name="x")[1]
        db.session.commit()
    url = _url(rule, {"case_id": case_id})

    response = client.open(url, method=method, json={"version": 1}, headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 404, f"{method} {url} answered {response.status_code} outside the scope"
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.case_id == case_id))
    assert denied == 1


@pytest.mark.parametrize(("rule", "endpoint", "method"), METHOD_RULES)
def test_method_routes_refuse_users_without_access(app, login, make_user, rule, endpoint, method):
    with app.app_context():
        secretary = db.session.get(User, make_user("methods_secretariat"))
        registered = register_method(new_method("Endoskopisk ryggkirurgisk prosedyre", date(2025, 3, 3)),
                                     actor=secretary)
        db.session.commit()
        reference, case_id = registered.reference, registered.case_id
    outsider = login(make_user("analyst"))
    url = _url(rule, {"reference": reference})

    response = outsider.open(url, method=method, data={"title": "Overtatt", "version": "1"})

    assert response.status_code == 404, f"{method} {url} answered {response.status_code} to an analyst"
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.case_id == case_id))
    assert denied == 1


def test_an_absurd_id_in_a_url_is_a_plain_404(login, make_user):
    client = login(make_user("abroad_caseworker"))
    for url in ("/saker/9223372036854775808", "/utland/soknader/2147483648", "/saker/99999999999999999999/journal"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("path", ["/.git/config", "/.git/HEAD", "/.env", "/config.py", "/static/../config.py",
                                  "/static/%2e%2e/config.py", "/instance/helsesak.db", "/migrations/env.py"])
def test_source_and_configuration_files_are_not_served(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert b"SECRET_KEY" not in response.data and b"[core]" not in response.data
