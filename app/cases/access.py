"""The one place that decides who may see and change which case (need-to-know, Normen).

Every route that shows or changes a case loads it through get_case_or_404(). A case outside
the user's scope answers 404 (its existence is not revealed) and leaves a `denied` audit row.
"""
from dataclasses import dataclass, field

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, false, or_, select, true

from app.auth.models import User
from app.cases.models import Case, CaseAssignment, CaseKind
from app.core.audit import AuditAction, record_access
from app.core.regions import METHODS_UNIT, PANEL_UNIT
from app.core.roles import Role
from app.db import likely
from app.extensions import db

ABROAD_KINDS = (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL)

# How far a grant reaches within a kind of case.
ALL = "all"                # every case of the kind
OWN_OFFICE = "own_office"  # cases of the user's treatment-abroad office (Helse Nord's go to Helse Sør-Øst's)
ASSIGNED = "assigned"      # cases the user was given access to (decision-based access)
OWN_UNIT = "own_unit"      # cases of the unit the user works in: the secretariat's, or the abroad office's

# The unit a secretariat role works in; an abroad caseworker's is their office.
ROLE_UNITS = {Role.METHODS_SECRETARIAT: METHODS_UNIT, Role.PANEL_SECRETARIAT: PANEL_UNIT}


@dataclass(frozen=True)
class Grants:
    view: dict[CaseKind, str] = field(default_factory=dict)
    edit: dict[CaseKind, str] = field(default_factory=dict)

    @property
    def create(self) -> list[CaseKind]:
        """Who may change a kind may register it (within the same reach); an access request comes in only
        through the public journal's form."""
        return [kind for kind in self.edit if kind is not CaseKind.ACCESS_REQUEST]


# Method cases hold no patient data and are open to every case role.
_METHODS = {CaseKind.METHOD: ALL}
_ABROAD = {kind: OWN_OFFICE for kind in ABROAD_KINDS}
# An access request is handled by the unit whose journal post it asks for.
_ACCESS_REQUESTS = {CaseKind.ACCESS_REQUEST: OWN_UNIT}

# The admin role answers the patients' requests for their access log (app.admin.access_log): its own cases.
_ACCESS_LOG = {CaseKind.ACCESS_LOG_REQUEST: ALL}

POLICY = {
    Role.ADMIN: Grants(view={**_METHODS, **_ACCESS_LOG}, edit=_ACCESS_LOG),
    Role.METHODS_SECRETARIAT: Grants(view={**_METHODS, **_ACCESS_REQUESTS}, edit={**_METHODS, **_ACCESS_REQUESTS}),
    Role.BESTILLERFORUM: Grants(view=_METHODS),
    Role.PANEL_SECRETARIAT: Grants(view={**_METHODS, CaseKind.PANEL_REFERRAL: ALL, **_ACCESS_REQUESTS},
                                   edit={CaseKind.PANEL_REFERRAL: ALL, **_ACCESS_REQUESTS}),
    Role.PANEL_MEMBER: Grants(view={**_METHODS, CaseKind.PANEL_REFERRAL: ASSIGNED}),
    Role.ABROAD_CASEWORKER: Grants(view={**_METHODS, **_ABROAD, **_ACCESS_REQUESTS},
                                   edit={**_ABROAD, **_ACCESS_REQUESTS}),
    Role.ANALYST: Grants(),
}


def unit_of(user) -> str | None:
    """The unit `user` works in (OWN_UNIT), or None."""
    return user.office if user.role is Role.ABROAD_CASEWORKER else ROLE_UNITS.get(user.role)


def roles_that_view(kind: CaseKind) -> tuple[Role, ...]:
    return tuple(role for role, grants in POLICY.items() if kind in grants.view)


def _condition(user, grants: dict[CaseKind, str]):
    """SQL condition on Case for a grant table; the single source for lists and single objects."""
    if not user.is_active:
        return false()
    conditions = []
    for kind, reach in grants.items():
        if reach == ALL:
            conditions.append(Case.kind == kind)
        elif reach == OWN_OFFICE and user.office:
            conditions.append(and_(Case.kind == kind, Case.unit == user.office))
        elif reach == OWN_UNIT and unit_of(user):
            conditions.append(and_(Case.kind == kind, Case.unit == unit_of(user)))
        elif reach == ASSIGNED:
            conditions.append(and_(Case.kind == kind, exists(select(CaseAssignment.id).where(
                CaseAssignment.case_id == Case.id, CaseAssignment.user_id == user.id))))
    if user.office and OWN_OFFICE in grants.values():
        # An office's grant covers its whole caseload, most of the table: the case list then reads the case
        # numbers' index in order and stops after a page instead of sorting the office's cases (app.db.likely;
        # SQLite's planner only does so when every branch of the condition is likely).
        conditions = [likely(condition) for condition in conditions]
    return or_(*conditions) if conditions else false()


