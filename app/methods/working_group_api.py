"""The working groups in the JSON API, with a token and the pages' access: every role that reads methods lists
and reads them (a group's members are staff's personal data: each read of a group is logged), the methods
secretariat registers and changes them with the pages' forms and services. Never public."""
from flask_login import current_user

from app.api import ApiError, endpoint, json_input, run
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.extensions import db
from app.listing import list_json
from app.methods import working_groups as services
from app.methods.access import READERS, get_working_group_or_404
from app.methods.lists import WORKING_GROUPS
from app.methods.models import WorkingGroup
from app.methods.working_group_forms import (
    EditWorkingGroupForm,
    MemberForm,
    WorkingGroupForm,
    WorkingGroupReportForm,
)

TAG = "methods"
_TEXT = {"type": ["string", "null"]}
_DAY = {"type": ["string", "null"], "format": "date"}
WORKING_GROUP = {"type": "object", "required": ["id", "title", "methods", "version"], "properties": {
    "id": {"type": "integer"}, "version": {"type": "integer"}, "title": {"type": "string"},
    "methods": {"type": "array", "items": {"type": "string"}}, "reports_to": {"type": "string"},
    "approved_on": _DAY, "due_on": _DAY, "report_delivered_on": _DAY}}
MEMBER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "position": _TEXT, "role": {"type": "string"},
    "role_label": {"type": "string"}, "nominated_by": _TEXT, "nominating_organisation": _TEXT}}
WORKING_GROUP_DETAIL = {**WORKING_GROUP, "properties": {
    **WORKING_GROUP["properties"], "mandate": _TEXT, "secretariat": _TEXT, "basis_document_lead": _TEXT,
    "basis_document_id": {"type": ["integer", "null"]}, "members": {"type": "array", "items": MEMBER},
    "report": {"type": "array", "items": {"type": "object", "properties": {
        "key": {"type": "string"}, "question": {"type": "string"}, "sub_question": _TEXT, "answer": _TEXT}}}}}
WORKING_GROUP_PAGE = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": WORKING_GROUP}, "total": {"type": "integer"},
    "next_cursor": {"type": ["string", "null"]}}}


def working_group_json(group: WorkingGroup) -> dict:
    return {"id": group.id, "version": group.version, "title": group.title,
            "methods": [method.reference for method in group.methods], "reports_to": group.reports_to,
            "approved_on": _day(group.approved_on), "due_on": _day(group.due_on),
            "report_delivered_on": _day(group.report_delivered_on)}


def working_group_detail_json(group: WorkingGroup) -> dict:
    """The group with its members and its report, question by question."""
    return {**working_group_json(group), "mandate": group.mandate, "secretariat": group.secretariat,
            "basis_document_lead": group.basis_document_lead, "basis_document_id": group.basis_document_id,
            "members": [{"id": member.id, "name": member.name, "position": member.position,
                         "role": member.role.value, "role_label": member.role.label,
                         "nominated_by": member.nominated_by.value if member.nominated_by else None,
                         "nominating_organisation": member.nominating_organisation} for member in group.members],
            "report": [{"key": key, "question": question, "sub_question": sub,
                        "answer": group.report_answers.get(key)}
                       for key, question, sub in services.answer_slots(group.report_questions)]}


def _day(day) -> str | None:
    return day.isoformat() if day else None


def _readers_only() -> None:
    if current_user.role not in READERS:
        raise ApiError(403, "Bare brukere som leser metodene, har tilgang.")


def _secretariat_only() -> None:
    if current_user.role is not Role.METHODS_SECRETARIAT:
        raise ApiError(403, "Bare sekretariatet for Nye Metoder kan endre arbeidsgrupper.")


def _shown(group: WorkingGroup, status: int = 200):
    db.session.refresh(group)
    record_access(AuditAction.VIEW, "method_working_group", group.id, details={"page": "api"})
    return working_group_detail_json(group), status


@endpoint("/methods/working-groups", summary="Arbeidsgrupper (nyeste først)", tag=TAG, response=WORKING_GROUP_PAGE,
          query={"rapport": {"type": "string"}, "sort": {"type": "string"}, "etter": {"type": "string"}})
def list_working_groups():
    _readers_only()
    return list_json(WORKING_GROUPS, working_group_json, context="api_working_groups")


@endpoint("/methods/working-groups/<int:group_id>", summary="Én arbeidsgruppe med medlemmer og rapport", tag=TAG,
          response=WORKING_GROUP_DETAIL)
def get_working_group(group_id: int):
    _readers_only()
    return _shown(get_working_group_or_404(group_id))


@endpoint("/methods/working-groups", method="POST", summary="Registrer arbeidsgruppe (metodene som ID-er)",
          tag=TAG, form=WorkingGroupForm, response=WORKING_GROUP_DETAIL, status=201)
def create_working_group():
    _secretariat_only()
    form = json_input(WorkingGroupForm, check=services.check_working_group)
    group = run(lambda: services.create_working_group(form.to_command(), actor=current_user))
    return _shown(group, 201)


@endpoint("/methods/working-groups/<int:group_id>", method="PUT",
          summary="Endre arbeidsgruppen (med versjonen du leste)", tag=TAG, form=EditWorkingGroupForm,
          response=WORKING_GROUP_DETAIL)
def update_working_group(group_id: int):
    _secretariat_only()
    group = get_working_group_or_404(group_id, need="edit")
    form = json_input(EditWorkingGroupForm, check=lambda details: services.check_working_group(details, group),
                      data=EditWorkingGroupForm.stored(group))
    run(lambda: services.update_working_group(group, form.to_command(), expected_version=form.version.data,
                                              actor=current_user))
    return _shown(group)


@endpoint("/methods/working-groups/<int:group_id>/members", method="POST", summary="Legg til medlem", tag=TAG,
          form=MemberForm, response=WORKING_GROUP_DETAIL, status=201)
def add_member(group_id: int):
    _secretariat_only()
    group = get_working_group_or_404(group_id, need="edit")
    form = json_input(MemberForm, check=lambda command: services.check_member(group, command))
    run(lambda: services.add_member(group, form.to_command(), actor=current_user))
    return _shown(group, 201)


@endpoint("/methods/working-groups/<int:group_id>/report", method="PUT", tag=TAG, form=WorkingGroupReportForm,
          response=WORKING_GROUP_DETAIL,
          summary="Skriv rapporten: svar per spørsmål som answer_1_2 (spørsmål 1, underspørsmål 2), og "
                  "delivered_on når den er levert (med versjonen du leste)")
def record_report(group_id: int):
    _secretariat_only()
    group = get_working_group_or_404(group_id, need="edit")
    form = json_input(WorkingGroupReportForm.class_for(group),
                      check=lambda command: services.check_report(group, command),
                      data=WorkingGroupReportForm.stored(group))
    run(lambda: services.record_report(group, form.to_command(), expected_version=form.version.data,
                                       actor=current_user))
    return _shown(group)
