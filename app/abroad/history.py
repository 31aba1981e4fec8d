"""How the case history names the changes of treatment abroad's records (app.modules.HistoryLabels)."""
from app.abroad.models import (
    AppealStatus,
    ApplicationStatus,
    BoardOutcome,
    CostCategory,
    Decision,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.modules import HistoryLabels

APPLICATION_FIELDS = {
    "stream": "Type sak", "received_on": "Mottatt", "treatment_class": "Behandlingens status",
    "icd10": "Hoveddiagnose (ICD-10)", "icd10_chapter": "ICD-10-kapittel", "reference": "Ekstern referanse",
    "applicant": "Søker", "referring_doctor": "Henvisende lege", "referring_hospital": "Henvisende sykehus",
    "requested_treatment": "Behandlingen det søkes om", "requested_where": "Ønsket behandlingssted",
    "method_reference": "Metode i Nye Metoder", "child": "Barn (under 18 år da søknaden kom inn)",
    "status": "Status", "decision": "Vedtak", "decided_on": "Vedtaksdato", "hospital": "Behandlende sykehus",
    "country": "Land", "planned_start": "Planlagt start", "planned_end": "Planlagt slutt",
    "travel_arrangements": "Reise", "stay_arrangements": "Opphold", "companion": "Ledsager",
    "appeal_case": "Klagesak",
}

LABELS = HistoryLabels(
    objects={"abroad_application": "Søknad", "abroad_medical_opinion": "Medisinsk uttalelse",
             "abroad_cost": "Kostnad", "abroad_appeal": "Klage"},
    fields={
        "abroad_application": APPLICATION_FIELDS,
        "abroad_medical_opinion": {"requested_from": "Fagmiljø", "question": "Hva skal vurderes",
                                   "due_on": "Svarfrist", "received_on": "Mottatt", "conclusion": "Konklusjon"},
        "abroad_cost": {"category": "Kategori", "amount": "Beløp", "amount_nok": "Beløp i NOK",
                        "entry_date": "Dato", "reverses": "Tilbakefører kostnad nr.",
                        "application_reference": "Søknadens referanse"},
        "abroad_appeal": {"status": "Status", "late": "For sent", "consider_late": "Behandles likevel",
                          "office_outcome": "Kontorets behandling",
                          "office_decided_on": "Dato for kontorets behandling",
                          "board_outcome": "Nemndas avgjørelse", "board_decided_on": "Dato for nemndas avgjørelse",
                          "board_summary": "Nemndas endring eller begrunnelse", "withdrawn_on": "Klagen trukket",
                          "office_letter_document_id": "Kontorets vedtaksbrev", "application_case": "Søknadssak"},
    },
    values={name: {member.value: member.label for member in enum} for name, enum in (
        ("stream", Stream), ("treatment_class", TreatmentClass), ("category", CostCategory), ("decision", Decision),
        ("abroad_application.status", ApplicationStatus), ("abroad_appeal.status", AppealStatus),
        ("office_outcome", OfficeOutcome), ("board_outcome", BoardOutcome))},
)
