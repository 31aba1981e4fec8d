"""Bulk import of historical treatment-abroad records: all or nothing, every bad
row named by line and column in bokmål, each check of the importer, CSV (BOM, semicolons) and XLSX, office
scope, imported records that are real cases, nothing half-saved, the command line."""
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.abroad import services
from app.abroad.importing import ImportResult, RowError, applications, cells, read_table, reading, run_import
from app.abroad.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    CostCategory,
    CostEntry,
    Decision,
    Stream,
)
from app.auth.models import User
from app.cases import services as case_services
from app.cases.identifiers import validate_national_id
from app.cases.models import Case, CaseKind, CaseStatus, Patient, PatientDiscrepancy
from app.cases.numbering import next_number
from app.core.audit import AuditAction, AuditEvent
from app.errors import InvalidInput
from app.extensions import db
from tests.abroad.fixtures.import_files import (
    APPEAL_COLUMNS,
    APPLICATION_COLUMNS,
    COST_COLUMNS,
    application_row,
    application_rows,
    national_id,
    to_csv,
    to_xlsx,
)

TODAY = date(2026, 11, 20)


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def counts() -> dict:
    return {model.__name__: count(model) for model in (Application, Case, Patient, AuditEvent, CostEntry, Appeal)}


def messages(result: ImportResult) -> list[str]:
    return [str(error) for error in result.errors]


@pytest.fixture
def user(app_ctx, make_user):
    def make(role="abroad_caseworker", office="helse-sor-ost") -> User:
        return db.session.get(User, make_user(role, office=office if role == "abroad_caseworker" else None))
    return make


@pytest.fixture
def hso(user):
    return user()


def run(kind, rows, columns=None, *, actor, **kwargs) -> ImportResult:
    return run_import(kind, to_csv(rows, columns), "import.csv", actor=actor, today=TODAY, **kwargs)


# All or nothing

def test_one_bad_row_among_thousands_imports_nothing_and_names_the_row(hso):
    rows = application_rows(3000)
    rows[1499]["icd10"] = "X99.99"
    before = counts()

    result = run("applications", rows, actor=hso)

    assert not result.ok
    assert messages(result) == ["linje 1501, kolonne icd10: «X99.99» er ikke en gyldig ICD-10-kode. Bruk formen "
                                "bokstav, to siffer og eventuelt punktum og ett siffer, f.eks. C34.9."]
    assert result.summary == "Ingenting er importert: filen har 1 feil."
    assert counts() == before

    rows[1499]["icd10"] = "C34.9"
    result = run("applications", rows, actor=hso)

    assert result.ok, messages(result)
    assert result.created == 3000
    after = counts()
    assert after["Application"] == before["Application"] + 3000
    assert after["Case"] == before["Case"] + 3000
    # One create row per application, one for the batch; patients and cases get none of their own.
    assert after["AuditEvent"] == before["AuditEvent"] + 3001


def test_the_same_file_twice_is_refused_for_duplicate_references(hso):
    rows = application_rows(40)
    assert run("applications", rows, actor=hso).ok
    before = counts()

    result = run("applications", rows, actor=hso)

    assert len(result.errors) == 40
    assert messages(result)[0] == ("linje 2, kolonne reference: Referansen «IMP-000001» er allerede brukt på en "
                                   "annen søknad.")
    assert counts() == before


def test_every_bad_row_is_reported_in_line_order(hso):
    rows = application_rows(10)
    rows[2]["received_date"] = "2021-02-30"
    rows[2]["stream"] = "surgery"
    rows[7]["patient_region"] = "helse-sør"

    result = run("applications", rows, actor=hso)

    assert [(error.line, error.column) for error in result.errors] == [
        (4, "stream"), (4, "received_date"), (9, "patient_region")]


def test_nothing_is_half_saved_when_the_write_fails_midway(hso, monkeypatch):
    before = counts()
    year_counter = next_number("case", 2016)   # the next number the counter hands out is one more
    db.session.rollback()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(applications, "record_changes", fail)   # after the first batch's cases and applications

    with pytest.raises(RuntimeError):
        run("applications", application_rows(200), actor=hso)

    assert counts() == before
    assert next_number("case", 2016) == year_counter
    db.session.rollback()


# Imported records are real cases

