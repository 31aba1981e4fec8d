"""A possible duplicate: the patient already has an application with the same diagnosis (ICD-10 category)
received within 30 days at an office the caseworker may see. Registering another needs an explicit confirmation
on every path (the page, the JSON API); one at another office is neither named nor counted."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.abroad import services
from app.abroad.importing import ImportResult, run_import
from app.abroad.models import Application
from app.auth import services as account_services
from app.auth.models import User
from app.cases.interface import Case, CaseStatus, change_status
from app.cases.models import Patient
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db
from tests.abroad.fixtures.import_files import application_row, to_csv
from tests.factories import abroad_application

TODAY = date(2026, 11, 20)
PATIENT = synthetic_national_id(date(1985, 4, 12), 104)
EAST = {"national_id": PATIENT, "home_region": "helse-sor-ost", "municipality": "0301 Oslo"}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Application))


def test_the_same_patient_and_diagnosis_within_30_days_needs_a_confirmation(caseworker):
    first = services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 1)),
                                          actor=caseworker, today=TODAY)
    db.session.commit()
    number = db.session.get(Case, first.case_id).number
    before = _count()
    with pytest.raises(services.PossibleDuplicate) as refused:
        services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 25), icd10="O43.9"),
                                      actor=caseworker, today=TODAY)
    assert refused.value.field == "confirm_duplicate"
    assert f"sak {number} (mottatt 01.09.2026, ICD-10 O43.0)" in str(refused.value)
    db.session.rollback()
    assert _count() == before

    second = services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 25),
                                                               confirm_duplicate=True),
                                           actor=caseworker, today=TODAY)
    logged = db.session.scalar(select(AuditEvent.changes).where(
        AuditEvent.action == AuditAction.CREATE, AuditEvent.object_type == "abroad_application",
        AuditEvent.object_id == str(second.id)))
    assert logged["confirmed_duplicate_of"] == [None, [number]]


@pytest.mark.parametrize("changes", [
    {"received_on": date(2026, 10, 2)},   # 31 days later
    {"icd10": "C50.9"},                   # another diagnosis
    {"national_id": synthetic_national_id(date(1985, 4, 12), 105)},   # another patient
])
def test_no_confirmation_is_asked_for_another_application(caseworker, changes):
    services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 1)), actor=caseworker,
                                  today=TODAY)
    services.register_application(abroad_application(**{**EAST, "received_on": date(2026, 9, 1), **changes}),
                                  actor=caseworker, today=TODAY)


def test_an_application_at_another_office_is_neither_named_nor_counted(caseworker, make_user):
    west = db.session.get(User, make_user("abroad_caseworker", office="helse-vest"))
    services.register_application(abroad_application(**{**EAST, "home_region": "helse-vest",
                                                         "municipality": "4601 Bergen"},
                                                      received_on=date(2026, 9, 1)), actor=west, today=TODAY)
    services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 10)), actor=caseworker,
                                  today=TODAY)


def test_a_discarded_case_is_no_duplicate(caseworker):
    first = services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 1)),
                                          actor=caseworker, today=TODAY)
    case = db.session.get(Case, first.case_id)
    change_status(case, CaseStatus.DISCARDED, expected_version=case.version, comment="Registrert ved en feil",
                  actor=caseworker)
    services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 2)), actor=caseworker,
                                  today=TODAY)


def _form(**overrides) -> dict:
    received = f"{date.today() - timedelta(days=10):%d.%m.%Y}"
    data = {"national_id": PATIENT, "patient_name": "Olav Olsen", "birth_date": "", "municipality": "0301 Oslo",
            "home_region": "helse-sor-ost", "stream": "application", "received_on": received, "reference": "",
            "applicant": "Sykehuslege", "referring_doctor": "Lege Line Lie", "referring_hospital": "OUS",
            "requested_treatment": "Fetoskopisk laserbehandling", "requested_where": "Rigshospitalet",
            "treatment_class": "established", "icd10": "O43.0", "method_reference": ""}
    return {**data, **overrides}


def test_the_page_shows_the_duplicate_and_registers_once_confirmed(app, worker):
    assert worker.post("/utland/soknader/ny", data=_form()).status_code == 302
    shown = worker.post("/utland/soknader/ny", data=_form())
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "Mulig dobbeltregistrering" in page and 'name="confirm_duplicate"' in page
    with app.app_context():
        assert _count_for(PATIENT) == 1
    assert worker.post("/utland/soknader/ny", data=_form(confirm_duplicate="y")).status_code == 302
    with app.app_context():
        assert _count_for(PATIENT) == 2


def test_the_api_refuses_without_the_confirmation_flag(app, client, worker_id):
    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, worker_id), name="Test", days=30)
        db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    body = {**_form(), "received_on": (date.today() - timedelta(days=10)).isoformat()}
    assert client.post("/api/v1/abroad/applications", json=body, headers=headers).status_code == 201
    refused = client.post("/api/v1/abroad/applications", json=body, headers=headers)
    assert refused.status_code == 422 and "Mulig dobbeltregistrering" in refused.json["errors"]["confirm_duplicate"][0]
    with app.app_context():
        assert _count_for(PATIENT) == 1
    confirmed = client.post("/api/v1/abroad/applications", json={**body, "confirm_duplicate": True}, headers=headers)
    assert confirmed.status_code == 201
    with app.app_context():
        assert _count_for(PATIENT) == 2


def _count_for(national_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Application).join(Case, Case.id == Application.case_id)
                             .join(Patient, Patient.id == Case.patient_id).where(Patient.national_id == national_id))


# The import: historical records another system decided are imported, and each line that may register an
# application again is named as a warning, with the other case, for the office to check.

def _import(rows: list[dict], actor) -> ImportResult:
    undecided = {"decision": "", "decision_date": "", "country": "", "hospital": ""}
    return run_import("applications", to_csv([{**row, **undecided} for row in rows]), "import.csv", actor=actor,
                      today=TODAY)


def test_the_import_names_a_possible_duplicate_per_line_and_imports_it(caseworker):
    first = services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 1)),
                                          actor=caseworker, today=TODAY)
    db.session.commit()
    number = db.session.get(Case, first.case_id).number
    other = synthetic_national_id(date(1970, 3, 3), 106)
    rows = [application_row(1, reference="D-1", national_id=PATIENT, patient_birth_date="", icd10="O43.9",
                            received_date="2026-09-20"),     # the registered application's patient and diagnosis
            application_row(2, reference="D-2", national_id=PATIENT, patient_birth_date="", icd10="C34.9",
                            received_date="2026-09-20"),     # another diagnosis
            application_row(3, reference="D-3", national_id=other, patient_birth_date="", icd10="G71.0",
                            received_date="2026-01-10"),
            application_row(4, reference="D-4", national_id=other, patient_birth_date="", icd10="G71.0",
                            received_date="2026-02-05"),     # the line above, 26 days later
            application_row(5, reference="D-5", national_id=other, patient_birth_date="", icd10="G71.0",
                            received_date="2026-06-01")]     # months later

    result = _import(rows, caseworker)

    assert result.ok and result.created == 5
    warned = {warning.line: warning.message for warning in result.warnings}
    assert sorted(warned) == [2, 4, 5]   # file lines: the header is line 1
    assert f"sak {number} (mottatt 01.09.2026)" in warned[2]
    assert "mottatt 05.02.2026" in warned[4] and "mottatt 10.01.2026" in warned[5]
    assert "3 linjer kan være dobbeltregistreringer" in result.summary
    assert ImportResult.from_dict(result.to_dict()).warnings == result.warnings


def test_an_import_at_another_office_is_not_warned_about_this_offices_application(caseworker, make_user):
    services.register_application(abroad_application(**EAST, received_on=date(2026, 9, 1)), actor=caseworker,
                                  today=TODAY)
    db.session.commit()
    west = db.session.get(User, make_user("abroad_caseworker", office="helse-vest"))
    result = _import([application_row(1, reference="W-1", national_id=PATIENT, patient_birth_date="",
                                      patient_region="helse-vest", icd10="O43.0", received_date="2026-09-10")],
                     west)
    assert result.ok and result.warnings == []


def test_the_command_line_prints_the_warnings(app, tmp_path):
    rows = [application_row(index, reference=f"C-{index}", national_id=PATIENT, patient_birth_date="",
                            icd10="O43.0", received_date=received, decision="", decision_date="", country="",
                            hospital="")
            for index, received in ((1, "2026-03-01"), (2, "2026-03-15"))]
    path = tmp_path / "søknader.csv"
    path.write_bytes(to_csv(rows))
    result = app.test_cli_runner().invoke(args=["abroad", "import-applications", str(path)])
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2 and all(line.startswith("Varsel: linje ") for line in warnings)
    assert "2 linjer kan være dobbeltregistreringer" in result.stdout
