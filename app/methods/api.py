"""Nye Metoder in the JSON API: the public method data (what nyemetoder.no publishes, app/methods/public.py),
without a token: the method list with the public page's filters, a method with its stages and published
documents, and the changes the Atom feeds carry (of every method or, with the list's filters, of the filtered
list's). Never here: price notes, comments, contact persons, user names or case numbers. With the secretariat's
token: registering a method (a proposal), which answers 409 with the similar methods until the request confirms it
is another one. The working groups' endpoints (working_group_api.py) need a token too."""
from flask import abort, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.api import ApiError, endpoint, json_input, run
from app.core.roles import Role
from app.errors import DomainError
from app.listing import list_json
from app.methods import public, services
from app.methods.forms import NewMethodForm
from app.methods.lists import PUBLIC_METHODS
from app.methods.models import Commission, Method
from app.methods.services import find_method

TAG = "methods"

_TEXT = {"type": ["string", "null"]}
_DATE = {"type": "string", "format": "date"}
DECISION = {"type": ["object", "null"], "properties": {
    "decided_by": {"type": "string"}, "decided_on": _DATE,
    "outcome": {"type": "string"}, "outcome_label": {"type": "string"},
    "points": {"type": "array", "items": {"type": "string"}}, "conditions": _TEXT}}
STAGE = {"type": "object", "required": ["on", "status"], "properties": {
    "on": _DATE, "status": {"type": "string"}, "status_label": {"type": "string"}}}
ASSESSMENT = {"type": ["object", "null"], "properties": {
    "author_body": {"type": "string"}, "published_on": _DATE, "pdf_url": {"type": "string"}}}
COMMISSION = {"type": "object", "properties": {
    "kind": {"type": "string"}, "kind_label": {"type": "string"}, "assessing_body": {"type": "string"},
    "started_on": _DATE, "due_on": {"type": ["string", "null"], "format": "date"},
    "delivered_on": {"type": ["string", "null"], "format": "date"},
    "reports": {"type": "array", "items": {"type": "object", "properties": {
        "title": {"type": "string"}, "delivered_on": _DATE, "file_url": {"type": ["string", "null"]}}}}}}
SUBMISSION = {"type": "object", "properties": {
    "kind": {"type": "string"}, "kind_label": {"type": "string"}, "organisation": {"type": "string"},
    "received_on": _DATE}}
PAPER = {"type": "object", "properties": {
    "meeting": {"type": "string"}, "forum": {"type": "string"}, "meeting_date": _DATE, "kind": {"type": "string"},
    "kind_label": {"type": "string"}, "pdf_url": {"type": "string"}}}
METHOD = {"type": "object", "required": ["reference", "title", "status", "last_updated"], "properties": {
    "reference": {"type": "string"}, "title": {"type": "string"}, "generic_name": _TEXT, "atc_code": _TEXT,
    "product_names": _TEXT, "indication": _TEXT, "method_type": {"type": "string"},
    "subject_areas": {"type": "array"}, "status": {"type": "string"}, "status_label": {"type": "string"},
    "last_updated": _DATE, "current_decision": DECISION}}
METHOD_DETAIL = {**METHOD, "properties": {
    **METHOD["properties"], "stages": {"type": "array", "items": STAGE}, "assessment": ASSESSMENT,
    "submissions": {"type": "array", "items": SUBMISSION}, "meeting_papers": {"type": "array", "items": PAPER},
    "commissions": {"type": "array", "items": COMMISSION},
    "decisions": {"type": "array", "items": DECISION}}}
METHOD_PAGE = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": METHOD}, "total": {"type": "integer"}, "total_capped": {"type": "boolean"},
    "next_cursor": {"type": ["string", "null"]}, "messages": {"type": "array", "items": {"type": "string"}}}}
CHANGE = {"type": "object", "required": ["reference", "on", "key", "title"], "properties": {
    "reference": {"type": "string"}, "method_title": {"type": "string"}, "on": _DATE, "key": {"type": "string"},
    "title": {"type": "string"}, "text": {"type": "string"}}}
SIMILAR = {"type": "object", "properties": {
    "reference": {"type": "string"}, "title": {"type": "string"}, "generic_name": _TEXT, "product_names": _TEXT,
    "status": {"type": "string"}, "status_label": {"type": "string"}}}
REGISTERED = {"type": "object", "required": ["reference"], "properties": {
    "reference": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "string"}}}
CHANGES = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": CHANGE}}}
# What «last_updated» reads of each listed method, loaded for the whole page at once.
LAST_UPDATED_OPTIONS = (selectinload(Method.status_changes),
                        selectinload(Method.commissions).selectinload(Commission.reports))
# The public page's filters, each under its key, so the API and the page stay in step.
FILTER_QUERY = {list_filter.key: {"type": "string"} for list_filter in PUBLIC_METHODS.filters}
LIST_QUERY = {**FILTER_QUERY, "sort": {"type": "string"}, "etter": {"type": "string"}}


def _decision_json(decision) -> dict | None:
    if decision is None:
        return None
    return {"decided_by": decision.decided_by.value, "decided_on": decision.decided_on.isoformat(),
            "outcome": decision.outcome.value, "outcome_label": decision.outcome.label,
            "points": list(decision.points), "conditions": decision.conditions}


def _optional_date(day) -> str | None:
    return day.isoformat() if day else None


def method_json(method) -> dict:
    return {"reference": method.reference, "title": method.title, "generic_name": method.generic_name,
            "atc_code": method.atc_code, "product_names": method.product_names, "indication": method.indication,
            "method_type": method.method_type.value, "subject_areas": list(method.subject_areas),
            "status": method.status.value, "status_label": method.status.label,
            "last_updated": public.last_updated(method).isoformat(),
            "current_decision": _decision_json(method.current_decision)}