def test_imported_applications_are_screened_cases_with_numbers_and_audit_rows(hso):
    reused_number = national_id(date(1994, 3, 8))
    existing = case_services.register_patient(national_id=reused_number, name="Nora Nordlys", birth_date=None,
                                              municipality="5501 Tromsø", home_region="helse-nord", actor=hso)
    db.session.commit()
    rows = [
        application_row(1, reference="HSO-2019-001", national_id=reused_number, patient_birth_date="1994-03-08",
                        patient_region="helse-nord", received_date="2019-05-02", icd10="o43.0", decision="granted",
                        decision_date="2019-05-20", country="dk", hospital="Rigshospitalet"),
        application_row(2, reference="HSO-2019-002", national_id="", patient_birth_date="2010-06-01",
                        received_date="2019-04-01", stream="particle_therapy", decision="", decision_date="",
                        country="SE", hospital="Skandionkliniken"),
        application_row(3, reference="HSO-2018-003", received_date="2018-12-30", decision="", decision_date="",
                        country="", hospital=""),
    ]

    result = run("applications", rows, actor=hso)

    assert result.ok, messages(result)
    assert result.patients_created == 2
    assert result.numbers == ["2018/1", "2019/1–2019/2"]
    granted = db.session.scalar(select(Application).where(Application.reference == "HSO-2019-001"))
    case = db.session.get(Case, granted.case_id)
    assert case.patient_id == existing.id
    # A decided application's case is «Ferdig fra saksbehandler», as one decided in the app; an undecided one
    # is «Opprettet».
    assert (case.kind, case.status, case.unit, case.year) == (
        CaseKind.ABROAD_APPLICATION, CaseStatus.FINISHED_BY_CASEWORKER, "helse-sor-ost", 2019)
    undecided = db.session.scalar(select(Application).where(Application.reference == "HSO-2018-003"))
    assert db.session.get(Case, undecided.case_id).status is CaseStatus.CREATED
    assert case.number == "2019/2"   # numbered in the order received within the year
    # The file has no names: a known person's case is registered as an unknown one's would be.
    assert case.title == "Søknad om behandling i utlandet – Ukjent navn (importert, ref. HSO-2019-001)"
    assert (case.patient.name, case.patient.home_region, case.patient.municipality) == (
        "Ukjent navn (importert, ref. HSO-2019-001)", "helse-nord", None)
    assert case.public_title == case_services.screened_title(case.title, case.patient)
    assert (case.access_code, case.legal_basis) == (case_services.SCREENING_CODE,
                                                    case_services.SCREENING_BASIS_PERSONAL)
    assert case.responsible_id is None and case.created_by_id == hso.id
    assert (granted.status, granted.decision, granted.decided_on) == (
        ApplicationStatus.GRANTED, Decision.GRANTED, date(2019, 5, 20))
    assert (granted.icd10, granted.icd10_chapter, granted.country, granted.hospital) == (
        "O43.0", "O00-O99", "DK", "Rigshospitalet")
    assert granted.home_region == "helse-nord" and granted.office == "helse-sor-ost" and not granted.child
    assert granted.letter_document_id is None and granted.method_check is None

    referral = db.session.scalar(select(Application).where(Application.reference == "HSO-2019-002"))
    referral_case = db.session.get(Case, referral.case_id)
    assert referral.stream is Stream.PARTICLE_THERAPY and referral.status is ApplicationStatus.REFERRED
    assert referral.child and referral.decision is None
    assert referral_case.patient.name == "Ukjent navn (importert, ref. HSO-2019-002)"
    assert referral_case.patient.birth_date == date(2010, 6, 1) and referral_case.patient.national_id is None
    assert referral_case.title == "Henvisning – partikkelterapi – Ukjent navn (importert, ref. HSO-2019-002)"
    assert referral_case.public_title == case_services.screened_title(referral_case.title, referral_case.patient)
    assert referral_case.public_title == "Henvisning – partikkelterapi – ******"

    pending = db.session.scalar(select(Application).where(Application.reference == "HSO-2018-003"))
    assert pending.status is ApplicationStatus.RECEIVED and db.session.get(Case, pending.case_id).number == "2018/1"
    assert next_number("case", 2019) == 3   # the counter continues after the reserved block

    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "abroad_application",
                                                       AuditEvent.object_id == str(granted.id)))
    assert audit.action is AuditAction.CREATE and audit.case_id == case.id and audit.patient_id == existing.id
    assert (audit.user_id, audit.role, audit.office) == (hso.id, "abroad_caseworker", "helse-sor-ost")
    assert audit.changes["import_batch"] == [None, result.batch]
    assert audit.changes["number"] == [None, "2019/2"]
    rows_of_batch = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "abroad_application", AuditEvent.user_id == hso.id)).all()
    assert len(rows_of_batch) == 3 and len({event.id for event in rows_of_batch}) == 3
    assert {event.changes["import_batch"][1] for event in rows_of_batch} == {result.batch}
    batch = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "abroad_import"))
    assert batch.object_id == result.batch and batch.changes["created"] == [None, 3]


def test_rows_with_the_same_national_id_share_one_new_patient(hso):
    number = national_id(date(1980, 1, 15))
    rows = [application_row(index, national_id=number, patient_birth_date="", patient_region=region)
            for index, region in ((1, "helse-nord"), (2, "helse-sor-ost"))]

    result = run("applications", rows, actor=hso)

    assert result.ok and result.patients_created == 1
    patient = db.session.scalar(select(Patient).where(Patient.national_id == number))
    assert patient.birth_date == date(1980, 1, 15)
    assert patient.name == "Ukjent navn (importert, ref. IMP-000001)"
    regions = db.session.scalars(select(Application.home_region).join(Case, Case.id == Application.case_id)
                                 .where(Case.patient_id == patient.id).order_by(Application.received_on)).all()
    assert regions == ["helse-nord", "helse-sor-ost"]


def test_an_existing_patient_with_another_birth_date_is_reused_without_telling_and_listed(hso):
    number = national_id(date(1970, 7, 7))
    patient = case_services.register_patient(national_id=number, name="Ola Normann", birth_date=None,
                                             municipality=None, home_region="helse-sor-ost", actor=hso)
    db.session.get(Patient, patient.id).birth_date = date(1970, 7, 8)   # stored wrongly at some point
    db.session.commit()

    result = run("applications", [application_row(1, national_id=number, patient_birth_date="")], actor=hso)

    assert result.ok, messages(result)
    case = db.session.scalar(select(Case).where(Case.kind == CaseKind.ABROAD_APPLICATION))
    assert case.patient_id == patient.id and case.patient.birth_date == date(1970, 7, 7)
    listed = db.session.scalar(select(PatientDiscrepancy))
    assert (listed.case_id, listed.fields) == (case.id, ["birth_date"])


def test_names_and_addresses_are_imported_and_a_blank_keeps_the_placeholder(hso):
    number = national_id(date(1981, 2, 3))
    rows = [application_row(1, national_id=number, patient_birth_date="", patient_name="Kari Nordmann",
                            patient_street="Storgata 1", patient_postal_code="0155", patient_postal_place="Oslo",
                            patient_municipality="0301 Oslo"),
            application_row(2, with_id=False, patient_name="", patient_street="", patient_postal_code="",
                            patient_postal_place="", patient_municipality="")]

    result = run("applications", rows, actor=hso)

    assert result.ok, messages(result)
    named, unnamed = db.session.scalars(select(Case).where(Case.kind == CaseKind.ABROAD_APPLICATION)
                                        .order_by(Case.case_date)).all()
    assert (named.patient.name, named.patient.street, named.patient.postal_code, named.patient.postal_place,
            named.patient.municipality) == ("Kari Nordmann", "Storgata 1", "0155", "Oslo", "0301 Oslo")
    assert named.title.endswith("– Kari Nordmann") and "Kari" not in named.public_title
    assert db.session.scalar(select(Patient.name).where(Patient.national_id == number)) == "Kari Nordmann"
    assert unnamed.patient.name == "Ukjent navn (importert, ref. IMP-000002)" and unnamed.patient.street is None


