"""The admin's archive page: the extraction runs as a background job (in-process in the tests) with its
progress page, seen only by the admin who ordered it."""
from pathlib import Path

from app.archive.deposit import MANIFEST, verify


def test_the_admin_orders_an_extraction_and_follows_it_to_the_checked_deposit(app, login, make_user, make_case,
                                                                            tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "ARCHIVE_DIR", str(tmp_path))
    caseworker = make_user("abroad_caseworker", "helse-sor-ost")
    make_case(caseworker)
    admin = login(make_user("admin"))
    assert "Lag arkivuttrekk" in admin.get("/admin/arkiv").get_data(as_text=True)
    response = admin.post("/admin/arkiv", data={"start": "01.01.2000", "end": "31.12.2099"})
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uttrekket er laget og kontrollert: 1 saker" in page
    (deposit,) = tmp_path.iterdir()
    assert f"<code>{deposit}</code>" in page and (deposit / MANIFEST).is_file() and verify(deposit) == []
    status = admin.get(response.headers["Location"] + "/status").get_json()
    assert status == {"state": "finished", "percent": 100, "step": status["step"], "done": True}
    other_admin = login(make_user("admin"))
    assert other_admin.get(response.headers["Location"]).status_code == 404
    assert login(caseworker).get("/admin/arkiv").status_code == 403


def test_a_period_ending_before_it_starts_is_refused_next_to_the_field(app, login, make_user, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "ARCHIVE_DIR", str(tmp_path))
    page = login(make_user("admin")).post("/admin/arkiv", data={"start": "02.01.2030", "end": "01.01.2030"})
    assert 'id="end-error"' in page.get_data(as_text=True) and "Til-datoen kan ikke" in page.get_data(as_text=True)
    assert list(Path(tmp_path).iterdir()) == []
