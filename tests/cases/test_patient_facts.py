"""One patient over time: changes and corrections of the facts, the facts valid on a date, guardians and the
letters' addressees, and the annual report counting the home region an application was received with."""
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import services as abroad_services
from app.abroad.models import Application
from app.abroad.statistics import received_by_region
from app.auth.models import User
from app.cases import patient_facts
from app.cases.access import visible_cases
from app.cases.commands import NewGuardian, PatientFactsUpdate
from app.cases.models import Case, FactsEntryKind
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from tests.factories import abroad_application

NORA = synthetic_national_id(date(1990, 4, 2))


@pytest.fixture
def hso(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))


def _apply(actor, received_on: date, **patient) -> Case:
    facts = {"national_id": NORA, "patient_name": "Nora Nordlys", "municipality": "5501 Tromsø",
             "home_region": "helse-nord", "street": "Storgata 1", "postal_code": "9008", "postal_place": "Tromsø",
             **patient}
    application = abroad_services.register_application(abroad_application(received_on=received_on, **facts),
                                                       actor=actor, today=date(2026, 11, 20))
    return db.session.get(Case, application.case_id)


def _update(kind=FactsEntryKind.CHANGE, valid_from=date(2026, 3, 1), **facts) -> PatientFactsUpdate:
    values = {"name": "Nora Nordlys", "street": "Parkveien 5", "postal_code": "0350", "postal_place": "Oslo",
              "municipality": "0301 Oslo", "home_region": "helse-sor-ost", "reason": "Flyttet (melding fra pasienten)",
              **facts}
    return PatientFactsUpdate(kind=kind, valid_from=valid_from, **values)


def test_a_known_national_id_gets_a_new_case_and_the_old_case_keeps_its_facts(hso):
    old = _apply(hso, date(2025, 5, 2))
    new = _apply(hso, date(2026, 5, 4), municipality="0301 Oslo", home_region="helse-sor-ost",
                 street="Parkveien 5", postal_code="0350", postal_place="Oslo")

    assert new.patient_id == old.patient_id
    assert (old.patient.home_region, old.patient.street) == ("helse-nord", "Storgata 1")
    assert (new.patient.home_region, new.patient.street) == ("helse-sor-ost", "Parkveien 5")
    scope = visible_cases(hso)
    assert patient_facts.facts_on(old.patient_id, date(2025, 12, 31), scope=scope).home_region == "helse-nord"
    assert patient_facts.facts_on(old.patient_id, date(2026, 6, 1), scope=scope).postal_place == "Oslo"


def test_the_annual_report_counts_the_home_region_the_application_was_received_with(hso):
    _apply(hso, date(2025, 5, 2))
    case = _apply(hso, date(2025, 9, 2))
    patient_facts.record_facts(case, _update(), actor=hso)   # moved in March 2026
    _apply(hso, date(2026, 5, 4), municipality="0301 Oslo", home_region="helse-sor-ost")

    assert received_by_region(2025, None)["helse-nord"] == 2
    assert received_by_region(2025, None)["helse-sor-ost"] == 0
    assert (received_by_region(2026, None)["helse-nord"], received_by_region(2026, None)["helse-sor-ost"]) == (0, 1)


def test_a_change_is_valid_from_its_date_and_leaves_the_cases_as_registered(hso):
    case = _apply(hso, date(2025, 5, 2))
    entry = patient_facts.record_facts(case, _update(), expected_version=case.version, actor=hso)

    assert entry.changes == {"street": ["Storgata 1", "Parkveien 5"], "postal_code": ["9008", "0350"],
                             "postal_place": ["Tromsø", "Oslo"], "municipality": ["5501 Tromsø", "0301 Oslo"],
                             "home_region": ["helse-nord", "helse-sor-ost"]}
    assert case.patient.street == "Storgata 1"
    scope = visible_cases(hso)
    assert patient_facts.facts_on(case.patient_id, date(2026, 2, 28), scope=scope).street == "Storgata 1"
    on_move = patient_facts.facts_on(case.patient_id, date(2026, 3, 1), scope=scope)
    assert (on_move.street, on_move.home_region, on_move.source) == ("Parkveien 5", "helse-sor-ost", "endring")
    logged = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "patient_facts"))
    assert (logged.action, logged.case_id, logged.patient_id) == (AuditAction.CREATE, case.id, case.patient_id)
    assert logged.changes["reason"] == [None, "Flyttet (melding fra pasienten)"]
    assert logged.changes["home_region"] == ["helse-nord", "helse-sor-ost"]
    assert [item.kind for item in patient_facts.history(case.patient_id, scope=scope)] == ["change", "registration"]


