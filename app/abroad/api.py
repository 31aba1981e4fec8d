"""Treatment abroad in the JSON API: applications, medical opinions, costs and appeals, read and written with the
pages' forms, services and access checks (app/api explains the conventions). The papers received for a record
(statement, invoice, appeal letter) come as a file part of a multipart/form-data body."""
from datetime import date

from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.abroad import forwarding, pgd, services
from app.abroad.forms import (
    AppealForm,
    AppealWithdrawalForm,
    ApplicationCorrectionForm,
    ApplicationForm,
    BoardDecisionForm,
    CostForm,
    CostReversalForm,
    DecisionForm,
    ExperimentalBasisForm,
    LateAppealForm,
    OpinionReceivedForm,
    OpinionRequestForm,
    ReconsiderationForm,
    TreatmentPlanForm,
)
from app.abroad.letters import assess_late_with_letter, decide_with_letter, reconsider_with_letter
from app.abroad.lists import APPEALS, APPLICATIONS
from app.abroad.models import Appeal, Application, CostEntry, DecisionPart, MedicalOpinion
from app.abroad.scheme_forms import ForwardingForm, PgdApprovalForm
from app.api import ApiError, endpoint, json_input, run
from app.cases.interface import Case, load_record
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.extensions import db
from app.http import owned_or_404
from app.listing import list_json

TAG = "abroad"

_DATE = {"type": ["string", "null"], "format": "date"}
_TEXT = {"type": ["string", "null"]}
_ID = {"type": ["integer", "null"], "description": "Dokumentet i saken (last ned fra sakens dokumenter)"}
COST = {"type": "object", "properties": {
    "id": {"type": "integer"}, "entry_date": {"type": "string", "format": "date"}, "category": {"type": "string"},
    "amount": {"type": "string"}, "currency": {"type": "string"}, "exchange_rate": _TEXT,
    "amount_nok": {"type": "string"}, "invoice_reference": _TEXT,
    "reverses_id": {"type": ["integer", "null"]}, "reason": _TEXT, "invoice_document_id": _ID}}
OPINION = {"type": "object", "properties": {
    "id": {"type": "integer"}, "requested_from": {"type": "string"}, "question": {"type": "string"},
    "requested_on": {"type": "string", "format": "date"}, "due_on": {"type": "string", "format": "date"},
    "received_on": _DATE, "conclusion": _TEXT, "document_id": _ID}}
APPEAL = {"type": "object", "properties": {
    "case_id": {"type": "integer"}, "case_number": {"type": "string"}, "application_case_id": {"type": "integer"},
    "status": {"type": "string"}, "received_on": {"type": "string", "format": "date"},
    "notified_on": {"type": "string", "format": "date"}, "deadline_on": {"type": "string", "format": "date"},
    "late": {"type": "boolean"}, "consider_late": {"type": ["boolean", "null"]}, "office_outcome": _TEXT,
    "office_decided_on": _DATE, "board_outcome": _TEXT, "board_decided_on": _DATE, "board_summary": _TEXT,
    "withdrawn_on": _DATE, "letter_document_id": _ID,
    "office_letter_document_id": {**_ID, "description": "Kontorets vedtaksbrev: avvisning (fvl. § 31) eller "
                                                        "omgjøring (fvl. § 33)"},
    "forwarding_document_id": {**_ID, "description": "Oversendelsesbrevet til Klagenemnda"}}}
DECISION_PART = {"type": "object", "properties": {
    "item": {"type": "string"}, "granted": {"type": "boolean"}, "reason": _TEXT,
    "instead_hospital": _TEXT, "instead_hospital_id": {"type": ["integer", "null"]}}}
