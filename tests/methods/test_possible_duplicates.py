"""Registering a proposal shows the methods it may duplicate or follow up (S2: ID2025_102 endoscopic spine surgery
was proposed before as ID2018_084 arthroscopic spine surgery) before saving: by title similarity (pg_trgm's measure
on both databases), generic name or product name; on the form with «Registrer likevel», in the API as 409."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.services import create_api_token
from app.core.audit import AuditEvent
from app.errors import InvalidInputs
from app.extensions import db
from app.methods import services
from app.methods.models import Method, MethodType
from tests.factories import new_method

FORM = {"title": "Endoskopisk ryggkirurgisk prosedyre", "method_type": "prosedyrer", "kind": "forslag",
        "organisation": "Sykehuset Telemark", "received_on": "03.03.2025"}


@pytest.fixture
def secretariat(make_user):
    return make_user("methods_secretariat")


@pytest.fixture
def earlier(app, secretariat):
    """ID2018_084 and an unrelated drug, registered before."""
    with app.app_context():
        actor = db.session.get(User, secretariat)
        method = services.register_method(new_method("Artroskopisk ryggkirurgi (kikkhullskirurgi)", date(2018, 6, 1)),
                                          actor=actor)
        services.register_method(new_method("Pembrolizumab til behandling av lungekreft", date(2024, 1, 8),
                                            method_type=MethodType.DRUG, generic_name="pembrolizumab",
                                            product_names="Keytruda"), actor=actor)
        db.session.commit()
        return method.reference


def _methods(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Method))


def test_similar_methods_by_title_generic_name_and_product(app_ctx, earlier, secretariat):
    actor = db.session.get(User, secretariat)
    found = services.similar_methods(new_method("Endoskopisk ryggkirurgi").details, actor=actor)
    assert [each.reference for each in found] == [earlier]
    by_name = services.similar_methods(new_method("Nytt bruksområde", generic_name="Pembrolizumab").details,
                                       actor=actor)
    by_product = services.similar_methods(new_method("Nytt bruksområde", product_names="Flere, KEYTRUDA").details,
                                          actor=actor)
    assert [each.title for each in by_name] == [each.title for each in by_product] == [
        "Pembrolizumab til behandling av lungekreft"]
    assert services.similar_methods(new_method("Genterapi ved hemofili A").details, actor=actor) == []


def test_the_service_refuses_until_confirmed_with_every_other_refusal(app_ctx, earlier, secretariat):
    actor = db.session.get(User, secretariat)
    with pytest.raises(services.PossibleDuplicates) as refused:
        services.register_method(new_method(confirm_duplicate=False), actor=actor)
    assert refused.value.field == "confirm_duplicate" and earlier in str(refused.value)
    with pytest.raises(InvalidInputs) as several:
        services.register_method(new_method(confirm_duplicate=False, organisation=""), actor=actor)
    assert set(several.value.by_field()) == {"organisation", "confirm_duplicate"}
    # Naming the earlier proposal is the answer to it; an imported ID is the register's history.
    follow_up = services.register_method(new_method(confirm_duplicate=False, earlier_reference=earlier),
                                         actor=actor)
    assert follow_up.earlier_method.reference == earlier
    confirmed = services.register_method(new_method("Endoskopisk ryggkirurgi", confirm_duplicate=True), actor=actor)
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "method",
                                                       AuditEvent.object_id == str(confirmed.id)))
    assert set(audit.changes["confirmed_despite"][1]) == {earlier, follow_up.reference}


def test_the_form_shows_the_similar_methods_before_saving_and_registers_when_confirmed(
        app, login, earlier, secretariat):
    client = login(secretariat)
    before = _methods(app)
    shown = client.post("/metoder/ny", data=FORM)
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and _methods(app) == before
    assert "Mulig dobbeltregistrering eller tidligere forslag" in page and earlier in page
    assert "Artroskopisk ryggkirurgi (kikkhullskirurgi)" in page and 'name="confirm_duplicate"' in page
    confirmed = client.post("/metoder/ny", data={**FORM, "confirm_duplicate": "y"})
    assert confirmed.status_code == 302 and _methods(app) == before + 1
    assert 'name="confirm_duplicate"' not in client.get("/metoder/ny").get_data(as_text=True)


def test_the_api_answers_409_with_the_similar_methods_until_confirmed(app, client, earlier, secretariat):
    with app.app_context():
        _token, secret = create_api_token(db.session.get(User, secretariat), name="Test", days=30)
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {**FORM, "subject_areas": [], "tags": []}
    refused = client.post("/api/v1/methods", json=body, headers=headers)
    assert refused.status_code == 409
    assert [each["reference"] for each in refused.json["similar"]] == [earlier]
    assert refused.json["similar"][0]["status_label"] == "Forslag mottatt"
    invalid = client.post("/api/v1/methods", json={**body, "organisation": ""}, headers=headers)
    assert invalid.status_code == 422 and {"organisation", "confirm_duplicate"} <= set(invalid.json["errors"])
    created = client.post("/api/v1/methods", json={**body, "confirm_duplicate": True}, headers=headers)
    assert created.status_code == 201 and created.json["reference"].startswith("ID2025_")


def test_only_the_secretariat_registers_through_the_api(app, client, make_user):
    with app.app_context():
        _token, secret = create_api_token(db.session.get(User, make_user("bestillerforum")), name="Test", days=30)
        db.session.commit()
    response = client.post("/api/v1/methods", json=FORM, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 403
