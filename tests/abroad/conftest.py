from datetime import date

import pytest

from app.abroad import services
from app.abroad.models import Decision
from app.auth.models import User
from app.extensions import db
from tests.factories import abroad_application, abroad_decision


@pytest.fixture
def caseworker(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))


@pytest.fixture
def register(caseworker):
    """Register an application (TTTS by default) as the Helse Sør-Øst caseworker."""
    def make(**changes):
        return services.register_application(abroad_application(**changes), actor=caseworker,
                                             today=date(2026, 11, 20))
    return make


@pytest.fixture
def application(register):
    return register()


@pytest.fixture
def denied(application, caseworker):
    services.decide(application, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20),
                                                 reasoning="Tilbudet i Norge er faglig forsvarlig."),
                    actor=caseworker, letter=b"%PDF-1.7 avslag", today=date(2026, 11, 20))
    return application


@pytest.fixture
def worker_id(make_user):
    """The Helse Sør-Øst caseworker of the page tests (by id: a request makes its own session)."""
    return make_user("abroad_caseworker", office="helse-sor-ost", name="Siri Saksbehandler")


@pytest.fixture
def worker(login, worker_id):
    return login(worker_id)
