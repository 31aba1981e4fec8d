"""Treatment abroad's part of the dashboard: the office's appeals under way (at the office or at Klagenemnda).
(The medical opinions' deadlines are deadlines on the application's case, shown by the case core to the office.)"""
from datetime import date

from flask import url_for
from sqlalchemy import select

from app.abroad.models import OPEN_APPEAL_STATUSES, Appeal
from app.cases.interface import Case, visible_cases
from app.core.roles import Role
from app.extensions import db
from app.modules import DashboardBox, DashboardPart, DashboardRow

LIMIT = 50


def dashboard_part(user, today: date) -> DashboardPart:
    if user.role is not Role.ABROAD_CASEWORKER:
        return DashboardPart()
    rows = db.session.execute(
        select(Appeal, Case).join(Case, Case.id == Appeal.case_id)
        .where(Appeal.status.in_(OPEN_APPEAL_STATUSES), visible_cases(user))
        .order_by(Appeal.received_on, Appeal.id).limit(LIMIT)).all()
    return DashboardPart(boxes=(DashboardBox(
        "klager", "Klager under behandling", "Klager ved kontoret eller hos Klagenemnda, eldste først",
        tuple(DashboardRow(case_id=case.id, patient_id=case.patient_id, case_number=case.number,
                           title=case.public_title,
                           what=f"{appeal.status.label} (mottatt {appeal.received_on:%d.%m.%Y})",
                           url=url_for("abroad.appeal", case_id=case.id))
              for appeal, case in rows),
        "Ingen klager under behandling."),))
