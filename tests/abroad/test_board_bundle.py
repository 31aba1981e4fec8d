"""The case's documents for Klagenemnda as one PDF: the list of every document of the application's case and the
appeal's, then each PDF document's pages in order; a document that is no PDF is listed as sent separately; the
download is logged with the documents it holds, and another office gets a 404."""
import io
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from app.abroad.models import Appeal
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from tests.abroad.test_letters import DECISION, _day, _digest, _register
from tests.pdf import pdf_text


def _forwarded(app, worker) -> tuple[int, int]:
    """A granted application, a note uploaded as text, a complaint forwarded with its letter: (case, appeal case)."""
    case_id = _register(worker, national_id="", patient_name="Voksen Vestlending", birth_date="01.01.1970")
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data=DECISION).status_code == 302
    uploaded = worker.post(f"/saker/{case_id}/dokumenter/ny", content_type="multipart/form-data", data={
        "title": "Telefonnotat fra henvisende lege", "file": (io.BytesIO(b"Notat.\n"), "notat.txt")})
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)
    assert worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": _day(2), "notified_on": _day(4), "grounds": "Ledsager må dekkes."}).status_code == 302
    with app.app_context():
        appeal_case_id = db.session.scalar(select(Appeal.case_id))
    url = f"/utland/klager/{appeal_case_id}/kontorets-behandling"
    data = {"outcome": "forwarded", "decided_on": _day(1), "reasoning": "Ledsager er ikke nødvendig."}
    page = worker.post(url, data={**data, "steg": "forhandsvis"}).get_data(as_text=True)
    assert worker.post(url, data={**data, "steg": "journalfor", "forhandsvist": _digest(page)}).status_code == 302
    return case_id, appeal_case_id


def test_the_bundle_lists_every_document_and_holds_the_pdfs_in_order(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    case_id, appeal_case_id = _forwarded(app, worker)
    assert "Last ned saksdokumentene som én PDF" in worker.get(f"/utland/klager/{appeal_case_id}").get_data(
        as_text=True)

    response = worker.get(f"/utland/klager/{appeal_case_id}/klagenemnda.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert text.startswith("Saksdokumenter til Klagenemnda – klage") and "Dokumentliste" in text
    assert "Telefonnotat fra henvisende lege" in text and "Nei, sendes som egen fil" in text
    decision, forwarding = text.index("Behandlingen finnes ikke i Norge."), text.index("Oversendelse av klage på")
    assert text.index("Dokumentliste") < decision < forwarding   # the letters follow the list, as filed
    reader = PdfReader(BytesIO(response.data))
    assert reader.metadata.title.startswith("Saksdokumenter til Klagenemnda")
    assert reader.trailer["/Root"]["/Lang"] == "nb"
    assert text.count("Ja, ") == 2 and len(reader.pages) >= 3

    with app.app_context():
        logged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT,
                                                            AuditEvent.object_type == "abroad_appeal"))
        assert logged.case_id == appeal_case_id and len(logged.changes["documents"]) == 3


def test_another_office_gets_a_404(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    _case_id, appeal_case_id = _forwarded(app, worker)
    other = login(make_user("abroad_caseworker", "helse-sor-ost"))
    assert other.get(f"/utland/klager/{appeal_case_id}/klagenemnda.pdf").status_code == 404
