"""The letters of treatment abroad through the pages: the preview before filing, the sender's block, the addressee
(the guardians of a child) with the address, the copies and the appeal information, read from the filed PDF
with pdftotext; the forwarding letter to Klagenemnda and its list of documents; the incoming post avskrevet; the
office's standard phrases inserted into the reasoning."""
from datetime import date, timedelta

from sqlalchemy import func, select

from app.abroad.models import Appeal, Application, StandardPhrase
from app.cases.models import Case, Document, JournalEntry
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from tests.pdf import pdf_text

TODAY = date.today()


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


CHILD = {"national_id": "", "patient_name": "Lille Lauvås", "birth_date": _day(365 * 8), "street": "Fjordveien 3",
         "postal_code": "5003", "postal_place": "Bergen", "municipality": "4601 Bergen", "home_region": "helse-vest",
         "stream": "application", "received_on": _day(60), "reference": "", "applicant": "",
         "referring_doctor": "Lege Line Lie", "referring_hospital": "Haukeland universitetssjukehus",
         "requested_treatment": "Protonbehandling", "requested_where": "Skandionkliniken",
         "treatment_class": "established", "icd10": "C71.9", "method_reference": ""}
DECISION = {"decision": "granted", "decided_on": _day(5), "legal_basis": "Pbrl. § 2-4a andre ledd",
            "reasoning": "Behandlingen finnes ikke i Norge."}