def visible_cases(user):
    """SQL condition on Case: the cases `user` may see."""
    return _condition(user, POLICY[user.role].view)


def editable_cases(user):
    """SQL condition on Case: the cases `user` may change."""
    return _condition(user, POLICY[user.role].edit)


def visible_records(user, kind: CaseKind, *, case_id, unit=None):
    """SQL condition on a module's own table: its rows of `kind` that `user` may see, by the same grants as
    visible_cases() but without joining `cases`, so a list's count and page can use the module's own indexes.
    `case_id` is the table's case column; `unit` its copy of the case's unit, which the module keeps equal to
    the case's (a composite foreign key on (case_id, unit)); needed for kinds granted to the own office."""
    reach = POLICY[user.role].view.get(kind) if user.is_active else None
    if reach == ALL:
        return true()
    if reach in (OWN_OFFICE, OWN_UNIT) and (own := user.office if reach == OWN_OFFICE else unit_of(user)):
        if unit is None:
            raise ValueError(f"{kind} is granted by office: the list needs the table's unit column")
        return unit == own
    if reach == ASSIGNED:
        return exists(select(CaseAssignment.id).where(CaseAssignment.case_id == case_id,
                                                      CaseAssignment.user_id == user.id))
    return false()


def _holds(condition, case: Case) -> bool:
    return db.session.scalar(select(Case.id).where(Case.id == case.id, condition)) is not None


def can_view(user, case: Case) -> bool:
    return _holds(visible_cases(user), case)


def can_edit(user, case: Case) -> bool:
    return _holds(editable_cases(user), case)


def creatable_kinds(user) -> list[CaseKind]:
    """The kinds of case `user` may register."""
    return POLICY[user.role].create


def may_register(user, kind: CaseKind, unit: str) -> bool:
    """Whether `user` may register a case of `kind` that lands at `unit` (their own scope only)."""
    reach = POLICY[user.role].edit.get(kind)
    return reach == ALL or (reach == OWN_OFFICE and unit == user.office) or (reach == OWN_UNIT
                                                                             and unit == unit_of(user))


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


def load_record(case_id: int, model, need: str = "view"):
    """A module's page for one case: the case through get_case_or_404() and the module's record of it (`model`,
    keyed by case_id), 404 when the case has none."""
    case = get_case_or_404(case_id, need=need)
    record = db.session.scalar(select(model).where(model.case_id == case.id))
    if record is None:
        abort(404)
    return case, record


def audited_page(page: str, case: Case, record, object_type: str, context: str, status: int = 200):
    """Every page that shows a patient's case is logged as a view of the module's record, after rendering (so
    nothing is pending), with the page it was (`context`); returns the response."""
    record_access(AuditAction.VIEW, object_type, record.id, case=case, details={"page": context})
    return page, status


def users_who_can_edit(case: Case) -> list:
    """Active users who may change `case`: the choices for responsible caseworker."""
    return caseworkers(case.kind, case.unit)


def caseworkers(kind: CaseKind, unit: str) -> list:
    """Active users who may change the cases of `kind` at `unit` (their role edits the kind, and for a kind
    granted by office, they belong to the unit), by name: who a case of the unit may be assigned to."""
    roles = [role for role, grants in POLICY.items() if kind in grants.edit]
    query = select(User).where(User.active.is_(True), User.role.in_(roles)).order_by(User.name, User.id)
    if any(POLICY[role].edit[kind] == OWN_OFFICE for role in roles):
        query = query.where(User.office == unit)
    elif any(POLICY[role].edit[kind] == OWN_UNIT for role in roles):
        query = query.where(or_(and_(User.role == Role.ABROAD_CASEWORKER, User.office == unit),
                                User.role.in_([role for role, own in ROLE_UNITS.items() if own == unit])))
    return list(db.session.scalars(query))
