"""The API path of the rule on experimental treatment (tests/abroad/test_experimental_treatment.py): a trial is not
granted before its registry ID is recorded, through the same service as the page."""
from datetime import date, timedelta

from app.demo import synthetic_national_id

TODAY = date.today()


def test_the_api_refuses_the_grant_until_the_trial_is_recorded(api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    created = call("POST", "/abroad/applications", {
        "national_id": synthetic_national_id(date(1988, 5, 6)), "patient_name": "Tor Studie",
        "home_region": "helse-sor-ost", "stream": "application",
        "received_on": (TODAY - timedelta(days=40)).isoformat(), "requested_treatment": "Celleterapi i studie",
        "treatment_class": "trial", "icd10": "C71.9"})
    case_id, version = created.json["case_id"], created.json["version"]
    decision = {"decision": "granted", "decided_on": (TODAY - timedelta(days=30)).isoformat(), "legal_basis": "Pbrl.",
                "reasoning": "Studien finnes ikke i Norge."}
    refused = call("POST", f"/abroad/applications/{case_id}/decision", decision)
    assert refused.status_code == 422 and "registernummer" in refused.json["errors"]["decision"][0]
    malformed = call("PUT", f"/abroad/applications/{case_id}/experimental-basis",
                     {"version": version, "trial_registry_id": "NCT1"})
    assert malformed.status_code == 422 and "trial_registry_id" in malformed.json["errors"]
    recorded = call("PUT", f"/abroad/applications/{case_id}/experimental-basis",
                    {"version": version, "trial_registry_id": "NCT06719037"})
    assert recorded.status_code == 200 and recorded.json["trial_registry_id"] == "NCT06719037"
    granted = call("POST", f"/abroad/applications/{case_id}/decision", decision)
    assert granted.status_code == 200 and granted.json["status"] == "granted"
