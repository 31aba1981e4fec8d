"""The report pages: who may see which report, ordering a report as a background job with a progress page
that survives reload, the downloads, a failed job shown in bokmål with a retry, and the audit rows."""
import dataclasses
import json
import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from rq import SimpleWorker
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import CaseKind
from app.core.audit import AuditEvent
from app.extensions import db, rq
from app.reports import registry
from app.reports.jobs import ReportFailed
from app.reports.reminders import due_reminders
from tests.reports.s3_2020 import PUBLISHED_APPEALS, insert_s3_2020

ROLES = {"analyst": None, "abroad_caseworker": "helse-sor-ost", "panel_secretariat": None,
         "methods_secretariat": None, "admin": None, "panel_member": None, "bestillerforum": None}
READS = {  # the report pages each role may open
    "/rapporter/": {"analyst", "abroad_caseworker", "panel_secretariat", "methods_secretariat"},
    "/rapporter/utenlandsbehandling/": {"analyst", "abroad_caseworker"},
    "/rapporter/utenlandsbehandling/2020": {"analyst", "abroad_caseworker"},
    "/rapporter/ekspertpanelet/": {"analyst", "panel_secretariat"},
    "/rapporter/nye-metoder/2024": {"analyst", "methods_secretariat"},
}


@pytest.fixture
def s3_data(app):
    """The 2020 data set, committed for the requests that follow (rolled back after the test)."""
    with app.app_context():
        insert_s3_2020()


@pytest.fixture
def user(app, make_user, login):
    def make(role: str = "analyst", office: str | None = None):
        user_id = make_user(role, office=office or ROLES.get(role))
        return user_id, login(user_id)
    return make


def _order(client, slug="utenlandsbehandling", **data):
    response = client.post(f"/rapporter/{slug}/", data={"year": "2020", "region": "", **data})
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.fullmatch(r"/rapporter/bestillinger/\d+", location)
    return location


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("url", list(READS))
def test_report_pages_answer_only_the_roles_that_read_them(user, role, url):
    _id, client = user(role)
    assert client.get(url).status_code == (200 if role in READS[url] else 403)


def test_report_pages_need_a_login(client):
    for url in READS:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_menu_links_to_reports_for_readers_only(user):
    assert 'href="/rapporter/"' in user("analyst")[1].get("/").get_data(as_text=True)
    assert 'href="/rapporter/"' not in user("admin")[1].get("/").get_data(as_text=True)


def test_the_analyst_sees_reports_but_no_case(app, user, make_user, make_case):
    case_id = make_case(make_user("abroad_caseworker", office="helse-sor-ost"))
    _id, analyst = user("analyst")
    page = analyst.get("/rapporter/").get_data(as_text=True)
    assert "Behandling i utlandet" in page and "Ekspertpanelet" in page and "Nye Metoder" in page
    assert analyst.get(f"/saker/{case_id}").status_code == 404
    assert analyst.get("/saker").get_data(as_text=True).count(f"/saker/{case_id}") == 0


def test_a_report_ordered_in_the_browser_shows_the_tables_charts_and_downloads(app, s3_data, user):
    user_id, analyst = user("analyst")
    location = _order(analyst)

    page = analyst.get(location).get_data(as_text=True)
    assert "Behandling i utlandet – årsrapport 2020" in page
    assert "Tabell 5. Totale kostnader per region 2015–2020 (NOK)" in page
    assert "22\xa0623\xa0000" in page and "<svg" in page and 'role="img"' in page
    assert "Last ned PDF" in page and "Last ned Excel (XLSX)" in page and "Last ned JSON" in page
    # Aggregates only: no case number, case link or case kind reaches the page.
    assert "/saker/" not in page and "2020/5" not in page and CaseKind.ABROAD_APPLICATION.label not in page
    assert analyst.get(location + "/status").get_json() == {
        "state": "finished", "label": "Ferdig", "percent": 100, "step": "Ferdig", "error": None}

    data = json.loads(analyst.get(location + "/rapport.json").get_data())
    assert data["received_by_year"]["2020"] == 224 and data["appeals_by_region"] == PUBLISHED_APPEALS
    xlsx = analyst.get(location + "/rapport.xlsx")
    assert xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "rapport-abroad-2020.xlsx" in xlsx.headers["Content-Disposition"]
    assert load_workbook(BytesIO(xlsx.data))["T2 Mottatte per region"]["B2"].value == 120
    pdf = analyst.get(location + "/rapport.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")

    with app.app_context():
        events = db.session.execute(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.changes)
                                    .where(AuditEvent.object_type == "report", AuditEvent.user_id == user_id)).all()
    assert [event.action.value for event in events] == ["view", "export", "export", "export"]
    assert {event.changes.get("format") for event in events} == {None, "json", "xlsx", "pdf"}
    assert all(event.object_id == "abroad:2020:alle" for event in events)
    # The list of orders and the page for the year lead back to it.
    assert location in analyst.get("/rapporter/").get_data(as_text=True)
    year_page = analyst.get("/rapporter/utenlandsbehandling/2020")
    assert year_page.status_code == 302 and year_page.headers["Location"] == location