def test_a_known_person_imported_without_a_name_is_not_listed_for_the_name(hso):
    number = national_id(date(1971, 7, 7))
    case_services.register_patient(national_id=number, name="Ola Normann", birth_date=None, municipality=None,
                                   home_region="helse-sor-ost", actor=hso)
    db.session.commit()
    rows = [application_row(1, national_id=number, patient_birth_date="", patient_name=""),
            application_row(2, national_id=number, patient_birth_date="", patient_name="Ola Nordmann")]

    assert run("applications", rows, actor=hso).ok
    assert db.session.scalars(select(PatientDiscrepancy.fields)).all() == [["name"]]


def test_dates_are_taken_as_dd_mm_yyyy_as_well_as_iso(hso):
    rows = [application_row(1, received_date="04.01.2016", decision="", decision_date=""),
            application_row(2, received_date="2016-01-05", decision="denied", decision_date="5.2.2016")]

    result = run("applications", rows, actor=hso)

    assert result.ok, messages(result)
    stored = db.session.execute(select(Application.received_on, Application.decided_on)
                                .order_by(Application.received_on)).all()
    assert stored == [(date(2016, 1, 4), None), (date(2016, 1, 5), date(2016, 2, 5))]


def test_another_offices_and_the_panels_patients_are_imported_exactly_as_unknown_ones(app_ctx, make_user):
    """Normen: importing Helse Sør-Øst's and the panel's national IDs as Helse Vest shows none of their facts,
    and the result is the same as for numbers never seen: no name, birth date, municipality or region of
    theirs on the new cases, the same summary, and a `lookup` audit row for each person found."""
    hso = db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))
    panel = db.session.get(User, make_user("panel_secretariat"))
    vest = db.session.get(User, make_user("abroad_caseworker", "helse-vest"))
    known = {number: case_services.register_patient(national_id=number, name=name, birth_date=None,
                                                    municipality=municipality, home_region=region, actor=actor).id
             for number, name, municipality, region, actor in (
                 (national_id(date(1961, 1, 1)), "Sigrid Sørøst", "0301 Oslo", "helse-sor-ost", hso),
                 (national_id(date(1962, 2, 2)), "Per Panel", "5001 Trondheim", "helse-midt-norge", panel))}
    db.session.commit()
    unknown = [national_id(date(1963, 3, 3)), national_id(date(1964, 4, 4))]

    def rows(numbers, prefix):
        return [application_row(index, reference=f"{prefix}-{index}", national_id=number, patient_birth_date="",
                                patient_region="helse-vest") for index, number in enumerate(numbers, start=1)]

    known_result = run("applications", rows(list(known), "K"), actor=vest)
    unknown_result = run("applications", rows(unknown, "U"), actor=vest)

    assert known_result.ok and unknown_result.ok
    assert known_result.summary.replace("2016/1–2016/2", "X") == unknown_result.summary.replace("2016/3–2016/4", "X")
    for case in db.session.scalars(select(Case).where(Case.unit == "helse-vest")):
        assert (case.patient.name, case.patient.municipality, case.patient.home_region) == (
            case.title.split(" – ", 1)[1], None, "helse-vest")
        assert case.title.startswith("Søknad om behandling i utlandet – Ukjent navn (importert, ref. ")
        assert "Sørøst" not in case.title and "Panel" not in case.title
    reused = db.session.scalars(select(Case.patient_id).where(Case.unit == "helse-vest",
                                                              Case.patient_id.in_(known.values()))).all()
    assert sorted(reused) == sorted(known.values())
    lookups = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOOKUP,
                                                          AuditEvent.user_id == vest.id)).all()
    assert sorted(event.patient_id for event in lookups) == sorted(known.values())
    assert {(event.changes["purpose"], event.changes["in_scope"]) for event in lookups} == {("import", False)}
    listed = db.session.scalars(select(PatientDiscrepancy.patient_id)).all()
    assert sorted(listed) == sorted(known.values())   # both were registered with another home region


def test_a_refused_file_looks_nobody_up(hso):
    number = national_id(date(1965, 5, 5))
    case_services.register_patient(national_id=number, name="Ola Normann", birth_date=None, municipality=None,
                                   home_region="helse-sor-ost", actor=hso)
    db.session.commit()
    bad = [application_row(1, national_id=number, patient_birth_date=""),
           application_row(2, received_date="2019-13-01")]

    result = run("applications", bad, actor=hso)

    assert not result.ok
    assert count(AuditEvent, AuditEvent.action == AuditAction.LOOKUP) == 0


# Each check of the importer

def _with(index: int = 1, **overrides) -> list[dict]:
    rows = application_rows(3)
    rows[index - 1].update(overrides)
    return rows


