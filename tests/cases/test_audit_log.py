"""The audit log is append-only in the database itself, and the admin can review it."""
import re
from dataclasses import replace
from datetime import date
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine, delete, event, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from app.cases import audit_chain
from app.cases.models import AuditSeal, Case, Patient, PatientDiscrepancy
from app.core.audit import AuditAction, AuditEvent, AuditEventPatient, record_access, record_list
from app.demo import synthetic_national_id
from app.extensions import db
from tests.audit import list_requests


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

    # Without a national ID the patient is found by birth date and name, posted; the page is the extract.
    response = admin.post("/admin/logg/pasient", data={"birth_date": "17.05.1980", "name": " kari  nordmann "})
    extract = response.get_data(as_text=True)
    assert response.status_code == 200 and "Innsynslogg: Kari Nordmann" in extract
    assert "siri@test.example" in extract and "vidar@test.example" in extract and "Avvist" in extract
    assert "/admin/logg/pasient/" not in extract   # no link takes a patient's row id


def test_a_list_request_is_one_event_naming_its_patients_written_in_two_statements(app, login, make_user,
                                                                                   make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    cases = [make_case(user, title=f"Søknad {number} – Liste", name=f"Lise Liste {number}") for number in range(3)]
    client = login(user)
    inserts: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if match := re.match(r'\s*INSERT INTO "?(\w+)"?', statement):
            inserts.append(match.group(1))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        assert client.get("/saker?q=Liste").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", record)

    assert [table for table in inserts if table.startswith("audit_")] == ["audit_events", "audit_event_patients"]
    with app.app_context():
        assert list_requests(user) == [("case_list", sorted(cases))]
        patients = dict(db.session.execute(select(Case.id, Case.patient_id).where(Case.id.in_(cases))).all())
        changes = db.session.scalar(select(AuditEvent.changes).where(AuditEvent.user_id == user,
                                                                     AuditEvent.action == AuditAction.LIST))
    assert changes == {"context": "case_list", "rows": 3,
                       "patients": sorted([patients[case_id], case_id] for case_id in cases)}


@pytest.mark.parametrize("statement", [
    update(AuditEventPatient).values(patient_id=1), delete(AuditEventPatient),
])
def test_the_database_refuses_to_change_or_delete_the_patients_of_a_list(app, login, make_user, make_case,
                                                                          statement):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    make_case(user)
    login(user).get("/saker")
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
        assert len(db.session.scalars(select(AuditEventPatient)).all()) == 1


def _extract_rows(page: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)[1:]


def test_the_access_log_and_the_log_search_find_the_lists_that_showed_a_patient(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker", "helse-sor-ost", email="lars@test.example")
    case_id = make_case(caseworker, name="Kari Nordmann")
    other_id = make_case(caseworker, name="Ola Annen", birth_date=date(1970, 1, 1))
    login(caseworker).get("/saker")
    with app.app_context():
        patient_id = db.session.scalar(select(Case.patient_id).where(Case.id == case_id))
        # a list row of the old shape (one per case, as record_list wrote before): still the patient's
        db.session.execute(insert(AuditEvent).values(
            user_id=caseworker, user_email="gammel@test.example", action=AuditAction.LIST, object_type="case",
            object_id=str(case_id), case_id=case_id, patient_id=patient_id, changes={"context": "case_list"}))
        db.session.commit()
    admin = login(make_user("admin"))

    extract = admin.post("/admin/logg/pasient", data={"birth_date": "17.05.1980", "name": "Kari Nordmann"})
    listed = [row for row in _extract_rows(extract.get_data(as_text=True)) if "<td>Liste</td>" in row]
    assert len(listed) == 2
    new, old = (next(row for row in listed if email in row) for email in ("lars@", "gammel@"))
    assert f"sak={case_id}" in new and f"pasient={patient_id}" in new
    assert f"sak={other_id}" not in new   # the other patient the list showed is not in this patient's extract
    assert f"sak={case_id}" in old

    for query in ({"pasient": patient_id}, {"sak": case_id}):
        found = admin.get("/admin/logg", query_string={**query, "handling": "list"}).get_data(as_text=True)
        assert "2 hendelser." in found, query
    everything = admin.get("/admin/logg", query_string={"handling": "list"}).get_data(as_text=True)
    assert f"sak={other_id}" in everything   # unsearched, a list event shows every case it showed


def test_a_list_event_shows_its_first_cases_and_links_to_its_page_for_the_rest(app, login, make_user):
    """A page of list events that named 50 patients each would draw thousands of links: each shows the first
    LISTED_SHOWN cases and their patients, «og N til», and its own page lists them all."""
    admin = login(make_user("admin"))
    # patient 1 on cases 10 and 11, patients 2–5 on one case each: 6 cases, 5 patients
    pairs = [(1, 10), (1, 11), (2, 20), (3, 30), (4, 40), (5, 50)]
    with app.app_context():
        record_list([SimpleNamespace(id=case_id, patient_id=patient_id) for patient_id, case_id in pairs],
                    context="case_list")
        event_id = db.session.scalar(select(func.max(AuditEvent.id)))
    row = next(row for row in _extract_rows(admin.get("/admin/logg?handling=list").get_data(as_text=True))
               if f"(hendelse {event_id})<" in row)
    shown_cases, shown_patients = (re.findall(rf"\?{name}=(\d+)", row) for name in ("sak", "pasient"))
    assert (shown_cases, shown_patients) == (["10", "11", "20"], ["1", "2"])
    event_link = f'href="/admin/logg/hendelse/{event_id}"'
    assert row.count(f'{event_link}>og 3 til<') == 2   # 3 more cases, 3 more patients

    # searched by a patient, the event shows that patient's cases only, all of them here
    searched = admin.get("/admin/logg", query_string={"pasient": 1, "handling": "list"}).get_data(as_text=True)
    row = next(row for row in _extract_rows(searched) if "<td>Liste</td>" in row)
    assert re.findall(r"\?sak=(\d+)", row) == ["10", "11"] and f"{event_link}>og" not in row

    page = admin.get(f"/admin/logg/hendelse/{event_id}").get_data(as_text=True)
    assert [(int(patient), int(case)) for case, patient in re.findall(
        r"<tr><td><a href=\"/admin/logg\?sak=(\d+)\">\d+</a></td><td><a href=\"/admin/logg\?pasient=(\d+)\">",
        page)] == pairs
    assert "Ikke forseglet ennå" in page and "case_list" in page
    assert admin.get(f"/admin/logg/hendelse/{event_id + 1000}").status_code == 404


def test_an_events_page_shows_any_event_and_its_seal(app, login, make_user):
    admin = login(make_user("admin"))
    with app.app_context():
        record_access(AuditAction.EXPORT, "report", "2020", details={"format": "pdf"})
        event_id = db.session.scalar(select(func.max(AuditEvent.id)))
        audit_chain.seal_all()
        position = db.session.scalar(select(AuditSeal.position).where(AuditSeal.event_id == event_id))
    page = admin.get(f"/admin/logg/hendelse/{event_id}").get_data(as_text=True)
    assert f"Posisjon {position} i kjeden" in page and "Rapport 2020" in page and "pdf" in page
    assert "Saker og pasienter listen viste" not in page


def test_the_access_log_takes_no_patient_id_in_any_route(app, login, make_user, make_case):
    """Patient row ids are sequential: no route may take one (the old /admin/logg/pasient/<id> showed every
    patient's name and birth date to whoever walked through the numbers)."""
    case_id = make_case(make_user("abroad_caseworker"))
    with app.app_context():
        patient_id = db.session.scalar(select(Case.patient_id).where(Case.id == case_id))
    admin = login(make_user("admin"))
    assert admin.get(f"/admin/logg/pasient/{patient_id}").status_code == 404
    assert not [rule.rule for rule in app.url_map.iter_rules()
                if rule.rule.startswith("/admin/") and "patient_id" in rule.arguments]


def test_every_access_log_lookup_is_logged(app, login, make_user, make_case):
    national_id = synthetic_national_id(date(1975, 2, 3))
    make_case(make_user("abroad_caseworker"), national_id=national_id)
    admin_id = make_user("admin")
    admin = login(admin_id)
    admin.post("/admin/logg/pasient", data={"national_id": national_id})
    admin.post("/admin/logg/pasient", data={"birth_date": "03.02.1975", "name": "Kari Nordmann"})
    with app.app_context():
        patient_id = db.session.scalar(select(Patient.id).where(Patient.national_id == national_id))
        lookups = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOOKUP,
                                                              AuditEvent.user_id == admin_id)).all()
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.VIEW,
                                                            AuditEvent.user_id == admin_id)).all()
    assert [(event.patient_id, event.changes["purpose"]) for event in lookups] == [(patient_id, "innsynslogg")] * 2
    assert [(event.object_type, event.patient_id) for event in views] == [("patient_access_log", patient_id)] * 2


