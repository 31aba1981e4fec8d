"""The report files: the PDF (pages rendered to PNG, text with æøå and the table figures), the XLSX workbook
(one typed sheet per table) and the JSON; and the SVG charts they share with the web page."""
import shutil
import subprocess
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import update

from app.abroad.models import Application
from app.extensions import db
from app.reports.charts import axis_label, nice_ticks, render_chart
from app.reports.formats import format_cell, to_pdf, to_xlsx
from app.reports.jobs import produce
from app.reports.model import (
    COUNT,
    NOK,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Report,
    Section,
    Series,
    Table,
)
from app.reports.registry import ReportRequest, get_kind
from config import BASE_DIR
from tests.exports import FORMULA_LIKE, as_read_back, formulas_in
from tests.pdf import pdf_text

ARTIFACTS = BASE_DIR / "test-artifacts" / "reports"


def pdf_lines(pdf: bytes) -> list[str]:
    """The PDF's lines as laid out on the page (table rows stay rows), whitespace collapsed."""
    output = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [" ".join(line.split()) for line in output.decode("utf-8").splitlines() if line.strip()]


def _abroad_2020(formats, region=None):
    return produce(get_kind("abroad"), ReportRequest(year=2020, region=region), lambda *_: None, formats=formats)


def test_the_pdf_has_a_title_page_contents_tables_and_charts_with_aeoeaa(s3_2020, tmp_path):
    report, files = _abroad_2020(["pdf"])
    pdf = tmp_path / "abroad-2020.pdf"
    pdf.write_bytes(files["pdf"])

    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "side")], check=True)
    pages = sorted(tmp_path.glob("side-*.png"))
    assert len(pages) >= 9                              # title page, contents, seven sections, the notes
    assert all(page.stat().st_size > 2000 for page in pages)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)        # for a person to look at (not in git)
    shutil.copy(pdf, ARTIFACTS / pdf.name)
    for page in pages:
        shutil.copy(page, ARTIFACTS / f"abroad-2020-{page.name}")

    text = pdf_text(files["pdf"])
    assert "Behandling i utlandet" in text and "Årsrapport 2020 – hele landet" in text
    assert "Innhold" in text and "Slik er tallene telt" in text
    assert f"Side 2 av {len(pages)}" in text and f"Side {len(pages)} av {len(pages)}" in text
    assert "Side 1 av" not in text                      # no footer on the title page
    assert "Behandling i utlandet – årsrapport 2020" in text   # the running header
    # æøå and the published figures in the tables
    assert "Søknader per region" in text and "Helse Sør-Øst" in text and "Skånes universitetssjukhus" in text
    assert "Svangerskap, fødsel og barseltid (O00-O99)" in text
    assert "Faktorer som har betydning for helsetilstand og kontakt med helsetjenesten (Z00-Z99)" in text
    assert "Sykdommer i nervesystemet (G00-G99)" in text
    rows = pdf_lines(files["pdf"])
    for row in ("2020 224 173 77 % 0",                  # T1's last row (none forwarded)
                "Sum 3 524 2 621 74 % 0",
                "Helse Sør-Øst 49 819 000 48 937 000 40 900 000 38 332 000 37 000 000 22 623 000",
                "Helse Vest 11 937 000 11 891 100 13 820 000 21 122 000 17 000 000 9 563 000",
                "Sum 81 927 500 80 904 000 72 307 000 82 575 000 77 000 000 50 950 000",
                "Klager på avslag 20 5 3 2 30", "Avslag omgjort hos 1 1 1 0 3",   # the label wraps
                "Klager oversendt nemnda 15 5 1 2 23", "Stadfestet av nemnda 13 5 0 3 21",
                "Avslag omgjort av nemnda 4 1 1 0 6", "Helse Sør-Øst 40 20 391 000", "Sum 57 32 696 000",
                "Andre sykehus (34 sykehus med færre enn 5 pasienter) 54 31 %"):
        assert row in rows, row
    assert "36 barn" in text
    # the charts are drawn into the PDF (their axis labels are text)
    assert "Mottatte og innvilgede søknader 2011–2020" in text and "mill." in text


