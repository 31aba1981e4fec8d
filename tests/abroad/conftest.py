from datetime import date

import pytest

from app.abroad import services
from app.abroad.models import Decision, Stream, TreatmentClass
from app.auth.models import User
from app.demo import synthetic_national_id
from app.extensions import db

NORTH_PATIENT_ID = synthetic_national_id(date(1994, 3, 8))

# The annual report's example case: twin-to-twin transfusion syndrome, treated at Rigshospitalet; a Helse Nord
# patient is handled by Helse Sør-Øst's office.
TTTS = dict(national_id=NORTH_PATIENT_ID, patient_name="Nora Nordlys", birth_date=None, municipality="5501 Tromsø",
            home_region="helse-nord", stream=Stream.APPLICATION, received_on=date(2026, 9, 1), reference=None,
            applicant="Sykehuslege", referring_doctor="Lege Line Lie", referring_hospital="UNN Tromsø",
            requested_treatment="Fetoskopisk laserbehandling av tvilling-til-tvilling transfusjonssyndrom (TTTS)",
            requested_where="Rigshospitalet, København", treatment_class=TreatmentClass.ESTABLISHED, icd10="O43.0",
            method_reference=None)


@pytest.fixture
def caseworker(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))


@pytest.fixture
def register(caseworker):
    """Register an application (TTTS by default) as the Helse Sør-Øst caseworker."""
    def make(**overrides):
        return services.register_application(**{**TTTS, **overrides}, actor=caseworker, today=date(2026, 11, 20))
    return make


@pytest.fixture
def application(register):
    return register()


@pytest.fixture
def denied(application, caseworker):
    services.decide(application, decision=Decision.DENIED, decided_on=date(2026, 9, 20),
                    legal_basis=services.LEGAL_BASIS, reasoning="Tilbudet i Norge er faglig forsvarlig.",
                    actor=caseworker, letter=b"%PDF-1.7 avslag", today=date(2026, 11, 20))
    return application
