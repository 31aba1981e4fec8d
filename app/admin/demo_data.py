"""The admin's demo: an open request for the access log from a patient of the treatment-abroad demo, to preview
and answer (app/admin/access_log.py)."""
from datetime import timedelta

from sqlalchemy import select

from app.admin import access_log
from app.cases.models import Case, CaseKind, Patient
from app.cases.services import PartyAddress
from app.extensions import db
from app.modules import DemoSeed

DEMO_ADMIN = "admin@helsesak.test"


def load_demo(seed: DemoSeed) -> int:
    """One request, registered three days ago by the demo admin; none when the abroad demo has no such patient."""
    case = db.session.scalar(select(Case).join(Patient, Patient.id == Case.patient_id).where(
        Patient.name == "Kari Nordmann", Case.kind == CaseKind.ABROAD_APPLICATION).order_by(Case.id).limit(1))
    if case is None:
        return 0
    received_on = seed.today - timedelta(days=3)
    access_log.register_request(
        case.person, name=case.patient_name, received_on=received_on, actor=seed.users[DEMO_ADMIN],
        address=PartyAddress(case.patient_street or "Storgata 1", case.patient_postal_code or "0155",
                             case.patient_postal_place or "Oslo"), today=seed.today)
    return 1
