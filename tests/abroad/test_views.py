"""The treatment-abroad pages through the test client: the acceptance scenarios (a Helse Nord
TTTS application granted for Rigshospitalet with two costs; a refusal appealed, forwarded and upheld; a late
appeal; a refusal citing Beslutningsforum), bad input shown at the field with nothing saved, office scope
and the audit rows."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.abroad.models import Appeal, AppealStatus, Application, ApplicationStatus, CostEntry, Decision
from app.auth.models import User
from app.cases.models import Case, CaseKind, Document, Patient, PatientDiscrepancy
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db
from app.methods.models import DecisionOutcome
from tests.audit import list_requests
from tests.factories import abroad_application
from tests.pdf import pdf_text

TODAY = date.today()


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _application_form(**overrides) -> dict:
    data = {"national_id": synthetic_national_id(date(1994, 3, 8)), "patient_name": "Nora Nordlys", "birth_date": "",
            "municipality": "5501 Tromsø", "home_region": "helse-nord", "stream": "application",
            "received_on": _day(60), "reference": "", "applicant": "Sykehuslege", "referring_doctor": "Lege Line Lie",
            "referring_hospital": "UNN Tromsø", "requested_treatment": "Fetoskopisk laserbehandling av TTTS",
            "requested_where": "Rigshospitalet", "treatment_class": "established", "icd10": "o43.0",
            "method_reference": ""}
    return {**data, **overrides}


def _register(client, **overrides) -> int:
    response = client.post("/utland/soknader/ny", data=_application_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _saved(client, url: str, data: dict) -> None:
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def _download(client, url: str) -> bytes:
    link = client.get(url)
    assert link.status_code == 302
    pdf = client.get(link.headers["Location"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    return pdf.data


def test_acceptance_ttts_granted_for_rigshospitalet_with_two_costs(app, worker, worker_id):
    case_id = _register(worker)
    page = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert "Nora Nordlys" in page and "Utenlandskontoret i Helse Sør-Øst" in page and "O00-O99" in page
    _saved(worker, f"/utland/soknader/{case_id}/uttalelser/ny", {
        "requested_from": "Fostermedisin, Oslo universitetssykehus", "question": "Er behandlingen nødvendig?",
        "requested_on": _day(58), "due_on": _day(45)})
    with app.app_context():
        opinion_id = db.session.scalar(select(Application).where(Application.case_id == case_id)).opinions[0].id
    _saved(worker, f"/utland/soknader/{case_id}/uttalelser/{opinion_id}", {
        "received_on": _day(50), "conclusion": "Anbefaler laserbehandling ved Rigshospitalet."})
    decision_page = worker.get(f"/utland/soknader/{case_id}/vedtak").get_data(as_text=True)
    assert "ikke knyttet til en metode i Nye Metoder" in decision_page
    _saved(worker, f"/utland/soknader/{case_id}/vedtak", {
        "decision": "granted", "decided_on": _day(49), "legal_basis": "Pbrl. § 2-4a andre ledd",
        "reasoning": "Behandlingen tilbys ikke i Norge."})
    _saved(worker, f"/utland/soknader/{case_id}/behandling", {
        "hospital": "Rigshospitalet", "country": "DK", "planned_start": _day(45), "planned_end": _day(40),
        "travel_arrangements": "Fly", "stay_arrangements": "Patienthotellet", "companion": "Ektefelle",
        "version": _version(app, case_id)})
    _saved(worker, f"/utland/soknader/{case_id}/kostnader/ny", {
        "entry_date": _day(30), "category": "treatment", "amount": "185000,00", "currency": "DKK",
        "exchange_rate": "1,5834", "invoice_reference": "RH-991"})
    _saved(worker, f"/utland/soknader/{case_id}/kostnader/ny", {
        "entry_date": _day(44), "category": "travel", "amount": "8450", "currency": "NOK", "exchange_rate": "",
        "invoice_reference": ""})
    page = worker.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert "Danmark" in page and "292\xa0929,00" in page and "301\xa0379,00" in page
    letter = pdf_text(_download(worker, f"/utland/soknader/{case_id}/vedtaksbrev.pdf"))
    for sentence in ("Vedtak om behandling i utlandet", "Søknaden er innvilget.", "Nora Nordlys",
                     "Behandlingen tilbys ikke i Norge.", "Pbrl. § 2-4a andre ledd",
                     "Klagefristen er fire uker fra du mottok dette brevet",
                     "Klagen sendes til Utenlandskontoret i Helse Sør-Øst",
                     "Klagenemnda for behandling i utlandet", "Siri Saksbehandler"):
        assert sentence in letter, sentence
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        assert (application.status, application.country, len(application.costs)) == (
            ApplicationStatus.GRANTED, "DK", 2)
        patient_id = db.session.get(Case, case_id).patient_id
        views = db.session.scalars(select(AuditEvent.patient_id).where(
            AuditEvent.case_id == case_id, AuditEvent.action == AuditAction.VIEW,
            AuditEvent.user_id == worker_id)).all()
        assert views == [patient_id] * 3   # the application page twice and the decision page


def _version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Application.version).where(Application.case_id == case_id))


def _deny(worker, case_id: int, days_ago: int = 40) -> None:
    _saved(worker, f"/utland/soknader/{case_id}/vedtak", {
        "decision": "denied", "decided_on": _day(days_ago), "legal_basis": "Pbrl. § 2-4a andre ledd",
        "reasoning": "Det finnes et forsvarlig tilbud i Norge."})


def _appeal(worker, case_id: int, received_days_ago: int, notified_days_ago: int) -> int:
    response = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": _day(received_days_ago), "notified_on": _day(notified_days_ago), "grounds": "Uenig."})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_acceptance_refusal_appealed_forwarded_and_upheld_and_a_late_second_appeal(app, worker):
    case_id = _register(worker)
    _deny(worker, case_id)
    appeal_id = _appeal(worker, case_id, received_days_ago=30, notified_days_ago=38)
    page = worker.get(f"/utland/klager/{appeal_id}").get_data(as_text=True)
    assert "innen fristen" in page and "Klagen kom etter fristen" not in page
    _saved(worker, f"/utland/klager/{appeal_id}/kontorets-behandling", {
        "outcome": "forwarded", "decided_on": _day(20), "reasoning": "Kontoret opprettholder avslaget."})
    letter = pdf_text(_download(worker, f"/utland/klager/{appeal_id}/oversendelsesbrev.pdf"))
    assert "Oversendelse av klage på avslag om behandling i utlandet" in letter
    assert "Kontoret opprettholder avslaget." in letter and "forvaltningsloven § 33" in letter
    _saved(worker, f"/utland/klager/{appeal_id}/nemnda", {
        "outcome": "upheld", "decided_on": _day(5), "board_reference": "KN-17"})
    with app.app_context():
        appeal = db.session.scalar(select(Appeal).where(Appeal.case_id == appeal_id))
        assert (appeal.status, appeal.application.status) == (AppealStatus.UPHELD_BY_BOARD, ApplicationStatus.DENIED)

    second = _register(worker, national_id="", patient_name="Sen Klager", birth_date="01.02.1960",
                       municipality="0301 Oslo", home_region="helse-sor-ost")
    _deny(worker, second, days_ago=60)
    late_id = _appeal(worker, second, received_days_ago=10, notified_days_ago=58)
    page = worker.get(f"/utland/klager/{late_id}").get_data(as_text=True)
    assert "Klagen kom etter fristen" in page and "Etter fristen" in page
    refused = worker.post(f"/utland/klager/{late_id}/kontorets-behandling", data={
        "outcome": "forwarded", "decided_on": _day(1), "reasoning": "x"})
    assert refused.status_code == 200 and "forvaltningsloven § 31" in refused.get_data(as_text=True)
    listed = worker.get("/utland/klager?late=y").get_data(as_text=True)
    assert "For sent" in listed


def test_acceptance_a_refusal_cites_the_beslutningsforum_decision(app, worker, method_with_outcome):
    with app.app_context():
        method_with_outcome(DecisionOutcome.NOT_INTRODUCED, reference="ID2024_090")
        db.session.commit()
    case_id = _register(worker, method_reference="id2024_090")
    page = worker.get(f"/utland/soknader/{case_id}/vedtak").get_data(as_text=True)
    assert "Ikke innført (Beslutningsforum)" in page and "16.06.2025" in page
    assert "prioriteringsforskriften § 3" in page and "Søknaden kan ikke innvilges." in page
    granted = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "granted", "decided_on": _day(1), "legal_basis": "x", "reasoning": "y"})
    assert granted.status_code == 200 and "Søknaden kan ikke innvilges" in granted.get_data(as_text=True)
    # The form proposes the citation as reasoning; the caseworker keeps it.
    _saved(worker, f"/utland/soknader/{case_id}/vedtak", {
        "decision": "denied", "decided_on": _day(1),
        "legal_basis": "Pasient- og brukerrettighetsloven § 2-4a tredje ledd, jf. merknaden til "
                       "prioriteringsforskriften § 3",
        "reasoning": "Metoden er ikke innført."})
    letter = pdf_text(_download(worker, f"/utland/soknader/{case_id}/vedtaksbrev.pdf"))
    assert "Søknaden er avslått." in letter
    assert "Beslutningsforum for nye metoder besluttet 16.06.2025 at metoden ID2024_090" in letter
    assert "merknaden til prioriteringsforskriften § 3" in letter


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"national_id": "08039412345"}, "national_id", "Kontrollsifrene stemmer ikke"),
    ({"icd10": "X99.99"}, "icd10", "ikke en gyldig ICD-10-kode"),
    ({"received_on": "31.02.2026"}, "received_on", "Skriv en gyldig dato"),
    ({"method_reference": "ID2099_001"}, "method_reference", "Fant ingen metode"),
    ({"stream": "annet"}, "stream", "Velg type sak"),
    ({"municipality": "Tromsø"}, "municipality", "Skriv kommunenummeret (fire siffer), gjerne fulgt av navnet"),
    ({"municipality": "9901 Tromsø"}, "municipality",
     "Kommunenummer 9901 finnes ikke: de to første sifrene må være et fylkesnummer."),
    ({"municipality": "5401 Tromsø"}, "municipality", "Kommunenummer 5401 er fra før fylkesendringen"),
    ({"municipality": "4601 Bergen"}, "home_region",
     "Kommunenummer 4601 ligger i Vestland, som hører til Helse Vest."),
])
def test_bad_applications_are_shown_at_the_field_and_nothing_is_saved(app, worker, overrides, field, message):
    response = worker.post("/utland/soknader/ny", data=_application_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html and message in html
    assert 'value="Nora Nordlys"' in html   # what was typed stays
    assert _count(app, Case) == 0


def test_bad_decision_and_cost_input_is_refused(app, worker):
    case_id = _register(worker)
    early = worker.post(f"/utland/soknader/{case_id}/vedtak", data={
        "decision": "granted", "decided_on": _day(61), "legal_basis": "x", "reasoning": "y"})
    assert 'id="decided_on-error"' in early.get_data(as_text=True)
    _saved(worker, f"/utland/soknader/{case_id}/vedtak", {
        "decision": "granted", "decided_on": _day(50), "legal_basis": "x", "reasoning": "y"})
    no_rate = worker.post(f"/utland/soknader/{case_id}/kostnader/ny", data={
        "entry_date": _day(10), "category": "treatment", "amount": "1000", "currency": "EUR", "exchange_rate": ""})
    assert 'id="exchange_rate-error"' in no_rate.get_data(as_text=True)
    appeal = worker.post(f"/utland/soknader/{case_id}/klage/ny", data={
        "received_on": _day(46), "notified_on": _day(45), "grounds": ""})
    assert appeal.status_code == 200 and 'id="received_on-error"' in appeal.get_data(as_text=True)
    assert (_count(app, CostEntry), _count(app, Appeal)) == (0, 0)


def test_plan_conflict_shows_both_versions(app, worker):
    case_id = _register(worker)
    _saved(worker, f"/utland/soknader/{case_id}/vedtak", {
        "decision": "granted", "decided_on": _day(50), "legal_basis": "x", "reasoning": "y"})
    version = _version(app, case_id)
    plan = {"hospital": "Rigshospitalet", "country": "DK", "planned_start": "", "planned_end": "",
            "travel_arrangements": "", "stay_arrangements": "", "companion": "", "version": version}
    _saved(worker, f"/utland/soknader/{case_id}/behandling", plan)
    stale = worker.post(f"/utland/soknader/{case_id}/behandling", data={**plan, "hospital": "Karolinska",
                                                                         "country": "SE"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Lagret versjon" in html and 'value="Karolinska"' in html


def test_office_scope_other_offices_get_404_and_a_denied_row(app, worker, login, make_user):
    case_id = _register(worker)
    vest = login(make_user("abroad_caseworker", office="helse-vest"))
    for url in (f"/utland/soknader/{case_id}", f"/utland/soknader/{case_id}/vedtak",
                f"/utland/soknader/{case_id}/kostnader/ny"):
        assert vest.get(url).status_code == 404
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.DENIED, AuditEvent.case_id == case_id) == 3
    assert "Nora Nordlys" not in vest.get("/utland/soknader").get_data(as_text=True)
    for role in ("panel_secretariat", "methods_secretariat", "analyst", "admin"):
        assert login(make_user(role)).get(f"/utland/soknader/{case_id}").status_code in (403, 404)


def test_list_filters_and_keyset_paging(app, worker, worker_id):
    from app.abroad import services
    from app.abroad.models import Stream
    with app.app_context():
        actor = db.session.get(User, worker_id)
        for number in range(55):
            services.register_application(abroad_application(
                national_id=None, patient_name=f"Pasient {number:02d}", birth_date=date(1970, 1, 1),
                municipality=None, home_region="helse-nord" if number % 5 == 0 else "helse-sor-ost",
                stream=Stream.PGD if number % 2 else Stream.APPLICATION, received_on=date(2025, 1, 1) + timedelta(
                    days=number), reference=f"LEG-{number:02d}", applicant=None, referring_doctor=None,
                referring_hospital=None, requested_treatment="PGD", requested_where=None, icd10="Z31.4"),
                actor=actor)
        db.session.commit()
    first = worker.get("/utland/soknader?year=2025").get_data(as_text=True)
    assert "55 søknader" in first and "Pasient 54" in first and "Pasient 04" not in first
    assert 'rel="next"' in first and "Første side" not in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = worker.get(next_url).get_data(as_text=True)
    assert "Pasient 04" in second and "Pasient 54" not in second and "year=2025" in next_url
    previous_url = second.split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "Pasient 54" in worker.get(previous_url).get_data(as_text=True)
    north = worker.get("/utland/soknader?region=helse-nord&stream=application").get_data(as_text=True)
    assert "Pasient 00" in north and "Pasient 10" in north and "Pasient 05" not in north and "Pasient 01" not in north
    assert "1 søknader" in worker.get("/utland/soknader?q=LEG-07").get_data(as_text=True)
    assert "Pasient" not in worker.get("/utland/soknader?etter=tull").get_data(as_text=True).split("<h1")[0]


def test_dashboard_shows_flagged_applications_and_deadlines(app, worker, method_with_outcome):
    with app.app_context():
        method_with_outcome(None, reference="ID2024_090")
        db.session.commit()
    case_id = _register(worker, method_reference="ID2024_090")
    _saved(worker, f"/utland/soknader/{case_id}/uttalelser/ny", {
        "requested_from": "Fostermedisin", "question": "?", "requested_on": _day(1),
        "due_on": f"{TODAY + timedelta(days=10):%d.%m.%Y}"})
    with app.app_context():
        from app.methods.interface import decision_recorded
        decision_recorded.send("ID2024_090")
        db.session.commit()
    page = worker.get("/utland/").get_data(as_text=True)
    assert "Nye beslutninger i Nye Metoder" in page and "ID2024_090" in page
    assert "Medisinsk uttalelse fra Fostermedisin" in page and "Nora Nordlys" in page


def test_the_letter_is_a_journaled_document(app, worker):
    case_id = _register(worker)
    _deny(worker, case_id)
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        document = db.session.get(Document, application.letter_document_id)
        assert document.journal_entry.entry_type.value == "U"
        assert application.decision is Decision.DENIED


def test_the_filtered_list_exports_as_csv_and_xlsx_and_is_logged(app, worker, worker_id):
    import io

    from openpyxl import load_workbook

    _register(worker)
    _register(worker, national_id="", patient_name="Vest Pasient", birth_date="01.02.1960",
              municipality="", home_region="helse-sor-ost", stream="pgd", icd10="Z31.4")
    csv_file = worker.get("/utland/soknader/eksport.csv?stream=pgd")
    assert csv_file.mimetype == "text/csv" and "attachment" in csv_file.headers["Content-Disposition"]
    assert csv_file.data.startswith("\ufeff".encode())
    lines = csv_file.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Saksnummer;Referanse;Pasient;Fødselsdato;Hjemregion")
    assert len(lines) == 2 and "Vest Pasient" in lines[1] and ";01.02.1960;" in lines[1]
    workbook = load_workbook(io.BytesIO(worker.get("/utland/soknader/eksport.xlsx").data))
    sheet = workbook.active
    assert sheet.max_row == 3 and sheet["A1"].value == "Saksnummer"
    assert {sheet.cell(row, 3).value for row in (2, 3)} == {"Nora Nordlys", "Vest Pasient"}
    assert sheet.cell(2, 9).is_date
    with app.app_context():
        exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT,
                                                              AuditEvent.user_id == worker_id)).all()
        assert [(event.changes["format"], event.changes["rows"]) for event in exports] == [("csv", 1), ("xlsx", 2)]
        [(_, listed)] = list_requests(worker_id, "abroad_applications_export_xlsx")
        assert len(listed) == 2


# No existence oracle (Normen): a national ID on file elsewhere is registered exactly as an unknown one

def _page_without_numbers(html: str) -> str:
    """A page with what differs between two registrations taken out (the case number, ids and tokens)."""
    html = re.sub(r"\d{4}/\d+(-\d+)?", "N", html)
    html = re.sub(r"/\d+(?=[/\"#?])", "/ID", html)
    return re.sub(r"(nonce|value|content)=\"[^\"]*\"", r'\1=""', html)


@pytest.mark.parametrize("owner_role", ["abroad_caseworker", "panel_secretariat"])
def test_another_scopes_national_id_gets_the_answer_of_an_unknown_one(app, login, make_user, make_case, owner_role):
    """Helse Vest types the national ID of a Helse Sør-Øst patient (or of one known only from an expert-panel
    case) with another name: the answer is the one an unknown ID gets (a new case at Helse Vest with the name
    and region typed), the other office's facts appear nowhere, and the look-up is logged for that patient."""
    known = synthetic_national_id(date(1961, 6, 1))
    unknown = synthetic_national_id(date(1961, 6, 1), individual=300)   # same birth date, another person
    owner = make_user(owner_role, "helse-sor-ost" if owner_role == "abroad_caseworker" else None)
    make_case(owner, kind=CaseKind.ABROAD_APPLICATION if owner_role == "abroad_caseworker" else CaseKind.PANEL_REFERRAL,
              national_id=known, name="Sigrid Sørøst", title="Søknad – Sigrid Sørøst")
    vest_id = make_user("abroad_caseworker", "helse-vest")
    vest = login(vest_id)
    form = _application_form(patient_name="Vera Vest", municipality="4601 Bergen", home_region="helse-vest")

    answers, pages = [], []
    for number in (known, unknown):
        answers.append(vest.post("/utland/soknader/ny", data={**form, "national_id": number}))
        pages.append(vest.get(answers[-1].headers["Location"]))

    assert [answer.status_code for answer in answers] == [302, 302]
    assert [page.status_code for page in pages] == [200, 200]
    texts = [page.get_data(as_text=True) for page in pages]
    assert "Sigrid" not in texts[0] and "Sørøst" not in texts[0] and "Oslo" not in texts[0]
    assert "Vera Vest" in texts[0] and "4601 Bergen" in texts[0]
    assert _page_without_numbers(texts[0].replace(known, "X")) == _page_without_numbers(texts[1].replace(unknown, "X"))
    with app.app_context():
        cases = [db.session.get(Case, int(answer.headers["Location"].rsplit("/", 1)[1])) for answer in answers]
        assert [case.unit for case in cases] == ["helse-vest", "helse-vest"]
        owned = db.session.scalar(select(Patient).where(Patient.national_id == known))
        assert cases[0].patient_id == owned.id and owned.name == "Sigrid Sørøst"   # one person, one row
        lookup = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.LOOKUP,
                                                            AuditEvent.user_id == vest_id))
        assert (lookup.patient_id, lookup.changes["in_scope"]) == (owned.id, False)
        assert db.session.scalar(select(PatientDiscrepancy.case_id)) == cases[0].id