APPLICATION_CHECKS = [
    pytest.param(lambda: (application_rows(2), [c for c in APPLICATION_COLUMNS if c != "icd10"]),
                 "linje 1, kolonne icd10: Kolonnen mangler.", id="required column missing"),
    pytest.param(lambda: (application_rows(2), [c for c in APPLICATION_COLUMNS
                                                if c not in ("national_id", "patient_birth_date")]),
                 "linje 1, kolonne patient_birth_date: Filen må ha kolonnen patient_birth_date, national_id eller "
                 "begge.", id="no patient column"),
    pytest.param(lambda: (application_rows(2), [*APPLICATION_COLUMNS, "patient_email"]),
                 "linje 1, kolonne patient_email: Ukjent kolonne.", id="unknown column"),
    pytest.param(lambda: (_with(1, received_date="2021-02-30"), None),
                 "linje 2, kolonne received_date: «2021-02-30» er ikke en gyldig dato. Bruk ÅÅÅÅ-MM-DD eller "
                 "DD.MM.ÅÅÅÅ, f.eks. 2024-03-15 eller 15.03.2024.", id="date not real"),
    pytest.param(lambda: (_with(1, received_date="31.02.2021"), None),
                 "linje 2, kolonne received_date: «31.02.2021» er ikke en gyldig dato.", id="Norwegian date not real"),
    pytest.param(lambda: (_with(1, received_date="2.3.21"), None),
                 "linje 2, kolonne received_date: «2.3.21» er ikke en gyldig dato.", id="date format"),
    pytest.param(lambda: (_with(1, national_id="", patient_birth_date="1990-02-30"), None),
                 "linje 2, kolonne patient_birth_date: Datoen er ikke en gyldig dato. Bruk ÅÅÅÅ-MM-DD",
                 id="birth date not real, not repeated"),
    pytest.param(lambda: (_with(2, patient_street="Storgata 1", patient_postal_code="90",
                                patient_postal_place="Tromsø"),
                          [*APPLICATION_COLUMNS, "patient_street", "patient_postal_code", "patient_postal_place"]),
                 "linje 3, kolonne patient_postal_code: «90» er ikke et postnummer (fire siffer).", id="postal code"),
    pytest.param(lambda: (_with(1, patient_street="Storgata 1", patient_postal_code="9008"), None),
                 "linje 2, kolonne patient_postal_place: Fyll inn poststed.", id="half an address"),
    pytest.param(lambda: (_with(1, patient_street="Storgata 1", patient_postal_code="90"), None),
                 "linje 2, kolonne patient_postal_place: Fyll inn poststed.", id="half an address, a bad postal code"),
    pytest.param(lambda: (_with(1, patient_municipality="4601 Bergen"), None),
                 "linje 2, kolonne patient_municipality: Kommunenummer 4601 ligger i Vestland, som hører til Helse "
                 "Vest.", id="municipality outside the region"),
    pytest.param(lambda: (_with(1, patient_name="N" * 201), None),
                 "linje 2, kolonne patient_name: Feltet kan ha høyst 200 tegn.", id="name too long"),
    pytest.param(lambda: (_with(1, received_date="2027-01-04"), None),
                 "linje 2, kolonne received_date: Datoen 04.01.2027 er fram i tid.", id="date in the future"),
    pytest.param(lambda: (_with(2, decision="denied", decision_date="2016-01-05", received_date="2016-01-06"), None),
                 "linje 3, kolonne decision_date: Vedtaket kan ikke være datert før søknaden ble mottatt "
                 "(06.01.2016).", id="decision before receipt"),
    pytest.param(lambda: (_with(1, received_date="1935-01-01", national_id="", patient_birth_date="1940-02-07"), None),
                 "linje 2, kolonne received_date: Mottatt-datoen kan ikke være før pasientens fødselsdato.",
                 id="received before birth"),
    pytest.param(lambda: (_with(1, patient_region="helse-sør"), None),
                 "linje 2, kolonne patient_region: «helse-sør» er ikke en helseregion. Bruk helse-sor-ost, helse-vest, "
                 "helse-midt-norge eller helse-nord.", id="region"),
    pytest.param(lambda: (_with(1, stream="surgery"), None),
                 "linje 2, kolonne stream: «surgery» er ikke en gyldig verdi. Bruk application, pgd, particle_therapy, "
                 "nordic_drug_protocol eller refund.", id="stream"),
    pytest.param(lambda: (_with(1, decision="approved", decision_date="2016-02-01"), None),
                 "linje 2, kolonne decision: «approved» er ikke en gyldig verdi. Bruk granted, denied eller "
                 "withdrawn, eller la feltet stå tomt.", id="decision"),
    pytest.param(lambda: (_with(1, decision="granted", decision_date=""), None),
                 "linje 2, kolonne decision_date: Fyll inn vedtaksdatoen.", id="decision without date"),
    pytest.param(lambda: (_with(1, decision="", decision_date="2016-03-01"), None),
                 "linje 2, kolonne decision_date: Vedtaksdato uten vedtak.", id="date without decision"),
    pytest.param(lambda: (_with(1, stream="nordic_drug_protocol", decision="granted",
                                decision_date="2016-03-01"), None),
                 "linje 2, kolonne decision: Nordisk legemiddelprotokoll for barn avgjøres ikke av kontoret.",
                 id="decision on a referral stream"),
    pytest.param(lambda: (_with(1, decision="granted", decision_date="2016-03-01", country="XX",
                                hospital="Charité"), None),
                 "linje 2, kolonne country: «XX» er ikke en landkode etter ISO 3166 (to bokstaver, f.eks. DK).",
                 id="country"),
    pytest.param(lambda: (_with(2, decision="denied", decision_date="2016-03-01", hospital="Charité"), None),
                 "linje 3, kolonne hospital: Sykehus og land kan bare oppgis for innvilgede søknader og for "
                 "henvisninger.", id="hospital on a refusal"),
    pytest.param(lambda: (_with(1, icd10="C34.99"), None),
                 "linje 2, kolonne icd10: «C34.99» er ikke en gyldig ICD-10-kode.", id="icd10"),
    pytest.param(lambda: (_with(1, national_id="07024000139"), None),
                 "linje 2, kolonne national_id: Kontrollsifrene stemmer ikke. Sjekk at fødselsnummeret er skrevet "
                 "riktig.", id="national ID check digits"),
    pytest.param(lambda: (_with(1, national_id="0702400013"), None),
                 "linje 2, kolonne national_id: Fødselsnummeret må ha 11 siffer.", id="national ID length"),
    pytest.param(lambda: (_with(1, patient_birth_date="1940-02-08"), None),
                 "linje 2, kolonne patient_birth_date: Fødselsdatoen stemmer ikke med fødselsnummeret.",
                 id="birth date and national ID disagree"),
    pytest.param(lambda: (_with(1, patient_birth_date="", national_id=""), None),
                 "linje 2, kolonne patient_birth_date: Fyll inn fødselsnummer (national_id) eller fødselsdato.",
                 id="neither birth date nor national ID"),
    pytest.param(lambda: (_with(3, reference="IMP-000001"), None),
                 "linje 4, kolonne reference: Referansen «IMP-000001» finnes også på linje 2.",
                 id="duplicate reference in the file"),
    pytest.param(lambda: (_with(1, reference=""), None), "linje 2, kolonne reference: Feltet må fylles ut.",
                 id="reference missing"),
    pytest.param(lambda: (_with(1, reference="R" * 41), None),
                 "linje 2, kolonne reference: Referansen kan ha høyst 40 tegn.", id="reference too long"),
]


@pytest.mark.parametrize(("build", "expected"), APPLICATION_CHECKS)
def test_application_checks(hso, build, expected):
    rows, columns = build()
    before = counts()

    result = run("applications", rows, columns, actor=hso)

    assert any(message.startswith(expected) for message in messages(result)), messages(result)
    assert counts() == before


