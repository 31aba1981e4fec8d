"""Rules of the case core, called directly (no HTTP)."""
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from app.abroad import services as abroad_services
from app.auth.models import User
from app.cases import services
from app.cases.models import Case, CaseKind, CaseStatus, JournalEntryType, Patient, PatientDiscrepancy
from app.cases.numbering import next_number
from app.core.audit import AuditAction, AuditEvent, record_access
from app.demo import synthetic_national_id
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from tests.factories import abroad_application


@pytest.fixture
def caseworker(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))


def _patient(actor, region="helse-sor-ost", name="Kari Nordmann", born=date(1980, 5, 17)):
    return services.register_patient(national_id=synthetic_national_id(born), name=name, birth_date=None,
                                     municipality="Oslo", home_region=region, actor=actor)


def test_case_numbers_run_per_year_without_gaps(caseworker):
    patient = _patient(caseworker)
    numbers = [services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad", patient=patient,
                                  actor=caseworker, case_date=date(2031, 1, 2)).number for _ in range(3)]
    other_year = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad", patient=patient,
                                    actor=caseworker, case_date=date(2032, 1, 2)).number
    assert numbers == ["2031/1", "2031/2", "2031/3"]
    assert other_year == "2032/1"


def test_a_rolled_back_registration_gives_its_number_back(caseworker):
    db.session.commit()
    first = next_number("case", 2040)
    db.session.rollback()
    assert next_number("case", 2040) == first


def test_abroad_case_of_helse_nord_patient_goes_to_the_helse_sor_ost_office(caseworker):
    patient = _patient(caseworker, region="helse-nord")
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann", patient=patient,
                              actor=caseworker)
    assert case.unit == "helse-sor-ost"


def test_patient_cases_are_screened_with_the_name_hidden_in_the_public_title(caseworker):
    patient = _patient(caseworker, name="Kari Nordmann")
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, actor=caseworker, patient=patient,
                              title="Søknad om behandling i utlandet – Kari Nordmann")
    assert case.public_title == "Søknad om behandling i utlandet – ******"
    assert (case.access_code, case.legal_basis) == ("UO", "Offl. § 13 jf. fvl. § 13 første ledd nr. 1")
    assert case.status is CaseStatus.CREATED
    assert [change.to_status for change in case.status_changes] == [CaseStatus.CREATED]


def test_method_cases_refuse_patient_data_and_patient_cases_need_a_patient(caseworker):
    with pytest.raises(InvalidInput, match="pasientopplysninger"):
        services.open_case(kind=CaseKind.METHOD, title="ID2025_102", patient=_patient(caseworker), actor=caseworker)
    with pytest.raises(InvalidInput, match="må gjelde en pasient"):
        services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad", actor=caseworker)


@pytest.mark.parametrize(("number", "message"), [
    ("1510869508", "11 siffer"),
    ("15108695077", "Kontrollsifrene"),
    ("151086950AB", "bare inneholde siffer"),
    ("85108610005", "FH-nummer"),
    ("31118610094", "gyldig fødselsdato"),  # 31 November, valid check digits
])
def test_invalid_national_ids_are_refused_in_bokmal(caseworker, number, message):
    with pytest.raises(InvalidInput, match=message):
        services.register_patient(national_id=number, name="Test", birth_date=None, municipality=None,
                                  home_region="helse-vest", actor=caseworker)


def test_d_number_is_accepted_and_birth_date_derived(caseworker):
    patient = services.register_patient(national_id="551086 95071", name="Ola", birth_date=None, municipality=None,
                                        home_region="helse-vest", actor=caseworker)
    assert patient.national_id == "55108695071"
    assert patient.birth_date == date(1986, 10, 15)


def test_birth_date_must_agree_with_the_national_id(caseworker):
    with pytest.raises(InvalidInput, match="stemmer ikke"):
        services.register_patient(national_id="15108695088", name="Ola", birth_date=date(1986, 10, 16),
                                  municipality=None, home_region="helse-vest", actor=caseworker)


def test_a_known_national_id_finds_the_existing_patient(caseworker):
    first = _patient(caseworker)
    again = _patient(caseworker)
    assert first.id == again.id and again.differs == ()
    assert db.session.query(Patient).count() == 1
    assert db.session.query(PatientDiscrepancy).count() == 0