def test_a_refused_registration_of_a_known_id_is_refused_as_an_unknown_one_and_logged(app, login, make_user,
                                                                                    make_case):
    known = synthetic_national_id(date(1961, 6, 3))
    make_case(make_user("abroad_caseworker", "helse-sor-ost"), national_id=known, name="Sigrid Sørøst")
    vest_id = make_user("abroad_caseworker", "helse-vest")
    vest = login(vest_id)
    form = _application_form(patient_name="Vera Vest", municipality="4601 Bergen", home_region="helse-vest",
                             received_on="01.01.1960")   # refused by the service, after the look-up
    unknown = synthetic_national_id(date(1961, 6, 3), individual=300)
    answers = [vest.post("/utland/soknader/ny", data={**form, "national_id": number}) for number in (known, unknown)]
    assert [answer.status_code for answer in answers] == [200, 200]
    texts = [answer.get_data(as_text=True) for answer in answers]
    assert "Sigrid" not in texts[0] and 'id="received_on-error"' in texts[0]
    assert _page_without_numbers(texts[0].replace(known, "X")) == _page_without_numbers(texts[1].replace(unknown, "X"))
    assert _count(app, Case, Case.unit == "helse-vest") == 0
    with app.app_context():
        owned = db.session.scalar(select(Patient.id).where(Patient.national_id == known))
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.LOOKUP, AuditEvent.user_id == vest_id,
                  AuditEvent.patient_id == owned) == 1