def test_the_diagnosis_table_shows_both_years_side_by_side_in_percent(s3_2020):
    report, _files = _abroad_2020([])
    table = next(table for table in report.tables if table.sheet == "T4 Diagnosegrupper")
    shown = {row[0]: (format_cell(row[1], table.columns[1]), format_cell(row[2], table.columns[2]))
             for row in table.rows}
    assert shown == {
        "Svulster (C00-D48)": ("17 %", "6 %"),
        "Sykdommer i nervesystemet (G00-G99)": ("12 %", "10 %"),
        "Svangerskap, fødsel og barseltid (O00-O99)": ("14 %", "15 %"),
        "Medfødte misdannelser, deformiteter og kromosomavvik (Q00-Q99)": ("8 %", "7 %"),
        "Skader, forgiftninger og visse andre konsekvenser av ytre årsaker (S00-T98)": ("8 %", "10 %"),
        "Faktorer som har betydning for helsetilstand og kontakt med helsetjenesten (Z00-Z99)": ("23 %", "34 %"),
    }


def test_the_workbook_has_one_typed_sheet_per_table(s3_2020):
    report, files = _abroad_2020(["xlsx"])
    workbook = load_workbook(BytesIO(files["xlsx"]))

    assert workbook.sheetnames == ["Om rapporten", *[table.sheet for table in report.tables]]
    about = workbook["Om rapporten"]
    assert about["B1"].value == "Behandling i utlandet" and about["B3"].value == 2020
    assert isinstance(about["B5"].value, datetime)
    costs = workbook["T5 Kostnader per region"]
    assert [cell.value for cell in costs[1]] == ["Region", "2015", "2016", "2017", "2018", "2019", "2020"]
    assert [cell.value for cell in costs[2]] == ["Helse Sør-Øst", 49_819_000, 48_937_000, 40_900_000, 38_332_000,
                                                 37_000_000, 22_623_000]
    assert costs["G2"].data_type == "n" and costs["G2"].number_format == "#,##0"
    assert costs["B6"].value == 81_927_500 and costs["B6"].font.bold        # the sum row
    received = workbook["T1 Mottatte og innvilgede"]
    assert [cell.value for cell in received[11]] == [2020, 224, 173, pytest.approx(173 / 224), 0]
    assert received["D11"].number_format == "0%"
    appeals = workbook["T6 Klager"]
    assert [cell.value for cell in appeals[2]] == ["Klager på avslag", 20, 5, 3, 2, 30]
    assert workbook["T7 Partikkelterapi"]["C6"].value == 32_696_000


def test_dates_in_the_workbook_are_date_cells():
    table = Table("Frister", "Frister", [Column("Dato", "date"), Column("Antall", COUNT)],
                  [[date(2025, 3, 1), 4]])
    report = Report(kind="test", title="Test", subtitle="2025", year=2025, region=None,
                    generated_at=datetime(2026, 2, 1, 12, tzinfo=UTC),
                    sections=[Section("Frister", [table])], data={})
    sheet = load_workbook(BytesIO(to_xlsx(report)))["Frister"]
    assert sheet["A2"].is_date and sheet["A2"].value == datetime(2025, 3, 1)
    assert sheet["A2"].number_format == "DD.MM.YYYY"
    assert sheet["B2"].value == 4


def test_formula_like_text_is_a_text_cell_in_every_sheet_and_numbers_stay_numbers():
    rows = [[text, count, count / 10] for count, text in enumerate(FORMULA_LIKE, start=1)]
    table = Table("Sykehus", "Innvilget per sykehus", [Column("Sykehus", TEXT), Column("Innvilget", COUNT),
                                                        Column("Andel", PERCENT)], rows,
                  total=["=SUM(B2:B7)", 21, 2.1], note="@SUM(A1)")
    report = Report(kind="test", title=FORMULA_LIKE[0], subtitle="+1", year=2025, region=None,
                    generated_at=datetime(2026, 2, 1, 12, tzinfo=UTC),
                    sections=[Section("Sykehus", [table])], data={}, methods_notes=["-1+2 er ikke en formel"])
    data = to_xlsx(report)
    workbook = load_workbook(BytesIO(data))

    assert formulas_in(data) == []
    sheet = workbook["Sykehus"]
    names = [sheet.cell(row=row, column=1) for row in range(2, len(FORMULA_LIKE) + 3)]
    assert [cell.value for cell in names] == [as_read_back(text) for text in [*FORMULA_LIKE, "=SUM(B2:B7)"]]
    assert {cell.data_type for cell in names} == {"s"}
    assert [sheet.cell(row=row, column=2).value for row in range(2, 9)] == [1, 2, 3, 4, 5, 6, 21]
    assert {sheet.cell(row=row, column=column).data_type for row in range(2, 9) for column in (2, 3)} == {"n"}
    assert sheet["C2"].number_format == "0%" and sheet["A8"].font.bold
    about = workbook["Om rapporten"]
    assert [about["B1"].value, about["B2"].value, about["B3"].value] == [FORMULA_LIKE[0], "+1", 2025]
    assert about["B1"].data_type == "s" and about["B3"].data_type == "n"
    assert about["C8"].value == "@SUM(A1)" and about["B11"].value == "-1+2 er ikke en formel"


