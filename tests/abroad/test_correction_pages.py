"""Corrections on their second and third paths: the pages (a versioned form with the conflict message, the case's
history, the note on the decision, the cost reversal). The JSON API's path: tests/api/test_abroad_corrections.py."""
from datetime import date, timedelta

from sqlalchemy import select

from app.abroad.models import Application, CostEntry
from app.demo import synthetic_national_id
from app.extensions import db

TODAY = date.today()


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


APPLICATION = {"national_id": synthetic_national_id(date(1994, 3, 8)), "patient_name": "Nora Nordlys",
               "birth_date": "", "municipality": "5501 Tromsø", "home_region": "helse-nord", "stream": "application",
               "received_on": _day(60), "reference": "", "applicant": "Sykehuslege",
               "referring_doctor": "Lege Line Lie",
               "referring_hospital": "UNN Tromsø", "requested_treatment": "Fetoskopisk laserbehandling av TTTS",
               "requested_where": "Rigshospitalet", "treatment_class": "established", "icd10": "O43.0",
               "method_reference": ""}
FACTS = ("stream", "received_on", "reference", "applicant", "referring_doctor", "referring_hospital",
         "requested_treatment", "requested_where", "treatment_class", "icd10", "method_reference")


def _posted(client, url: str, data: dict, status: int = 302):
    response = client.post(url, data=data)
    assert response.status_code == status, response.get_data(as_text=True)[-3000:]
    return response


def _registered_and_granted(worker) -> int:
    created = _posted(worker, "/utland/soknader/ny", APPLICATION)
    case_id = int(created.headers["Location"].rsplit("/", 1)[1])
    _posted(worker, f"/utland/soknader/{case_id}/vedtak", {
        "decision": "granted", "decided_on": _day(50), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Ikke i Norge."})
    return case_id


def _version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Application.version).where(Application.case_id == case_id))


def _correction(app, case_id: int, **changes) -> dict:
    return {**{name: APPLICATION[name] for name in FACTS}, "version": _version(app, case_id),
            "reason": "Feil diagnose fra henvisningen.", **changes}


def test_a_decided_application_is_corrected_on_its_page_with_history_and_a_decision_note(app, worker):
    case_id = _registered_and_granted(worker)
    form = worker.get(f"/utland/soknader/{case_id}/rett")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'value="O43.0"' in html and "får vedtaket en merknad" in html
    missing = _posted(worker, f"/utland/soknader/{case_id}/rett", _correction(app, case_id, icd10="O43.1",
                                                                                 reason=""), 200)
    assert 'id="reason-error"' in missing.get_data(as_text=True)
    _posted(worker, f"/utland/soknader/{case_id}/rett", _correction(app, case_id, icd10="O43.1"))
    page = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert "Merknader om retting etter vedtaket" in page
    assert "Hoveddiagnose (ICD-10) rettet fra «O43.0» til «O43.1»" in page
    history = worker.get(f"/saker/{case_id}").get_data(as_text=True)
    assert "Historikk" in history and "Feil diagnose fra henvisningen." in history
    assert "<td>O43.0</td>" in history and "<td>O43.1</td>" in history and "Siri Saksbehandler" in history


def test_a_stale_correction_form_gets_the_conflict_message_and_the_stored_version(app, worker):
    case_id = _registered_and_granted(worker)
    stale = _correction(app, case_id, applicant="Fastlege")
    _posted(worker, f"/utland/soknader/{case_id}/rett", _correction(app, case_id, applicant="Pasienten"))
    response = _posted(worker, f"/utland/soknader/{case_id}/rett", stale, 409)
    html = response.get_data(as_text=True)
    assert "endret av en annen bruker" in html and "Lagret versjon" in html and 'value="Fastlege"' in html
    with app.app_context():
        assert db.session.scalar(select(Application.applicant).where(Application.case_id == case_id)) == "Pasienten"


def test_a_cost_is_reversed_on_its_page_and_a_double_booking_is_refused(app, worker):
    case_id = _registered_and_granted(worker)
    cost = {"entry_date": _day(10), "category": "treatment", "amount": "413320,50", "currency": "NOK",
            "exchange_rate": "", "invoice_reference": "RH-2026-991"}
    _posted(worker, f"/utland/soknader/{case_id}/kostnader/ny", cost)
    twice = _posted(worker, f"/utland/soknader/{case_id}/kostnader/ny", cost, 200).get_data(as_text=True)
    assert 'id="invoice_reference-error"' in twice and "allerede ført på saken" in twice
    with app.app_context():
        cost_id = db.session.scalar(select(CostEntry.id))
    page = worker.get(f"/utland/soknader/{case_id}/kostnader/{cost_id}/tilbakefor")
    assert page.status_code == 200 and "RH-2026-991" in page.get_data(as_text=True)
    _posted(worker, f"/utland/soknader/{case_id}/kostnader/{cost_id}/tilbakefor", {"reason": "Bokført to ganger."})
    again = _posted(worker, f"/utland/soknader/{case_id}/kostnader/{cost_id}/tilbakefor", {"reason": "Igjen"}, 409)
    assert "allerede tilbakeført" in again.get_data(as_text=True)
    shown = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert "Tilbakeføring av kostnaden" in shown and "Bokført to ganger." in shown and "sum 0,00 kr" in shown


def test_another_offices_caseworker_gets_404_for_every_correction(app, worker, login, make_user):
    case_id = _registered_and_granted(worker)
    _posted(worker, f"/utland/soknader/{case_id}/kostnader/ny", {
        "entry_date": _day(10), "category": "treatment", "amount": "100", "currency": "NOK", "exchange_rate": ""})
    with app.app_context():
        cost_id = db.session.scalar(select(CostEntry.id))
    vest = login(make_user("abroad_caseworker", office="helse-vest"))
    for url in (f"/utland/soknader/{case_id}/rett", f"/utland/soknader/{case_id}/kostnader/{cost_id}/tilbakefor"):
        assert vest.get(url).status_code == 404
        assert vest.post(url, data={"reason": "x"}).status_code == 404
