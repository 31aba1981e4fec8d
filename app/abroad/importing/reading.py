"""Reading an import file: CSV (UTF-8 with or without BOM, comma or semicolon) or XLSX (the first sheet).

A file is read as a stream, a row at a time, and every limit is checked while reading: a file past one stops
being read there (a workbook that claims a million rows, or a CSV of a million lines, costs no more than its
first MAX_ROWS rows). Nothing but the row being read is held: an import reads the file twice (checking, then
writing), each time from its bytes. A workbook is opened in openpyxl's read-only mode, and the sheet's stored
dimensions are not trusted: a row is as wide as its last cell, never padded to the width (up to 16,384
columns) or height the file claims.
"""
import csv
import io
import itertools
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from typing import Self

from babel.numbers import format_decimal

from app.abroad.importing.results import UnreadableFile

MAX_ROWS = 100_000         # data rows under the header; what one list export holds (app.exports.ROW_LIMIT)
MAX_COLUMNS = 50           # the widest import has 12 columns
MAX_CELL_CHARS = 1_000     # the longest field an import stores holds 300 characters
MAX_RECORD_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS + 3)   # one CSV row at most: every field full and quoted
XLSX_MAX_LINES = 1_048_576  # the rows an Excel sheet can have
# What a workbook may unpack to, checked from the zip's directory before anything is unpacked: twice what
# 100,000 rows of the import's columns take (about 45 MB as openpyxl writes them). Python's zipfile never
# unpacks a member past its declared size (it fails the CRC check instead), so the directory cannot lie.
# openpyxl parses the XML with defusedxml (installed), so entity expansion and external entities are refused.
XLSX_MAX_UNPACKED_BYTES = 100_000_000
# openpyxl keeps every shared string of a workbook in memory, also in read-only mode, at up to four times
# their size in the file: the shared-string part gets a limit of its own. 100,000 rows of unique references,
# national IDs and dates as text take about 15 MB.
XLSX_MAX_SHARED_STRINGS_BYTES = 32_000_000
XLSX_MAX_ENTRIES = 1_000   # parts of the archive; a workbook from Excel has a dozen, one per sheet and image more
XLSX_UNREADABLE = "Filen kan ikke leses som XLSX. Lagre regnearket som XLSX eller CSV (UTF-8)."

Records = Callable[[], Iterator[tuple[int, Sequence]]]   # a fresh pass over (line, cells), the header first


def count_text(number: int) -> str:
    return format_decimal(number, "#,##0", locale="nb_NO")


class Table:
    """A file's header and a way to read its rows again: rows() reads them from the start, one at a time,
    stopping at the first that goes past MAX_ROWS, MAX_COLUMNS or MAX_CELL_CHARS. Close it when done (a
    workbook holds its archive open)."""

    def __init__(self, records: Records, close: Callable[[], None] = lambda: None,
                 fraction: Callable[[], float | None] = lambda: None) -> None:
        self._records = records
        self.close = close
        self.fraction = fraction   # how much of the file the pass under way has read, when that is known
        first = next(records(), None)
        header = [cell.strip().lstrip("\ufeff").lower() for cell in _within_columns(1, first[1])] if first else []
        if not any(header):
            raise UnreadableFile("Filen er tom: første linje skal være overskriftene (kolonnenavnene).")
        while header and not header[-1]:
            header.pop()
        self.header = header

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line, stripped cells) of every non-blank row under the header."""
        records = self._records()
        next(records, None)
        count = 0
        for line, values in records:
            cells = [cell.strip() for cell in _within_columns(line, values)]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            self._check_cells(line, cells)
            if count == MAX_ROWS:
                raise UnreadableFile(f"Filen har mer enn {count_text(MAX_ROWS)} rader under overskriftene; lesingen "
                                     f"stoppet på linje {count_text(line)}. Del den opp i filer med høyst "
                                     f"{count_text(MAX_ROWS)} rader.")
            count += 1
            yield line, cells

    def _check_cells(self, line: int, cells: list[str]) -> None:
        if max(map(len, cells)) <= MAX_CELL_CHARS:
            return
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                header = self.header
                raise UnreadableFile(f"Feltet har mer enn {count_text(MAX_CELL_CHARS)} tegn, og resten av filen er "
                                     f"ikke lest. Et felt kan ha høyst {count_text(MAX_CELL_CHARS)} tegn.", line=line,
                                     column=header[index] if index < len(header) and header[index]
                                     else f"nr. {index + 1}")


def read_table(data: bytes, filename: str = "") -> Table:
    """The header of a CSV or XLSX file, and its rows to read (every cell as stripped text). UnreadableFile
    when the file cannot be read or goes past a limit (MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS, the XLSX_MAX_
    ones): at once for the header and the archive, while reading for the rows."""
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        return _xlsx_table(data)
    if name.endswith((".xls", ".ods", ".numbers")):
        raise UnreadableFile("Filtypen støttes ikke. Lagre regnearket som XLSX eller som CSV (UTF-8).")
    return _csv_table(data)


class _Lines:
    """The lines of a text stream for csv.reader, refusing a row longer than MAX_RECORD_CHARS (a quoted
    field may hold line breaks, so a row can span lines): no line is read further than the limit allows."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.record = 0    # characters of the row being read; the reader's loop sets it back after each row
        self.rows = 0      # rows read
        self.chars = 0     # characters read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        left = MAX_RECORD_CHARS - self.record
        line = self.stream.readline(left + 1)
        if not line:
            raise StopIteration
        self.record += len(line)
        self.chars += len(line)
        if len(line) > left:
            raise UnreadableFile(f"Linje {self.rows + 1} er lengre enn {count_text(MAX_RECORD_CHARS)} tegn (har et "
                                 "felt et anførselstegn som ikke er lukket?), og resten av filen er ikke lest. En rad "
                                 f"kan ha høyst {MAX_COLUMNS} kolonner med høyst {count_text(MAX_CELL_CHARS)} tegn i "
                                 "hvert felt.")
        return line


