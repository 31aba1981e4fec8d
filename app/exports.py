"""Lists as files: CSV the way Norwegian Excel opens it (semicolons, UTF-8 with BOM) or XLSX with typed cells."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.http import content_disposition

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ROW_LIMIT = 100_000  # the most rows one export holds
# A cell starting with one of these is run as a formula by a spreadsheet (CSV injection, ASVS 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text that a spreadsheet shows as text: a formula-like start is escaped with an apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv(headers: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([f"{value:%d.%m.%Y}" if isinstance(value, date) else
                         str(value).replace(".", ",") if isinstance(value, Decimal) else
                         "" if value is None else csv_text(value) if isinstance(value, str) else value
                         for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(title: str, headers: list[str], rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([float(value) if isinstance(value, Decimal) else
                      ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"   # text, never a formula, whatever it starts with
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = "dd.mm.yyyy"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def table_file(fmt: str, *, filename: str, title: str, headers: list[str], rows: list[list]) -> Response:
    """The rows as a download in `fmt` ("csv" or "xlsx")."""
    content = _csv(headers, rows) if fmt == "csv" else _xlsx(title, headers, rows)
    response = Response(content, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = content_disposition(f"{filename}.{fmt}")
    return response
