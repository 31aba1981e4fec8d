"""Forms bind their named fields only (ASVS 15.3.3): fields a form does not have (office, status, created_by_id,
role, id, version of another record …) posted to the create and edit forms change nothing. And a repeated
parameter (HTTP parameter pollution, 15.3.7) takes one defined value, the first, in forms and query strings,
and never answers 5xx."""
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.abroad.models import Application, ApplicationStatus
from app.auth.models import User
from app.cases import services as case_services
from app.cases.models import Case, CaseKind, CaseStatus
from app.core.roles import Role
from app.demo import synthetic_national_id
from app.extensions import db
from tests.conftest import PASSWORD


def _application_form(**overrides) -> dict:
    data = {"national_id": synthetic_national_id(date(1994, 3, 8)), "patient_name": "Nora Nordlys", "birth_date": "",
            "municipality": "5501 Tromsø", "home_region": "helse-nord", "stream": "application",
            "received_on": f"{date.today() - timedelta(days=30):%d.%m.%Y}", "reference": "", "applicant": "Lege",
            "referring_doctor": "Lege Line Lie", "referring_hospital": "UNN Tromsø",
            "requested_treatment": "Fetoskopisk laserbehandling av TTTS", "requested_where": "Rigshospitalet",
            "treatment_class": "established", "icd10": "O43.0", "method_reference": ""}
    return {**data, **overrides}


def _new_application(client, data) -> int:
    response = client.post("/utland/soknader/ny", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_extra_fields_posted_with_a_new_application_are_ignored(app, login, make_user):
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    other_id = make_user("admin")
    case_id = _new_application(login(worker_id), _application_form(
        office="helse-vest", status="granted", decision="granted", decided_on="01.01.2026", child="y",
        created_by_id=str(other_id), responsible_id=str(other_id), case_id="999999", id="999999", version="42",
        unit="helse-vest", number="1999/1", icd10_chapter="A00-B99", role="admin", user_id=str(other_id)))
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        case = db.session.get(Case, case_id)
        assert application.office == "helse-sor-ost"   # from the patient's home region, Helse Nord
        assert application.status is ApplicationStatus.RECEIVED and application.decision is None
        assert application.decided_on is None and application.child is False
        assert application.icd10_chapter == "O00-O99" and application.version == 1 and application.id != 999999
        assert case.created_by_id == worker_id and case.number != "1999/1" and case.id != 999999
        assert case.responsible_id != other_id and case.version == 1
        assert db.session.get(User, worker_id).role is Role.ABROAD_CASEWORKER


def test_extra_fields_posted_to_the_case_edit_are_ignored(app, login, make_user, make_case):
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    other_id = make_user("admin")
    case_id = make_case(worker_id)
    with app.app_context():
        before = db.session.get(Case, case_id)
        before = {"status": before.status, "unit": before.unit, "number": before.number, "kind": before.kind,
                  "patient_id": before.patient_id, "created_by_id": before.created_by_id,
                  "case_date": before.case_date}
    response = login(worker_id).post(f"/saker/{case_id}/endre", data={
        "title": "Ny tittel", "responsible_id": str(worker_id), "version": "1", "reason": "Skrivefeil",
        "status": "closed", "unit": "helse-vest", "number": "1999/1", "kind": "panel_referral", "patient_id": "1",
        "created_by_id": str(other_id), "public_title": "Avslørt", "case_date": "01.01.2000", "id": "999999"})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.title == "Ny tittel" and case.version == 2
        assert {name: getattr(case, name) for name in before} == before
        assert case.status is CaseStatus(before["status"]) and case.kind is CaseKind.ABROAD_APPLICATION
        assert case.public_title == "Ny tittel"   # derived from the title (the patient's name screened)


def test_the_version_of_another_record_does_not_pass_the_lock(app, login, make_user, make_case):
    """The version field is the lock, not a value to store: another case's (higher) version is a conflict."""
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    case_id, other_case_id = make_case(worker_id), make_case(worker_id, title="Søknad – Ola Nordmann")
    with app.app_context():
        actor = db.session.get(User, worker_id)
        other = db.session.get(Case, other_case_id)
        for title in ("Andre", "Tredje"):
            case_services.update_case(other, expected_version=other.version, title=title,
                                      responsible_id=worker_id, reason="Skrivefeil", actor=actor)
            db.session.commit()
        other_version = other.version
    assert other_version == 3
    response = login(worker_id).post(f"/saker/{case_id}/endre", data={
        "title": "Overskrevet", "responsible_id": str(worker_id), "version": str(other_version),
        "reason": "Skrivefeil"})
    assert response.status_code == 409
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.title, case.version) == ("Søknad om behandling i utlandet – Kari Nordmann", 1)