def _csv_table(data: bytes) -> Table:
    passes: list[_Lines] = []

    def records() -> Iterator[tuple[int, list[str]]]:
        passes[:] = [_Lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""))]
        return _csv_records(passes[0])

    return Table(records, fraction=lambda: min(passes[0].chars / len(data), 1) if passes and data else None)


def _csv_records(lines: "_Lines") -> Iterator[tuple[int, list[str]]]:
    reader = None
    try:
        first_line = next(lines, "")
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
        for record in reader:
            lines.rows += 1
            lines.record = 0
            yield lines.rows, record
    except UnicodeDecodeError:
        raise UnreadableFile("Filen er ikke UTF-8-kodet. Lagre den som «CSV UTF-8» og prøv igjen.") from None
    except csv.Error:
        raise UnreadableFile(f"Filen kan ikke leses som CSV: linje {reader.line_num if reader else 1} er ugyldig "
                             "(for eksempel et felt med et anførselstegn som ikke er lukket).") from None


def _cell(value, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        # A national ID typed as a number loses its leading zero in a spreadsheet.
        return f"{value:011d}" if column == "national_id" else str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _within_columns(line: int, values: Sequence) -> Sequence:
    """The first MAX_COLUMNS values of a row; UnreadableFile when a value stands further right."""
    if len(values) <= MAX_COLUMNS:
        return values
    beyond = values[MAX_COLUMNS:]
    if beyond.count(None) != len(beyond) and any(value is not None and str(value).strip() for value in beyond):
        raise UnreadableFile(f"Linje {line} har verdier i mer enn {MAX_COLUMNS} kolonner, og resten av filen er "
                             f"ikke lest. En importfil kan ha høyst {MAX_COLUMNS} kolonner.")
    return values[:MAX_COLUMNS]


def _check_archive(data: bytes) -> None:
    """Refuse a workbook whose zip directory promises too many parts or too much XML (a zip bomb), before
    anything is unpacked."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_ENTRIES:
            raise UnreadableFile(f"Regnearket består av mer enn {count_text(XLSX_MAX_ENTRIES)} deler og leses ikke. "
                                 "Lagre det som CSV, eller som XLSX med bare arket som skal importeres.")
        if sum(member.file_size for member in members) > XLSX_MAX_UNPACKED_BYTES:
            raise UnreadableFile(f"Regnearket er over {XLSX_MAX_UNPACKED_BYTES // 1_000_000} MB utpakket. "
                                 "Del det opp, eller lagre det som CSV.")
        if sum(member.file_size for member in members
               if member.filename.lower().endswith("sharedstrings.xml")) > XLSX_MAX_SHARED_STRINGS_BYTES:
            raise UnreadableFile(f"Tekstene i regnearket er over {XLSX_MAX_SHARED_STRINGS_BYTES // 1_000_000} MB "
                                 "utpakket. Del det opp, eller lagre det som CSV.")


# What a broken workbook raises, at opening or while its rows are read. SyntaxError: broken sheet XML
# (xml.etree's ParseError).
_XLSX_ERRORS = (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError)


def _xlsx_table(data: bytes) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        _check_archive(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about styles and extensions it does not read
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, *_XLSX_ERRORS):
        raise UnreadableFile(XLSX_UNREADABLE) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("Regnearket har ingen ark.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()   # rows as wide as their last cell, as many as the sheet holds
        return Table(lambda: _xlsx_records(sheet), close=workbook.close)
    except BaseException:
        workbook.close()
        raise


def _xlsx_records(sheet) -> Iterator[tuple[int, list[str]]]:
    header: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if line > XLSX_MAX_LINES:
                    raise UnreadableFile(f"Regnearket har rader etter rad {count_text(XLSX_MAX_LINES)}, der et ark "
                                         "slutter. " + XLSX_UNREADABLE)
                row = _within_columns(line, row)
                if line == 1:
                    header = [_cell(value, "").strip().lower() for value in row]
                    yield line, header
                else:
                    yield line, [_cell(value, header[index] if index < len(header) else "")
                                 for index, value in enumerate(row)]
    except _XLSX_ERRORS:
        raise UnreadableFile(XLSX_UNREADABLE) from None
