"""Issue 18 items 9 and 11: publishing freezes a report (figures, PDF, XLSX, who and when); a later run shows the
differences from the published version; a correction is a new version with a note; published tables and charts
suppress small numbers, the internal view shows them exactly."""
import json
import re
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.panel.models import Outcome
from app.reports.model import COUNT, NOK, PERCENT, TEXT, Chart, Column, Report, Section, Series, Table
from app.reports.models import PublishedReport
from app.reports.publishing import differences, suppressed, table_figures
from tests.pdf import pdf_text
from tests.reports.test_panel_and_methods import _referral


def _report() -> Report:
    rows = [["Helse Sør-Øst", 7, 70_000, 0.538], ["Helse Vest", 1, 250_000, 0.077],
            ["Helse Midt-Norge", 5, 50_000, 0.385], ["Helse Nord", 0, 0, 0.0]]
    table = Table("Bosted", "Tabell 2. Saker etter region", [Column("Region", TEXT), Column("Saker", COUNT),
                                                             Column("Kostnad", NOK), Column("Andel", PERCENT)],
                  rows, total=["Sum", 13, 370_000, 1.0])
    chart = Chart("bar", "Kostnad etter region", [row[0] for row in rows],
                  [Series("Kostnad", [row[2] for row in rows])], unit=NOK)
    return Report(kind="panel", title="Ekspertpanelet", subtitle="Årsrapport 2025", year=2025, region=None,
                  generated_at=datetime(2026, 1, 5, 9, 0), sections=[Section("Bosted", [table, chart])],
                  data={"exact": True})


def test_a_small_count_is_suppressed_with_its_row_and_the_next_smallest_so_the_sum_does_not_reveal_it():
    exact = _report()
    public = suppressed(exact, 3)
    table = public.tables[0]
    # 1 is under 3: hidden with its cost and share; alone in its column it could be worked out from the sum, so
    # the next smallest count (5) is hidden too. 0 identifies nobody and stays.
    assert table.rows == [["Helse Sør-Øst", 7, 70_000, 0.538], ["Helse Vest", "<3", None, None],
                          ["Helse Midt-Norge", "<3", None, None], ["Helse Nord", 0, 0, 0.0]]
    assert table.total == ["Sum", 13, 370_000, 1.0]
    assert "Tall under 3 er skjult («<3»)" in table.note
    assert public.charts[0].series[0].values == [70_000, None, None, 0]
    assert public.data == {} and any("Små tall" in note for note in public.methods_notes)
    # The internal report keeps the exact numbers.
    assert exact.tables[0].rows[1] == ["Helse Vest", 1, 250_000, 0.077] and exact.data == {"exact": True}
    assert table_figures(public)[0]["rows"][1] == ["Helse Vest", "<3", "–", "–"]


def test_differences_name_the_table_the_row_the_column_and_both_values():
    before = table_figures(suppressed(_report(), 3))
    changed = _report()
    changed.tables[0].rows[0][1] = 8
    changed.tables[0].total[1] = 14
    assert differences(before, table_figures(suppressed(changed, 3))) == [
        "Tabell 2. Saker etter region, «Helse Sør-Øst», Saker: 7 → 8",
        "Tabell 2. Saker etter region, «Sum», Saker: 13 → 14"]
    assert differences(before, before) == []


@pytest.fixture
def panel_2025(app):
    """Seven referrals answered in 2025: four from Helse Sør-Øst, two from Helse Vest, one from Helse Nord."""
    with app.app_context():
        for region, day in (("helse-sor-ost", 6), ("helse-sor-ost", 7), ("helse-sor-ost", 8), ("helse-sor-ost", 9),
                            ("helse-vest", 10), ("helse-vest", 11), ("helse-nord", 12)):
            _referral(region, date(2025, 3, day), sent=[date(2025, 3, day + 5)], outcome=Outcome.OFF_LABEL)
        db.session.commit()


