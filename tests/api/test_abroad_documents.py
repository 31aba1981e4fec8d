"""The papers behind a record through the JSON API: the statement, the invoice and the appeal letter as a file part
of a multipart/form-data body, checked as on the pages (422 at the field), linked by the record's document id."""
from datetime import date, timedelta

from app.abroad.models import CostEntry
from app.cases.models import Document
from app.extensions import db
from tests.abroad.test_letters import _day, _register
from tests.abroad.test_record_documents import _upload

TODAY = date.today()


def test_the_api_takes_each_paper_as_a_file_part(app, api, make_user, login):
    worker_id = make_user("abroad_caseworker", "helse-vest")
    call = api(worker_id)
    case_id = _register(login(worker_id))
    requested = call("POST", f"/abroad/applications/{case_id}/opinions", {
        "requested_from": "Barneonkologi, Haukeland", "question": "Nødvendig?",
        "requested_on": (TODAY - timedelta(days=50)).isoformat(), "due_on": (TODAY - timedelta(days=40)).isoformat()})
    assert requested.status_code == 201, requested.json
    opinion_url = f"/abroad/applications/{case_id}/opinions/{requested.json['id']}/received"
    wrong = call("POST", opinion_url, data={"received_on": _day(45), "conclusion": "Ja.",
                                            "file": _upload("u.pdf", b"tekst")}, content_type="multipart/form-data")
    assert wrong.status_code == 422 and "file" in wrong.json["errors"]
    received = call("POST", opinion_url, data={"received_on": _day(45), "conclusion": "Ja.", "file": _upload()},
                    content_type="multipart/form-data")
    assert received.status_code == 200 and received.json["document_id"], received.json
    assert call("GET", f"/abroad/applications/{case_id}").json["opinions"][0]["document_id"] == \
        received.json["document_id"]

    assert call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "granted", "decided_on": (TODAY - timedelta(days=5)).isoformat(), "legal_basis": "Pbrl.",
        "reasoning": "Ikke i Norge."}).status_code == 200
    cost = call("POST", f"/abroad/applications/{case_id}/costs", data={
        "entry_date": _day(2), "category": "treatment", "amount": "500", "currency": "NOK",
        "invoice_reference": "F-1", "file": _upload("faktura.pdf")}, content_type="multipart/form-data")
    assert cost.status_code == 201 and cost.json["invoice_document_id"], cost.json
    plain = call("POST", f"/abroad/applications/{case_id}/costs", {
        "entry_date": TODAY.isoformat(), "category": "travel", "amount": "100", "currency": "NOK"})
    assert plain.status_code == 201 and plain.json["invoice_document_id"] is None
    appeal = call("POST", f"/abroad/applications/{case_id}/appeals", data={
        "received_on": _day(1), "notified_on": _day(4), "file": _upload("klage.pdf")},
        content_type="multipart/form-data")
    assert appeal.status_code == 201 and appeal.json["letter_document_id"], appeal.json
    with app.app_context():
        assert db.session.get(CostEntry, cost.json["id"]).invoice_document_id == cost.json["invoice_document_id"]
        assert db.session.get(Document, appeal.json["letter_document_id"]).case_id == appeal.json["case_id"]
