"""The case's documents for Klagenemnda as one PDF: the list of every document of the application's case and the
appeal's, then each PDF document's pages in order; a document that is no PDF is listed as sent separately; the
download is logged with the documents it holds, and another office gets a 404. The bundle is a tagged PDF: the
list's and each letter's structure trees are parts of its tree, each pointing at the bundle's own pages."""
import io
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select
from weasyprint import HTML

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
    received = HTML(string="<p>Epikrise fra Rigshospitalet.</p>").write_pdf()   # a received PDF, never tagged
    assert worker.post(f"/saker/{appeal_case_id}/dokumenter/ny", content_type="multipart/form-data", data={
        "title": "Epikrise", "file": (io.BytesIO(received), "epikrise.pdf")}).status_code == 302
    assert "Last ned saksdokumentene som én PDF" in worker.get(f"/utland/klager/{appeal_case_id}").get_data(
        as_text=True)

    response = worker.get(f"/utland/klager/{appeal_case_id}/klagenemnda.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert text.startswith("Saksdokumenter til Klagenemnda – klage") and "Dokumentliste" in text
    assert "Telefonnotat fra henvisende lege" in text and "Nei, sendes som egen fil" in text
    decision, forwarding = text.index("Behandlingen finnes ikke i Norge."), text.index("Oversendelse av klage på")
    assert text.index("Dokumentliste") < decision < forwarding < text.index("Epikrise fra Rigshospitalet.")
    reader = PdfReader(BytesIO(response.data))
    assert reader.metadata.title.startswith("Saksdokumenter til Klagenemnda")
    assert reader.trailer["/Root"]["/Lang"] == "nb"
    assert text.count("Ja, ") == 3 and len(reader.pages) >= 4
    _assert_tagged(reader, parts=3)   # the list and the two letters; the received PDF adds its pages only

    with app.app_context():
        logged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT,
                                                            AuditEvent.object_type == "abroad_appeal"))
        assert logged.case_id == appeal_case_id and len(logged.changes["documents"]) == 4


def test_another_office_gets_a_404(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    _case_id, appeal_case_id = _forwarded(app, worker)
    other = login(make_user("abroad_caseworker", "helse-sor-ost"))
    assert other.get(f"/utland/klager/{appeal_case_id}/klagenemnda.pdf").status_code == 404


def _assert_tagged(reader: PdfReader, parts: int) -> None:
    """PDF/UA's marks (MarkInfo, a structure tree, the language, the title shown), one «Part» per tagged part, and
    a parent tree with a key for every page's content, leading to elements on that page."""
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "nb"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) and reader.metadata.title
    document = root["/StructTreeRoot"]["/K"][0].get_object()
    assert document["/S"] == "/Document"
    assert [kid.get_object()["/S"] for kid in document["/K"]] == ["/Part"] * parts
    nums = root["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    tree = {nums[index]: nums[index + 1] for index in range(0, len(nums), 2)}
    for page in (page for page in reader.pages if "/StructParents" in page):
        marked = tree[page["/StructParents"]]
        assert all(element.get_object()["/Pg"].get_object() == page.get_object() for element in marked if
                   "/Pg" in element.get_object())
