"""The OpenAPI 3.1 description is served, names every API route, and holds: schemathesis calls every
operation with generated input, with and without a token, and checks that nothing answers 5xx and that
every answer (status, content type, body) is the one the description promises."""
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app.abroad import services as abroad_services
from app.api import DECLARED
from app.auth import services as account_services
from app.auth.models import User
from app.extensions import db
from tests.factories import abroad_application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_description_names_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    described = {(path, method.upper()) for path, operations in document["paths"].items() for method in operations}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = "/" + "/".join("{" + part.split(":")[-1].strip("<>") + "}" if part.startswith("<") else part
                                  for part in rule.rule.strip("/").split("/"))
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routed
    create = document["paths"]["/api/v1/abroad/applications"]["post"]["requestBody"]["content"]["application/json"]
    assert {"patient_name", "icd10", "received_on"} <= set(create["schema"]["required"])
    assert create["schema"]["properties"]["stream"]["enum"] == ["application", "pgd", "particle_therapy",
                                                                "nordic_drug_protocol", "refund"]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def bearer(app, make_user):
    """A Helse Sør-Øst caseworker's token, with one application of the office to find."""
    user_id = make_user("abroad_caseworker", "helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        abroad_services.register_application(abroad_application(
            national_id=None, patient_name="Sara Schema", birth_date=date(1980, 1, 1), municipality=None,
            home_region="helse-sor-ost", received_on=date(2026, 1, 5), requested_treatment="X", icd10="C34.9"),
            actor=user)
        secret = account_services.create_api_token(user, name="schemathesis")[1]
        db.session.commit()
        assert db.session.scalar(select(User.active).where(User.id == user_id))
    return {"Authorization": f"Bearer {secret}"}


def _check_every_operation(schema, headers: dict | None, examples: int) -> int:
    """Run the checks on generated calls of each operation (schemathesis's pytest plugin does not run
    under this pytest, so the operations are walked here); returns how many operations were checked."""
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
        checked += 1
    return checked


@pytest.mark.slow
def test_every_operation_keeps_its_promises(api_schema, bearer):
    assert _check_every_operation(api_schema, bearer, examples=15) == len(DECLARED)


def test_without_a_token_the_answers_keep_their_promises_too(api_schema):
    assert _check_every_operation(api_schema, None, examples=3) == len(DECLARED)
