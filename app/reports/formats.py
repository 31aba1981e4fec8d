"""A report as a file: PDF (WeasyPrint, A4, title page, contents, running header and page numbers), XLSX
(one worksheet per table, typed numbers and dates) and JSON (the figures). The web page uses the same cell
formatting as the PDF."""
import json
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.cases.interface import REGIONS
from app.pdf import render_pdf
from app.reports.model import COUNT, DATE, DAYS, NOK, PERCENT, SHARE, Column, Report, Table

OSLO = ZoneInfo("Europe/Oslo")
FORMATS = {
    "pdf": ("application/pdf", "PDF"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)"),
    "json": ("application/json", "JSON"),
}
XLSX_FORMATS = {COUNT: "#,##0", NOK: "#,##0", PERCENT: "0%", SHARE: "0.0%", DAYS: "0.0", DATE: "DD.MM.YYYY"}


def format_cell(value, column: Column) -> str:
    """A cell as the web page and the PDF show it, in bokmål: 22 623 000, 34 %, 69,9 %, 17.03.2025."""
    if value is None:
        return "–"
    kind = column.kind
    if kind in (COUNT, NOK):
        return format_decimal(value, "#,##0", locale="nb_NO")
    if kind == PERCENT:
        return format_decimal(value * 100, "#,##0", locale="nb_NO") + " %"
    if kind == SHARE:
        return format_decimal(value * 100, "#,##0.0", locale="nb_NO") + " %"
    if kind == DAYS:
        return format_decimal(value, "#,##0.#", locale="nb_NO")
    if kind == DATE and isinstance(value, (date, datetime)):
        return value.strftime("%d.%m.%Y")
    return str(value)


def region_label(region: str | None) -> str:
    return REGIONS.get(region, region) if region else "Hele landet"


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(OSLO) if moment.tzinfo else moment


def to_json(report: Report) -> bytes:
    return json.dumps(report.data, ensure_ascii=False, indent=2).encode("utf-8")


def _write_table(sheet, table: Table) -> None:
    sheet.append([column.label for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    rows = [*table.rows, *([table.total] if table.total else [])]
    for row in rows:
        sheet.append([value for value in row])
    for index, column in enumerate(table.columns, start=1):
        number_format = XLSX_FORMATS.get(column.kind)
        width = len(column.label)
        for row_number in range(2, len(rows) + 2):
            cell = sheet.cell(row=row_number, column=index)
            if number_format and cell.value is not None:
                cell.number_format = number_format
            width = max(width, len(format_cell(cell.value, column)))
        sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 3)
    if table.total:
        for cell in sheet[len(rows) + 1]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def to_xlsx(report: Report) -> bytes:
    """One worksheet per table, after an "Om rapporten" sheet that says what each sheet holds."""
    workbook = Workbook()
    about = workbook.active
    about.title = "Om rapporten"
    generated = local_time(report.generated_at).replace(tzinfo=None)
    about.append(["Rapport", report.title])
    about.append(["Gjelder", report.subtitle])
    about.append(["År", report.year])
    about.append(["Region", region_label(report.region)])
    about.append(["Laget", generated])
    about["B5"].number_format = "DD.MM.YYYY HH:MM"
    about.append([])
    about.append(["Ark", "Innhold", "Merknad"])
    for cell in about[7]:
        cell.font = Font(bold=True)
    for table in report.tables:
        about.append([table.sheet, table.title, table.note or ""])
    if report.methods_notes:
        about.append([])
        about.append(["Slik er tallene telt"])
        about.cell(row=about.max_row, column=1).font = Font(bold=True)
        for note in report.methods_notes:
            about.append(["", note])
    for row in range(1, 6):
        about.cell(row=row, column=1).font = Font(bold=True)
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 70
    about.column_dimensions["C"].width = 60
    for table in report.tables:
        _write_table(workbook.create_sheet(table.sheet), table)
    workbook.properties.title = report.full_title
    workbook.properties.creator = "Helsesak"
    workbook.properties.language = "nb-NO"
    workbook.properties.created = generated
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def to_pdf(report: Report) -> bytes:
    return render_pdf("reports/pdf/report.html", report=report, region_label=region_label(report.region),
                      generated_at=local_time(report.generated_at))


RENDERERS = {"pdf": to_pdf, "xlsx": to_xlsx, "json": to_json}


def filename(report: Report, fmt: str) -> str:
    return f"rapport-{report.file_stem()}.{fmt}"