def _register(client, **overrides) -> int:
    response = client.post("/utland/soknader/ny", data={**CHILD, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _filed_pdf(client, url: str) -> str:
    link = client.get(url)
    assert link.status_code == 302
    return pdf_text(client.get(link.headers["Location"]).data)


def _digest(page: str) -> str:
    return page.split('name="forhandsvist" value="', 1)[1].split('"', 1)[0]


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_letter_to_a_childs_guardians_is_previewed_then_filed_as_shown(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest", name="Siri Saksbehandler"))
    case_id = _register(worker)
    url = f"/utland/soknader/{case_id}/vedtak"

    preview = worker.post(url, data={**DECISION, "steg": "forhandsvis"})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Forhåndsvisning" in page
    assert "Foresatte til Lille Lauvås" in page and "Fjordveien 3" in page
    assert "Utenlandskontoret i Helse Vest" in page and "utland@helse-vest.no" in page
    with app.app_context():
        assert db.session.scalar(select(Application.decision)) is None   # a preview saves nothing

    changed = worker.post(url, data={**DECISION, "reasoning": "Endret begrunnelse.", "steg": "journalfor",
                                      "forhandsvist": _digest(page)})
    assert changed.status_code == 200 and "Brevet er endret siden forhåndsvisningen" in changed.get_data(as_text=True)
    assert _count(app, Document) == 0

    filed = worker.post(url, data={**DECISION, "steg": "journalfor", "forhandsvist": _digest(page)})
    assert filed.status_code == 302
    letter = _filed_pdf(worker, f"/utland/soknader/{case_id}/vedtaksbrev.pdf")
    assert "Foresatte til Lille Lauvås Fjordveien 3 5003 Bergen" in letter
    assert "Postadresse: Postboks 303 Forus, 4066 Stavanger · E-post: utland@helse-vest.no · Telefon: 51 96 38 00" \
        in letter
    assert "Kopi til Lege Line Lie, Haukeland universitetssjukehus Helse Vest RHF" in letter
    assert "Du kan også klage på en innvilgelse" in letter
    assert ("Klagen sendes til Utenlandskontoret i Helse Vest, Postboks 303 Forus, 4066 Stavanger, eller på e-post "
            "til utland@helse-vest.no.") in letter
    assert "telefon 51 96 38 00" in letter
    with app.app_context():
        incoming = db.session.scalar(select(JournalEntry).where(JournalEntry.case_id == case_id,
                                                                JournalEntry.entry_type == "I"))
        assert incoming.follow_up_method == "BU" and incoming.follow_up_done_at is not None


def test_a_grant_is_appealed_on_the_page_and_the_forwarding_letter_lists_the_documents(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest", name="Siri Saksbehandler"))
    case_id = _register(worker, national_id="", patient_name="Voksen Vestlending", birth_date="01.01.1970")
    assert worker.post(f"/utland/soknader/{case_id}/vedtak", data=DECISION).status_code == 302
    assert "Registrer klage" in worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    registered = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": _day(2), "notified_on": _day(4), "grounds": "Ledsager må dekkes."})
    assert registered.status_code == 302, registered.get_data(as_text=True)
    with app.app_context():
        appeal_case_id = db.session.scalar(select(Appeal.case_id))
    url = f"/utland/klager/{appeal_case_id}/kontorets-behandling"
    data = {"outcome": "forwarded", "decided_on": _day(1), "reasoning": "Ledsager er ikke nødvendig."}
    page = worker.post(url, data={**data, "steg": "forhandsvis"}).get_data(as_text=True)
    assert "Oversendelse av klage på vedtak om behandling i utlandet" in page
    filed = worker.post(url, data={**data, "steg": "journalfor", "forhandsvist": _digest(page)})
    assert filed.status_code == 302, filed.get_data(as_text=True)

    letter = _filed_pdf(worker, f"/utland/klager/{appeal_case_id}/oversendelsesbrev.pdf")
    assert "None" not in letter and "Ukjent navn" not in letter
    assert "Voksen Vestlending har klaget på vårt vedtak" in letter and "om innvilgelse av søknad" in letter
    assert "Hjemmel: Pbrl. § 2-4a andre ledd" in letter
    assert "Vedtaksbrev – innvilget" in letter   # the application's letter is listed among the documents sent
    with app.app_context():
        incoming = db.session.scalar(select(JournalEntry).where(JournalEntry.case_id == appeal_case_id,
                                                                JournalEntry.entry_type == "I"))
        assert incoming.follow_up_method == "BU"
        assert db.session.get(Case, appeal_case_id).title.startswith("Klage på vedtak")


def test_no_letter_goes_to_an_imported_placeholder_name(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    case_id = _register(worker, national_id="", patient_name="Ukjent navn (importert, ref. X-1)",
                        birth_date="01.01.1970")
    answer = worker.post(f"/utland/soknader/{case_id}/vedtak", data={**DECISION, "steg": "forhandsvis"})
    assert answer.status_code == 200 and "Pasientens navn er ikke registrert" in answer.get_data(as_text=True)
    assert _count(app, Document) == 0


def test_the_offices_standard_phrases_are_edited_and_inserted_into_the_reasoning(app, login, make_user):
    worker = login(make_user("abroad_caseworker", "helse-vest"))
    added = worker.post("/utland/standardtekster", data={"title": "Tilbud i Norge",
                                                         "text": "Det finnes et forsvarlig tilbud i Norge."})
    assert added.status_code == 302
    twice = worker.post("/utland/standardtekster", data={"title": "Tilbud i Norge", "text": ""})   # one round
    assert twice.status_code == 200
    assert 'id="title-error"' in twice.get_data(as_text=True) and 'id="text-error"' in twice.get_data(as_text=True)
    blank = worker.post("/utland/standardtekster", data={"title": "Tom", "text": ""})
    assert blank.status_code == 200 and 'id="text-error"' in blank.get_data(as_text=True)
    with app.app_context():
        phrase = db.session.scalar(select(StandardPhrase))
        phrase_id, version = phrase.id, phrase.version
    edited = worker.post(f"/utland/standardtekster/{phrase_id}", data={
        "title": "Tilbud i Norge", "text": "Det finnes et faglig forsvarlig tilbud i Norge.", "version": version})
    assert edited.status_code == 302
    other_office = login(make_user("abroad_caseworker", "helse-sor-ost"))
    assert other_office.get(f"/utland/standardtekster/{phrase_id}").status_code == 404
    assert "Tilbud i Norge" not in other_office.get("/utland/standardtekster").get_data(as_text=True)

    case_id = _register(worker)
    inserted = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        **DECISION, "decision": "denied", "reasoning": "Søknaden er vurdert.", "steg": "sett_inn",
        "standardtekst": str(phrase_id)})
    page = inserted.get_data(as_text=True)
    assert inserted.status_code == 200
    assert "Søknaden er vurdert.\n\nDet finnes et faglig forsvarlig tilbud i Norge.</textarea>" in page
    with app.app_context():
        assert db.session.scalar(select(Application.decision)) is None
        events = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "abroad_standard_phrase")).all()
        assert events == [AuditAction.CREATE, AuditAction.UPDATE]


def test_documents_of_the_case_are_chosen_as_the_letters_attachments(app, login, make_user):
    worker_id = make_user("abroad_caseworker", "helse-vest")
    worker = login(worker_id)
    case_id = _register(worker)
    with app.app_context():
        from app.auth.models import User
        from app.cases.interface import attach_document
        document_id = attach_document(db.session.get(Case, case_id), title="Epikrise fra Haukeland",
                                      filename="epikrise.pdf", content=b"%PDF-1.7\n%%EOF\n",
                                      actor=db.session.get(User, worker_id)).id
        db.session.commit()
    url = f"/utland/soknader/{case_id}/vedtak"
    form = worker.get(url).get_data(as_text=True)
    assert f'name="vedlegg" value="{document_id}"' in form and "Epikrise fra Haukeland" in form
    stranger = worker.post(url, data={**DECISION, "steg": "forhandsvis", "vedlegg": "999999"})
    assert "Velg vedlegg blant sakens dokumenter" in stranger.get_data(as_text=True)
    page = worker.post(url, data={**DECISION, "steg": "forhandsvis", "vedlegg": str(document_id)}).get_data(
        as_text=True)
    assert worker.post(url, data={**DECISION, "steg": "journalfor", "forhandsvist": _digest(page),
                                  "vedlegg": str(document_id)}).status_code == 302
    letter = _filed_pdf(worker, f"/utland/soknader/{case_id}/vedtaksbrev.pdf")
    assert "Vedlegg • Epikrise fra Haukeland" in letter
