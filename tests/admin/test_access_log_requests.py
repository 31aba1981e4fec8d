"""The patient's access log (pasientjournalloven § 18): the request as a case, the log translated and grouped, and
the answer filed as a letter (checked with pdftotext)."""
import re
from datetime import date, datetime, timedelta
from html import unescape
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.admin import access_log
from app.auth.models import User
from app.cases.documents import read_version
from app.cases.models import Case, CaseKind, CaseStatus, Document, JournalEntryType, Patient
from app.cases.services import PartyAddress
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.errors import InvalidInputs
from app.extensions import db
from tests.pdf import pdf_text

ADDRESS = {"street": "Storgata 1", "postal_code": "0155", "postal_place": "Oslo"}
TODAY = date.today()


def _request_form(**fields) -> dict:
    return {"received_on": f"{TODAY:%d.%m.%Y}", **ADDRESS, **fields}


def _new_case_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/admin/innsyn-i-logg/(\d+)$", response.headers["Location"]).group(1))


def test_a_request_is_registered_answered_with_a_letter_and_closed(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost", email="siri@test.example", name="Siri Saksbehandler")
    national_id = synthetic_national_id(date(1980, 5, 17), 1)
    case_id = make_case(caseworker, national_id=national_id)
    siri = login(caseworker)
    for _ in range(3):   # three reads of one case on one day: one line with the count
        assert siri.get(f"/saker/{case_id}").status_code == 200
    siri.get("/saker")   # the case in a list
    admin_id = make_user("admin", email="admin@test.example", name="Ada Administrator")
    admin = login(admin_id)

    response = admin.post("/admin/innsyn-i-logg/ny", data=_request_form(national_id=national_id))
    request_id = _new_case_id(response)
    with app.app_context():
        request_case = db.session.get(Case, request_id)
        assert (request_case.kind, request_case.unit, request_case.is_screened) == (
            CaseKind.ACCESS_LOG_REQUEST, "personvern", True)
        assert request_case.patient_id == db.session.get(Case, case_id).patient_id
        incoming = request_case.journal_entries[0]
        assert (incoming.entry_type, incoming.title, incoming.party_name) == (
            JournalEntryType.INCOMING, "Forespørsel om innsyn i logg", "Kari Nordmann")
        lookup = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOOKUP,
                                                             AuditEvent.user_id == admin_id)).one()
        assert lookup.changes["purpose"] == "innsyn i logg"

    page = admin.get(f"/admin/innsyn-i-logg/{request_id}").get_data(as_text=True)
    assert "Forhåndsvis brevet" in page
    period = {"period_start": f"{TODAY - timedelta(days=30):%d.%m.%Y}", "period_end": f"{TODAY:%d.%m.%Y}"}
    preview = unescape(admin.post(f"/admin/innsyn-i-logg/{request_id}",
                                  data={**period, "steg": "forhandsvis"}).get_data(as_text=True))
    assert "Siri Saksbehandler" in preview and "Saksbehandler, behandling i utlandet" in preview
    assert "Utenlandskontoret i Helse Sør-Øst" in preview and "Behandling i utlandet" in preview
    assert "siri@test.example" not in preview and "127.0.0.1" not in preview and "abroad_application" not in preview
    digest = re.search(r'name="forhandsvist" value="([0-9a-f]{64})"', preview).group(1)

    # A letter other than the one previewed is shown again, not filed.
    changed = admin.post(f"/admin/innsyn-i-logg/{request_id}",
                         data={**period, "period_start": f"{TODAY - timedelta(days=1):%d.%m.%Y}", "steg": "journalfor",
                               "forhandsvist": digest})
    assert "Brevet er endret siden forhåndsvisningen" in changed.get_data(as_text=True)
    filed = admin.post(f"/admin/innsyn-i-logg/{request_id}", data={**period, "steg": "journalfor",
                                                                   "forhandsvist": digest})
    assert filed.status_code == 302

    with app.app_context():
        request_case = db.session.get(Case, request_id)
        assert request_case.status is CaseStatus.CLOSED
        outgoing = [entry for entry in request_case.journal_entries if entry.entry_type is JournalEntryType.OUTGOING]
        assert [entry.title for entry in outgoing] == ["Svar på forespørsel om innsyn i logg"]
        assert request_case.journal_entries[0].follow_up_method == "BU"
        document = db.session.scalars(select(Document).where(Document.journal_entry_id == outgoing[0].id)).one()
        pdf, number = read_version(document.current_version), request_case.number
        text = " ".join(pdf_text(pdf).split())
    reader = PdfReader(BytesIO(pdf))   # a tagged PDF/UA letter with its title and language
    assert reader.metadata.title == f"Innsyn i logg {number}"
    assert reader.trailer["/Root"]["/Lang"] == "nb" and "/StructTreeRoot" in reader.trailer["/Root"]
    assert "Innsyn i logg: hvem som har sett eller endret opplysninger om Kari Nordmann" in text
    assert "pasientjournalloven § 18" in text and "Datatilsynet" in text and "Statens helsetilsyn" in text
    assert "Siri Saksbehandler" in text and "Så saken" in text and "Så saken i en liste" in text
    assert "Storgata 1" in text and "0155 Oslo" in text
    assert "siri@test.example" not in text and "127.0.0.1" not in text
    # Closed: the page offers the letter, no form.
    closed = admin.get(f"/admin/innsyn-i-logg/{request_id}").get_data(as_text=True)
    assert "Innsyn i logg (PDF)" in closed and "Forhåndsvis brevet" not in closed