def test_formulas_in_finds_a_formula_cell():
    workbook = Workbook()
    workbook.active["A1"] = "=1+1"
    output = BytesIO()
    workbook.save(output)
    assert formulas_in(output.getvalue()) == ["xl/worksheets/sheet1.xml: b'<f>1+1</f>'"]


def test_a_hospital_named_like_a_formula_stays_text_in_the_annual_report(s3_2020):
    report, _files = _abroad_2020([])
    table = next(table for table in report.tables if table.sheet == "T3 Innvilget per sykehus")
    hospitals = [row[0] for row in table.rows[:len(FORMULA_LIKE)]]
    assert len(hospitals) == len(FORMULA_LIKE)     # hospitals with enough patients to be named in the table
    for hospital, typed in zip(hospitals, FORMULA_LIKE, strict=True):
        db.session.execute(update(Application).where(Application.hospital == hospital).values(hospital=typed))

    report, files = _abroad_2020(["xlsx"])
    sheet = load_workbook(BytesIO(files["xlsx"]))["T3 Innvilget per sykehus"]

    assert formulas_in(files["xlsx"]) == []
    table = next(table for table in report.tables if table.sheet == "T3 Innvilget per sykehus")
    shown = {sheet.cell(row=row, column=1).value: sheet.cell(row=row, column=1).data_type
             for row in range(2, len(table.rows) + 2)}
    named = [row[0] for row in table.rows]
    for typed in FORMULA_LIKE:     # the report strips each name, as a caseworker may have typed spaces
        assert shown[as_read_back(typed.strip())] == "s" and typed.strip() in named
    counts = [sheet.cell(row=row, column=2) for row in range(2, len(table.rows) + 2)]
    assert [cell.value for cell in counts] == [row[1] for row in table.rows]
    assert {cell.data_type for cell in counts} == {"n"}


def test_cells_are_formatted_in_bokmal():
    assert format_cell(22_623_000, Column("", NOK)) == "22\xa0623\xa0000"
    assert format_cell(173 / 224, Column("", PERCENT)) == "77 %"
    assert format_cell(0.699, Column("", "share")) == "69,9 %"
    assert format_cell(8.5, Column("", "days")) == "8,5"
    assert format_cell(date(2025, 3, 17), Column("", "date")) == "17.03.2025"
    assert format_cell(None, Column("", COUNT)) == "–"


def test_charts_are_accessible_svg_without_style_attributes():
    bar = render_chart(Chart("bar", "Søknader per år", ["2019", "2020"],
                             [Series("Mottatte", [340, 224]), Series("Innvilget", [230, 173])]))
    assert bar.startswith("<svg") and 'role="img"' in bar and "<title" in bar and "<desc" in bar
    assert "style=" not in bar                          # the Content-Security-Policy forbids inline styles
    assert bar.count("<rect") == 4 + 2                  # four bars and two legend keys
    assert "Søknader per år" in bar and "Innvilget" in bar
    line = render_chart(Chart("line", "Kostnader", ["2019", "2020"], [Series("Helse Vest", [17e6, 9.563e6])],
                              unit=NOK))
    assert "<polyline" in line and "mill." in line
    long_names = render_chart(Chart("bar", "Sykehus", ["Karolinska universitetssjukhuset, Huddinge", "UZ Leuven"],
                                    [Series("Innvilget", [62, 3])]))
    assert 'text-anchor="end"' in long_names            # horizontal bars, names to the left
    assert render_chart(Chart("bar", "Tom", [], [])) == ""
    assert Chart("bar", "Nuller", ["2020"], [Series("x", [0])]).empty
    assert not Chart("bar", "", ["a"], [Series("x", [1])]).empty
    with pytest.raises(ValueError):
        Chart("bar", "Feil", ["2020"], [Series("x", [1, 2])])


def test_axis_ticks_are_round_numbers():
    assert nice_ticks(224) == [0, 50, 100, 150, 200, 250]
    assert nice_ticks(50_950_000)[-1] == 60_000_000
    assert nice_ticks(0) == [0, 1]
    assert axis_label(20_000_000, NOK) == "20 mill."
    assert axis_label(0.25, PERCENT) == "25 %"


def test_a_pdf_of_an_empty_year_still_renders(app_ctx):
    report, _ = produce(get_kind("methods"), ReportRequest(year=2015), lambda *_: None, formats=[])
    text = pdf_text(to_pdf(report))
    assert "Nye Metoder" in text and "Statistikk 2015" in text and "Ingen tall å vise" not in text
