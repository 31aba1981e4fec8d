"""Corrections in treatment abroad: every registered fact of an application and an opinion is corrected through a
versioned step with a required reason, the audit row holds old and new value and the reason, and the case's
history shows it; a fact the decision rests on gets a note on the decision; a cost is corrected by a reversal
(credit) and never deleted, and the same invoice is not booked twice. The annual report follows the corrected
facts and counts the credits."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.abroad import services
from app.abroad.commands import CostReversal
from app.abroad.models import CostCategory, CostEntry, Decision, DecisionNote, Stream, TreatmentClass
from app.abroad.statistics import abroad_figures
from app.cases.history import case_history
from app.cases.models import Case
from app.core.audit import AuditAction, AuditEvent
from app.errors import Conflict, EditConflict, InvalidInput
from app.extensions import db
from tests.factories import (
    abroad_correction,
    abroad_cost,
    abroad_decision,
    abroad_opinion_correction,
    abroad_opinion_received,
    abroad_opinion_request,
    abroad_plan,
)

TODAY = date(2026, 11, 20)


def _correct(application, caseworker, **overrides):
    return services.correct_application(application, abroad_correction(application, **overrides),
                                        expected_version=application.version, actor=caseworker, today=TODAY)


def _audit_rows(object_type: str, object_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id),
        AuditEvent.action == AuditAction.UPDATE).order_by(AuditEvent.id)))


@pytest.fixture
def granted(application, caseworker):
    services.decide(application, abroad_decision(Decision.GRANTED), actor=caseworker, letter=b"%PDF-1.7 innvilget",
                    today=TODAY)
    services.plan_treatment(application, abroad_plan(), expected_version=application.version, actor=caseworker)
    return application


def test_a_correction_changes_the_facts_and_logs_old_new_and_reason(application, caseworker):
    changes = _correct(application, caseworker, icd10="c50.1", requested_where="Karolinska, Stockholm",
                       treatment_class=TreatmentClass.TRIAL, reason="Feil diagnose fra henvisningen.")
    assert (application.icd10, application.icd10_chapter) == ("C50.1", "C00-D48")
    assert set(changes) == {"icd10", "icd10_chapter", "requested_where", "treatment_class"}
    [row] = _audit_rows("abroad_application", application.id)
    assert row.changes["icd10"] == ["O43.0", "C50.1"]
    assert row.changes["treatment_class"] == ["established", "trial"]
    assert row.changes["reason"] == "Feil diagnose fra henvisningen."
    assert row.user_id == caseworker.id and row.case_id == application.case_id
    history = case_history(db.session.get(Case, application.case_id))
    newest = history[0]
    assert newest.reason == "Feil diagnose fra henvisningen." and newest.record == "Søknad"
    shown = {change.label: (change.old, change.new) for change in newest.changes}
    assert shown["Hoveddiagnose (ICD-10)"] == ("O43.0", "C50.1")
    assert shown["Behandlingens status"] == ("Etablert behandling", "Utprøvende, i klinisk studie")
    assert shown["Ønsket behandlingssted"] == ("Rigshospitalet, København", "Karolinska, Stockholm")
    assert newest.who == caseworker.name


def test_the_received_date_recomputes_child_and_is_shown_as_a_date(register, caseworker):
    application = register(birth_date=date(2008, 10, 1), national_id=None, received_on=date(2026, 9, 1))
    assert application.child
    _correct(application, caseworker, received_on=date(2026, 10, 2), reason="Feil mottaksdato.")
    assert application.received_on == date(2026, 10, 2) and not application.child
    shown = {change.label: (change.old, change.new)
             for change in case_history(db.session.get(Case, application.case_id))[0].changes}
    assert shown["Mottatt"] == ("01.09.2026", "02.10.2026")
    assert shown["Barn (under 18 år da søknaden kom inn)"] == ("Ja", "Nei")


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"reason": None}, "reason", "hvorfor"),
    ({"icd10": "X99.99"}, "icd10", "ICD-10"),
    ({"received_on": date(2026, 12, 1)}, "received_on", "fram i tid"),
    ({"requested_treatment": None}, "requested_treatment", "Beskriv behandlingen"),
    ({"stream": Stream.PARTICLE_THERAPY}, "stream", "kan ikke rettes til"),
    ({"method_reference": "ID1900_001"}, "method_reference", "Fant ingen metode"),
])
def test_bad_corrections_are_refused_at_the_field_and_nothing_changes(application, caseworker, overrides, field,
                                                                       message):
    with pytest.raises(InvalidInput, match=message) as refused:
        _correct(application, caseworker, **overrides)
    assert refused.value.field == field
    assert (application.icd10, application.stream, application.received_on) == ("O43.0", Stream.APPLICATION,
                                                                                 date(2026, 9, 1))
    assert _audit_rows("abroad_application", application.id) == []


def test_a_stream_is_corrected_within_its_kind(application, caseworker):
    _correct(application, caseworker, stream=Stream.PGD)
    assert application.stream is Stream.PGD


def test_a_correction_with_nothing_changed_is_refused(application, caseworker):
    with pytest.raises(InvalidInput, match="Ingen opplysninger er endret"):
        _correct(application, caseworker)


def test_a_correction_from_a_stale_form_is_a_conflict(application, caseworker):
    opened_at = application.version
    _correct(application, caseworker, applicant="Fastlege")
    with pytest.raises(EditConflict):
        services.correct_application(application, abroad_correction(application, applicant="Pasienten"),
                                     expected_version=opened_at, actor=caseworker, today=TODAY)


def test_the_reference_stays_unique(register, caseworker):
    register(reference="EXT-1")
    other = register(national_id=None, birth_date=date(1970, 1, 1), patient_name="Ola Olsen")
    with pytest.raises(InvalidInput, match="allerede brukt") as refused:
        _correct(other, caseworker, reference="EXT-1")
    assert refused.value.field == "reference"


def test_the_received_date_stays_before_the_later_steps(application, caseworker):
    services.request_opinion(application, abroad_opinion_request(requested_on=date(2026, 9, 2)), actor=caseworker,
                             today=TODAY)
    with pytest.raises(InvalidInput, match="etter forespørselen om medisinsk uttalelse") as refused:
        _correct(application, caseworker, received_on=date(2026, 9, 5))
    assert refused.value.field == "received_on"


def test_a_decided_fact_is_corrected_with_a_note_on_the_decision(granted, caseworker):
    _correct(granted, caseworker, icd10="O43.1", received_on=date(2026, 8, 30), applicant="Fastlege",
             reason="Diagnosen var feil avskrevet fra henvisningen.")
    notes = {note.field: note for note in db.session.scalars(select(DecisionNote).where(
        DecisionNote.application_id == granted.id))}
    assert set(notes) == {"icd10", "received_on"}   # the applicant is no fact the decision rests on
    assert (notes["icd10"].old_value, notes["icd10"].new_value) == ("O43.0", "O43.1")
    assert (notes["received_on"].old_value, notes["received_on"].new_value) == ("01.09.2026", "30.08.2026")
    assert notes["icd10"].reason == "Diagnosen var feil avskrevet fra henvisningen."
    assert notes["icd10"].created_by_id == caseworker.id
    assert granted.decision is Decision.GRANTED and granted.decided_on == date(2026, 9, 11)


def test_an_undecided_correction_leaves_no_decision_note(application, caseworker):
    _correct(application, caseworker, icd10="O43.1")
    assert db.session.scalars(select(DecisionNote)).all() == []


def test_an_opinion_is_corrected_with_a_reason_and_its_answer_only_once_received(application, caseworker):
    opinion = services.request_opinion(application, abroad_opinion_request(), actor=caseworker, today=TODAY)
    with pytest.raises(InvalidInput, match="ikke mottatt ennå"):
        services.correct_opinion(opinion, abroad_opinion_correction(opinion, conclusion="Ja"),
                                 expected_version=opinion.version, actor=caseworker, today=TODAY)
    services.correct_opinion(opinion, abroad_opinion_correction(opinion, requested_from="Fostermedisin, St. Olavs"),
                             expected_version=opinion.version, actor=caseworker, today=TODAY)
    services.record_opinion(opinion, abroad_opinion_received(), actor=caseworker, today=TODAY)
    services.correct_opinion(opinion, abroad_opinion_correction(
        opinion, conclusion="Anbefaler behandling i Stockholm.", reason="Konklusjonen var feil avskrevet."),
        expected_version=opinion.version, actor=caseworker, today=TODAY)
    rows = _audit_rows("abroad_medical_opinion", opinion.id)
    assert rows[0].changes["requested_from"] == ["Fostermedisin, Oslo universitetssykehus",
                                                 "Fostermedisin, St. Olavs"]
    assert rows[-1].changes["conclusion"] == ["Anbefaler behandling i København.", "Anbefaler behandling i Stockholm."]
    assert rows[-1].changes["reason"] == "Konklusjonen var feil avskrevet."
    with pytest.raises(InvalidInput) as refused:
        services.correct_opinion(opinion, abroad_opinion_correction(opinion, received_on=date(2026, 9, 1)),
                                 expected_version=opinion.version, actor=caseworker, today=TODAY)
    assert refused.value.field == "received_on"
    with pytest.raises(EditConflict):
        services.correct_opinion(opinion, abroad_opinion_correction(opinion, question="Annet"),
                                 expected_version=opinion.version - 1, actor=caseworker, today=TODAY)


# Costs

def test_the_same_invoice_is_not_booked_twice_and_the_message_names_the_first(granted, caseworker):
    first = services.add_cost(granted, abroad_cost(amount="413320,50", invoice_reference="RH-2026-991",
                                                   entry_date=date(2026, 10, 5)), actor=caseworker, today=TODAY)
    with pytest.raises(InvalidInput) as refused:
        services.add_cost(granted, abroad_cost(amount="413 320.50", invoice_reference="RH-2026-991",
                                               entry_date=date(2026, 10, 7)), actor=caseworker, today=TODAY)
    assert refused.value.field == "invoice_reference"
    assert "05.10.2026" in str(refused.value) and "413\u00a0320,50 NOK" in str(refused.value)
    assert "«RH-2026-991»" in str(refused.value)
    assert db.session.scalars(select(CostEntry.id)).all() == [first.id]
    # Another amount on the same invoice (a part payment), or the same amount on another invoice, is a cost.
    services.add_cost(granted, abroad_cost(amount="1000", invoice_reference="RH-2026-991"), actor=caseworker,
                      today=TODAY)
    services.add_cost(granted, abroad_cost(amount="413320,50", invoice_reference="RH-2026-992"), actor=caseworker,
                      today=TODAY)


def test_a_cost_is_corrected_by_a_reversal_once_and_never_deleted(granted, caseworker):
    cost = services.add_cost(granted, abroad_cost(amount="1500", currency="DKK", exchange_rate="1,60",
                                                  invoice_reference="RH-1", category=CostCategory.STAY,
                                                  entry_date=date(2026, 10, 5)), actor=caseworker, today=TODAY)
    with pytest.raises(InvalidInput, match="hvorfor") as refused:
        services.reverse_cost(cost, CostReversal(reason=None), actor=caseworker)
    assert refused.value.field == "reason"
    credit = services.reverse_cost(cost, CostReversal(reason="Feil sykehus fakturert."), actor=caseworker)
    assert (credit.amount, credit.currency, credit.amount_nok) == (Decimal("-1500.00"), "DKK", Decimal("-2400.00"))
    assert (credit.reverses_id, credit.entry_date, credit.category) == (cost.id, cost.entry_date, CostCategory.STAY)
    assert granted.total_nok == 0 and granted.reversed_cost_ids == {cost.id}
    assert db.session.get(CostEntry, cost.id) is not None
    row = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "abroad_cost",
                                                      AuditEvent.object_id == str(credit.id))).one()
    assert row.changes["reverses"] == [None, cost.id] and row.changes["reason"] == "Feil sykehus fakturert."
    with pytest.raises(Conflict, match="allerede tilbakeført"):
        services.reverse_cost(cost, CostReversal(reason="Igjen"), actor=caseworker)
    with pytest.raises(InvalidInput, match="tilbakeføring kan ikke tilbakeføres"):
        services.reverse_cost(credit, CostReversal(reason="Angre"), actor=caseworker)
    # The reversed invoice may be booked again, correctly.
    again = services.add_cost(granted, abroad_cost(amount="1500", currency="DKK", exchange_rate="1,55",
                                                   invoice_reference="RH-1"), actor=caseworker, today=TODAY)
    assert granted.total_nok == again.amount_nok == Decimal("2325.00")


def test_a_negative_amount_exists_only_as_a_reversal(granted, caseworker):
    with pytest.raises(InvalidInput, match="tilbakeføre"):
        services.add_cost(granted, abroad_cost(amount="-1000"), actor=caseworker, today=TODAY)
    # The database holds the rule for every path, the import's bulk writer included.
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(CostEntry(application_id=granted.id, entry_date=date(2026, 10, 1),
                                 category=CostCategory.OTHER, amount=Decimal(-5), currency="NOK",
                                 amount_nok=Decimal(-5)))
        db.session.flush()


# The annual report

def test_the_report_sums_costs_with_credits_and_follows_corrected_facts(granted, caseworker):
    cost = services.add_cost(granted, abroad_cost(amount="805690,50", entry_date=date(2026, 10, 5),
                                                  invoice_reference="RH-2026-991"), actor=caseworker, today=TODAY)
    services.add_cost(granted, abroad_cost(amount="413320,50", entry_date=date(2026, 10, 5),
                                           invoice_reference="RH-2026-990"), actor=caseworker, today=TODAY)
    before = abroad_figures(2026)
    assert before["costs_by_region"]["helse-nord"]["2026"] == 1_219_011
    assert before["diagnosis_chapters"] == {"O00-O99": 1}
    services.reverse_cost(cost, CostReversal(reason="Bokført to ganger."), actor=caseworker)
    _correct(granted, caseworker, icd10="C50.1", reason="Feil diagnose.")
    after = abroad_figures(2026)
    assert after["costs_by_region"]["helse-nord"]["2026"] == 413_321
    assert after["diagnosis_chapters"] == {"C00-D48": 1}
    assert after["received"] == before["received"] == 1
    _correct(granted, caseworker, received_on=date(2025, 12, 30), reason="Mottatt før nyttår.")
    assert abroad_figures(2026)["received"] == 0 and abroad_figures(2025)["received"] == 1
    _correct(granted, caseworker, stream=Stream.PGD, reason="Gjelder PGD.")
    assert granted.stream is Stream.PGD
