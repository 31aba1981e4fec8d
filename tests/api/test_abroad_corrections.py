"""Corrections of treatment abroad through the JSON API: the same forms, services and rules as the pages (a
versioned correction with a reason, the same invoice refused twice, a negative amount only as a reversal)."""
from datetime import date, timedelta

from sqlalchemy import select

from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db

TODAY = date.today()
NATIONAL_ID = synthetic_national_id(date(1994, 3, 8))


def test_corrections_through_the_api(app, api, make_user):
    worker_id = make_user("abroad_caseworker", "helse-sor-ost")
    call = api(worker_id)
    created = call("POST", "/abroad/applications", {
        "national_id": NATIONAL_ID, "patient_name": "Nora Nordlys", "home_region": "helse-nord",
        "stream": "application", "received_on": (TODAY - timedelta(days=40)).isoformat(),
        "requested_treatment": "TTTS", "treatment_class": "established", "icd10": "O43.0"})
    case_id, version = created.json["case_id"], created.json["version"]
    facts = {"stream": "application", "received_on": (TODAY - timedelta(days=40)).isoformat(),
             "requested_treatment": "TTTS", "treatment_class": "established", "icd10": "C50.1", "version": version}
    no_reason = call("PUT", f"/abroad/applications/{case_id}/correction", facts)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["errors"]
    corrected = call("PUT", f"/abroad/applications/{case_id}/correction", {**facts, "reason": "Feil diagnose."})
    assert corrected.status_code == 200 and corrected.json["icd10_chapter"] == "C00-D48"
    stale = call("PUT", f"/abroad/applications/{case_id}/correction", {**facts, "icd10": "C50.2", "reason": "x"})
    assert stale.status_code == 409
    with app.app_context():
        row = db.session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case_id, AuditEvent.action == AuditAction.UPDATE,
            AuditEvent.object_type == "abroad_application")).one()
        assert row.changes["icd10"] == ["O43.0", "C50.1"] and row.changes["reason"] == "Feil diagnose."
    call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "granted", "decided_on": (TODAY - timedelta(days=30)).isoformat(), "legal_basis": "Pbrl.",
        "reasoning": "Ikke i Norge."})
    cost = {"entry_date": (TODAY - timedelta(days=10)).isoformat(), "category": "treatment", "amount": "1000",
            "currency": "NOK", "invoice_reference": "F-1"}
    first = call("POST", f"/abroad/applications/{case_id}/costs", cost)
    assert first.status_code == 201
    twice = call("POST", f"/abroad/applications/{case_id}/costs", cost)
    assert twice.status_code == 422 and "F-1" in twice.json["errors"]["invoice_reference"][0]
    negative = call("POST", f"/abroad/applications/{case_id}/costs", {**cost, "amount": "-1000"})
    assert negative.status_code == 422
    reversal = call("POST", f"/abroad/applications/{case_id}/costs/{first.json['id']}/reversal",
                    {"reason": "Feil faktura."})
    assert reversal.status_code == 201, reversal.json
    assert (reversal.json["amount_nok"], reversal.json["reverses_id"]) == ("-1000.00", first.json["id"])
    assert call("POST", f"/abroad/applications/{case_id}/costs/{reversal.json['id']}/reversal",
                {"reason": "x"}).status_code == 422
    assert call("POST", f"/abroad/applications/{case_id}/costs/999999/reversal",
                {"reason": "x"}).status_code == 404
    assert call("GET", f"/abroad/applications/{case_id}").json["total_nok"] == "0.00"