APPLICATION = {"type": "object", "required": ["case_id", "case_number", "status"], "properties": {
    "case_id": {"type": "integer"}, "case_number": {"type": "string"}, "reference": _TEXT,
    "version": {"type": "integer"},
    "patient": {"type": "object", "properties": {
        "name": {"type": "string"}, "national_id": _TEXT, "birth_date": {"type": "string", "format": "date"},
        "street": _TEXT, "postal_code": _TEXT, "postal_place": _TEXT}},
    "stream": {"type": "string"}, "status": {"type": "string"}, "home_region": {"type": "string"},
    "office": {"type": "string"}, "received_on": {"type": "string", "format": "date"}, "child": {"type": "boolean"},
    "icd10": {"type": "string"}, "icd10_chapter": {"type": "string"}, "treatment_class": {"type": "string"},
    "trial_registry_id": _TEXT, "exception_grounds": _TEXT,
    "requested_treatment": _TEXT, "method_reference": _TEXT, "decision": _TEXT, "decided_on": _DATE,
    "legal_basis": _TEXT, "decision_parts": {"type": "array", "items": DECISION_PART},
    "approving_body": _TEXT, "approval_reference": _TEXT, "hospital": _TEXT,
    "forwarded_to": _TEXT, "forwarded_to_name": _TEXT, "forwarded_on": _DATE,
    "country": _TEXT, "planned_start": _DATE, "planned_end": _DATE,
    "flag": _TEXT, "total_nok": {"type": "string"}, "costs": {"type": "array", "items": COST},
    "opinions": {"type": "array", "items": OPINION},
    "appeals": {"type": "array", "items": APPEAL}}}
PAGE = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": APPLICATION}, "total": {"type": "integer"},
    "next_cursor": {"type": ["string", "null"]}}}
APPEAL_PAGE = {**PAGE, "properties": {**PAGE["properties"], "items": {"type": "array", "items": APPEAL}}}
LIST_QUERY = {"stream": {"type": "string"}, "status": {"type": "string"}, "region": {"type": "string"},
              "year": {"type": "string"}, "q": {"type": "string"}, "etter": {"type": "string"}}
APPEAL_QUERY = {"status": {"type": "string"}, "year": {"type": "string"}, "late": {"type": "string"},
                "sort": {"type": "string"}, "etter": {"type": "string"}}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _value(member) -> str | None:
    return member.value if member is not None else None


def cost_json(cost) -> dict:
    return {"id": cost.id, "entry_date": cost.entry_date.isoformat(), "category": cost.category.value,
            "amount": str(cost.amount), "currency": cost.currency,
            "exchange_rate": str(cost.exchange_rate) if cost.exchange_rate is not None else None,
            "amount_nok": str(cost.amount_nok), "invoice_reference": cost.invoice_reference,
            "reverses_id": cost.reverses_id, "reason": cost.reason, "invoice_document_id": cost.invoice_document_id}


def opinion_json(opinion: MedicalOpinion) -> dict:
    return {"id": opinion.id, "requested_from": opinion.requested_from, "question": opinion.question,
            "requested_on": opinion.requested_on.isoformat(), "due_on": opinion.due_on.isoformat(),
            "received_on": _iso(opinion.received_on), "conclusion": opinion.conclusion,
            "document_id": opinion.document_id}


def part_json(part: DecisionPart) -> dict:
    """An item of a partial grant: granted, or refused with the reason (and the hospital granted instead)."""
    hospital = part.instead_hospital
    return {"item": part.item.value, "granted": part.granted, "reason": part.reason,
            "instead_hospital": hospital.name if hospital else None, "instead_hospital_id": part.instead_hospital_id}


def appeal_json(appeal: Appeal, case: Case) -> dict:
    return {"case_id": appeal.case_id, "case_number": case.number,
            "application_case_id": appeal.application.case_id, "status": appeal.status.value,
            "received_on": appeal.received_on.isoformat(), "notified_on": appeal.notified_on.isoformat(),
            "deadline_on": appeal.deadline_on.isoformat(), "late": appeal.late, "consider_late": appeal.consider_late,
            "office_outcome": _value(appeal.office_outcome), "office_decided_on": _iso(appeal.office_decided_on),
            "board_outcome": _value(appeal.board_outcome), "board_decided_on": _iso(appeal.board_decided_on),
            "board_summary": appeal.board_summary, "withdrawn_on": _iso(appeal.withdrawn_on),
            "letter_document_id": appeal.letter_document_id,
            "office_letter_document_id": appeal.office_letter_document_id,
            "forwarding_document_id": appeal.forwarding_document_id}


