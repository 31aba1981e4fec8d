"""The case list as CSV and XLSX: exactly the filtered rows in the list's order (every page), the way
Norwegian Excel opens them, and every patient in it logged."""
import re
from datetime import date
from html import unescape

from sqlalchemy import select

from app.cases.models import Case, CaseKind
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from tests.audit import list_requests
from tests.exports import csv_rows, export_href, xlsx_sheet

CASE_ROW = re.compile(r'<td><a href="/saker/(\d+)">([^<]+)</a></td>')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def _listed(client, url: str) -> tuple[list[int], str]:
    """The case ids the list shows at `url` and on its following pages (by the «Neste» links), and the last
    page's HTML."""
    ids = []
    while True:
        html = client.get(url).get_data(as_text=True)
        ids += [int(case_id) for case_id, _number in CASE_ROW.findall(html)]
        following = NEXT.search(html)
        if following is None:
            return ids, html
        url = unescape(following.group(1))


def _ids_of(app, numbers: list[str]) -> list[int]:
    with app.app_context():
        by_number = dict(db.session.execute(select(Case.number, Case.id).where(Case.number.in_(numbers))).all())
    return [by_number[number] for number in numbers]


def test_the_export_holds_exactly_the_filtered_cases_of_every_page_in_the_lists_order(app, login, make_user,
                                                                                      make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    for number in range(53):
        make_case(user, title=f"Søknad {number:02d} – Pasient {number:02d}", name=f"Pasient {number:02d}")
    make_case(user, kind=CaseKind.ABROAD_APPEAL, title="Klage – Pasient 99", name="Pasient 99")
    make_case(user, title="Annen sak – Pasient 98", name="Pasient 98")
    client = login(user)
    query = "q=S%C3%B8knad&type=abroad_application&type=abroad_appeal&sort=tittel&mine=1"
    listed, page = _listed(client, f"/saker?{query}")
    assert len(listed) == 53   # two pages: the second page's export links

    csv_url, xlsx_url = export_href(page, "CSV"), export_href(page, "Excel (XLSX)")
    assert csv_url == f"/saker/eksport.csv?{query}"   # the filters, both types, no cursor
    assert "Last ned alle 53:" in page

    rows = csv_rows(client.get(csv_url))
    assert rows[0] == ["Saksnummer", "Tittel", "Type", "Enhet", "Status", "Saksdato", "Saksansvarlig"]
    assert _ids_of(app, [row[0] for row in rows[1:]]) == listed
    assert rows[1][1:5] == ["Søknad 00 – Pasient 00", "Søknad om behandling i utlandet",
                            "Utenlandskontoret i Helse Sør-Øst", "Opprettet"]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", rows[1][5])

    sheet = xlsx_sheet(client.get(xlsx_url))
    assert [cell.value for cell in sheet[1]] == rows[0]
    assert _ids_of(app, [sheet.cell(row, 1).value for row in range(2, sheet.max_row + 1)]) == listed
    saksdato = sheet.cell(2, 6)
    assert saksdato.is_date and saksdato.number_format == "dd.mm.yyyy"
    assert saksdato.value.date() == date.today()


def test_every_patient_in_the_export_is_logged(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    exported = [make_case(user, title=f"Søknad {number} – Kari", name=f"Kari {number}") for number in range(3)]
    client = login(user)
    rows = csv_rows(client.get("/saker/eksport.csv?q=S%C3%B8knad&mine=1"))
    assert len(rows) == 4
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == user)).all()
        export = [event for event in events if event.action is AuditAction.EXPORT]
        assert [(event.object_type, event.changes["format"], event.changes["rows"]) for event in export] == [
            ("case_list", "csv", 3)]
        assert export[0].changes["filters"] == {"q": ["Søknad"], "mine": ["1"]}
        assert list_requests(user, "case_list_export_csv") == [("case_list_export_csv", sorted(exported))]


def test_the_export_shows_only_the_users_own_scope(app, login, make_user, make_case):
    vest = make_user("abroad_caseworker", "helse-vest")
    sor_ost = make_user("abroad_caseworker", "helse-sor-ost")
    mine = make_case(vest, home_region="helse-vest", title="Søknad – Vestlending", name="Vestlending")
    make_case(sor_ost, title="Søknad – Østlending", name="Østlending")
    rows = csv_rows(login(vest).get("/saker/eksport.csv?q=lending"))
    assert [row[1] for row in rows[1:]] == ["Søknad – Vestlending"]
    with app.app_context():
        assert rows[1][0] == db.session.get(Case, mine).number


def test_exports_and_downloads_share_one_budget_per_user(app, login, make_user, make_case, monkeypatch):
    monkeypatch.setitem(app.config, "DOWNLOAD_LIMIT_PER_USER", "3 per minute")
    user = make_user("abroad_caseworker", "helse-sor-ost")
    make_case(user, title="Søknad – Pasient 01", name="Pasient 01")
    client, colleague = login(user), login(make_user("abroad_caseworker", "helse-sor-ost"))

    answers = [client.get(url).status_code for url in ("/saker/eksport.csv", "/utland/soknader/eksport.xlsx",
                                                       "/saker/eksport.xlsx", "/utland/soknader/eksport.csv")]

    assert answers == [200, 200, 200, 429]
    refused = client.get("/saker/eksport.csv")
    assert refused.status_code == 429 and "For mange forsøk" in refused.get_data(as_text=True)
    assert colleague.get("/saker/eksport.csv").status_code == 200      # the budget is each user's own
    assert client.get("/saker").status_code == 200                    # and only downloads count
