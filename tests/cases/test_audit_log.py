"""The audit log is append-only in the database itself, and the admin can review it."""
from datetime import date

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from app.cases.audit import record_access
from app.cases.models import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db


@pytest.mark.parametrize("statement", [
    update(AuditEvent).values(user_email="someone-else@test.example"),
    delete(AuditEvent),
])
def test_the_database_refuses_to_change_or_delete_audit_rows(app_ctx, statement):
    record_access(AuditAction.EXPORT, "report", "2020")
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.action)).all() == [AuditAction.EXPORT]


def test_admin_searches_the_log_and_extracts_a_patients_access_log(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost", email="siri@test.example")
    case_id = make_case(caseworker)
    login(caseworker).get(f"/saker/{case_id}")
    outsider = make_user("abroad_caseworker", "helse-vest", email="vidar@test.example")
    login(outsider).get(f"/saker/{case_id}")
    admin = login(make_user("admin"))

    views = admin.get("/admin/logg", query_string={"bruker": "siri@", "handling": "view"}).get_data(as_text=True)
    assert "1 hendelser." in views and "Visning" in views

    with app.app_context():
        patient_id = db.session.scalar(select(AuditEvent.patient_id).where(AuditEvent.case_id == case_id)
                                       .limit(1))
    extract = admin.get(f"/admin/logg/pasient/{patient_id}").get_data(as_text=True)
    assert "Innsynslogg: Kari Nordmann" in extract
    assert "siri@test.example" in extract and "vidar@test.example" in extract and "Avvist" in extract


def test_log_search_reports_bad_dates_in_bokmal(login, make_user):
    page = login(make_user("admin")).get("/admin/logg?fra=32.13.2025&til=").get_data(as_text=True)
    assert "Skriv datoen som dd.mm.åååå." in page
    page = login(make_user("admin")).get("/admin/logg?fra=02.01.2025&til=01.01.2025").get_data(as_text=True)
    assert "Til-datoen kan ikke være før fra-datoen." in page


def test_only_admins_see_the_log(login, make_user):
    for role in ("abroad_caseworker", "analyst", "panel_secretariat"):
        assert login(make_user(role)).get("/admin/logg").status_code == 403


def test_patient_access_log_is_found_by_national_id_without_it_in_the_url(app, login, make_user, make_case):
    national_id = synthetic_national_id(date(1975, 2, 3))
    make_case(make_user("abroad_caseworker"), national_id=national_id)
    admin = login(make_user("admin"))
    response = admin.post("/admin/logg/pasient", data={"national_id": national_id})
    assert response.status_code == 302
    assert national_id not in response.headers["Location"]
    assert "Innsynslogg" in admin.get(response.headers["Location"]).get_data(as_text=True)
    unknown = admin.post("/admin/logg/pasient", data={"national_id": synthetic_national_id(date(1944, 4, 4))})
    assert "Fant ingen pasient" in unknown.get_data(as_text=True)
    invalid = admin.post("/admin/logg/pasient", data={"national_id": "12345678901"})
    assert 'id="national_id-error"' in invalid.get_data(as_text=True)