def application_json(application: Application, case: Case, *, detail: bool = False) -> dict:
    data = {
        "case_id": case.id, "case_number": case.number, "reference": application.reference,
        "version": application.version,
        "patient": {"name": case.patient.name, "national_id": case.patient.national_id,
                    "birth_date": case.patient.birth_date.isoformat(), "street": case.patient.street,
                    "postal_code": case.patient.postal_code, "postal_place": case.patient.postal_place},
        "stream": application.stream.value, "status": application.status.value,
        "home_region": application.home_region, "office": application.office,
        "received_on": application.received_on.isoformat(), "child": application.child, "icd10": application.icd10,
        "icd10_chapter": application.icd10_chapter, "treatment_class": application.treatment_class.value,
        "trial_registry_id": application.trial_registry_id, "exception_grounds": application.exception_grounds,
        "requested_treatment": application.requested_treatment, "method_reference": application.method_reference,
        "decision": _value(application.decision), "decided_on": _iso(application.decided_on),
        "legal_basis": application.legal_basis, "approving_body": _value(application.approving_body),
        "approval_reference": application.approval_reference, "hospital": application.hospital,
        "country": application.country, "forwarded_to": _value(application.forwarded_to),
        "forwarded_to_name": application.forwarded_to_name, "forwarded_on": _iso(application.forwarded_on),
        "planned_start": _iso(application.planned_start), "planned_end": _iso(application.planned_end),
        "flag": application.flag, "total_nok": str(application.total_nok),
    }
    if detail:
        data["decision_parts"] = [part_json(part) for part in application.decision_parts]
        data["costs"] = [cost_json(cost) for cost in application.costs]
        data["opinions"] = [opinion_json(opinion) for opinion in application.opinions]
        data["appeals"] = [appeal_json(appeal, db.session.get(Case, appeal.case_id)) for appeal in application.appeals]
    return data


def _only_caseworkers() -> None:
    if current_user.role is not Role.ABROAD_CASEWORKER:
        raise ApiError(403, "Bare saksbehandlere for behandling i utlandet har tilgang.")


def _application(case_id: int, need: str = "view") -> tuple[Case, Application]:
    _only_caseworkers()
    return load_record(case_id, Application, need)


def _shown(case: Case, application: Application, status: int = 200):
    db.session.refresh(application)
    record_access(AuditAction.VIEW, "abroad_application", application.id, case=case, details={"page": "api"})
    return application_json(application, case, detail=True), status


@endpoint("/abroad/applications", summary="Søknader og henvisninger (filtrert, nyeste først)", tag=TAG,
          response=PAGE, query=LIST_QUERY)
def list_applications():
    _only_caseworkers()
    return list_json(APPLICATIONS, lambda row: application_json(row.Application, row.Case),
                     context="api_abroad_applications")


@endpoint("/abroad/applications/<int:case_id>", summary="Én søknad med kostnader og klager", tag=TAG,
          response=APPLICATION)
def get_application(case_id: int):
    return _shown(*_application(case_id))


@endpoint("/abroad/applications", method="POST", summary="Registrer søknad", tag=TAG, form=ApplicationForm,
          response=APPLICATION, status=201)
def create_application():
    _only_caseworkers()
    form = json_input(ApplicationForm, check=services.check_application)
    application = run(lambda: services.register_application(form.to_command(), actor=current_user))
    return _shown(db.session.get(Case, application.case_id), application, 201)


@endpoint("/abroad/applications/<int:case_id>/decision", method="POST", summary="Fatt vedtak (med vedtaksbrev)",
          tag=TAG, form=DecisionForm, response=APPLICATION)
def decide(case_id: int):
    case, application = _application(case_id, "edit")
    form = json_input(DecisionForm, check=lambda command: services.check_decision(application, command))
    run(lambda: decide_with_letter(case, application, form.to_command(), actor=current_user))
    return _shown(case, application)


@endpoint("/abroad/applications/<int:case_id>/experimental-basis", method="PUT",
          summary="Studiens registernummer eller grunnlaget for unntaket, før utprøvende behandling innvilges "
                  "(med versjonen du leste)", tag=TAG, form=ExperimentalBasisForm, response=APPLICATION)
def record_experimental_basis(case_id: int):
    case, application = _application(case_id, "edit")
    form = json_input(ExperimentalBasisForm)
    run(lambda: services.record_experimental_basis(application, form.to_command(),
                                                   expected_version=form.version.data, actor=current_user))
    return _shown(case, application)


