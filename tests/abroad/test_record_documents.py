"""The papers behind a record: the specialist's statement on a received opinion, the invoice behind a cost and the
patient's appeal letter are filed through the case core as the document of an incoming post (I), linked from the
record and downloaded through the core (audited, 404 to another office). A bad file is refused at the field with
nothing saved; a correction or reversal keeps the link. The JSON API: tests/api/test_abroad_documents.py."""
import io

from sqlalchemy import func, select

from app.abroad.models import Appeal, Application, MedicalOpinion
from app.cases.models import Document, JournalEntry, JournalEntryType
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from tests.abroad.test_letters import DECISION, _day, _register

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(name: str = "uttalelse.pdf", content: bytes = PDF):
    return io.BytesIO(content), name


def _post(client, url: str, data: dict):
    return client.post(url, data=data, content_type="multipart/form-data")


def _application(case_id: int) -> Application:
    return db.session.scalar(select(Application).where(Application.case_id == case_id))


def _opinion_requested(app, worker, case_id: int) -> int:
    assert worker.post(f"/utland/soknader/{case_id}/uttalelser/ny", data={
        "requested_from": "Barneonkologi, Haukeland", "question": "Er protonbehandling nødvendig?",
        "requested_on": _day(50), "due_on": _day(40)}).status_code == 302
    with app.app_context():
        return _application(case_id).opinions[0].id


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Document.id))),
                db.session.scalar(select(func.count(JournalEntry.id))))


def test_each_record_files_its_paper_as_an_incoming_post_linked_from_the_record(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    case_id = _register(worker)
    opinion_id = _opinion_requested(app, worker, case_id)
    received = _post(worker, f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", {
        "received_on": _day(45), "conclusion": "Anbefales.", "file": _upload()})
    assert received.status_code == 302, received.get_data(as_text=True)
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data=DECISION).status_code == 302
    booked = _post(worker, f"/utland/soknader/{case_id}/kostnader/ny", {
        "entry_date": _day(2), "category": "treatment", "amount": "1000", "currency": "NOK",
        "invoice_reference": "F-77", "file": _upload("faktura.pdf")})
    assert booked.status_code == 302, booked.get_data(as_text=True)
    appealed = _post(worker, f"/utland/soknader/{case_id}/klage/ny", {
        "received_on": _day(1), "notified_on": _day(4), "grounds": "Ledsager må dekkes.",
        "file": _upload("klage.pdf")})
    assert appealed.status_code == 302, appealed.get_data(as_text=True)

    with app.app_context():
        application = _application(case_id)
        opinion, cost = db.session.get(MedicalOpinion, opinion_id), application.costs[0]
        appeal = db.session.scalar(select(Appeal))
        for document_id in (opinion.document_id, cost.invoice_document_id, appeal.letter_document_id):
            document = db.session.get(Document, document_id)
            assert document.journal_entry.entry_type is JournalEntryType.INCOMING
            assert document.journal_entry.documents == [document]
        assert db.session.get(Document, cost.invoice_document_id).journal_entry.follow_up_method == "TE"
        assert db.session.get(Document, appeal.letter_document_id).case_id == appeal.case_id
        appeal_case_id, letter_id = appeal.case_id, appeal.letter_document_id

    page = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    opinion_link = f"/saker/{case_id}/dokumenter/{opinion.document_id}/versjoner/1"
    invoice_link = f"/saker/{case_id}/dokumenter/{cost.invoice_document_id}/versjoner/1"
    assert opinion_link in page and invoice_link in page
    letter_link = f"/saker/{appeal_case_id}/dokumenter/{letter_id}/versjoner/1"
    assert letter_link in worker.get(f"/utland/klager/{appeal_case_id}").get_data(as_text=True)
    journal = worker.get(f"/saker/{case_id}").get_data(as_text=True)
    assert "Medisinsk uttalelse" in journal and "Faktura F-77" in journal and "faktura.pdf" in journal

    download = worker.get(opinion_link)
    assert download.status_code == 200 and download.data == PDF
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == AuditAction.DOWNLOAD, AuditEvent.case_id == case_id)) == 1

    other = login(make_user("abroad_caseworker", "helse-sor-ost"))
    for link in (opinion_link, invoice_link, letter_link):
        assert other.get(link).status_code == 404


def test_a_bad_file_is_refused_at_the_field_and_nothing_is_saved(app, login, make_user, monkeypatch):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    case_id = _register(worker)
    opinion_id = _opinion_requested(app, worker, case_id)
    before = _counts(app)
    wrong = _post(worker, f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", {
        "received_on": _day(45), "conclusion": "Anbefales.", "file": _upload("uttalelse.pdf", b"ikke en pdf")})
    assert wrong.status_code == 200
    assert "Innholdet i filen stemmer ikke med filtypen .pdf." in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MedicalOpinion, opinion_id).received_on is None
    assert _counts(app) == before

    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data=DECISION).status_code == 302
    before = _counts(app)
    exe = _post(worker, f"/utland/soknader/{case_id}/kostnader/ny", {
        "entry_date": "32.13.2026", "category": "treatment", "amount": "1000", "currency": "NOK",
        "file": _upload("faktura.exe", b"MZ\x90\x00")})
    text = exe.get_data(as_text=True)
    assert exe.status_code == 200 and "Filtypen er ikke tillatt" in text and "Skriv en gyldig dato" in text  # one round
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024 * 1024)
    big = _post(worker, f"/utland/soknader/{case_id}/klage/ny", {
        "received_on": _day(1), "notified_on": _day(4), "file": _upload("klage.pdf", PDF + b"0" * 1024 * 1024)})
    assert big.status_code == 200 and "Filen er for stor" in big.get_data(as_text=True)
    with app.app_context():
        assert _application(case_id).costs == [] and db.session.scalar(select(func.count(Appeal.id))) == 0
    assert _counts(app) == before


def test_a_correction_and_a_reversal_keep_the_link(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    case_id = _register(worker)
    opinion_id = _opinion_requested(app, worker, case_id)
    assert _post(worker, f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", {
        "received_on": _day(45), "conclusion": "Anbefales.", "file": _upload()}).status_code == 302
    with app.app_context():
        opinion = db.session.get(MedicalOpinion, opinion_id)
        document_id, version = opinion.document_id, opinion.version
    corrected = worker.post(f"/utland/soknader/{case_id}/uttalelser/{opinion_id}/rett", data={
        "requested_from": "Barneonkologi, Haukeland", "question": "Er protonbehandling nødvendig?",
        "received_on": _day(44), "conclusion": "Anbefales sterkt.", "reason": "Feil dato.", "version": version})
    assert corrected.status_code == 302, corrected.get_data(as_text=True)
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data=DECISION).status_code == 302
    assert _post(worker, f"/utland/soknader/{case_id}/kostnader/ny", {
        "entry_date": _day(2), "category": "treatment", "amount": "1000", "currency": "NOK",
        "file": _upload("faktura.pdf")}).status_code == 302
    with app.app_context():
        cost_id = _application(case_id).costs[0].id
    assert worker.post(f"/utland/soknader/{case_id}/kostnader/{cost_id}/tilbakefor",
                       data={"reason": "Feil beløp."}).status_code == 302
    with app.app_context():
        assert db.session.get(MedicalOpinion, opinion_id).document_id == document_id
        cost, credit = _application(case_id).costs
        assert cost.invoice_document_id is not None and credit.invoice_document_id == cost.invoice_document_id
