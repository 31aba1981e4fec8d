"""The one writer of every spreadsheet the app hands out: CSV the way Norwegian Excel opens it (semicolons,
UTF-8 with BOM) and XLSX workbooks with typed cells (the list exports, the report workbooks, the public
decision overview).

A cell that starts like a formula is run by a spreadsheet when the file is opened (CSV injection, ASVS 5.0
1.2.10): in CSV such text gets a leading apostrophe, in XLSX every text is written as a text cell (never
a formula, whatever it starts with). Numbers, dates and empty cells keep their type. No other module
builds an openpyxl Workbook or a csv writer (tests/security/test_spreadsheet_writers.py walks the code),
so every file goes through these rules.
"""
import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app.http import content_disposition

FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
ROW_LIMIT = 100_000  # the most rows one export holds
# A cell starting with one of these is run as a formula by a spreadsheet (CSV injection, ASVS 1.2.10).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd.mm.yyyy"
AMOUNT_FORMAT = "#,##0.00"


def csv_text(value: str) -> str:
    """Text that a spreadsheet shows as text: a formula-like start is escaped with an apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, (bool, int, float)):
        return value
    return csv_text(str(value))


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """The rows as CSV for Norwegian Excel: semicolons, CRLF, UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_value(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def _put(cell, value, number_format: str | None) -> None:
    """`value` into `cell`, typed: text as a text cell, numbers and dates as such (Decimal as a float)."""
    default = None
    if isinstance(value, Decimal):
        value, default = float(value), AMOUNT_FORMAT
    elif isinstance(value, (date, datetime)):
        default = DATE_FORMAT
    elif value is not None and not isinstance(value, (bool, int, float)):
        value = ILLEGAL_CHARACTERS_RE.sub("", str(value)) or None   # characters XML 1.0 cannot hold
        # Line breaks as line feeds: openpyxl keeps a bare carriage return when it writes with lxml and loses it to
        # the XML parser's line-end handling without, so the cell reads back the same either way.
        value = value.replace("\r\n", "\n").replace("\r", "\n") if value else value
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"   # a text cell, never a formula or an error code, whatever it starts with
    if value is not None and (number_format or default):
        cell.number_format = number_format or default


class Sheet:
    """One worksheet, filled a row at a time."""

    def __init__(self, worksheet) -> None:
        self._worksheet = worksheet
        self.rows = 0

    def append(self, values: Sequence, *, number_formats: Sequence[str | None] = (), bold: bool = False,
               wrap: bool = False) -> int:
        """Add a row (an empty sequence gives an empty row); returns its number. `number_formats` are
        Excel number formats by column (None: the default for the value's type)."""
        self.rows += 1
        for column, value in enumerate(values, start=1):
            cell = self._worksheet.cell(row=self.rows, column=column)
            _put(cell, value, number_formats[column - 1] if column <= len(number_formats) else None)
            if bold:
                cell.font = Font(bold=True)
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        return self.rows

    def bold(self, row: int, column: int) -> None:
        self._worksheet.cell(row=row, column=column).font = Font(bold=True)

    def widths(self, widths: Iterable[float | None]) -> None:
        """Column widths in characters, from column A on (None leaves a column as it is)."""
        for index, width in enumerate(widths, start=1):
            if width is not None:
                self._worksheet.column_dimensions[get_column_letter(index)].width = width

    def freeze_header(self) -> None:
        self._worksheet.freeze_panes = "A2"

    def filter_header(self) -> None:
        """Excel's filter buttons on the header row, over every filled column."""
        self._worksheet.auto_filter.ref = self._worksheet.dimensions


class Spreadsheet:
    """An XLSX workbook whose every cell is written by Sheet.append()."""

    def __init__(self, *, title: str | None = None, language: str | None = None,
                 created: datetime | None = None) -> None:
        self._workbook = Workbook()
        self._first_unused = True
        properties = self._workbook.properties
        properties.creator = "Helsesak"
        properties.lastModifiedBy = None
        if title:
            properties.title = title
        if language:
            properties.language = language
        if created:
            properties.created = created

    def sheet(self, title: str) -> Sheet:
        """A new worksheet named `title` (at most 31 characters kept), after the ones made before."""
        if self._first_unused:
            worksheet, self._first_unused = self._workbook.active, False
            worksheet.title = title[:31]
        else:
            worksheet = self._workbook.create_sheet(title[:31])
        return Sheet(worksheet)

    def to_bytes(self) -> bytes:
        output = io.BytesIO()
        self._workbook.save(output)
        return output.getvalue()


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook: the bold, frozen header row, then the rows."""
    spreadsheet = Spreadsheet()
    sheet = spreadsheet.sheet(title)
    sheet.append(headers, bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_header()
    return spreadsheet.to_bytes()


def file_response(content: bytes, fmt: str, filename: str) -> Response:
    """`content` as a download named `filename` (with its extension)."""
    response = Response(content, mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = content_disposition(filename)
    return response


def table_file(fmt: str, *, filename: str, title: str, headers: list[str], rows: list[list]) -> Response:
    """The rows as a download in `fmt` ("csv" or "xlsx")."""
    content = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(title, headers, rows)
    return file_response(content, fmt, f"{filename}.{fmt}")