@endpoint("/abroad/applications/<int:case_id>/opinions", method="POST",
          summary="Be om medisinsk uttalelse (med svarfrist)", tag=TAG, form=OpinionRequestForm, response=OPINION,
          status=201)
def request_opinion(case_id: int):
    _case, application = _application(case_id, "edit")
    form = json_input(OpinionRequestForm,
                      check=lambda command: services.check_opinion_request(application, command))
    opinion = run(lambda: services.request_opinion(application, form.to_command(), actor=current_user))
    return opinion_json(opinion), 201


@endpoint("/abroad/applications/<int:case_id>/opinions/<int:opinion_id>/received", method="POST",
          summary="Registrer mottatt uttalelse (uttalelsen som fil: multipart/form-data)", tag=TAG,
          form=OpinionReceivedForm, response=OPINION)
def record_opinion(case_id: int, opinion_id: int):
    _case, application = _application(case_id, "edit")
    opinion = owned_or_404(MedicalOpinion, opinion_id, application_id=application.id)
    form = json_input(OpinionReceivedForm)
    run(lambda: services.record_opinion(opinion, form.to_command(), actor=current_user))
    return opinion_json(opinion)


@endpoint("/abroad/applications/<int:case_id>/pgd-approval", method="POST",
          summary="Registrer godkjenning av PGD fra PGD-nemnda, OUS eller St. Olavs hospital (uten vedtaksbrev)",
          tag=TAG, form=PgdApprovalForm, response=APPLICATION)
def record_pgd_approval(case_id: int):
    case, application = _application(case_id, "edit")
    form = json_input(PgdApprovalForm, check=lambda command: pgd.check_approval(application, command))
    run(lambda: pgd.record_approval(application, form.to_command(), actor=current_user))
    return _shown(case, application)


@endpoint("/abroad/applications/<int:case_id>/forwarding", method="POST",
          summary="Send søknaden videre til rett ordning (forvaltningsloven § 4), med brev til pasienten", tag=TAG,
          form=ForwardingForm, response=APPLICATION)
def forward_application(case_id: int):
    case, application = _application(case_id, "edit")
    form = json_input(ForwardingForm, check=lambda command: forwarding.check_forwarding(application, command))
    run(lambda: forwarding.forward_with_letter(case, application, form.to_command(), actor=current_user))
    return _shown(case, application)


@endpoint("/abroad/applications/<int:case_id>/treatment-plan", method="PUT",
          summary="Behandlingssted, datoer, reise og opphold (med versjonen du leste)", tag=TAG,
          form=TreatmentPlanForm, response=APPLICATION)
def plan_treatment(case_id: int):
    case, application = _application(case_id, "edit")
    form = json_input(TreatmentPlanForm, check=lambda command: services.check_treatment_plan(application, command))
    run(lambda: services.plan_treatment(application, form.to_command(), expected_version=form.version.data,
                                        actor=current_user))
    return _shown(case, application)


@endpoint("/abroad/applications/<int:case_id>/costs", method="POST",
          summary="Før kostnad (fakturaen som fil: multipart/form-data)", tag=TAG,
          form=CostForm, response=COST, status=201)
def add_cost(case_id: int):
    _case, application = _application(case_id, "edit")
    form = json_input(CostForm, check=lambda command: services.check_cost(application, command))
    cost = run(lambda: services.add_cost(application, form.to_command(), actor=current_user))
    return cost_json(cost), 201


@endpoint("/abroad/applications/<int:case_id>/correction", method="PUT",
          summary="Rett søknadens registrerte opplysninger (med versjonen du leste og en begrunnelse)", tag=TAG,
          form=ApplicationCorrectionForm, response=APPLICATION)
def correct_application(case_id: int):
    case, application = _application(case_id, "edit")
    form = json_input(ApplicationCorrectionForm,
                      check=lambda command: services.check_correction(application, command, actor=current_user))
    run(lambda: services.correct_application(application, form.to_command(), expected_version=form.version.data,
                                             actor=current_user))
    return _shown(case, application)


@endpoint("/abroad/applications/<int:case_id>/costs/<int:cost_id>/reversal", method="POST",
          summary="Tilbakefør en kostnad (kreditering med negativt beløp og begrunnelse)", tag=TAG,
          form=CostReversalForm, response=COST, status=201)