def _ordered(client) -> str:
    response = client.post("/rapporter/ekspertpanelet/", data={"year": "2025", "region": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _publications(app) -> list[PublishedReport]:
    with app.app_context():
        rows = db.session.scalars(select(PublishedReport).order_by(PublishedReport.version)).all()
        db.session.expunge_all()
        return rows


def test_publishing_freezes_the_report_and_a_correction_is_a_new_version_with_a_note(app, make_user, login,
                                                                                   panel_2025):
    secretary = login(make_user("panel_secretariat", name="Sekretær Siri"))
    order = _ordered(secretary)
    page = secretary.get(order).get_data(as_text=True)
    assert "Rapporten er ikke publisert" in page and 'name="note"' in page
    # The internal view shows the exact numbers: one case from Helse Nord.
    assert re.search(r'<th scope="row">Helse Nord</th>\s*<td class="num">1</td>', page)

    published = secretary.post(f"{order}/publiser", data={"note": ""})
    assert published.status_code == 302
    first, = _publications(app)
    assert (first.version, first.note, first.threshold, first.kind, first.year) == (1, None, 3, "panel", 2025)
    regions = next(table for table in first.figures if table["sheet"] == "Bosted")["rows"]
    assert ["Helse Nord", "<3", "–"] in regions and ["Helse Vest", "<3", "–"] in regions   # 2, and 1 then 2
    text = pdf_text(secretary.get(f"/rapporter/publisert/{first.id}/rapport.pdf").data)
    assert "versjon 1" in text and "<3" in text and "Små tall" in text
    sheet = load_workbook(BytesIO(secretary.get(f"/rapporter/publisert/{first.id}/rapport.xlsx").data))["Bosted"]
    assert [cell.value for cell in sheet[5]][:2] == ["Helse Nord", "<3"]
    figures = json.loads(secretary.get(f"/rapporter/publisert/{first.id}/rapport.json").data)
    assert figures["version"] == 1 and figures["tables"] == first.figures

    # A correction: a case answered in 2025 registered later. The new run shows what it changes.
    with app.app_context():
        _referral("helse-sor-ost", date(2025, 6, 2), sent=[date(2025, 6, 9)], outcome=Outcome.OFF_LABEL)
        db.session.commit()
    again = _ordered(secretary)
    page = secretary.get(again).get_data(as_text=True)
    assert "Endringer fra publisert versjon 1" in page
    assert "«Helse Sør-Øst», Saker: 4 → 5" in page
    refused = secretary.post(f"{again}/publiser", data={"note": ""})
    assert refused.status_code == 200 and 'id="note-error"' in refused.get_data(as_text=True)
    assert "Skriv hva som er rettet siden versjon 1." in refused.get_data(as_text=True)
    assert secretary.post(f"{again}/publiser", data={"note": "En sak fra juni var ikke registrert."}).status_code == 302
    first_again, second = _publications(app)
    assert first_again.figures == first.figures and first_again.pdf == first.pdf    # version 1 stays as published
    assert (second.version, second.note) == (2, "En sak fra juni var ikke registrert.")
    assert "Rettelse i versjon 2: En sak fra juni var ikke registrert." in pdf_text(
        secretary.get(f"/rapporter/publisert/{second.id}/rapport.pdf").data)
    listing = secretary.get("/rapporter/publisert/").get_data(as_text=True)
    assert all(f'href="/rapporter/publisert/{row.id}"' in listing for row in (first, second))
    assert "En sak fra juni var ikke registrert." in listing
    # Nothing changed since version 2: nothing to publish.
    same = secretary.post(f"{_ordered(secretary)}/publiser", data={"note": "Igjen."})
    assert "Tallene er de samme som i publisert versjon 2" in same.get_data(as_text=True)
    assert len(_publications(app)) == 2


def test_the_analyst_reads_the_published_report_but_does_not_publish_and_a_year_publishes_after_it_ends(
        app, make_user, login, panel_2025):
    analyst = login(make_user("analyst"))
    order = _ordered(analyst)
    assert 'name="note"' not in analyst.get(order).get_data(as_text=True)
    assert analyst.post(f"{order}/publiser", data={"note": ""}).status_code == 403

    secretary = login(make_user("panel_secretariat"))
    this_year = secretary.post("/rapporter/ekspertpanelet/", data={"year": str(date.today().year), "region": ""})
    early = secretary.post(f"{this_year.headers['Location']}/publiser", data={"note": ""})
    assert f"Årsrapporten for {date.today().year} kan publiseres når året er omme." in early.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PublishedReport)) == 0

    assert secretary.post(f"{_ordered(secretary)}/publiser", data={"note": ""}).status_code == 302
    publication_id = _publications(app)[0].id
    assert analyst.get(f"/rapporter/publisert/{publication_id}").status_code == 200
    assert login(make_user("abroad_caseworker", office="helse-sor-ost")).get(
        f"/rapporter/publisert/{publication_id}").status_code == 404