def test_patients_with_the_same_birth_date_and_name_are_chosen_from_a_list(app, login, make_user, make_case):
    caseworker = make_user("abroad_caseworker")
    make_case(caseworker, home_region="helse-sor-ost")
    make_case(caseworker, home_region="helse-nord")   # no national ID: another person with the same name
    admin = login(make_user("admin"))
    assert "Hvilken pasient?" not in admin.get("/admin/logg/pasient").get_data(as_text=True)   # nothing to choose
    form = {"birth_date": "17.05.1980", "name": "Kari Nordmann"}
    choice = admin.post("/admin/logg/pasient", data=form).get_data(as_text=True)
    assert "Flere pasienter har denne fødselsdatoen og dette navnet" in choice and "Hvilken pasient?" in choice
    assert "Helse Sør-Øst" in choice and "Helse Nord" in choice and "Innsynslogg: " not in choice
    second = admin.post("/admin/logg/pasient", data={**form, "choice": "2"}).get_data(as_text=True)
    assert "Innsynslogg: Kari Nordmann" in second
    with app.app_context():
        second_id = db.session.scalars(select(Patient.id).order_by(Patient.id)).all()[1]
        shown = db.session.scalar(select(AuditEvent.patient_id).where(
            AuditEvent.object_type == "patient_access_log").order_by(AuditEvent.id.desc()).limit(1))
    assert shown == second_id


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
    assert response.status_code == 200 and "Innsynslogg: Kari Nordmann" in response.get_data(as_text=True)
    assert national_id not in response.get_data(as_text=True).split("<main", 1)[1].split("<table", 1)[0]
    unknown = admin.post("/admin/logg/pasient", data={"national_id": synthetic_national_id(date(1944, 4, 4))})
    assert "Fant ingen pasient" in unknown.get_data(as_text=True)
    invalid = admin.post("/admin/logg/pasient", data={"national_id": "12345678901"})
    assert 'id="national_id-error"' in invalid.get_data(as_text=True)
    empty = admin.post("/admin/logg/pasient", data={"name": "Kari Nordmann"})
    assert 'id="birth_date-error"' in empty.get_data(as_text=True)