def reverse_cost(case_id: int, cost_id: int):
    _case, application = _application(case_id, "edit")
    cost = owned_or_404(CostEntry, cost_id, application_id=application.id)
    form = json_input(CostReversalForm)
    credit = run(lambda: services.reverse_cost(cost, form.to_command(), actor=current_user))
    return cost_json(credit), 201


@endpoint("/abroad/applications/<int:case_id>/appeals", method="POST",
          summary="Registrer klage på vedtaket (klagebrevet som fil: multipart/form-data)",
          tag=TAG, form=AppealForm, response=APPEAL, status=201)
def create_appeal(case_id: int):
    _case, application = _application(case_id, "edit")
    form = json_input(AppealForm, check=lambda command: services.check_appeal(application, command))
    appeal = run(lambda: services.register_appeal(application, form.to_command(), actor=current_user))
    return _appeal_shown(db.session.get(Case, appeal.case_id), appeal, 201)


def _appeal(case_id: int, need: str = "view") -> tuple[Case, Appeal]:
    _only_caseworkers()
    return load_record(case_id, Appeal, need)


def _appeal_shown(case: Case, appeal: Appeal, status: int = 200):
    db.session.refresh(appeal)
    record_access(AuditAction.VIEW, "abroad_appeal", appeal.id, case=case, details={"page": "api"})
    return appeal_json(appeal, case), status


@endpoint("/abroad/appeals", summary="Klager (nyeste først)", tag=TAG, response=APPEAL_PAGE,
          query=APPEAL_QUERY)
def list_appeals():
    _only_caseworkers()
    return list_json(APPEALS, lambda row: appeal_json(row.Appeal, row.Case), context="api_abroad_appeals",
                     options=(selectinload(Appeal.application),))


@endpoint("/abroad/appeals/<int:case_id>", summary="Én klage", tag=TAG, response=APPEAL)
def get_appeal(case_id: int):
    return _appeal_shown(*_appeal(case_id))


@endpoint("/abroad/appeals/<int:case_id>/late-assessment", method="POST",
          summary="Vurdering av klage etter fristen (fvl. § 31); en avvisning journalføres med vedtaksbrev", tag=TAG,
          form=LateAppealForm, response=APPEAL)
def assess_late_appeal(case_id: int):
    case, appeal = _appeal(case_id, "edit")
    form = json_input(LateAppealForm, check=lambda command: services.check_late_appeal(appeal, command))
    run(lambda: assess_late_with_letter(case, appeal, form.to_command(), actor=current_user))
    return _appeal_shown(case, appeal)


@endpoint("/abroad/appeals/<int:case_id>/reconsideration", method="POST",
          summary="Kontorets behandling: omgjort (med vedtaksbrev), eller oversendt Klagenemnda (med "
                  "oversendelsesbrev)", tag=TAG,
          form=ReconsiderationForm, response=APPEAL)
def reconsider(case_id: int):
    case, appeal = _appeal(case_id, "edit")
    form = json_input(ReconsiderationForm, check=lambda command: services.check_reconsideration(appeal, command))
    run(lambda: reconsider_with_letter(case, appeal, form.to_command(), actor=current_user))
    return _appeal_shown(case, appeal)


@endpoint("/abroad/appeals/<int:case_id>/board-decision", method="POST", summary="Klagenemndas avgjørelse",
          tag=TAG, form=BoardDecisionForm, response=APPEAL)
def board_decision(case_id: int):
    case, appeal = _appeal(case_id, "edit")
    form = json_input(BoardDecisionForm, check=lambda command: services.check_board_decision(appeal, command))
    run(lambda: services.record_board_decision(appeal, form.to_command(), actor=current_user))
    return _appeal_shown(case, appeal)


@endpoint("/abroad/appeals/<int:case_id>/withdrawal", method="POST",
          summary="Klagen er trukket av pasienten (brevet som fil: multipart/form-data)", tag=TAG,
          form=AppealWithdrawalForm, response=APPEAL)
def withdraw_appeal(case_id: int):
    case, appeal = _appeal(case_id, "edit")
    form = json_input(AppealWithdrawalForm, check=lambda command: services.check_withdrawal(appeal, command))
    run(lambda: services.withdraw_appeal(appeal, form.to_command(), actor=current_user))
    return _appeal_shown(case, appeal)