@pytest.fixture
def stored(hso):
    """Applications to hang costs and appeals on: granted (2), denied (3, 4), referred (7), pending (1)."""
    rows = {
        "GRANTED": application_row(1, reference="GRANTED", decision="granted", decision_date="2020-02-01",
                                   received_date="2020-01-10", country="DK", hospital="Rigshospitalet"),
        "DENIED": application_row(2, reference="DENIED", decision="denied", decision_date="2020-03-02",
                                  received_date="2020-02-10"),
        "DENIED-2": application_row(3, reference="DENIED-2", decision="denied", decision_date="2020-03-02",
                                    received_date="2020-02-10"),
        "REFERRED": application_row(7, reference="REFERRED", received_date="2020-01-15"),
        "PENDING": application_row(5, reference="PENDING", decision="", decision_date="", received_date="2020-04-01"),
        "VEST": application_row(6, reference="VEST", patient_region="helse-vest", decision="denied",
                                decision_date="2020-03-02", received_date="2020-02-10"),
    }
    result = run("applications", list(rows.values()), actor=None)
    assert result.ok, messages(result)
    return {reference: db.session.scalar(select(Application).where(Application.reference == reference))
            for reference in rows}


def cost(reference="GRANTED", day="2020-03-01", category="treatment", amount="125000") -> dict:
    return {"application_reference": reference, "date": day, "category": category, "amount_nok": amount}


def appeal(reference="DENIED", received="2020-03-10", office="", office_date="", board="", board_date="") -> dict:
    return {"application_reference": reference, "received_date": received, "office_outcome": office,
            "office_decision_date": office_date, "board_outcome": board, "board_decision_date": board_date}


COST_CHECKS = [
    pytest.param([cost(reference="NOPE")], "linje 2, kolonne application_reference: Fant ingen søknad med "
                 "referansen «NOPE».", id="unknown application"),
    pytest.param([cost(reference="DENIED")], "linje 2, kolonne application_reference: Kostnader kan bare føres på "
                 "innvilgede søknader og henvisninger. Søknaden «DENIED» er «avslått».", id="not granted"),
    pytest.param([cost(category="food")], "linje 2, kolonne category: «food» er ikke en gyldig verdi. Bruk treatment, "
                 "travel, stay eller other.", id="category"),
    pytest.param([cost(amount="1250,50")], "linje 2, kolonne amount_nok: «1250,50» er ikke et helt antall kroner.",
                 id="amount not an integer"),
    pytest.param([cost(amount="0")], "linje 2, kolonne amount_nok: Beløpet må være større enn null.", id="amount zero"),
    pytest.param([cost(day="2019-12-31")], "linje 2, kolonne date: Kostnaden kan ikke være datert før søknaden ble "
                 "mottatt (10.01.2020).", id="cost before the application"),
    pytest.param([cost(day="31.13.2020")], "linje 2, kolonne date: «31.13.2020» er ikke en gyldig dato.", id="date"),
]


@pytest.mark.parametrize(("rows", "expected"), COST_CHECKS)
def test_cost_checks(hso, stored, rows, expected):
    before = counts()
    result = run("costs", rows, COST_COLUMNS, actor=hso)
    assert any(message.startswith(expected) for message in messages(result)), messages(result)
    assert counts() == before


APPEAL_CHECKS = [
    pytest.param([appeal(reference="NOPE")], "linje 2, kolonne application_reference: Fant ingen søknad med "
                 "referansen «NOPE».", id="unknown application"),
    pytest.param([appeal(reference="PENDING", received="2020-04-10")], "linje 2, kolonne application_reference: Bare "
                 "et vedtak om innvilgelse eller avslag kan påklages. Søknaden «PENDING» er «ikke avgjort».",
                 id="appeal against no decision"),
    pytest.param([appeal(received="2020-03-01")], "linje 2, kolonne received_date: Klagen kan ikke ha kommet inn før "
                 "vedtaket ble fattet (02.03.2020).", id="appeal before the decision"),
    pytest.param([appeal(office="reversed", office_date="2020-03-09")], "linje 2, kolonne office_decision_date: "
                 "Kontorets behandling kan ikke være datert før klagen kom inn (10.03.2020).",
                 id="office decision before the appeal"),
    pytest.param([appeal(office="forwarded", office_date="2020-04-01", board="upheld", board_date="2020-03-31")],
                 "linje 2, kolonne board_decision_date: Nemndas avgjørelse kan ikke være datert før klagen ble "
                 "oversendt (01.04.2020).", id="board decision before the forward"),
    pytest.param([appeal(board="upheld", board_date="2020-05-01")], "linje 2, kolonne board_outcome: Nemndas "
                 "avgjørelse forutsetter at kontoret oversendte klagen til Klagenemnda (office_outcome forwarded).",
                 id="board outcome without a forward"),
    pytest.param([appeal(office="rejected", office_date="2020-04-01")], "linje 2, kolonne office_outcome: «rejected» "
                 "er ikke en gyldig verdi. Bruk reversed, forwarded eller dismissed_late, eller la feltet stå tomt.",
                 id="outcome"),
    pytest.param([appeal(office="forwarded", office_date="2020-04-01", board="annulled", board_date="2020-05-01")],
                 "linje 2, kolonne board_outcome: «annulled» er ikke en gyldig verdi. Bruk upheld, reversed, "
                 "partly_reversed, quashed eller dismissed",
                 id="board outcome code"),
    pytest.param([appeal(office="forwarded")], "linje 2, kolonne office_decision_date: Fyll inn datoen for "
                 "avgjørelsen.", id="outcome without a date"),
    pytest.param([appeal(), appeal()], "linje 3, kolonne received_date: Klagen på «DENIED» mottatt 10.03.2020 finnes "
                 "også på linje 2.", id="the same appeal twice"),
    pytest.param([appeal(), appeal(received="2020-03-12")], "linje 3, kolonne application_reference: Det er allerede "
                 "en klage under behandling på vedtaket i «DENIED».", id="second appeal while one is under way"),
    pytest.param([appeal(office="reversed", office_date="2020-03-20"), appeal(received="2020-04-01")],
                 "linje 3, kolonne application_reference: Søknaden «DENIED» er «innvilget»: avslaget er omgjort "
                 "etter klage, og vedtaket kan ikke påklages på nytt.", id="appeal after a reversal"),
]


@pytest.mark.parametrize(("rows", "expected"), APPEAL_CHECKS)
def test_appeal_checks(hso, stored, rows, expected):
    before = counts()
    result = run("appeals", rows, APPEAL_COLUMNS, actor=hso)
    assert any(message.startswith(expected) for message in messages(result)), messages(result)
    assert counts() == before