def test_stale_update_is_refused_and_changes_nothing(caseworker):
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                              patient=_patient(caseworker), actor=caseworker)
    seen_version = case.version
    services.update_case(case, expected_version=seen_version, title="Ny tittel – Kari Nordmann",
                         responsible_id=caseworker.id, reason="Feil i tittelen", actor=caseworker)
    db.session.flush()
    with pytest.raises(EditConflict, match="endret av en annen bruker"):
        services.update_case(case, expected_version=seen_version, title="Konkurrerende tittel",
                             responsible_id=caseworker.id, reason="Feil i tittelen", actor=caseworker)
    assert case.title == "Ny tittel – Kari Nordmann"
    assert case.public_title == "Ny tittel – ******"


def test_update_writes_old_and_new_values_to_the_audit_log(caseworker):
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                              patient=_patient(caseworker), actor=caseworker)
    services.update_case(case, expected_version=case.version, title="Endret – Kari Nordmann",
                         responsible_id=caseworker.id, reason="Feil i tittelen", actor=caseworker)
    event = db.session.query(AuditEvent).filter_by(action="update", case_id=case.id).one()
    assert event.changes["title"] == ["Søknad – Kari Nordmann", "Endret – Kari Nordmann"]
    assert event.patient_id == case.patient_id
    assert (event.user_id, event.role, event.office) == (caseworker.id, "abroad_caseworker", "helse-sor-ost")


def test_discarding_needs_a_reason_and_keeps_the_case(caseworker):
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad", patient=_patient(caseworker),
                              actor=caseworker)
    with pytest.raises(InvalidInput, match="begrunnelse"):
        services.change_status(case, CaseStatus.DISCARDED, expected_version=case.version, comment=" ",
                               actor=caseworker)
    services.change_status(case, CaseStatus.DISCARDED, expected_version=case.version,
                           comment="Registrert to ganger", actor=caseworker)
    db.session.flush()
    assert db.session.get(Case, case.id).status is CaseStatus.DISCARDED
    assert case.status_changes[-1].comment == "Registrert to ganger"
    with pytest.raises(InvalidInput, match="kan ikke settes"):
        services.change_status(case, CaseStatus.IN_PROGRESS, expected_version=case.version, comment=None,
                               actor=caseworker)


def test_journal_entries_are_numbered_in_the_case_and_in_the_year(caseworker):
    patient = _patient(caseworker)
    first_case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="A", patient=patient, actor=caseworker)
    second_case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="B", patient=patient, actor=caseworker)
    entries = [services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title="Notat",
                                          journal_date=date(2033, 3, 1), actor=caseworker)
               for case in (first_case, second_case, first_case)]
    assert [entry.number_in_case for entry in entries] == [1, 1, 2]
    assert [entry.sequence for entry in entries] == [1, 2, 3]
    assert entries[2].registration_number == f"{first_case.number}-2"


def test_incoming_documents_need_a_sender_and_dates_in_order(caseworker):
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="A", patient=_patient(caseworker),
                              actor=caseworker)
    with pytest.raises(InvalidInput, match="avsender"):
        services.add_journal_entry(case, entry_type=JournalEntryType.INCOMING, title="Søknad", actor=caseworker)
    with pytest.raises(InvalidInput, match="Dokumentdatoen"):
        services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title="Notat",
                                   journal_date=date(2025, 1, 1), document_date=date(2025, 1, 2), actor=caseworker)


def test_follow_up_is_closed_once(caseworker):
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="A", patient=_patient(caseworker),
                              actor=caseworker)
    entry = services.add_journal_entry(case, entry_type=JournalEntryType.INCOMING, title="Søknad",
                                       party_name="Oslo universitetssykehus", actor=caseworker)
    assert entry.awaits_follow_up
    services.complete_follow_up(entry, method="BU", expected_version=entry.version, actor=caseworker)
    db.session.flush()
    assert not entry.awaits_follow_up
    with pytest.raises(InvalidInput, match="venter ikke"):
        services.complete_follow_up(entry, method="BU", expected_version=entry.version, actor=caseworker)


def test_closed_case_takes_no_journal_entries(caseworker):
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="A", patient=_patient(caseworker),
                              actor=caseworker)
    services.change_status(case, CaseStatus.CLOSED, expected_version=case.version, comment=None, actor=caseworker)
    with pytest.raises(services.CaseClosed):
        services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title="Notat", actor=caseworker)