def test_reads_of_one_case_by_one_person_on_one_day_are_one_line(app_ctx, make_user, make_case):
    caseworker_id = make_user("panel_secretariat", name="Per Panel")
    case_id = make_case(caseworker_id, kind=CaseKind.PANEL_REFERRAL, title="Henvisning – Kari Nordmann")
    case = db.session.get(Case, case_id)
    user = db.session.get(User, caseworker_id)
    for _ in range(3):
        db.session.add(AuditEvent(action=AuditAction.VIEW, object_type="panel_referral", object_id="1",
                                  case_id=case.id, patient_id=case.patient_id, user_id=user.id,
                                  user_email=user.email, role=user.role.value, remote_addr="10.0.0.1"))
    db.session.add(AuditEvent(action=AuditAction.DENIED, object_type="case", case_id=case.id,
                              patient_id=case.patient_id, user_id=user.id, role=user.role.value))
    db.session.flush()
    lines = access_log.access_log(case.patient_id, access_log.Period(TODAY - timedelta(days=1), TODAY))
    reads = [line for line in lines if line.action == "Så henvisningen"]
    assert [(line.name, line.role, line.organisation, line.case_number, line.module, line.count) for line in reads] \
        == [("Per Panel", "Sekretariatet for ekspertpanelet", "Sekretariatet for ekspertpanelet", case.number,
             "Ekspertpanelet", 3)]
    assert not [line for line in lines if "Avvist" in line.action]   # a denied attempt showed nothing
    assert {(line.action, line.module) for line in lines} == {
        ("Så henvisningen", "Ekspertpanelet"), ("Registrerte saken", "Ekspertpanelet"),
        ("Registrerte pasientopplysningene", "Saksbehandling")}


def test_the_patient_is_found_by_birth_date_and_name_and_a_choice_is_offered(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost")
    make_case(caseworker, name="Ola Hansen", birth_date=date(1990, 1, 2))
    make_case(caseworker, name="Ola Hansen", birth_date=date(1990, 1, 2))   # a second person, same facts
    admin = login(make_user("admin"))
    form = _request_form(birth_date="02.01.1990", name="ola hansen")

    choice = admin.post("/admin/innsyn-i-logg/ny", data=form).get_data(as_text=True)
    assert "Flere pasienter har denne fødselsdatoen og dette navnet. Velg én." in choice
    request_id = _new_case_id(admin.post("/admin/innsyn-i-logg/ny", data={**form, "choice": "2"}))
    with app.app_context():
        patients = db.session.scalars(select(Patient.id).where(Patient.birth_date == date(1990, 1, 2))
                                      .order_by(Patient.id)).all()
        assert db.session.get(Case, request_id).patient_id == patients[1]

    none = admin.post("/admin/innsyn-i-logg/ny", data=_request_form(birth_date="03.01.1990", name="Ola Hansen"))
    assert "Fant ingen pasient." in none.get_data(as_text=True)


def test_a_refused_request_shows_every_error_at_once_and_saves_nothing(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost")
    make_case(caseworker, name="Ola Hansen", birth_date=date(1990, 1, 2))
    admin = login(make_user("admin"))
    response = admin.post("/admin/innsyn-i-logg/ny", data={
        "birth_date": "02.01.1990", "name": "Ola Hansen", "received_on": "", "street": "Storgata 1",
        "postal_code": "12", "postal_place": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fyll inn når forespørselen kom." in page and "Fyll inn poststed." in page and "fire siffer" in page
    with app.app_context():
        assert db.session.scalar(select(Case.id).where(Case.kind == CaseKind.ACCESS_LOG_REQUEST)) is None


def test_only_the_admin_reaches_a_request(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost")
    national_id = synthetic_national_id(date(1980, 5, 17), 2)
    make_case(caseworker, national_id=national_id)
    admin_id = make_user("admin")
    with app.app_context():
        patient = db.session.scalar(select(Patient).where(Patient.national_id == national_id))
        case = access_log.register_request(patient, name="Kari Nordmann", received_on=TODAY,
                                           address=PartyAddress("Storgata 1", "0155", "Oslo"),
                                           actor=db.session.get(User, admin_id))
        db.session.commit()
        request_id = case.id
    assert login(caseworker).get(f"/admin/innsyn-i-logg/{request_id}").status_code in (403, 404)
    assert login(caseworker).get(f"/saker/{request_id}").status_code == 404
    assert login(admin_id).get(f"/saker/{request_id}").status_code == 200
    other_case = make_case(caseworker)
    assert login(admin_id).get(f"/admin/innsyn-i-logg/{other_case}").status_code == 404


def test_the_period_must_have_ended_and_run_forwards(app_ctx):
    with pytest.raises(InvalidInputs) as refused:
        access_log.check_period(TODAY, TODAY - timedelta(days=1), today=TODAY - timedelta(days=2))
    assert [str(each) for each in refused.value.errors] == [
        "Perioden kan ikke slutte etter dagens dato.", "Til-datoen kan ikke være før fra-datoen."]
    assert access_log.check_period(TODAY, TODAY, today=TODAY).bounds[0] == datetime.combine(
        TODAY, datetime.min.time(), access_log.OSLO)