def test_file_level_problems_are_reported_without_a_line(hso):
    assert messages(run_import("costs", b"", "tom.csv", actor=hso)) == [
        "Filen er tom: første linje skal være overskriftene (kolonnenavnene)."]
    assert messages(run_import("costs", "dato;beløp\n".encode("latin-1") + "1.1.2020;100 øre\n".encode("latin-1"),
                               "latin1.csv", actor=hso)) == [
        "Filen er ikke UTF-8-kodet. Lagre den som «CSV UTF-8» og prøv igjen."]
    assert messages(run_import("costs", b"PK\x03\x04not a zip", "x.xlsx", actor=hso)) == [
        "Filen kan ikke leses som XLSX. Lagre regnearket som XLSX eller CSV (UTF-8)."]
    assert messages(run_import("costs", to_csv([cost()])[:60], "bare-overskrift.csv", actor=hso))[0].startswith(
        "linje 2, kolonne application_reference")
    stray = b"application_reference,,date,category,amount_nok\r\nGRANTED,x,2020-03-01,travel,100\r\n"
    assert messages(run_import("costs", stray, "x.csv", actor=hso))[0] == (
        "linje 2, kolonne nr. 2: Feltet står under en kolonne uten overskrift.")
    huge = to_csv([cost(reference="R" * 200_000)], COST_COLUMNS)
    assert messages(run_import("costs", huge, "x.csv", actor=hso)) == [
        "Linje 2 er lengre enn 50\xa0150 tegn (har et felt et anførselstegn som ikke er lukket?), og resten av "
        "filen er ikke lest. En rad kan ha høyst 50 kolonner med høyst 1\xa0000 tegn i hvert felt."]
    header_only = ",".join(COST_COLUMNS).encode()
    assert messages(run_import("costs", header_only, "x.csv", actor=hso)) == [
        "Filen har ingen rader under overskriftene."]


# Costs and appeals

def test_costs_are_booked_in_nok_and_a_second_import_is_refused(hso, stored):
    rows = [cost(), cost(day="2020-03-02", category="travel", amount="4 300"), cost(reference="REFERRED",
                                                                                     category="stay", amount="9000")]
    result = run("costs", rows, COST_COLUMNS, actor=hso)

    assert result.ok and result.created == 3
    costs = db.session.scalars(select(CostEntry).where(CostEntry.application_id == stored["GRANTED"].id)
                               .order_by(CostEntry.entry_date)).all()
    assert [(c.category, c.amount_nok, c.currency, c.exchange_rate) for c in costs] == [
        (CostCategory.TREATMENT, 125000, "NOK", None), (CostCategory.TRAVEL, 4300, "NOK", None)]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "abroad_cost")).all()
    assert sorted(int(event.object_id) for event in events) == sorted(
        c.id for c in db.session.scalars(select(CostEntry)))
    assert all(event.changes["import_batch"] == [None, result.batch] for event in events)
    assert {event.case_id for event in events} == {stored["GRANTED"].case_id, stored["REFERRED"].case_id}

    again = run("costs", rows, COST_COLUMNS, actor=hso)
    assert messages(again)[0] == ("linje 2, kolonne amount_nok: Kostnaden er allerede registrert på søknaden (samme "
                                  "dato, kategori og beløp).")
    assert count(CostEntry) == 3


def test_appeals_become_their_own_cases_and_reversals_grant(hso, stored):
    rows = [appeal(reference="DENIED", received="2020-03-10", office="reversed", office_date="2020-03-25"),
            appeal(reference="DENIED-2", received="2020-05-15", office="forwarded", office_date="2020-05-20",
                   board="upheld", board_date="2020-09-01")]

    result = run("appeals", rows, APPEAL_COLUMNS, actor=hso)

    assert result.ok, messages(result)
    assert result.created == 2 and result.applications_granted == 1 and result.numbers == ["2020/7–2020/8"]
    reversed_appeal = db.session.scalar(select(Appeal).where(Appeal.application_id == stored["DENIED"].id))
    case = db.session.get(Case, reversed_appeal.case_id)
    application_case = db.session.get(Case, stored["DENIED"].case_id)
    assert case.kind is CaseKind.ABROAD_APPEAL and case.patient_id == application_case.patient_id
    assert case.title.startswith("Klage på avslag om behandling i utlandet – Ukjent navn (importert, ref. DENIED)")
    assert case.public_title == "Klage på avslag om behandling i utlandet – ******"
    assert reversed_appeal.status is AppealStatus.REVERSED_BY_OFFICE
    # The decision date stands in for the date of notification: four weeks later, on a working day.
    assert reversed_appeal.notified_on == date(2020, 3, 2)
    assert reversed_appeal.deadline_on == services.appeal_deadline(date(2020, 3, 2)) == date(2020, 3, 30)
    assert not reversed_appeal.late
    db.session.refresh(stored["DENIED"])
    assert stored["DENIED"].status is ApplicationStatus.GRANTED
    assert stored["DENIED"].decision is Decision.DENIED   # the first-instance decision stays
    assert stored["DENIED"].version == 2

    late = db.session.scalar(select(Appeal).where(Appeal.application_id == stored["DENIED-2"].id))
    assert late.status is AppealStatus.UPHELD_BY_BOARD and late.late and late.consider_late is True
    db.session.refresh(stored["DENIED-2"])
    assert stored["DENIED-2"].status is ApplicationStatus.DENIED

    granted = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "abroad_application",
                                                         AuditEvent.action == AuditAction.UPDATE))
    assert granted.changes["status"] == ["denied", "granted"] and granted.changes["appeal_case"] == [None, case.number]


def test_an_appeal_against_a_grant_is_imported_and_a_reversal_leaves_the_grant(hso, stored):
    result = run("appeals", [appeal(reference="GRANTED", received="2020-02-20", office="reversed",
                                    office_date="2020-03-01")], APPEAL_COLUMNS, actor=hso)

    assert result.ok, messages(result)
    assert result.applications_granted == 0
    imported = db.session.scalar(select(Appeal).where(Appeal.application_id == stored["GRANTED"].id))
    assert imported.against_grant and imported.status is AppealStatus.REVERSED_BY_OFFICE
    assert db.session.get(Case, imported.case_id).title.startswith("Klage på vedtak om behandling i utlandet")
    db.session.refresh(stored["GRANTED"])
    assert (stored["GRANTED"].status, stored["GRANTED"].version) == (ApplicationStatus.GRANTED, 1)


