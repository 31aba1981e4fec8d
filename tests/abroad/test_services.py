"""Treatment-abroad rules, called directly."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.abroad import services
from app.abroad.models import (
    AppealStatus,
    ApplicationStatus,
    BoardOutcome,
    CostCategory,
    CostEntry,
    Decision,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.cases.models import Case, CaseKind, Deadline, JournalEntry, Patient
from app.core.audit import AuditEvent
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.methods.models import DecisionOutcome
from tests.factories import (
    TTTS,
    abroad_appeal,
    abroad_board_decision,
    abroad_cost,
    abroad_decision,
    abroad_late_assessment,
    abroad_opinion_received,
    abroad_opinion_request,
    abroad_plan,
    abroad_reconsideration,
)

TODAY = date(2026, 11, 20)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_helse_nord_application_lands_at_helse_sor_ost_as_a_screened_case(application):
    case = db.session.get(Case, application.case_id)
    assert (case.kind, case.unit, case.access_code) == (CaseKind.ABROAD_APPLICATION, "helse-sor-ost", "UO")
    assert case.public_title == "Søknad om behandling i utlandet – ******"
    assert (application.home_region, application.office) == ("helse-nord", "helse-sor-ost")
    assert (application.icd10, application.icd10_chapter) == ("O43.0", "O00-O99")
    assert (application.status, application.child) == (ApplicationStatus.RECEIVED, False)
    entry = db.session.scalar(select(JournalEntry).where(JournalEntry.case_id == case.id))
    assert (entry.entry_type.value, entry.journal_date, entry.party_name) == ("I", date(2026, 9, 1), "Lege Line Lie")


def test_a_patient_under_18_on_the_received_date_is_a_child_even_if_18_by_the_decision(register, caseworker):
    application = register(national_id=None, patient_name="Ung Pasient", birth_date=date(2008, 9, 15),
                           municipality="0301 Oslo", home_region="helse-sor-ost")
    assert application.child
    services.decide(application, abroad_decision(decided_on=date(2026, 10, 1), legal_basis="x", reasoning="y"),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert application.child
    assert not register(national_id=None, patient_name="Voksen Pasient", birth_date=date(2008, 9, 1),
                        municipality=None, home_region="helse-sor-ost").child


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"national_id": "08039412345"}, "national_id", "Kontrollsifrene"),
    ({"icd10": "O99.9X"}, "icd10", "ikke en gyldig ICD-10-kode"),
    ({"icd10": "U99"}, "icd10", "ikke en gyldig ICD-10-kode"),
    ({"received_on": date(2026, 11, 21)}, "received_on", "fram i tid"),
    ({"requested_treatment": "  "}, "requested_treatment", "Beskriv behandlingen"),
    ({"method_reference": "ID2099_999"}, "method_reference", "Fant ingen metode"),
    ({"home_region": "helse-vest", "municipality": "4601 Bergen"}, "home_region", "Helse Vest"),
    ({"home_region": "helse-vest"}, "home_region", "Kommunenummer 5501 ligger i Troms, som hører til Helse Nord"),
    ({"municipality": "9901"}, "municipality", "Kommunenummer 9901 finnes ikke"),
])
def test_bad_applications_are_refused_at_the_field_and_nothing_is_saved(register, overrides, field, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        register(**overrides)
    assert refused.value.field == field
    db.session.rollback()
    assert (_count(Case), _count(Patient)) == (0, 0)


def test_external_references_are_unique(register):
    register(reference="HSO-2019-0042")
    with pytest.raises(InvalidInput, match="allerede brukt") as refused:
        register(reference="HSO-2019-0042", national_id=None, patient_name="Annen Pasient",
                 birth_date=date(1970, 1, 1), municipality=None, home_region="helse-sor-ost")
    assert refused.value.field == "reference"


def test_referral_streams_have_no_decision_flow(register, caseworker):
    protons = register(stream=Stream.PARTICLE_THERAPY, requested_treatment=None, icd10="C71.6")
    assert protons.status is ApplicationStatus.REFERRED
    assert db.session.get(Case, protons.case_id).title.startswith("Henvisning – partikkelterapi")
    with pytest.raises(InvalidInput, match="behandles ikke som søknad"):
        services.check_decision(protons, abroad_decision(decided_on=TODAY, legal_basis="x", reasoning="y"),
                                today=TODAY)
    services.plan_treatment(protons, abroad_plan(hospital="Skandionkliniken", country="SE"),
                            expected_version=protons.version, actor=caseworker)
    services.add_cost(protons, abroad_cost(entry_date=date(2026, 11, 1), category=CostCategory.TREATMENT,
                                           amount="250000", currency="NOK"), actor=caseworker, today=TODAY)
    assert protons.total_nok == Decimal("250000.00")


def test_the_acceptance_scenario_opinion_grant_and_two_costs(application, caseworker):
    opinion = services.request_opinion(application, abroad_opinion_request(
        requested_from="Fostermedisin, Oslo universitetssykehus", question="Er laserbehandling i utlandet nødvendig?",
        requested_on=date(2026, 9, 2), due_on=date(2026, 9, 12)), actor=caseworker, today=date(2026, 9, 2))
    assert application.status is ApplicationStatus.IN_PREPARATION
    deadline = db.session.get(Deadline, opinion.deadline_id)
    assert deadline.due_date == opinion.due_on == date(2026, 9, 14)   # Saturday 12th → Monday 14th
    services.record_opinion(opinion, abroad_opinion_received(received_on=date(2026, 9, 10),
                                                             conclusion="Anbefaler behandling i København."),
                            actor=caseworker, today=TODAY)
    assert deadline.done_at is not None
    services.decide(application, abroad_decision(Decision.GRANTED, decided_on=date(2026, 9, 11),
                                                 legal_basis=services.LEGAL_BASIS,
                                                 reasoning="Tilbudet finnes ikke i Norge."),
                    actor=caseworker, letter=b"%PDF-1.7 innvilget", today=TODAY)
    assert (application.status, application.decision) == (ApplicationStatus.GRANTED, Decision.GRANTED)
    assert application.letter_document_id is not None
    services.plan_treatment(application, abroad_plan(
        hospital="Rigshospitalet", country="dk", planned_start=date(2026, 9, 15), planned_end=date(2026, 9, 18),
        travel_arrangements="Fly Tromsø–København", stay_arrangements="Patienthotellet", companion="Ektefelle"),
        expected_version=application.version, actor=caseworker)
    assert application.country == "DK"
    treatment = services.add_cost(application, abroad_cost(
        entry_date=date(2026, 10, 5), category=CostCategory.TREATMENT, amount="185 000,00", currency="dkk",
        exchange_rate="1,5834", invoice_reference="RH-2026-991"), actor=caseworker, today=TODAY)
    travel = services.add_cost(application, abroad_cost(
        entry_date=date(2026, 9, 14), category=CostCategory.TRAVEL, amount="8450", currency="NOK",
        exchange_rate=None), actor=caseworker, today=TODAY)
    assert (treatment.currency, treatment.amount_nok) == ("DKK", Decimal("292929.00"))
    assert (travel.exchange_rate, travel.amount_nok) == (None, Decimal("8450.00"))
    assert application.total_nok == Decimal("301379.00")
    assert [cost.category for cost in application.costs] == [CostCategory.TRAVEL, CostCategory.TREATMENT]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"currency": "DKK", "exchange_rate": None}, "exchange_rate", "valutakursen fra DKK"),
    ({"currency": "XYZ"}, "currency", "ISO 4217"),
    ({"amount": "-5"}, "amount", "større enn null"),
    ({"amount": "mange"}, "amount", "et tall"),
    ({"currency": "NOK", "exchange_rate": "1,2"}, "exchange_rate", "ikke ha valutakurs"),
    ({"entry_date": date(2026, 8, 1)}, "entry_date", "før søknaden"),
])
def test_bad_costs_are_refused(application, caseworker, values, field, message):
    services.decide(application, abroad_decision(decided_on=date(2026, 9, 11), legal_basis="x", reasoning="y"),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    cost = abroad_cost(**{"entry_date": date(2026, 10, 1), "category": CostCategory.TREATMENT, "amount": "1000",
                          "currency": "EUR", "exchange_rate": "11,5", **values})
    with pytest.raises(InvalidInput, match=message) as refused:
        services.add_cost(application, cost, actor=caseworker, today=TODAY)
    assert refused.value.field == field
    assert _count(CostEntry) == 0


def test_costs_and_plans_need_a_grant(application, caseworker):
    with pytest.raises(InvalidInput, match="innvilgede"):
        services.add_cost(application, abroad_cost(entry_date=date(2026, 10, 1), category=CostCategory.TRAVEL,
                                                   amount="10", currency="NOK"), actor=caseworker, today=TODAY)


def test_a_decision_before_receipt_is_refused(application):
    with pytest.raises(InvalidInput, match="før søknaden ble mottatt") as refused:
        services.check_decision(application, abroad_decision(Decision.DENIED, decided_on=date(2026, 8, 31),
                                                             legal_basis="x", reasoning="y"), today=TODAY)
    assert refused.value.field == "decided_on"


def test_a_rejected_method_is_cited_and_cannot_be_granted(register, caseworker, method_with_outcome):
    method_with_outcome(DecisionOutcome.NOT_INTRODUCED, reference="ID2024_090")
    application = register(method_reference="id2024_090 ".upper().strip())
    status = services.method_check(application)
    assert status.state.value == "not_introduced"
    with pytest.raises(InvalidInput, match="16.06.2025") as refused:
        services.check_decision(application, abroad_decision(Decision.GRANTED, decided_on=TODAY, legal_basis="x",
                                                             reasoning="y"), today=TODAY)
    assert refused.value.field == "decision"
    check = services.check_decision(application, abroad_decision(
        Decision.DENIED, decided_on=TODAY, legal_basis=services.LEGAL_BASIS_NOT_INTRODUCED, reasoning="z"),
        today=TODAY)
    assert "prioriteringsforskriften § 3" in check["citation"] and "16.06.2025" in check["citation"]


def test_experimental_treatment_is_flagged_except_for_nordic_protocols(register):
    trial = register(treatment_class=TreatmentClass.TRIAL)
    assert services.experimental_notice(trial) == services.EXPERIMENTAL_NOTICE
    nordic = register(stream=Stream.NORDIC_DRUG_PROTOCOL, treatment_class=TreatmentClass.TRIAL, national_id=None,
                      patient_name="Barn Barnesen", birth_date=date(2015, 1, 1), municipality="3301 Drammen",
                      home_region="helse-sor-ost")
    assert services.experimental_notice(nordic) is None
    assert nordic.child


def test_open_applications_are_flagged_when_beslutningsforum_decides(register, method_with_outcome, caseworker):
    method = method_with_outcome(None, reference="ID2024_090")
    waiting = register(method_reference=method.reference)
    decided = register(method_reference=method.reference, national_id=None, patient_name="Annen Pasient",
                       birth_date=date(1970, 1, 1), municipality=None, home_region="helse-sor-ost")
    services.decide(decided, abroad_decision(Decision.WITHDRAWN, decided_on=date(2026, 9, 5), legal_basis=None,
                                             reasoning=None), actor=caseworker, letter=None, today=TODAY)
    method_with_outcome(DecisionOutcome.NOT_INTRODUCED, reference="ID2024_091")   # another method: no flag
    assert waiting.flag is None
    from app.methods.interface import decision_recorded
    decision_recorded.send(method.reference)
    assert "Ny beslutning i Nye Metoder for ID2024_090" in waiting.flag
    assert decided.flag is None


# Appeals

def test_a_grant_can_be_appealed_and_a_reversal_keeps_it_granted(application, caseworker):
    services.decide(application, abroad_decision(decided_on=date(2026, 9, 11), legal_basis="x", reasoning="y"),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    appeal = services.register_appeal(application, abroad_appeal(
        received_on=date(2026, 9, 20), notified_on=date(2026, 9, 13),
        grounds="Pasienten ønsker et annet sykehus og at ledsager dekkes."), actor=caseworker, today=TODAY)
    case = db.session.get(Case, appeal.case_id)
    assert appeal.against_grant and case.title.startswith("Klage på vedtak om behandling i utlandet")
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.REVERSED, decided_on=date(2026, 9, 25),
                                                       reasoning="Ledsager dekkes."),
                        actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert (appeal.status, application.status, application.decision) == (
        AppealStatus.REVERSED_BY_OFFICE, ApplicationStatus.GRANTED, Decision.GRANTED)
    titles = db.session.scalars(select(JournalEntry.title).where(JournalEntry.case_id == case.id)).all()
    assert "Vedtak omgjort – vedtaket endres" in titles


def test_a_withdrawn_application_and_a_reversed_refusal_cannot_be_appealed(register, denied, caseworker):
    withdrawn = register(national_id=None, patient_name="Annen Pasient", birth_date=date(1970, 1, 1),
                         municipality=None, home_region="helse-sor-ost")
    services.decide(withdrawn, abroad_decision(Decision.WITHDRAWN, decided_on=date(2026, 9, 11), legal_basis=None,
                                               reasoning=None), actor=caseworker, letter=None, today=TODAY)
    with pytest.raises(InvalidInput, match="Bare et vedtak om innvilgelse eller avslag kan påklages"):
        services.register_appeal(withdrawn, abroad_appeal(received_on=date(2026, 9, 20),
                                                          notified_on=date(2026, 9, 13)),
                                 actor=caseworker, today=TODAY)
    appeal = services.register_appeal(denied, abroad_appeal(received_on=date(2026, 10, 1),
                                                            notified_on=date(2026, 9, 22)),
                                      actor=caseworker, today=TODAY)
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.REVERSED, decided_on=date(2026, 10, 8),
                                                       reasoning="Omgjort."),
                        actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    with pytest.raises(InvalidInput, match="avslaget er omgjort etter klage"):
        services.register_appeal(denied, abroad_appeal(received_on=date(2026, 10, 20),
                                                       notified_on=date(2026, 10, 10)),
                                 actor=caseworker, today=TODAY)


def test_filing_the_decision_closes_the_incoming_application_post(application, caseworker):
    services.decide(application, abroad_decision(decided_on=date(2026, 9, 11), legal_basis="x", reasoning="y"),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    incoming = db.session.scalar(select(JournalEntry).where(JournalEntry.case_id == application.case_id,
                                                            JournalEntry.entry_type == "I"))
    assert (incoming.follow_up_method, incoming.follow_up_by_id) == ("BU", caseworker.id)
    assert incoming.follow_up_done_at is not None


def test_the_deadline_is_four_weeks_moved_past_holidays():
    assert services.appeal_deadline(date(2026, 9, 22)) == date(2026, 10, 20)
    assert services.appeal_deadline(date(2026, 11, 28)) == date(2026, 12, 28)   # Sat 26 Dec → Mon 28 Dec
    assert services.appeal_deadline(date(2026, 3, 5)) == date(2026, 4, 7)       # Easter Monday 6 April


def test_appeal_on_time_upheld_forwarded_and_upheld_by_the_board(denied, caseworker):
    appeal = services.register_appeal(denied, abroad_appeal(
        received_on=date(2026, 10, 10), notified_on=date(2026, 9, 22),
        grounds="Pasienten mener tilbudet i Norge ikke er godt nok."), actor=caseworker, today=TODAY)
    case = db.session.get(Case, appeal.case_id)
    assert (case.kind, case.unit, case.patient_id) == (CaseKind.ABROAD_APPEAL, "helse-sor-ost",
                                                      db.session.get(Case, denied.case_id).patient_id)
    assert (appeal.deadline_on, appeal.late, appeal.status) == (date(2026, 10, 20), False, AppealStatus.RECEIVED)
    with pytest.raises(InvalidInput, match="oversendt Klagenemnda") as refused:
        services.record_board_decision(appeal, abroad_board_decision(BoardOutcome.UPHELD, decided_on=TODAY),
                                       actor=caseworker, today=TODAY)
    assert refused.value.field == "outcome"
    with pytest.raises(InvalidInput, match="før klagen kom inn"):
        services.check_reconsideration(appeal, abroad_reconsideration(
            OfficeOutcome.FORWARDED, decided_on=date(2026, 10, 9), reasoning="x"), today=TODAY)
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=date(2026, 10, 15),
                                                       reasoning="Kontoret opprettholder avslaget."),
                        actor=caseworker, letter=b"%PDF-1.7 oversendelse", today=TODAY)
    assert (appeal.status, appeal.forwarding_document_id is not None) == (AppealStatus.FORWARDED, True)
    with pytest.raises(InvalidInput, match="før klagen ble oversendt"):
        services.record_board_decision(appeal, abroad_board_decision(BoardOutcome.UPHELD,
                                                                     decided_on=date(2026, 10, 14)),
                                       actor=caseworker, today=TODAY)
    services.record_board_decision(appeal, abroad_board_decision(BoardOutcome.UPHELD, decided_on=date(2026, 11, 18),
                                                                 board_reference="KN-2026-17"),
                                   actor=caseworker, today=TODAY)
    assert (appeal.status, denied.status) == (AppealStatus.UPHELD_BY_BOARD, ApplicationStatus.DENIED)
    steps = db.session.scalars(select(AuditEvent.changes).where(AuditEvent.object_type == "abroad_appeal")).all()
    assert len(steps) == 3


def test_a_reversal_grants_but_keeps_the_first_instance_refusal(denied, caseworker):
    appeal = services.register_appeal(denied, abroad_appeal(received_on=date(2026, 10, 1),
                                                            notified_on=date(2026, 9, 22)),
                                      actor=caseworker, today=TODAY)
    services.reconsider(appeal, abroad_reconsideration(
        OfficeOutcome.REVERSED, decided_on=date(2026, 10, 8),
        reasoning="Ny dokumentasjon viser at tilbudet ikke finnes i Norge."),
        actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert (appeal.status, denied.status, denied.decision) == (
        AppealStatus.REVERSED_BY_OFFICE, ApplicationStatus.GRANTED, Decision.DENIED)
    assert denied.treatment_may_be_planned


def test_a_late_appeal_is_flagged_and_needs_an_assessment(denied, caseworker):
    appeal = services.register_appeal(denied, abroad_appeal(received_on=date(2026, 10, 26),
                                                            notified_on=date(2026, 9, 22)),
                                      actor=caseworker, today=TODAY)
    assert appeal.late and appeal.awaiting_late_assessment
    with pytest.raises(InvalidInput, match="forvaltningsloven § 31"):
        services.check_reconsideration(appeal, abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=TODAY,
                                                                      reasoning="x"), today=TODAY)
    with pytest.raises(InvalidInput, match="vurderingen"):
        services.assess_late_appeal(appeal, abroad_late_assessment(True, assessment=" "), actor=caseworker)
    with pytest.raises(InvalidInput, match="Vedtaksbrevet om avvisning mangler"):
        services.assess_late_appeal(appeal, abroad_late_assessment(
            False, assessment="Ingen grunn til å se bort fra fristen."), actor=caseworker, today=TODAY)
    services.assess_late_appeal(appeal, abroad_late_assessment(
        False, assessment="Ingen grunn til å se bort fra fristen."), actor=caseworker, letter=b"%PDF-1.7",
        today=TODAY)
    assert (appeal.status, appeal.office_outcome, appeal.office_decided_on) == (
        AppealStatus.DISMISSED_LATE, OfficeOutcome.DISMISSED_LATE, date(2026, 11, 16))
    with pytest.raises(InvalidInput, match="ikke lenger hos kontoret"):
        services.check_reconsideration(appeal, abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=TODAY,
                                                                      reasoning="x"), today=TODAY)


def test_a_late_appeal_after_a_year_cannot_be_considered(register, caseworker):
    old = register(received_on=date(2025, 6, 1))
    services.decide(old, abroad_decision(Decision.DENIED, decided_on=date(2025, 7, 1), legal_basis="x",
                                         reasoning="y"), actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    appeal = services.register_appeal(old, abroad_appeal(received_on=date(2026, 8, 1), notified_on=date(2025, 7, 3)),
                                      actor=caseworker, today=TODAY)
    with pytest.raises(InvalidInput, match="mer enn ett år") as refused:
        services.assess_late_appeal(appeal, abroad_late_assessment(True, assessment="Syk i lang tid."),
                                    actor=caseworker)
    assert refused.value.field == "consider"


@pytest.mark.parametrize(("received_on", "notified_on", "field"), [
    (date(2026, 9, 21), date(2026, 9, 22), "received_on"),
    (date(2026, 10, 1), date(2026, 9, 19), "notified_on"),
    (date(2026, 11, 21), date(2026, 9, 22), "received_on"),
])
def test_appeal_dates_must_be_in_order(denied, caseworker, received_on, notified_on, field):
    with pytest.raises(InvalidInput) as refused:
        services.register_appeal(denied, abroad_appeal(received_on=received_on, notified_on=notified_on),
                                 actor=caseworker, today=TODAY)
    assert refused.value.field == field
    assert _count(Case) == 1


def test_only_one_appeal_at_a_time(denied, caseworker):
    services.register_appeal(denied, abroad_appeal(received_on=date(2026, 10, 1), notified_on=date(2026, 9, 22)),
                             actor=caseworker, today=TODAY)
    with pytest.raises(Conflict, match="allerede en klage"):
        services.register_appeal(denied, abroad_appeal(received_on=date(2026, 10, 2), notified_on=date(2026, 9, 22)),
                                 actor=caseworker, today=TODAY)


def test_ttts_fixture_is_a_valid_helse_nord_patient():
    assert TTTS.home_region == "helse-nord" and len(TTTS.national_id) == 11