def test_a_correction_of_an_imported_name_corrects_the_case_it_was_registered_with(hso):
    case = _apply(hso, date(2025, 5, 2), patient_name="Ukjent navn (importert, ref. R-1)")
    corrected = _update(FactsEntryKind.CORRECTION, valid_from=date(2025, 5, 2), name="Nora Nordlys",
                        street="Storgata 1", postal_code="9008", postal_place="Tromsø", municipality="5501 Tromsø",
                        home_region="helse-nord", reason="Navnet fra søknadsbrevet")
    entry = patient_facts.record_facts(case, corrected, actor=hso)

    assert entry.changes == {"name": ["Ukjent navn (importert, ref. R-1)", "Nora Nordlys"]}
    assert case.patient.name == "Nora Nordlys"
    assert case.title.endswith("– Nora Nordlys") and "Nora" not in case.public_title
    update = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "case",
                                                        AuditEvent.action == AuditAction.UPDATE))
    assert update.changes["patient_name"] == ["Ukjent navn (importert, ref. R-1)", "Nora Nordlys"]
    [item] = [item for item in patient_facts.history(case.patient_id, scope=visible_cases(hso))
              if item.kind == "correction"]
    assert (item.reason, item.facts) == ("Navnet fra søknadsbrevet", entry.changes)


def test_a_corrected_home_region_is_counted_by_the_application(hso):
    case = _apply(hso, date(2025, 5, 2))
    patient_facts.record_facts(case, _update(FactsEntryKind.CORRECTION, valid_from=date(2025, 5, 2),
                                             reason="Feil region ved registrering"), actor=hso)
    application = db.session.scalar(select(Application).where(Application.case_id == case.id))
    assert (case.patient.home_region, application.home_region) == ("helse-sor-ost", "helse-sor-ost")
    assert received_by_region(2025, None)["helse-sor-ost"] == 1


def test_a_correction_that_would_move_the_case_to_another_office_is_refused(hso):
    case = _apply(hso, date(2025, 5, 2))
    with pytest.raises(InvalidInput) as refused:
        patient_facts.record_facts(case, _update(FactsEntryKind.CORRECTION, valid_from=date(2025, 5, 2),
                                                 municipality="4601 Bergen", home_region="helse-vest"), actor=hso)
    assert refused.value.field == "home_region"


@pytest.mark.parametrize(("facts", "field"), [
    ({"reason": None}, "reason"),
    ({"name": "  "}, "name"),
    ({"postal_code": "35"}, "postal_code"),
    ({"street": None}, "street"),
    ({"home_region": "helse-vest"}, "home_region"),           # Oslo is not in Helse Vest
    ({"valid_from": date(1980, 1, 1)}, "valid_from"),         # before the birth date
    ({"valid_from": date(2025, 5, 1)}, "valid_from"),         # before any registration the actor sees
])
def test_bad_facts_are_refused_at_the_field_and_nothing_is_saved(hso, facts, field):
    case = _apply(hso, date(2025, 5, 2))
    with pytest.raises(InvalidInput) as refused:
        patient_facts.record_facts(case, _update(**facts), actor=hso)
    assert refused.value.field == field
    assert patient_facts.history(case.patient_id, scope=visible_cases(hso))[0].kind == "registration"


def test_the_same_facts_again_are_no_change(hso):
    case = _apply(hso, date(2025, 5, 2))
    with pytest.raises(InvalidInput, match="de samme"):
        patient_facts.record_facts(case, _update(street="Storgata 1", postal_code="9008", postal_place="Tromsø",
                                                 municipality="5501 Tromsø", home_region="helse-nord"), actor=hso)


def test_a_stale_version_is_refused(hso):
    case = _apply(hso, date(2025, 5, 2))
    with pytest.raises(EditConflict):
        patient_facts.record_facts(case, _update(), expected_version=case.version - 1, actor=hso)


def test_another_office_sees_nothing_of_what_this_office_registered(hso, make_user):
    """Need-to-know: Helse Vest registers the same person; neither office's history shows the other's."""
    case = _apply(hso, date(2025, 5, 2))
    patient_facts.record_facts(case, _update(), actor=hso)
    vest = db.session.get(User, make_user("abroad_caseworker", "helse-vest"))
    theirs = _apply(vest, date(2026, 6, 1), patient_name="Nora Vest", municipality="4601 Bergen",
                    home_region="helse-vest", street="Bryggen 2", postal_code="5003", postal_place="Bergen")

    seen = patient_facts.history(case.patient_id, scope=visible_cases(vest))
    assert [(item.kind, item.case_number) for item in seen] == [("registration", theirs.number)]
    assert patient_facts.facts_on(case.patient_id, date(2026, 7, 1), scope=visible_cases(hso)).street == "Parkveien 5"
    assert [addressee.postal_place for addressee in patient_facts.letter_addressees(case, date(2026, 7, 1))] == ["Oslo"]


