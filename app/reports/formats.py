"""A report as a file: PDF (WeasyPrint, A4, title page, contents, running header and page numbers), XLSX
(one worksheet per table, typed numbers and dates) and JSON (the figures). The web page uses the same cell
formatting as the PDF."""
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from app.core.regions import REGIONS
from app.exports import Sheet, Spreadsheet
from app.pdf import render_pdf
from app.reports.model import (
    COUNT,
    DATE,
    DAYS,
    NOK,
    PERCENT,
    SHARE,
    Column,
    Report,
    Table,
)

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
    if isinstance(value, str):       # a suppressed count in a published table («<3»)
        return value
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


def _write_table(sheet: Sheet, table: Table) -> None:
    sheet.append([column.label for column in table.columns], bold=True, wrap=True)
    number_formats = [XLSX_FORMATS.get(column.kind) for column in table.columns]
    for row in table.rows:
        sheet.append(row, number_formats=number_formats)
    if table.total:
        sheet.append(table.total, number_formats=number_formats, bold=True)
    rows = [*table.rows, *([table.total] if table.total else [])]
    sheet.widths(min(60, max([len(column.label), *(len(format_cell(row[index], column)) for row in rows)]) + 3)
                 for index, column in enumerate(table.columns))
    sheet.freeze_header()


def to_xlsx(report: Report) -> bytes:
    """One worksheet per table, after an "Om rapporten" sheet that says what each sheet holds."""
    generated = local_time(report.generated_at).replace(tzinfo=None)
    spreadsheet = Spreadsheet(title=report.full_title, language="nb-NO", created=generated)
    about = spreadsheet.sheet("Om rapporten")
    for label, value in (("Rapport", report.title), ("Gjelder", report.subtitle), ("År", report.year),
                         ("Region", region_label(report.region))):
        about.append([label, value])
        about.bold(about.rows, 1)
    about.append(["Laget", generated], number_formats=[None, "DD.MM.YYYY HH:MM"])
    about.bold(about.rows, 1)
    about.append([])
    about.append(["Ark", "Innhold", "Merknad"], bold=True)
    for table in report.tables:
        about.append([table.sheet, table.title, table.note or ""])
    if report.methods_notes:
        about.append([])
        about.append(["Slik er tallene telt"], bold=True)
        for note in report.methods_notes:
            about.append(["", note])
    about.widths([24, 70, 60])
    for table in report.tables:
        _write_table(spreadsheet.sheet(table.sheet), table)
    return spreadsheet.to_bytes()


def to_pdf(report: Report) -> bytes:
    return render_pdf("reports/pdf/report.html", report=report, region_label=region_label(report.region),
                      generated_at=local_time(report.generated_at))


RENDERERS = {"pdf": to_pdf, "xlsx": to_xlsx, "json": to_json}


def filename(report: Report, fmt: str) -> str:
    return f"rapport-{report.file_stem()}.{fmt}"
