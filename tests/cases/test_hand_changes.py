"""What a user changes by hand on the core's pages. «Endre sak»: a changed title corrects a registered fact and
needs its reason; a new responsible caseworker is an assignment and needs none. The status page: a case whose
status follows a module's record is discarded, closed once the module has finished it, and reopened to the
module's status, and never given a status that contradicts the module (the service and the page alike)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.abroad import services as abroad
from app.abroad.models import Application, Decision
from app.auth.models import User
from app.cases import services
from app.cases.models import Case, CaseStatus
from app.core.audit import AuditAction, AuditEvent
from app.errors import InvalidInput
from app.extensions import db
from app.methods import services as methods
from app.methods.commands import StatusChange
from app.methods.models import MethodStatus
from tests.factories import abroad_application, abroad_decision, new_method

TODAY = date(2026, 11, 20)


@pytest.fixture
def caseworker(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))


def _application_case(caseworker) -> Case:
    application = abroad.register_application(abroad_application(), actor=caseworker, today=TODAY)
    return db.session.get(Case, application.case_id)


# «Endre sak»

def test_a_new_title_needs_its_reason_and_keeps_it_in_the_audit_row(caseworker):
    case = _application_case(caseworker)
    title = case.title
    with pytest.raises(InvalidInput) as refused:
        services.update_case(case, expected_version=case.version, title="Søknad – Nora Nordlys (rettet)",
                             responsible_id=case.responsible_id, reason="  ", actor=caseworker)
    assert refused.value.field == "reason" and case.title == title
    services.update_case(case, expected_version=case.version, title="Søknad – Nora Nordlys (rettet)",
                         responsible_id=case.responsible_id, reason="Skrivefeil i tittelen", actor=caseworker)
    changes = db.session.scalars(select(AuditEvent.changes).where(
        AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id),
        AuditEvent.action == AuditAction.UPDATE).order_by(AuditEvent.id.desc())).first()
    assert changes["title"] == [title, "Søknad – Nora Nordlys (rettet)"]
    assert changes["reason"] == "Skrivefeil i tittelen"


def test_assigning_another_caseworker_needs_no_reason(caseworker, make_user):
    case = _application_case(caseworker)
    other = make_user("abroad_caseworker", office="helse-sor-ost")
    changes = services.update_case(case, expected_version=case.version, title=case.title, responsible_id=other,
                                   actor=caseworker)
    assert set(changes) == {"responsible_id"}


def test_the_edit_page_asks_for_the_reason_of_a_new_title(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    refused = client.post(f"/saker/{case_id}/endre", data={"title": "Ny tittel", "responsible_id": user,
                                                            "reason": "", "version": 1})
    assert refused.status_code == 200
    assert 'id="reason-error"' in refused.get_data(as_text=True)
    assert "Skriv hvorfor sakstittelen endres." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).title != "Ny tittel"
    assert client.post(f"/saker/{case_id}/endre", data={"title": "Ny tittel", "responsible_id": user,
                                                          "reason": "Feil i tittelen", "version": 1}).status_code == 302


# The status page

def test_a_case_the_module_has_not_finished_may_only_be_discarded(caseworker):
    case = _application_case(caseworker)
    assert case.status is CaseStatus.CREATED
    assert services.statuses_by_hand(case) == {CaseStatus.DISCARDED}
    for status in (CaseStatus.IN_PROGRESS, CaseStatus.FINISHED_BY_CASEWORKER, CaseStatus.CLOSED):
        with pytest.raises(InvalidInput, match="følger sakens behandling") as refused:
            services.change_status_by_hand(case, status, expected_version=case.version, comment=None,
                                           actor=caseworker)
        assert refused.value.field == "status" and case.status is CaseStatus.CREATED
    services.change_status_by_hand(case, CaseStatus.DISCARDED, expected_version=case.version,
                                   comment="Registrert to ganger", actor=caseworker)
    assert case.status is CaseStatus.DISCARDED and services.statuses_by_hand(case) == set()


def test_a_finished_case_is_closed_and_reopened_to_the_modules_status(caseworker):
    case = _application_case(caseworker)
    application = db.session.scalars(select(Application).where(Application.case_id == case.id)).one()
    abroad.decide(application, abroad_decision(Decision.WITHDRAWN, legal_basis=None, reasoning=None),
                  actor=caseworker, letter=None, today=TODAY)
    assert case.status is CaseStatus.FINISHED_BY_CASEWORKER
    assert services.statuses_by_hand(case) == {CaseStatus.CLOSED, CaseStatus.DISCARDED}
    services.change_status_by_hand(case, CaseStatus.CLOSED, expected_version=case.version, comment=None,
                                   actor=caseworker)
    assert services.statuses_by_hand(case) == {CaseStatus.FINISHED_BY_CASEWORKER}
    with pytest.raises(InvalidInput):
        services.change_status_by_hand(case, CaseStatus.IN_PROGRESS, expected_version=case.version, comment=None,
                                       actor=caseworker)
    services.change_status_by_hand(case, CaseStatus.FINISHED_BY_CASEWORKER, expected_version=case.version,
                                   comment="Ny opplysning", actor=caseworker)
    assert case.status is CaseStatus.FINISHED_BY_CASEWORKER


def test_a_case_the_module_closed_is_not_reopened_by_hand(app_ctx, make_user):
    secretary = db.session.get(User, make_user("methods_secretariat"))
    method = methods.register_method(new_method(), actor=secretary)
    methods.set_status_by_hand(method, StatusChange(MethodStatus.CLOSED, date.today() - timedelta(days=1)),
                               actor=secretary)
    case = db.session.get(Case, method.case_id)
    assert case.status is CaseStatus.CLOSED
    assert services.statuses_by_hand(case) == set()
    with pytest.raises(InvalidInput):
        services.change_status_by_hand(case, CaseStatus.IN_PROGRESS, expected_version=case.version, comment=None,
                                       actor=secretary)


def test_the_status_page_offers_and_accepts_only_what_the_module_allows(app, login, make_user):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    client = login(user)
    created = client.post("/utland/soknader/ny", data={
        "national_id": "", "patient_name": "Nora Nordlys", "birth_date": "08.03.1994", "municipality": "",
        "home_region": "helse-sor-ost", "stream": "application", "received_on": f"{date.today():%d.%m.%Y}",
        "requested_treatment": "Fetoskopisk laserbehandling", "treatment_class": "established", "icd10": "O43.0"})
    assert created.status_code == 302, created.get_data(as_text=True)[-2000:]
    case_id = int(created.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/saker/{case_id}/status").get_data(as_text=True)
    assert re.findall(r'<option value="([A-Z])"', page) == ["U"]
    refused = client.post(f"/saker/{case_id}/status", data={"status": "A", "comment": "", "version": 1})
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.get(Case, case_id).status is CaseStatus.CREATED
    assert client.post(f"/saker/{case_id}/status", data={"status": "U", "comment": "Registrert to ganger",
                                                          "version": 1}).status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).status is CaseStatus.DISCARDED