def test_a_known_national_id_with_another_name_or_region_is_registered_as_typed_and_listed(app_ctx, make_user):
    """No existence oracle (Normen): a national ID on file with another name or region is registered exactly as
    an unknown one; the person's row is reused, the case keeps what was typed, and the discrepancy is listed."""
    hso = db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))
    vest = db.session.get(User, make_user("abroad_caseworker", "helse-vest"))
    first = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                               patient=_patient(hso, name="Kari Nordmann"), actor=hso)
    db.session.commit()

    again = _patient(vest, name="Kari Vestlund", region="helse-vest")
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Vestlund", patient=again,
                              actor=vest)

    assert again.id == first.patient_id and again.differs == ("name", "home_region")
    assert (case.unit, case.patient.name, case.patient.home_region) == ("helse-vest", "Kari Vestlund", "helse-vest")
    assert (first.patient.name, first.patient.home_region) == ("Kari Nordmann", "helse-sor-ost")
    listed = db.session.scalar(select(PatientDiscrepancy))
    assert (listed.case_id, listed.patient_id, listed.fields) == (case.id, first.patient_id, ["name", "home_region"])
    lookup = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.LOOKUP))
    assert (lookup.patient_id, lookup.user_id, lookup.changes) == (
        first.patient_id, vest.id, {"purpose": "registrering", "in_scope": False})
    same = _patient(hso, name="  kari  NORDMANN ")
    assert same.differs == () and same.name == "kari  NORDMANN"


def test_the_look_up_is_logged_even_when_the_registration_is_then_refused(app_ctx, make_user):
    hso = db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))
    known = _patient(hso)
    db.session.commit()
    vest = db.session.get(User, make_user("abroad_caseworker", "helse-vest"))
    with pytest.raises(InvalidInput, match="før pasientens fødselsdato"):
        abroad_services.register_application(abroad_application(
            national_id=synthetic_national_id(date(1980, 5, 17)), patient_name="Kari Nordmann", municipality=None,
            home_region="helse-vest", received_on=date(1979, 1, 1), requested_treatment="Behandling", icd10="C50"),
            actor=vest)
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.patient_id).where(
        AuditEvent.action == AuditAction.LOOKUP, AuditEvent.user_id == vest.id)).all() == [known.id]


def test_caseworkers_cannot_register_cases_for_another_office(app_ctx, make_user):
    vest = db.session.get(User, make_user("abroad_caseworker", "helse-vest"))
    patient = _patient(vest, region="helse-nord")
    with pytest.raises(InvalidInput, match="Utenlandskontoret i Helse Sør-Øst") as refused:
        services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad", patient=patient, actor=vest)
    assert refused.value.field == "home_region"
    analyst = db.session.get(User, make_user("analyst"))
    with pytest.raises(InvalidInput, match="din egen enhet"):
        services.open_case(kind=CaseKind.METHOD, title="ID2025_102", actor=analyst)


@pytest.mark.parametrize(("title", "public"), [
    ("Søknad – Bo Ek", "Søknad – ******"),
    ("Bolig for Bo EK i Ekeberg", "Bolig for ****** i Ekeberg"),
    ("Søknad for bo ek", "Søknad for ******"),
])
def test_public_titles_hide_whole_name_words_in_any_case(caseworker, title, public):
    patient = services.register_patient(national_id=None, name="Bo Ek", birth_date=date(1970, 1, 1),
                                        municipality=None, home_region="helse-sor-ost", actor=caseworker)
    assert services.screened_title(title, patient) == public


def test_a_save_racing_another_connection_fails_at_flush(caseworker):
    """The version column catches a write that happened between loading and saving."""
    case = services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="A", patient=_patient(caseworker),
                              actor=caseworker)
    db.session.commit()
    assert case.version == 1  # loaded by this user
    db.session.execute(update(Case).where(Case.id == case.id).values(version=Case.version + 1)
                       .execution_options(synchronize_session=False))  # another user's save
    case.title = "Min endring"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


def test_reads_are_never_logged_in_the_middle_of_a_change(caseworker):
    services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="A", patient=_patient(caseworker), actor=caseworker)
    with pytest.raises(RuntimeError, match="pending changes"):
        record_access(AuditAction.VIEW, "case", 1)
