"""The import pages through the test client: upload, the job page with its progress and result, the JSON
status, the error file, office scope and roles. Without Redis the job runs at once, in the request."""
import io
import re

import pytest
from sqlalchemy import func, select

from app.abroad import import_jobs
from app.abroad.models import Application
from app.cases.models import Case
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db, rq
from tests.abroad.fixtures.import_files import application_row, application_rows, to_csv, to_xlsx


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _upload(client, data: bytes, filename: str = "søknader.csv", kind: str = "applications"):
    return client.post("/utland/import", data={"kind": kind, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def _job_page(client, response) -> tuple[str, str]:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    location = response.headers["Location"]
    assert re.fullmatch(r"/utland/import/jobber/\d+", location)
    page = client.get(location)
    assert page.status_code == 200
    return location, page.get_data(as_text=True)


@pytest.fixture
def hso(login, make_user):
    return login(make_user("abroad_caseworker", office="helse-sor-ost"))


def test_upload_page_for_caseworkers_and_admins_only(login, make_user, hso):
    page = hso.get("/utland/import")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Importer historiske saker" in text and 'enctype="multipart/form-data"' in text
    assert "pasienter fra Helse Sør-Øst og Helse Nord" in text
    assert "Ukjent navn (importert, ref. X)" in text
    assert 'href="/utland/import"' in hso.get("/utland/").get_data(as_text=True)

    admin = login(make_user("admin"))
    assert "for alle utenlandskontorene" in admin.get("/utland/import").get_data(as_text=True)
    for role in ("analyst", "methods_secretariat", "panel_secretariat"):
        assert login(make_user(role)).get("/utland/import").status_code == 403


def test_the_form_needs_a_kind_and_a_file(hso):
    response = hso.post("/utland/import", data={"kind": ""}, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Velg hva filen inneholder." in text and "Velg en fil." in text


def test_a_bad_row_among_thousands_is_named_then_the_corrected_file_shows_in_the_list(app, hso):
    rows = application_rows(2500)
    rows[1733]["received_date"] = "2019-13-01"

    location, page = _job_page(hso, _upload(hso, to_csv(rows)))

    assert "Ingenting er importert: filen har 1 feil." in page
    assert "linje 1735, kolonne received_date: «2019-13-01» er ikke en gyldig dato." in page
    assert f'href="{location}/feil.txt"' in page
    assert _count(app, Application) == 0

    rows[1733]["received_date"] = "2019-12-01"
    _location, page = _job_page(hso, _upload(hso, to_csv(rows)))

    assert "Importerte 2500 søknader og henvisninger, saksnummer 2016/1–2016/362" in page
    assert _count(app, Application) == 2500
    listing = hso.get("/utland/soknader").get_data(as_text=True)
    # The list counts up to 1 000 and says «over» beyond (the count stops early on a long list).
    assert "Over 1\u00a0000 søknader og henvisninger." in listing
    assert "Ukjent navn (importert, ref. IMP-002" in listing
    filtered = hso.get("/utland/soknader?q=IMP-000042").get_data(as_text=True)
    assert "1 søknader og henvisninger." in filtered and "IMP-000042" in filtered

    again = _job_page(hso, _upload(hso, to_csv(rows)))[1]
    assert "Ingenting er importert: filen har 2500 feil." in again
    assert "Under vises de første 1000 av 2500 feil." in again
    assert again.count("er allerede brukt på en annen søknad.") == 1000
    assert _count(app, Application) == 2500


def test_the_error_file_lists_every_error_and_is_logged(app, hso):
    rows = application_rows(3)
    rows[0]["icd10"] = "ZZZ"
    rows[2]["stream"] = "x"
    location, _page = _job_page(hso, _upload(hso, to_csv(rows)))

    response = hso.get(f"{location}/feil.txt")

    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).splitlines() == [
        "linje 2, kolonne icd10: «ZZZ» er ikke en gyldig ICD-10-kode. Bruk formen bokstav, to siffer og eventuelt "
        "punktum og ett siffer, f.eks. C34.9.",
        "linje 4, kolonne stream: «x» er ikke en gyldig verdi. Bruk application, pgd, particle_therapy, "
        "nordic_drug_protocol eller refund."]
    assert _count(app, AuditEvent, AuditEvent.action == AuditAction.DOWNLOAD,
                  AuditEvent.object_type == "abroad_import") == 1


def test_xlsx_upload_with_semicolon_csv_alongside(app, hso):
    _location, page = _job_page(hso, _upload(hso, to_xlsx(application_rows(4)), "søknader.xlsx"))
    assert "Importerte 4 søknader og henvisninger" in page
    data = to_csv(application_rows(3, prefix="SEMI"), delimiter=";", bom=True)
    _location, page = _job_page(hso, _upload(hso, data, "semikolon.csv"))
    assert "Importerte 3 søknader og henvisninger" in page
    assert _count(app, Application) == 7


def test_a_helse_vest_caseworker_cannot_import_a_helse_sor_ost_row(app, login, make_user):
    vest = login(make_user("abroad_caseworker", office="helse-vest"))
    rows = [application_row(1, patient_region="helse-vest"), application_row(2, patient_region="helse-sor-ost")]

    _location, page = _job_page(vest, _upload(vest, to_csv(rows)))

    assert ("linje 3, kolonne patient_region: Pasienter fra Helse Sør-Øst behandles av Utenlandskontoret i Helse "
            "Sør-Øst. Du kan bare importere saker for ditt eget kontor.") in page
    assert _count(app, Case) == 0


def test_admin_imports_for_every_office_but_sees_no_case(app, login, make_user):
    admin = login(make_user("admin"))
    rows = [application_row(1, patient_region="helse-vest"), application_row(2, patient_region="helse-nord")]

    _location, page = _job_page(admin, _upload(admin, to_csv(rows)))

    assert "Importerte 2 søknader og henvisninger" in page
    assert "Se søknadene" not in page
    assert admin.get("/utland/soknader").status_code == 403
    with app.app_context():
        units = sorted(db.session.scalars(select(Case.unit)))
    assert units == ["helse-sor-ost", "helse-vest"]


def test_job_pages_belong_to_the_user_who_uploaded(app, hso, login, make_user):
    location, _page = _job_page(hso, _upload(hso, to_csv(application_rows(2))))
    other = login(make_user("abroad_caseworker", office="helse-sor-ost"))

    assert other.get(location).status_code == 404
    assert other.get(f"{location}/status").status_code == 404
    assert hso.get("/utland/import/jobber/12345").status_code == 404
    status = hso.get(f"{location}/status")
    assert status.get_json() == {"state": "finished", "percent": 100, "step": "Ferdig", "done": True}


def test_a_queued_job_shows_its_progress_and_polls(app, hso, make_user):
    """With a worker, the page first shows the progress bar and the script that polls the status."""
    with app.app_context():
        user_id = make_user("abroad_caseworker", office="helse-sor-ost")
        from app.auth.models import User
        user = db.session.get(User, user_id)
        queue = rq.get_queue("default")
        queue._is_async = True   # queue as a worker would see it, without running it here
        try:
            number = import_jobs.start_import("applications", to_csv(application_rows(2)), "x.csv", user)
        finally:
            queue._is_async = False
        job = import_jobs.find_job(number, user)
        job.meta.update(percent=42, step="Kontrollerer radene")
        job.save_meta()
        state = import_jobs.job_state(job)
        assert (state["state"], state["percent"], state["step"]) == ("queued", 42, "Kontrollerer radene")

        # The worker picks it up: it reads (and removes) the upload and stores the result.
        result = import_jobs.run_import_job("applications", number, "x.csv", user_id)
        assert result["created"] == 2 and result["errors"] == []
        assert queue.connection.get(f"helsesak:abroad-import-upload:{number}") is None
        queue.remove(job.id)
        job.delete()


def test_the_progress_page_renders_the_bar_and_the_script(app, login, make_user, monkeypatch):
    client = login(make_user("abroad_caseworker", office="helse-sor-ost"))
    monkeypatch.setattr(import_jobs, "find_job", lambda number, user: object())
    monkeypatch.setattr(import_jobs, "job_state", lambda job: {
        "state": "started", "percent": 35, "step": "Lagrer", "result": None, "kind": "costs", "filename": "k.csv"})

    page = client.get("/utland/import/jobber/77").get_data(as_text=True)

    assert "Import av kostnader" in page and 'value="35"' in page
    assert 'data-status-url="/utland/import/jobber/77/status"' in page
    assert "js/progress.js" in page and "<script>" not in page
    assert client.get("/utland/import/jobber/77/status").get_json() == {
        "state": "started", "percent": 35, "step": "Lagrer", "done": False}


def test_a_job_whose_file_expired_or_whose_user_lost_access_imports_nothing(app, make_user):
    with app.app_context():
        user_id = make_user("abroad_caseworker", office="helse-sor-ost")
        gone = import_jobs.run_import_job("applications", 999, "x.csv", user_id)
        assert gone["errors"][0][2] == "Filen er ikke lenger tilgjengelig. Last den opp på nytt."
        from app.auth.models import User
        user = db.session.get(User, user_id)
        user.active = False
        db.session.commit()
        rq.get_queue("default").connection.set("helsesak:abroad-import-upload:998", to_csv(application_rows(1)))
        refused = import_jobs.run_import_job("applications", 998, "x.csv", user_id)
        assert refused["errors"][0][2] == "Du har ikke lenger tilgang til å importere saker."
        assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_a_failed_or_expired_job_says_so(login, make_user, monkeypatch):
    client = login(make_user("abroad_caseworker", office="helse-sor-ost"))
    monkeypatch.setattr(import_jobs, "find_job", lambda number, user: object())
    state = {"state": "failed", "percent": 50, "step": "Lagrer", "result": None, "kind": "appeals", "filename": "k.csv"}
    monkeypatch.setattr(import_jobs, "job_state", lambda job: state)

    page = client.get("/utland/import/jobber/5").get_data(as_text=True)
    assert "Importen stoppet på grunn av en uventet feil. Ingenting er lagret." in page
    assert client.get("/utland/import/jobber/5/status").get_json()["done"] is True

    state.update(state="finished")
    page = client.get("/utland/import/jobber/5").get_data(as_text=True)
    assert "Resultatet av importen er ikke lenger tilgjengelig." in page
    assert client.get("/utland/import/jobber/5/feil.txt").status_code == 404


def test_a_job_that_crashes_midway_saves_nothing(app, hso, monkeypatch):
    from app.abroad.importing import applications

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(applications, "record_changes", crash)

    location, page = _job_page(hso, _upload(hso, to_csv(application_rows(30))))

    assert "Importen stoppet på grunn av en uventet feil. Ingenting er lagret." in page
    assert _count(app, Application) == 0 and _count(app, Case) == 0
    assert hso.get(f"{location}/status").get_json()["state"] == "failed"
