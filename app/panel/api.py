"""The expert panel in the JSON API: referrals, within the same access as the pages (the secretariat sees every
referral, a member those assigned to them); the secretariat refuses, withdraws or closes one with the page's form,
service and letter."""
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import ApiError, endpoint, json_input, run
from app.cases.interface import Case, get_case_or_404, load_record
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.extensions import db
from app.listing import list_json
from app.panel import services
from app.panel.assessment_forms import EndingForm
from app.panel.letters import end_with_letter
from app.panel.lists import REFERRALS
from app.panel.models import Referral

TAG = "panel"
_TEXT = {"type": ["string", "null"]}
REFERRAL = {"type": "object", "required": ["case_id", "case_number", "status"], "properties": {
    "case_id": {"type": "integer"}, "case_number": {"type": "string"}, "status": {"type": "string"},
    "patient": {"type": "object"}, "referring_trust": {"type": "string"}, "referring_doctor": {"type": "string"},
    "referred_on": {"type": "string", "format": "date"}, "complete_on": {"type": "string", "format": "date"},
    "due_on": {"type": "string", "format": "date"}, "icd10": {"type": "string"}, "outcome": _TEXT,
    "statements_sent": {"type": "array", "items": {"type": "string", "format": "date"}},
    "home_trust": _TEXT, "ending": {"type": ["object", "null"], "properties": {
        "status": {"type": "string"}, "ground": _TEXT, "reason": {"type": "string"},
        "ended_on": {"type": "string", "format": "date"}, "recipients": {"type": "array"},
        "copies": {"type": "array"}}}}}
LIST_QUERY = {"status": {"type": "string"}, "mine": {"type": "string"}, "overdue": {"type": "string"},
              "sort": {"type": "string"}, "etter": {"type": "string"}}
REFERRAL_PAGE = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": REFERRAL}, "total": {"type": "integer"},
    "next_cursor": {"type": ["string", "null"]}}}


def referral_json(referral: Referral, case: Case) -> dict:
    return {"case_id": case.id, "case_number": case.number, "status": referral.status.value,
            "patient": {"name": case.patient.name, "national_id": case.patient.national_id,
                        "birth_date": case.patient.birth_date.isoformat(), "home_region": case.patient.home_region},
            "referring_trust": referral.referring_trust, "referring_doctor": referral.referring_doctor,
            "referred_on": referral.referred_on.isoformat(), "complete_on": referral.complete_on.isoformat(),
            "due_on": referral.due_on.isoformat(), "icd10": referral.icd10,
            "outcome": referral.outcome.value if referral.outcome else None,
            "statements_sent": [statement.sent_on.isoformat() for statement in referral.statements],
            "home_trust": referral.home_trust.name if referral.home_trust else None,
            "ending": _ending_json(referral.ending)}


def _ending_json(ending) -> dict | None:
    if ending is None:
        return None
    return {"status": ending.status.value, "ground": ending.ground.value if ending.ground else None,
            "reason": ending.reason, "ended_on": ending.ended_on.isoformat(), "recipients": ending.recipients,
            "copies": ending.copies}


def _panel_roles_only() -> None:
    if current_user.role not in (Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER):
        raise ApiError(403, "Bare ekspertpanelets sekretariat og medlemmer har tilgang.")


@endpoint("/panel/referrals", summary="Henvisninger til ekspertpanelet (nyeste først)", tag=TAG,
          response=REFERRAL_PAGE, query=LIST_QUERY)
def list_referrals():
    _panel_roles_only()
    # The API lists the newest first, the page the open ones by deadline.
    return list_json(REFERRALS, lambda row: referral_json(row.Referral, row.Case), context="api_panel_referrals",
                     options=(selectinload(Referral.statements), selectinload(Referral.home_trust),
                              selectinload(Referral.ending), selectinload(Case.person)), default_sort="-henvist")


@endpoint("/panel/referrals/<int:case_id>", summary="Én henvisning", tag=TAG, response=REFERRAL)
def get_referral(case_id: int):
    _panel_roles_only()
    case = get_case_or_404(case_id)
    referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
    if referral is None:
        raise ApiError(404, "Finnes ikke.")
    record_access(AuditAction.VIEW, "panel_referral", referral.id, case=case, details={"page": "api"})
    return referral_json(referral, case)


@endpoint("/panel/referrals/<int:case_id>/ending", method="POST", tag=TAG, form=EndingForm, response=REFERRAL,
          summary="Avvis (utenfor mandatet), registrer som trukket eller avslutt en henvisning (med brev)")
def end_referral(case_id: int):
    _panel_roles_only()
    case, referral = load_record(case_id, Referral, "edit")
    form = json_input(EndingForm, check=lambda command: services.check_ending(referral, command))
    run(lambda: end_with_letter(case, referral, form.to_command(), actor=current_user))
    db.session.refresh(referral)
    record_access(AuditAction.VIEW, "panel_referral", referral.id, case=case, details={"page": "api"})
    return referral_json(referral, case)