def test_extra_fields_posted_to_the_account_forms_are_ignored(app, login, make_user):
    admin_id = make_user("admin")
    admin = login(admin_id)
    assert admin.post("/admin/brukere/ny", data={
        "name": "Vidar Vest", "email": "vidar@test.example", "role": "analyst", "office": "",
        "password": "et-langt-startpassord", "active": "", "totp_secret": "JBSWY3DPEHPK3PXP", "id": "1",
        "password_hash": "x", "created_by_id": str(admin_id)}).status_code == 200   # the page with the link
    user_id = make_user("analyst", email="kari@test.example")
    response = login(user_id).post("/konto/passord", data={
        "current_password": PASSWORD, "new_password": "et-helt-nytt-passord-2026",
        "confirm": "et-helt-nytt-passord-2026", "role": "admin", "office": "helse-vest", "active": "y",
        "email": "admin@test.example"})
    assert response.status_code == 302
    with app.app_context():
        vidar = db.session.scalar(select(User).where(User.email == "vidar@test.example"))
        assert vidar.active and vidar.totp_secret is None and vidar.id != 1 and vidar.password_hash != "x"
        assert not vidar.activated   # no password from the form: the user chooses one through the link
        assert vidar.role is Role.ANALYST
        kari = db.session.get(User, user_id)
        assert (kari.role, kari.office, kari.email) == (Role.ANALYST, None, "kari@test.example")


def test_a_repeated_form_field_takes_its_first_value(app, login, make_user):
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    data = MultiDict(_application_form())
    data.add("home_region", "helse-vest")          # a second value after helse-nord
    data.setlist("patient_name", ["Nora Nordlys", "Mallory"])
    case_id = _new_application(login(worker_id), data)
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        assert (application.home_region, application.office) == ("helse-nord", "helse-sor-ost")
        assert db.session.get(Case, case_id).patient.name == "Nora Nordlys"


def test_repeated_query_parameters_take_their_first_value_and_never_fail(app, login, make_user):
    worker = login(make_user("abroad_caseworker", office="helse-sor-ost"))
    _new_application(worker, _application_form())
    _new_application(worker, _application_form(national_id="", patient_name="Pia PGD", birth_date="01.02.1990",
                                               home_region="helse-sor-ost", stream="pgd", municipality="0301 Oslo"))
    first_pgd = worker.get("/utland/soknader?stream=pgd&stream=application").get_data(as_text=True)
    first_application = worker.get("/utland/soknader?stream=application&stream=pgd").get_data(as_text=True)
    assert "Pia PGD" in first_pgd and "Nora Nordlys" not in first_pgd
    assert "Nora Nordlys" in first_application and "Pia PGD" not in first_application
    admin = login(make_user("admin"))
    for client, url in [
        (worker, "/utland/soknader?year=2026&year=x&etter=abc&etter=&status=&status=granted&mine=y&mine=n"),
        (worker, "/utland/klager?status=x&status=&late=1&late=0&etter=1&etter=2"),
        (worker, "/saker?type=abroad_application&type=x&status=open&status=x&q=a&q=b&page=2&page=x&sort=x&sort=y"),
        (worker, "/utland/soknader/eksport.csv?stream=pgd&stream=application"),
        (worker, "/metoder/?status=x&status=&q=a&q=b&side=1&side=x"),
        (admin, "/admin/logg?bruker=a&bruker=b&handling=login&handling=x&fra=x&fra=01.01.2026&side=1&side=2"),
        (admin, "/admin/logg/kontroll?fra=01.01.2026&fra=x&pasienter=5&pasienter=x&minutter=1&minutter=99999"),
        (app.test_client(), "/nye-metoder/?status=x&status=&q=a&q=b&side=2&side=x"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