def test_a_forwarded_appeal_waits_for_the_board_and_a_late_one_for_an_assessment(hso, stored):
    result = run("appeals", [appeal(reference="DENIED", office="forwarded", office_date="2020-03-20"),
                             appeal(reference="DENIED-2", received="2020-06-01")], APPEAL_COLUMNS, actor=hso)

    assert result.ok
    forwarded = db.session.scalar(select(Appeal).where(Appeal.application_id == stored["DENIED"].id))
    assert forwarded.status is AppealStatus.FORWARDED and forwarded.office_decided_on == date(2020, 3, 20)
    waiting = db.session.scalar(select(Appeal).where(Appeal.application_id == stored["DENIED-2"].id))
    assert waiting.status is AppealStatus.RECEIVED and waiting.late and waiting.awaiting_late_assessment


def test_imported_records_are_counted_in_the_annual_report(hso, stored):
    """The point of importing history: the annual report counts imported applications, costs and appeals."""
    from app.abroad.statistics import abroad_figures

    assert run("costs", [cost(), cost(day="2020-03-02", category="travel", amount="4300"),
                         cost(reference="REFERRED", category="stay", amount="9000")], COST_COLUMNS, actor=hso).ok
    assert run("appeals", [appeal(reference="DENIED", office="reversed", office_date="2020-03-25"),
                           appeal(reference="DENIED-2", received="2020-03-20", office="forwarded",
                                  office_date="2020-04-01", board="upheld", board_date="2020-09-01")],
               APPEAL_COLUMNS, actor=hso).ok

    figures = abroad_figures(2020)

    assert figures["received"] == 5            # GRANTED, DENIED, DENIED-2, PENDING and VEST; REFERRED is a referral
    assert figures["received_by_region"] == {"helse-sor-ost": 4, "helse-vest": 1, "helse-midt-norge": 0,
                                             "helse-nord": 0}
    assert figures["granted"] == 1             # the office's reversal does not change the first instance
    assert figures["pending_at_year_end"] == 1
    assert figures["granted_by_country"] == {"DK": 1}
    assert figures["costs_by_region"]["helse-sor-ost"]["2020"] == 125000 + 4300
    assert figures["particle_therapy_by_region"]["helse-sor-ost"] == {"patients": 1, "cost_nok": 9000}
    assert figures["appeals_by_region"]["helse-sor-ost"] == {
        "received": 2, "reversed_by_office": 1, "forwarded_to_board": 1, "board_upheld": 1, "board_reversed": 0,
        "against_grant": 0, "dismissed_late": 0, "withdrawn": 0, "board_partly_reversed": 0, "board_quashed": 0,
        "board_dismissed": 0}


# Files

def test_csv_with_bom_and_semicolons(hso):
    data = to_csv(application_rows(5), delimiter=";", bom=True)
    assert data.startswith(b"\xef\xbb\xbfreference;patient_region;")

    result = run_import("applications", data, "søknader.csv", actor=hso, today=TODAY)

    assert result.ok and result.created == 5


def test_columns_in_any_order_and_quoted_fields(hso):
    columns = list(reversed(APPLICATION_COLUMNS))
    rows = application_rows(3)
    rows[0].update(decision="granted", decision_date="2016-02-04", hospital="Karolinska, Solna", country="SE")
    result = run("applications", rows, columns, actor=hso)
    assert result.ok
    assert db.session.scalar(select(Application.hospital).where(Application.reference == "IMP-000001")) == (
        "Karolinska, Solna")


def test_xlsx_first_sheet_with_dates_and_numbers(hso):
    rows = application_rows(6)
    rows[0].update(national_id=national_id(date(1990, 1, 5)), patient_birth_date="1990-01-05")  # leading zero
    data = to_xlsx(rows)

    with read_table(data, "søknader.xlsx") as table:
        assert table.header == APPLICATION_COLUMNS
        table_rows = list(table.rows())
    assert table_rows[0][1][3] == rows[0]["national_id"]        # the number cell, zero-padded again
    assert table_rows[0][1][5] == rows[0]["received_date"]      # the date cell as ÅÅÅÅ-MM-DD

    result = run_import("applications", data, "søknader.xlsx", actor=hso, today=TODAY)
    assert result.ok, messages(result)
    assert result.created == 6


def _with_sheet_xml(workbook: bytes, rewrite) -> bytes:
    """The workbook with its first sheet's XML passed through `rewrite`."""
    import io
    import zipfile

    source, target = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            content = source.read(member)
            out.writestr(member, rewrite(content) if member.filename == "xl/worksheets/sheet1.xml" else content)
    return target.getvalue()


def test_an_xlsx_with_an_entity_bomb_is_refused_unread(hso):
    from openpyxl.xml import DEFUSEDXML
    assert DEFUSEDXML                                      # openpyxl parses through defusedxml
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    data = _with_sheet_xml(to_xlsx(application_rows(2)),
                           lambda xml: bomb + xml.replace(b"<sheetData>", b"<sheetData>&lol2;", 1))

    result = run_import("applications", data, "bombe.xlsx", actor=hso, today=TODAY)

    assert messages(result) == ["Filen kan ikke leses som XLSX. Lagre regnearket som XLSX eller CSV (UTF-8)."]
    assert count(Application) == 0


def test_an_xlsx_that_unpacks_too_large_is_refused_before_unpacking(hso, monkeypatch):
    monkeypatch.setattr(reading, "XLSX_MAX_UNPACKED_BYTES", 2_000_000)
    padding = b"<!--" + b" " * 3_000_000 + b"-->"        # compresses to almost nothing
    data = _with_sheet_xml(to_xlsx(application_rows(2)), lambda xml: xml + padding)
    assert len(data) < 100_000

    result = run_import("applications", data, "stor.xlsx", actor=hso, today=TODAY)

    assert messages(result) == ["Regnearket er over 2 MB utpakket. Del det opp, eller lagre det som CSV."]
    assert count(Application) == 0