def test_the_progress_page_shows_percent_and_step_and_survives_reload(app, s3_data, user, monkeypatch):
    _id, analyst = user("analyst")
    with app.app_context():
        queue = rq.get_queue("pdf")
    monkeypatch.setattr(queue, "_is_async", True)      # as with Redis: the order waits for a worker
    location = _order(analyst)

    page = analyst.get(location).get_data(as_text=True)
    assert "Rapporten lages" in page and 'value="0"' in page and "Venter på ledig kapasitet" in page
    assert 'src="/static/js/progress.js"' in page and "nonce=" in page
    assert analyst.get(location + "/status").get_json()["state"] == "queued"
    assert analyst.get(location + "/rapport.pdf").status_code == 404          # nothing to download yet

    seen = []
    with app.app_context():
        job = queue.fetch_job(queue.job_ids[0])
        job.meta["progress"] = {"percent": 40, "step": "Summerer kostnader"}
        job.save_meta()
    for _reload in range(2):
        page = analyst.get(location).get_data(as_text=True)
        assert 'value="40"' in page and "40 %" in page and "Summerer kostnader" in page
    assert analyst.get(location + "/status").get_json()["percent"] == 40

    from rq.job import Job
    original_save_meta = Job.save_meta

    def recording_save_meta(self):
        seen.append(dict(self.meta.get("progress", {})))
        return original_save_meta(self)

    monkeypatch.setattr(Job, "save_meta", recording_save_meta)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    percents = [step["percent"] for step in seen]
    assert percents == sorted(percents) and percents[-1] == 100
    assert {"Summerer kostnader", "Teller klager", "Lager PDF med diagrammer", "Lager regneark (XLSX)"} <= {
        step["step"] for step in seen}
    page = analyst.get(location).get_data(as_text=True)
    assert "Last ned PDF" in page and "Tabell 1. Mottatte og innvilgede søknader 2011–2020" in page


def test_a_failed_job_shows_a_bokmal_error_and_can_be_retried(app, s3_data, user, monkeypatch):
    _id, analyst = user("analyst")
    working = registry.get_kind("abroad")

    def broken(request, progress):
        progress(30, "Teller søknader")
        raise RuntimeError("connection lost")

    monkeypatch.setitem(registry._KINDS, "abroad", dataclasses.replace(working, build=broken))
    location = _order(analyst)

    page = analyst.get(location).get_data(as_text=True)
    assert "Rapporten kunne ikke lages" in page
    assert "Det oppstod en uventet feil mens rapporten ble laget" in page
    assert "connection lost" not in page and "Traceback" not in page
    assert "Prøv igjen" in page
    status = analyst.get(location + "/status").get_json()
    assert status["state"] == "failed" and status["label"] == "Feilet"

    monkeypatch.setitem(registry._KINDS, "abroad", working)
    retried = analyst.post(location + "/prov-igjen")
    assert retried.status_code == 302 and retried.headers["Location"] != location
    assert "Last ned PDF" in analyst.get(retried.headers["Location"]).get_data(as_text=True)
    assert "Rapporten kunne ikke lages" in analyst.get(location).get_data(as_text=True)   # the failed order stays


