"""The methods secretariat's part of the dashboard: the commissions Bestillerforum ordered that are not yet
delivered, by their delivery deadline. (The follow-up assignments are deadlines on the method's case, shown by the
case core to the roles that change method cases.)"""
from datetime import date

from flask import url_for
from sqlalchemy import select

from app.cases.interface import cases_by_id
from app.core.roles import Role
from app.extensions import db
from app.methods.models import Commission, Method
from app.modules import DashboardPart, DashboardRow

LIMIT = 50


def dashboard_part(user, today: date) -> DashboardPart:
    if user.role is not Role.METHODS_SECRETARIAT:
        return DashboardPart()
    open_commissions = db.session.execute(
        select(Commission, Method).join(Method, Method.id == Commission.method_id)
        .where(Commission.delivered_on.is_(None), Commission.due_on.is_not(None))
        .order_by(Commission.due_on, Commission.id).limit(LIMIT)).all()
    cases = cases_by_id(method.case_id for _, method in open_commissions)
    return DashboardPart(deadlines=tuple(
        DashboardRow(case_id=method.case_id, patient_id=None, case_number=cases[method.case_id].number,
                     title=cases[method.case_id].public_title,
                     what=f"Leveranse av oppdrag: {commission.kind.label} ({commission.assessing_body})",
                     url=url_for("methods.detail", reference=method.reference, _anchor="oppdrag"),
                     due_on=commission.due_on)
        for commission, method in open_commissions))