def test_xlsx_costs_with_a_bad_amount_are_named(hso, stored):
    data = to_xlsx([cost(), cost(amount="12.5")], COST_COLUMNS, typed=False)
    result = run_import("costs", data, "kostnader.xlsx", actor=hso, today=TODAY)
    assert messages(result) == ["linje 3, kolonne amount_nok: «12.5» er ikke et helt antall kroner. Skriv beløpet "
                                "uten øre, f.eks. 12500."]


# Office scope

def test_a_helse_vest_caseworker_cannot_import_a_helse_sor_ost_row(user):
    vest = user(office="helse-vest")
    rows = [application_row(1, patient_region="helse-vest"), application_row(2, patient_region="helse-sor-ost")]

    result = run("applications", rows, actor=vest)

    assert messages(result) == ["linje 3, kolonne patient_region: Pasienter fra Helse Sør-Øst behandles av "
                                "Utenlandskontoret i Helse Sør-Øst. Du kan bare importere saker for ditt eget kontor."]
    assert count(Application) == 0


def test_helse_sor_ost_imports_helse_nord_rows(hso):
    result = run("applications", [application_row(1, patient_region="helse-nord")], actor=hso)
    assert result.ok
    assert db.session.scalar(select(Case.unit).join(Application, Application.case_id == Case.id)) == "helse-sor-ost"


def test_costs_and_appeals_of_another_office_count_as_unknown(user, stored):
    vest = user(office="helse-vest")
    assert messages(run("costs", [cost()], COST_COLUMNS, actor=vest)) == [
        "linje 2, kolonne application_reference: Fant ingen søknad med referansen «GRANTED»."]
    assert run("appeals", [appeal(reference="VEST")], APPEAL_COLUMNS, actor=vest).ok


def test_admin_imports_for_every_office_and_other_roles_not_at_all(user):
    admin = user("admin")
    rows = [application_row(1, patient_region="helse-vest"), application_row(2, patient_region="helse-midt-norge")]
    assert run("applications", rows, actor=admin).ok
    analyst = user("analyst")
    assert messages(run("applications", [application_row(3)], actor=analyst)) == [
        "Du har ikke tilgang til å importere saker."]


# Pieces

def test_the_fast_national_id_check_agrees_with_the_core():
    generator = random.Random(7)
    numbers = [national_id(date(1900, 1, 1) + timedelta(days=generator.randrange(45000)), generator.randrange(5))
               for _ in range(2000)]
    numbers += ["".join(generator.choice("0123456789") for _ in range(11)) for _ in range(20000)]
    numbers += ["41019012345", "01419012345", "01010150012", " 070240 00138", "8101901234"]
    today = date.today()
    for number in numbers:
        try:
            expected = validate_national_id(number)
        except InvalidInput as error:
            expected = str(error)
        try:
            got = cells.national_id(number, today)
        except InvalidInput as error:
            got = str(error)
        assert got == expected, number


def test_results_survive_a_round_trip_through_the_job_store():
    result = ImportResult(kind="costs", batch="b", rows=2,
                          errors=[RowError(3, "date", "Feil."), RowError(None, None, "X")])
    again = ImportResult.from_dict(result.to_dict())
    assert again == result and [str(error) for error in again.errors] == ["linje 3, kolonne date: Feil.", "X"]


# The command line

@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["abroad", *args])
    return invoke


def test_cli_imports_a_clean_file(app, cli, tmp_path):
    path = tmp_path / "søknader.csv"
    path.write_bytes(to_csv(application_rows(25)))

    result = cli("import-applications", str(path))

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Importerte 25 søknader og henvisninger, saksnummer 2016/1–2016/25.")
    with app.app_context():
        assert count(Application) == 25
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "abroad_application")).all()
        assert len(events) == 25 and all(event.user_id is None for event in events)


def test_cli_prints_every_bad_row_and_exits_non_zero(app, cli, tmp_path):
    rows = application_rows(30)
    rows[4]["icd10"] = ""
    rows[20]["national_id"] = "12345678901"
    path = tmp_path / "søknader.csv"
    path.write_bytes(to_csv(rows, delimiter=";"))

    result = cli("import-applications", str(path))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "linje 6, kolonne icd10: Feltet må fylles ut.",
        "linje 22, kolonne national_id: Kontrollsifrene stemmer ikke. Sjekk at fødselsnummeret er skrevet riktig.",
        "Ingenting er importert: filen har 2 feil.",
    ]
    assert result.stdout == ""
    with app.app_context():
        assert count(Application) == 0


def test_cli_refuses_a_file_over_the_upload_limit_before_reading_it(app, cli, tmp_path, monkeypatch):
    path = tmp_path / "søknader.csv"
    path.write_bytes(to_csv(application_rows(3)))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", path.stat().st_size - 1)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("the file was read"))

    result = cli("import-applications", str(path))

    assert result.exit_code == 1 and "som er grensen for en import" in result.output
    with app.app_context():
        assert count(Application) == 0


def test_cli_imports_costs_and_appeals_as_a_user_within_their_scope(app, cli, tmp_path, make_user):
    make_user("abroad_caseworker", office="helse-vest", email="vest@example.test")
    applications = tmp_path / "a.csv"
    applications.write_bytes(to_csv([application_row(1, reference="V-1", patient_region="helse-vest",
                                                     decision="denied", decision_date="2020-03-02",
                                                     received_date="2020-02-10"),
                                      application_row(2, reference="V-2", patient_region="helse-vest",
                                                      decision="granted", decision_date="2020-03-02",
                                                      received_date="2020-02-10", country="DK", hospital="Rigs")]))
    appeals = tmp_path / "k.csv"
    appeals.write_bytes(to_csv([appeal(reference="V-1")], APPEAL_COLUMNS))
    costs = tmp_path / "c.xlsx"
    costs.write_bytes(to_xlsx([cost(reference="V-2")], COST_COLUMNS))

    assert cli("import-applications", str(applications), "--user", "vest@example.test").exit_code == 0
    appealed = cli("import-appeals", str(appeals), "--user", "vest@example.test")
    assert appealed.exit_code == 0 and appealed.stdout.startswith("Importerte 1 klager")
    booked = cli("import-costs", str(costs), "--user", "vest@example.test")
    assert booked.exit_code == 0 and booked.stdout.startswith("Importerte 1 kostnader.")
    refused = cli("import-costs", str(costs), "--user", "hso@example.test")
    assert refused.exit_code == 1 and "Fant ingen aktiv bruker" in refused.output