def test_letters_go_to_the_patient_at_the_address_valid_on_the_letter_date(hso):
    case = _apply(hso, date(2025, 5, 2))
    patient_facts.record_facts(case, _update(), actor=hso)

    [before] = patient_facts.letter_addressees(case, date(2026, 2, 1))
    [after] = patient_facts.letter_addressees(case, date(2026, 3, 1))
    assert (before.name, before.role) == ("Nora Nordlys", "patient")
    assert before.address_lines == ["Storgata 1", "9008 Tromsø"]
    assert after.address_lines == ["Parkveien 5", "0350 Oslo"]


def test_a_blank_address_keeps_the_last_one_known(hso):
    case = _apply(hso, date(2025, 5, 2))
    later = _apply(hso, date(2025, 9, 2), street=None, postal_code=None, postal_place=None)
    assert later.patient.street is None
    [addressee] = patient_facts.letter_addressees(later, date(2025, 10, 1))
    assert addressee.address_lines == ["Storgata 1", "9008 Tromsø"] and case.patient_id == later.patient_id


def test_a_child_is_addressed_through_the_guardians_and_else_the_parents(hso):
    case = _apply(hso, date(2026, 5, 4), national_id=None, birth_date=date(2015, 2, 3), patient_name="Lille Nordlys")
    [parents] = patient_facts.letter_addressees(case, date(2026, 6, 1))
    assert (parents.name, parents.role, parents.address_lines) == (
        "Foresatte til Lille Nordlys", "parents", ["Storgata 1", "9008 Tromsø"])

    for name in ("Mor Nordlys", "Far Nordlys"):
        patient_facts.add_guardian(case, NewGuardian(name=name, street="Fjellveien 3", postal_code="9010",
                                                     postal_place="Tromsø", valid_from=date(2015, 2, 3)), actor=hso)
    addressees = patient_facts.letter_addressees(case, date(2026, 6, 1))
    assert [(item.name, item.role, item.address_lines) for item in addressees] == [
        ("Mor Nordlys", "guardian", ["Fjellveien 3", "9010 Tromsø"]),
        ("Far Nordlys", "guardian", ["Fjellveien 3", "9010 Tromsø"])]
    # At 18 the guardians of a child are no longer the addressees unless they still hold a guardianship.
    for guardian in patient_facts.guardians(case.patient_id, scope=visible_cases(hso)):
        patient_facts.end_guardian(case, guardian, valid_to=date(2033, 2, 2), actor=hso)
    assert [item.role for item in patient_facts.letter_addressees(case, date(2033, 2, 3))] == ["patient"]


def test_an_adult_with_a_guardian_is_addressed_through_the_guardian(hso):
    case = _apply(hso, date(2025, 5, 2))
    patient_facts.add_guardian(case, NewGuardian(name="Verge Vik", street="Postboks 12", postal_code="9251",
                                                 postal_place="Tromsø", valid_from=date(2025, 6, 1)), actor=hso)
    assert [item.role for item in patient_facts.letter_addressees(case, date(2025, 5, 20))] == ["patient"]
    [guardian] = patient_facts.letter_addressees(case, date(2025, 6, 1))
    assert (guardian.name, guardian.address_lines) == ("Verge Vik", ["Postboks 12", "9251 Tromsø"])
    logged = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "guardian"))
    assert (logged.action, logged.case_id, logged.patient_id) == (AuditAction.CREATE, case.id, case.patient_id)


@pytest.mark.parametrize(("guardian", "field"), [
    ({"name": None}, "name"),
    ({"postal_code": "ABCD"}, "postal_code"),
    ({"valid_to": date(2020, 1, 1)}, "valid_to"),
])
def test_a_guardian_needs_a_name_a_whole_address_and_dates_in_order(hso, guardian, field):
    case = _apply(hso, date(2025, 5, 2))
    values = {"name": "Verge Vik", "street": "Postboks 12", "postal_code": "9251", "postal_place": "Tromsø",
              "valid_from": date(2025, 6, 1), **guardian}
    with pytest.raises(InvalidInput) as refused:
        patient_facts.add_guardian(case, NewGuardian(**values), actor=hso)
    assert refused.value.field == field


def test_a_registration_with_half_an_address_is_refused(hso):
    with pytest.raises(InvalidInput) as refused:
        _apply(hso, date(2025, 5, 2), postal_place=None)
    assert refused.value.field == "postal_place"
