"""The API path of a partial grant (tests/abroad/test_partial_grants.py): the same form fields and service rules as
the page, every refusal named by field in one answer, the parts in the application's JSON and in OpenAPI."""
from datetime import date, timedelta

from app.demo import synthetic_national_id

TODAY = date.today()


def test_the_api_decides_a_partial_grant_with_its_parts(api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    created = call("POST", "/abroad/applications", {
        "national_id": synthetic_national_id(date(1975, 3, 4)), "patient_name": "Per Delvis",
        "home_region": "helse-sor-ost", "stream": "application",
        "received_on": (TODAY - timedelta(days=40)).isoformat(), "requested_treatment": "Protonbehandling",
        "requested_where": "Skandionkliniken", "treatment_class": "established", "icd10": "C71.9"})
    case_id = created.json["case_id"]
    decision = {"decision": "partial", "decided_on": (TODAY - timedelta(days=1)).isoformat(), "legal_basis": "Pbrl.",
                "reasoning": "Behandlingen finnes ikke i Norge.", "part_treatment": "granted",
                "part_companion": "refused"}
    refused = call("POST", f"/abroad/applications/{case_id}/decision",
                   {**decision, "part_stay": "maybe", "part_hospital": "refused", "reason_hospital": "Kø."})
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"part_stay", "reason_companion", "instead_hospital"}

    granted = call("POST", f"/abroad/applications/{case_id}/decision",
                   {**decision, "reason_companion": "Ikke nødvendig."})
    assert granted.status_code == 200, granted.json
    assert (granted.json["decision"], granted.json["status"]) == ("partial", "granted")
    assert granted.json["decision_parts"] == [
        {"item": "treatment", "granted": True, "reason": None, "instead_hospital": None, "instead_hospital_id": None},
        {"item": "companion", "granted": False, "reason": "Ikke nødvendig.", "instead_hospital": None,
         "instead_hospital_id": None}]


def test_openapi_describes_the_parts_of_a_decision(client):
    document = client.get("/api/v1/openapi.json").json
    body = document["paths"]["/api/v1/abroad/applications/{case_id}/decision"]["post"]["requestBody"]
    properties = body["content"]["application/json"]["schema"]["properties"]
    assert properties["part_companion"]["enum"] == ["granted", "refused"]
    assert "partial" in properties["decision"]["enum"]
    assert {"reason_hospital", "instead_hospital", "instead_country"} <= set(properties)
