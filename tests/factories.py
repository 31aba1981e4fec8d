"""Commands for the services with sensible defaults: a test names only the values it is about."""
from dataclasses import replace
from datetime import date

from app.abroad.commands import (
    BoardDecision,
    LateAppealAssessment,
    NewAppeal,
    NewApplication,
    NewCost,
    NewDecision,
    OpinionReceived,
    OpinionRequest,
    Reconsideration,
    TreatmentPlan,
)
from app.abroad.models import BoardOutcome, CostCategory, Decision, OfficeOutcome, Stream, TreatmentClass
from app.abroad.services import LEGAL_BASIS
from app.demo import synthetic_national_id

# Treatment abroad

NORTH_PATIENT_ID = synthetic_national_id(date(1994, 3, 8))

# Seed S3: twin-to-twin transfusion syndrome, treated at Rigshospitalet; a Helse Nord patient is handled
# by Helse Sør-Øst's office.
TTTS = NewApplication(
    national_id=NORTH_PATIENT_ID, patient_name="Nora Nordlys", birth_date=None, municipality="5501 Tromsø",
    home_region="helse-nord", stream=Stream.APPLICATION, received_on=date(2026, 9, 1), applicant="Sykehuslege",
    referring_doctor="Lege Line Lie", referring_hospital="UNN Tromsø",
    requested_treatment="Fetoskopisk laserbehandling av tvilling-til-tvilling transfusjonssyndrom (TTTS)",
    requested_where="Rigshospitalet, København", treatment_class=TreatmentClass.ESTABLISHED, icd10="O43.0")


def abroad_application(**changes) -> NewApplication:
    """The TTTS application of seed S3, with `changes`."""
    return replace(TTTS, **changes)


def abroad_opinion_request(**changes) -> OpinionRequest:
    return OpinionRequest(**{"requested_from": "Fostermedisin, Oslo universitetssykehus",
                             "question": "Er laserbehandling i utlandet nødvendig?", "requested_on": date(2026, 9, 2),
                             "due_on": date(2026, 9, 12), **changes})


def abroad_opinion_received(**changes) -> OpinionReceived:
    return OpinionReceived(**{"received_on": date(2026, 9, 10), "conclusion": "Anbefaler behandling i København.",
                              **changes})


def abroad_decision(decision: Decision = Decision.GRANTED, **changes) -> NewDecision:
    """A decision on the TTTS application, after it was received, with the usual legal basis."""
    return NewDecision(**{"decision": decision, "decided_on": date(2026, 9, 11), "legal_basis": LEGAL_BASIS,
                          "reasoning": "Tilbudet finnes ikke i Norge.", **changes})


def abroad_plan(**changes) -> TreatmentPlan:
    return TreatmentPlan(**{"hospital": "Rigshospitalet", "country": "DK", **changes})


def abroad_cost(**changes) -> NewCost:
    return NewCost(**{"entry_date": date(2026, 10, 1), "category": CostCategory.TREATMENT, "amount": "1000",
                      "currency": "NOK", **changes})


def abroad_appeal(**changes) -> NewAppeal:
    """A complaint on time against a refusal of 20.09.2026 the patient received two days later."""
    return NewAppeal(**{"received_on": date(2026, 10, 1), "notified_on": date(2026, 9, 22), **changes})


def abroad_late_assessment(consider: bool, **changes) -> LateAppealAssessment:
    return LateAppealAssessment(**{"consider": consider, "assessment": "Vurdert etter forvaltningsloven § 31.",
                                   **changes})


def abroad_reconsideration(outcome: OfficeOutcome = OfficeOutcome.FORWARDED, **changes) -> Reconsideration:
    return Reconsideration(**{"outcome": outcome, "decided_on": date(2026, 10, 8),
                              "reasoning": "Kontoret opprettholder avslaget.", **changes})


def abroad_board_decision(outcome: BoardOutcome = BoardOutcome.UPHELD, **changes) -> BoardDecision:
    return BoardDecision(**{"outcome": outcome, "decided_on": date(2026, 11, 2), **changes})
