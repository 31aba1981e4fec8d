"""Who may do what in Nye Metoder. Reading goes through the case core's policy (method cases
hold no patient data and are open to every case role); these are the module's own rules."""
from flask import abort
from flask_login import current_user

from app.cases.interface import CaseKind, get_case_or_404, roles_that_view
from app.core.roles import Role
from app.extensions import db
from app.methods.models import Method, WorkingGroup
from app.methods.services import find_method

READERS = roles_that_view(CaseKind.METHOD)  # every case role; method cases hold no patient data


def get_method_or_404(reference: str, need: str = "view") -> Method:
    """Load a method the current user may see (or change), by its ID; 404 and an audit row otherwise."""
    method = find_method(reference)
    if method is None:
        abort(404)
    get_case_or_404(method.case_id, need=need)
    return method


def can_comment(user) -> bool:
    return user.is_authenticated and user.role in (Role.METHODS_SECRETARIAT, Role.BESTILLERFORUM)


def can_see_price_notes(user) -> bool:
    """Price notes are business secrets (fvl. § 13 første ledd nr. 2): the secretariat only."""
    return user.is_authenticated and user.role is Role.METHODS_SECRETARIAT


def require_secretariat() -> None:
    if not (current_user.is_authenticated and current_user.role is Role.METHODS_SECRETARIAT):
        abort(403)


def get_working_group_or_404(group_id: int, need: str = "view") -> WorkingGroup:
    """Load a working group the current user may see (or change): one whose every method they may (404 and an
    audit row otherwise, as for the methods)."""
    group = db.session.get(WorkingGroup, group_id)
    if group is None:
        abort(404)
    for method in group.methods:
        get_case_or_404(method.case_id, need=need)
    return group