def _assessment_json(method) -> dict | None:
    assessment = public.published_assessment(method)
    if assessment is None:
        return None
    return {"author_body": assessment.author_body,
            "published_on": public.assessment_published_on(method).isoformat(),
            "pdf_url": url_for("public_methods.assessment_pdf", reference=method.reference, _external=True)}


def _paper_json(paper) -> dict:
    meeting = paper.meeting
    return {"meeting": meeting.label, "forum": meeting.forum.value, "meeting_date": meeting.meeting_date.isoformat(),
            "kind": paper.kind.value, "kind_label": paper.kind.label,
            "pdf_url": url_for("public_methods.meeting_paper", meeting_id=meeting.id, kind=paper.kind.value,
                               _external=True)}


def _report_json(method, report, files: set[int]) -> dict:
    return {"title": report.title, "delivered_on": report.delivered_on.isoformat(),
            "file_url": url_for("public_methods.report_file", reference=method.reference, report_id=report.id,
                                _external=True) if report.id in files else None}


def method_detail_json(method) -> dict:
    """The method as its public page shows it: its stages, the submissions (without the contact person and
    department), the published assessment, the meetings' published papers, the commissions with their delivered
    reports (a file's address when it is published) and every decision (amended ones too)."""
    files = {report.id for report in public.published_reports(method)}
    return {**method_json(method),
            "stages": [{"on": change.on.isoformat(), "status": change.to_status.value,
                        "status_label": change.to_status.label} for change in method.status_changes],
            "submissions": [{"kind": submission.kind.value, "kind_label": submission.kind.label,
                             "organisation": submission.organisation,
                             "received_on": submission.received_on.isoformat()} for submission in method.submissions],
            "assessment": _assessment_json(method),
            "meeting_papers": [_paper_json(paper) for paper in public.published_papers(method)],
            "commissions": [{"kind": commission.kind.value, "kind_label": commission.kind.label,
                             "assessing_body": commission.assessing_body,
                             "started_on": commission.started_on.isoformat(),
                             "due_on": _optional_date(commission.due_on),
                             "delivered_on": _optional_date(commission.delivered_on),
                             "reports": [_report_json(method, report, files) for report in commission.reports]}
                            for commission in method.commissions],
            "decisions": [_decision_json(decision) for decision in method.decisions]}


def _changes_json(changes) -> dict:
    return {"items": [{"reference": change.reference, "method_title": change.method_title,
                       "on": change.on.isoformat(), "key": change.key, "title": change.title, "text": change.text}
                      for change in changes]}


def _method_or_404(reference: str):
    method = find_method(reference)
    if method is None:
        abort(404)
    return method


@endpoint("/methods", summary="Metoder (offentlige opplysninger), med søk og filtre", tag=TAG, public=True,
          response=METHOD_PAGE, query=LIST_QUERY)
def list_methods():
    """The public method list (the public page's filters and order), a page at a time: the next page by
    ?etter=<next_cursor>."""
    return list_json(PUBLIC_METHODS, method_json, context="api_methods", options=LAST_UPDATED_OPTIONS)


@endpoint("/methods/changes", summary="De nyeste endringene i alle metoder, eller i metodene listens filtre velger "
          "(som Atom-strømmen)", tag=TAG, public=True, response=CHANGES, query=FILTER_QUERY)
def list_changes():
    changes, _values = public.list_changes(request.args, current_user)
    return _changes_json(changes)


@endpoint("/methods/<reference>", summary="Én metode (offentlige opplysninger)", tag=TAG, public=True,
          response=METHOD_DETAIL)
def get_method(reference: str):
    return method_detail_json(_method_or_404(reference))


@endpoint("/methods/<reference>/changes", summary="Endringene i én metode (som metodens Atom-strøm)", tag=TAG,
          public=True, response=CHANGES)
def get_method_changes(reference: str):
    return _changes_json(public.method_changes(_method_or_404(reference)))


def _similar_json(similar) -> list[dict]:
    return [{"reference": each.reference, "title": each.title, "generic_name": each.generic_name,
             "product_names": each.product_names, "status": each.status.value, "status_label": each.status.label}
            for each in similar]


@endpoint("/methods", method="POST", summary="Registrer metode (forslag); 409 med lignende metoder til "
          "confirm_duplicate er sann", tag=TAG, form=NewMethodForm, response=REGISTERED, status=201)
def create_method():
    """The page's registration: the same form, rules and possible-duplicate step. A request whose only refusal
    is that similar methods exist is answered 409 with them as `similar`; sending it again with
    confirm_duplicate true registers it."""
    if current_user.role is not Role.METHODS_SECRETARIAT:
        raise ApiError(403, "Bare sekretariatet for Nye Metoder kan registrere metoder.")
    form = json_input(NewMethodForm, check=lambda draft: services.check_method(draft, actor=current_user))
    command = form.to_command()
    try:
        services.check_method(command, actor=current_user)
    except services.PossibleDuplicates as duplicates:
        raise ApiError(409, str(duplicates), details={"similar": _similar_json(duplicates.similar)}) from None
    except DomainError:
        pass   # the other refusals: run() answers them with every field's message, as the page shows them
    method = run(lambda: services.register_method(command, actor=current_user))
    return {"reference": method.reference, "title": method.title, "status": method.status.value}, 201


from app.methods import working_group_api  # noqa: E402,F401  (the working groups' endpoints, with a token)
