"""Nye Metoder in the JSON API: the public method data (what nyemetoder.no publishes), without a token.
Never here: price notes, comments, contact persons, user names or case numbers."""
from flask import abort

from app.api import endpoint
from app.listing import list_json
from app.methods.lists import PUBLIC_METHODS
from app.methods.services import find_method

TAG = "methods"

_TEXT = {"type": ["string", "null"]}
DECISION = {"type": ["object", "null"], "properties": {
    "decided_by": {"type": "string"}, "decided_on": {"type": "string", "format": "date"},
    "outcome": {"type": "string"}, "outcome_label": {"type": "string"},
    "points": {"type": "array", "items": {"type": "string"}}, "conditions": _TEXT}}
METHOD = {"type": "object", "required": ["reference", "title", "status"], "properties": {
    "reference": {"type": "string"}, "title": {"type": "string"}, "generic_name": _TEXT, "product_names": _TEXT,
    "indication": _TEXT, "method_type": {"type": "string"}, "subject_areas": {"type": "array"},
    "status": {"type": "string"}, "status_label": {"type": "string"}, "current_decision": DECISION}}
METHOD_PAGE = {"type": "object", "required": ["items", "total"], "properties": {
    "items": {"type": "array", "items": METHOD}, "total": {"type": "integer"}, "total_capped": {"type": "boolean"},
    "next_cursor": {"type": ["string", "null"]}, "messages": {"type": "array", "items": {"type": "string"}}}}
LIST_QUERY = {key: {"type": "string"} for key in ("q", "status", "method_type", "subject_area", "year", "sort",
                                                   "etter")}


def _decision_json(decision) -> dict | None:
    if decision is None:
        return None
    return {"decided_by": decision.decided_by.value, "decided_on": decision.decided_on.isoformat(),
            "outcome": decision.outcome.value, "outcome_label": decision.outcome.label,
            "points": list(decision.points), "conditions": decision.conditions}


def method_json(method) -> dict:
    return {"reference": method.reference, "title": method.title, "generic_name": method.generic_name,
            "product_names": method.product_names, "indication": method.indication,
            "method_type": method.method_type.value, "subject_areas": list(method.subject_areas),
            "status": method.status.value, "status_label": method.status.label,
            "current_decision": _decision_json(method.current_decision)}


@endpoint("/methods", summary="Metoder (offentlige opplysninger), med søk og filtre", tag=TAG, public=True,
          response=METHOD_PAGE, query=LIST_QUERY)
def list_methods():
    """The public method list (the public page's filters and order), a page at a time: the next page by
    ?etter=<next_cursor>."""
    return list_json(PUBLIC_METHODS, method_json, context="api_methods")


@endpoint("/methods/<reference>", summary="Én metode (offentlige opplysninger)", tag=TAG, public=True,
          response=METHOD)
def get_method(reference: str):
    method = find_method(reference)
    if method is None:
        abort(404)
    return method_json(method)