def test_a_refusal_from_the_builder_is_shown_as_written(app, user, monkeypatch):
    _id, analyst = user("analyst")
    working = registry.get_kind("methods")

    def refuse(request, progress):
        raise ReportFailed("Tallene for 2020 er ikke ferdig registrert.")

    monkeypatch.setitem(registry._KINDS, "methods", dataclasses.replace(working, build=refuse))
    location = _order(analyst, slug="nye-metoder")
    assert "Tallene for 2020 er ikke ferdig registrert." in analyst.get(location).get_data(as_text=True)


def test_an_order_is_only_shown_to_the_person_who_placed_it(app, user):
    _id, analyst = user("analyst")
    location = _order(analyst, slug="nye-metoder")
    _other_id, other = user("analyst")
    for suffix in ("", "/status", "/rapport.json"):
        assert other.get(location + suffix).status_code == 404
    assert other.post(location + "/prov-igjen").status_code == 404
    assert location not in other.get("/rapporter/").get_data(as_text=True)
    assert other.get("/rapporter/bestillinger/987654").status_code == 404


def test_a_caseworker_orders_the_report_for_the_regions_its_office_handles(app, s3_data, user):
    user_id, caseworker = user("abroad_caseworker", "helse-sor-ost")
    form = caseworker.get("/rapporter/utenlandsbehandling/").get_data(as_text=True)
    assert 'value="helse-sor-ost"' in form and 'value="helse-nord"' in form
    assert 'value="helse-vest"' not in form and "Hele landet" not in form

    refused = caseworker.post("/rapporter/utenlandsbehandling/", data={"year": "2020", "region": "helse-vest"})
    assert refused.status_code == 200 and "Velg et område i listen." in refused.get_data(as_text=True)
    national = caseworker.post("/rapporter/utenlandsbehandling/", data={"year": "2020", "region": ""})
    assert national.status_code == 200 and "Velg et område i listen." in national.get_data(as_text=True)

    location = _order(caseworker, region="helse-nord")
    data = json.loads(caseworker.get(location + "/rapport.json").get_data())
    assert data["region"] == "helse-nord"
    assert data["appeals_by_region"] == {"helse-nord": PUBLISHED_APPEALS["helse-nord"]}

    with app.app_context():    # moved to another office: the order is no longer theirs to see
        db.session.get(User, user_id).office = "helse-vest"
        db.session.commit()
    assert caseworker.get(location).status_code == 404


def test_the_year_must_be_one_the_report_covers(user):
    _id, analyst = user("analyst")
    response = analyst.post("/rapporter/ekspertpanelet/", data={"year": "2017"})
    assert response.status_code == 200 and "Velg et år i listen." in response.get_data(as_text=True)


def test_the_panel_report_takes_the_secretariats_assessment_of_member_needs(app, user):
    _id, secretariat = user("panel_secretariat")
    form = secretariat.get("/rapporter/ekspertpanelet/").get_data(as_text=True)
    assert "Forventet behov for nye medlemmer" in form
    location = _order(secretariat, slug="ekspertpanelet", members="Behov for én ny nevrolog fra Helse Nord.")
    page = secretariat.get(location).get_data(as_text=True)
    assert "Behov for én ny nevrolog fra Helse Nord." in page
    assert "etter pasientens bostedsfylke" in page and "Ukjent fylke" in page          # the county table
    data = json.loads(secretariat.get(location + "/rapport.json").get_data())
    assert data["expected_member_need"] == "Behov for én ny nevrolog fra Helse Nord."
    assert len(data["by_county"]) == 16 and data["by_county"]["Vestland"] == 0


def test_the_panel_report_reminder_comes_as_1_march_approaches(app_ctx, make_user):
    secretariat = db.session.get(User, make_user("panel_secretariat"))
    [reminder] = due_reminders(secretariat, today=date(2026, 2, 10))
    assert reminder.year == 2025 and reminder.due_on == date(2026, 3, 1) and reminder.days_left == 19
    assert reminder.text == ("Ekspertpanelet: årsrapporten for 2025 skal sendes de fire regionale helseforetakene "
                             "innen 01.03.2026 (om 19 dager).")
    assert due_reminders(secretariat, today=date(2026, 3, 2)) == []
    assert due_reminders(secretariat, today=date(2025, 12, 1)) == []
    assert due_reminders(db.session.get(User, make_user("methods_secretariat")), today=date(2026, 2, 10)) == []