def test_the_data_quality_list_shows_both_sides_to_the_admin_only_and_is_logged(app, login, make_user, make_case):
    known = synthetic_national_id(date(1961, 6, 1))
    make_case(make_user("abroad_caseworker", "helse-sor-ost"), national_id=known, name="Sigrid Sørøst")
    vest = make_user("abroad_caseworker", "helse-vest", email="vera@test.example")
    case_id = make_case(vest, national_id=known, name="Vera Vest", home_region="helse-vest",
                        title="Søknad – Vera Vest")
    admin_id = make_user("admin")
    admin = login(admin_id)

    page = admin.get("/admin/datakvalitet").get_data(as_text=True)

    assert 'href="/admin/datakvalitet"' in page                          # in the admin's navigation
    assert "1 åpne avvik" in page and "navn, hjemregion" in page and "vera@test.example" in page
    assert "Sigrid Sørøst" in page and "Helse Sør-Øst" in page and "Vera Vest" in page and "Helse Vest" in page
    with app.app_context():
        patient_id = db.session.scalar(select(Patient.id).where(Patient.national_id == known))
        listed = db.session.scalars(select(AuditEvent.changes).where(AuditEvent.user_id == admin_id,
                                                                     AuditEvent.action == AuditAction.LIST)).all()
        discrepancy_id = db.session.scalar(select(PatientDiscrepancy.id))
    assert listed == [{"context": "data_quality", "rows": 1, "patients": [[patient_id, case_id]]}]
    for role in ("abroad_caseworker", "panel_secretariat", "analyst"):
        other = login(make_user(role))
        assert other.get("/admin/datakvalitet").status_code == 403
        assert "/admin/datakvalitet" not in other.get("/").get_data(as_text=True)

    assert admin.post(f"/admin/datakvalitet/{discrepancy_id}/kontrollert").status_code == 302
    assert "Ingen åpne avvik." in admin.get("/admin/datakvalitet").get_data(as_text=True)


def test_the_data_quality_list_pages_oldest_first(app, login, make_user, make_case, monkeypatch):
    from app.admin import patient_views

    monkeypatch.setattr(patient_views, "DATA_QUALITY", replace(patient_views.DATA_QUALITY, per_page=1))
    vest = make_user("abroad_caseworker", "helse-vest")
    for number, name in ((1, "Vera Vest"), (2, "Vilde Vest")):
        known = synthetic_national_id(date(1961, 6, number))
        make_case(make_user("abroad_caseworker", "helse-sor-ost"), national_id=known, name="Sigrid Sørøst")
        make_case(vest, national_id=known, name=name, home_region="helse-vest", title=f"Søknad – {name}")
    admin = login(make_user("admin"))

    first = admin.get("/admin/datakvalitet").get_data(as_text=True)
    second = admin.get(unescape(re.search(r'<a href="([^"]+)" rel="next">', first).group(1))).get_data(as_text=True)

    assert "2 åpne avvik." in first and "Vera Vest" in first and "Vilde Vest" not in first
    assert "Vilde Vest" in second and "Vera Vest" not in second and 'rel="prev"' in second
    bad = admin.get("/admin/datakvalitet?etter=x&side=100001")
    assert bad.status_code == 200 and "Lenken til neste eller forrige side er ugyldig" in bad.get_data(as_text=True)
