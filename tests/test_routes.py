"""Walks every route: nothing but the public ones answers without login, and every route
that takes a case id refuses a user outside the case's scope with 404 and an audit row."""
import pytest
from sqlalchemy import func, select

from app import create_app
from app.cases.models import AuditEvent
from app.extensions import db
from config import TestConfig

PUBLIC_ENDPOINTS = {"static", "auth.login", "health"}


def _rules():
    app = create_app(TestConfig)
    return sorted(((rule.rule, rule.endpoint, method) for rule in app.url_map.iter_rules()
                   for method in rule.methods & {"GET", "POST"}), key=str)


def _url(rule: str, values: dict) -> str:
    url = rule
    for name, value in values.items():
        for converter in ("int:", ""):
            url = url.replace(f"<{converter}{name}>", str(value))
    return url


RULES = _rules()
CASE_RULES = [rule for rule in RULES if "<int:case_id>" in rule[0]]


def test_the_route_walk_covers_the_case_routes():
    assert len(CASE_RULES) >= 10
    assert {endpoint for _rule, endpoint, _method in RULES} >= PUBLIC_ENDPOINTS - {"static"}


@pytest.mark.parametrize(("rule", "endpoint", "method"), RULES)
def test_every_non_public_route_needs_login(client, rule, endpoint, method):
    if endpoint in PUBLIC_ENDPOINTS:
        return
    url = _url(rule, {"case_id": 1, "entry_id": 1, "document_id": 1, "deadline_id": 1, "version_number": 1,
                      "user_id": 1, "patient_id": 1})
    response = client.open(url, method=method)
    assert response.status_code == 302, f"{method} {url} answered {response.status_code} without login"
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("rule", "endpoint", "method"), CASE_RULES)
def test_case_routes_refuse_users_outside_the_scope(app, login, make_user, make_case, rule, endpoint, method):
    case_id = make_case(make_user("abroad_caseworker", "helse-vest"), home_region="helse-vest")
    outsider = login(make_user("abroad_caseworker", "helse-sor-ost"))
    url = _url(rule, {"case_id": case_id, "entry_id": 1, "document_id": 1, "deadline_id": 1, "version_number": 1})

    response = outsider.open(url, method=method, data={"title": "Overtatt", "version": "1"})

    assert response.status_code == 404, f"{method} {url} answered {response.status_code} outside the scope"
    with app.app_context():
        denied = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "denied", AuditEvent.case_id == case_id))
    assert denied == 1
