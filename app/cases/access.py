"""The one place that decides who may see and change which case (need-to-know, Normen).

Every route that shows or changes a case loads it through get_case_or_404(). A case outside
the user's scope answers 404 (its existence is not revealed) and leaves a `denied` audit row.
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, false, or_, select

from app.auth.roles import Role
from app.cases.audit import record_access
from app.cases.models import AuditAction, Case, CaseAssignment, CaseKind
from app.extensions import db

ABROAD_KINDS = (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL)

# Who may read method cases: they hold no patient data and are open to every case role.
METHOD_READERS = (Role.METHODS_SECRETARIAT, Role.BESTILLERFORUM, Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER,
                  Role.ABROAD_CASEWORKER, Role.ADMIN)


def visible_cases(user):
    """SQL condition on Case: the cases `user` may see. Mirrors can_view()."""
    if not user.is_active:
        return false()
    assigned = exists(select(CaseAssignment.id).where(
        CaseAssignment.case_id == Case.id, CaseAssignment.user_id == user.id))
    conditions = []
    if user.role in METHOD_READERS:
        conditions.append(Case.kind == CaseKind.METHOD)
    if user.role is Role.PANEL_SECRETARIAT:
        conditions.append(Case.kind == CaseKind.PANEL_REFERRAL)
    if user.role is Role.PANEL_MEMBER:
        conditions.append(and_(Case.kind == CaseKind.PANEL_REFERRAL, assigned))
    if user.role is Role.ABROAD_CASEWORKER and user.office:
        conditions.append(and_(Case.kind.in_(ABROAD_KINDS), Case.unit == user.office))
    return or_(*conditions) if conditions else false()


def editable_cases(user):
    """SQL condition on Case: the cases `user` may change. Mirrors can_edit()."""
    if not user.is_active:
        return false()
    if user.role is Role.METHODS_SECRETARIAT:
        return Case.kind == CaseKind.METHOD
    if user.role is Role.PANEL_SECRETARIAT:
        return Case.kind == CaseKind.PANEL_REFERRAL
    if user.role is Role.ABROAD_CASEWORKER and user.office:
        return and_(Case.kind.in_(ABROAD_KINDS), Case.unit == user.office)
    return false()


def _holds(condition, case: Case) -> bool:
    return db.session.scalar(select(Case.id).where(Case.id == case.id, condition)) is not None


def can_view(user, case: Case) -> bool:
    return _holds(visible_cases(user), case)


def can_edit(user, case: Case) -> bool:
    return _holds(editable_cases(user), case)


def creatable_kinds(user) -> list[CaseKind]:
    """The kinds of case `user` may register."""
    return {
        Role.METHODS_SECRETARIAT: [CaseKind.METHOD],
        Role.PANEL_SECRETARIAT: [CaseKind.PANEL_REFERRAL],
        Role.ABROAD_CASEWORKER: list(ABROAD_KINDS),
    }.get(user.role, [])


def may_register(user, kind: CaseKind, unit: str) -> bool:
    """Whether `user` may register a case of `kind` that lands at `unit` (their own scope only)."""
    if kind not in creatable_kinds(user):
        return False
    return kind not in ABROAD_KINDS or unit == user.office


def get_case_or_404(case_id: int, need: str = "view") -> Case:
    """Load a case the current user may see (need="view") or change (need="edit")."""
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_view(current_user, case):
        record_access(AuditAction.DENIED, "case", case.id, case=case, details={"need": need})
        abort(404)
    if need == "edit" and not can_edit(current_user, case):
        record_access(AuditAction.DENIED, "case", case.id, case=case, details={"need": need})
        abort(403)
    return case


def users_who_can_edit(case: Case) -> list:
    """Active users who may change `case`: the choices for responsible caseworker."""
    from app.auth.models import User

    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    return [user for user in users if _editable_by_role(user, case)]


def _editable_by_role(user, case: Case) -> bool:
    if user.role is Role.METHODS_SECRETARIAT:
        return case.kind is CaseKind.METHOD
    if user.role is Role.PANEL_SECRETARIAT:
        return case.kind is CaseKind.PANEL_REFERRAL
    if user.role is Role.ABROAD_CASEWORKER:
        return case.kind in ABROAD_KINDS and case.unit == user.office
    return False
