"""Bulk import of historical treatment-abroad records: applications and referrals, costs and
appeals, from CSV (UTF-8 with or without BOM, comma or semicolon) or XLSX (the first sheet).

Columns are found by their header name, in any order. A file is imported whole or not at all: every row is
checked first, in Python, and every bad cell is reported as «linje N, kolonne C: melding» (line 1 is the
header, so N is the row number a spreadsheet shows). Only a clean file is written, in bulk (Core inserts of
lists of rows, the case numbers of each year reserved in one step), in the caller's transaction.

What an imported record becomes, and the choices the files leave open:

- Every application is a real case of the abroad module: a screened case (kind abroad_application) numbered
  in the year of `received_date`, at the office that handles `patient_region`, with its Application row and
  one `create` audit row naming the import batch. Appeals are their own cases (abroad_appeal) with the same
  patient, at the office that refused. Costs are cost entries in NOK on the application.
- The files carry no names. A person on file with the row's `national_id` is reused (found through the case
  core's find_patients(), which logs the look-up); any other row gets a new patient named «Ukjent navn
  (importert, ref. X)», X being the application's reference. Every imported case, known person or not, keeps
  the patient as the row registers them: that name, the birth date, no municipality and the row's
  `patient_region` (people move; the application keeps the region it came from). A known person whose row
  holds another birth date or home region is listed for the data-quality review; nothing in the result tells
  the importer whether a number was on file (Normen: no existence oracle).
- Imported cases have no responsible caseworker (they are history, not anyone's work list), no journal
  posts (there are no documents), no decision letters, and no initial status-history row (the core offers no
  bulk way to write one). Their case status is «Opprettet».
- `treatment_class` is an optional extra column (established, trial, experimental); without it a row is
  «established».
- An appeal's deadline is counted from the decision date: the files have no date of notification. A late
  appeal that the office went on to decide is marked as considered; one still at the office awaits the
  assessment under forvaltningsloven § 31, as a registered one would.
- Costs have no reference of their own: a cost with the same application, date, category and amount as one
  already stored counts as a duplicate. Costs can only be booked on granted applications and referrals, so
  import the appeals (which may grant) before the costs.
- Scope: an abroad caseworker imports only rows whose patient region their office handles (Helse Sør-Øst's
  office also Helse Nord's); costs and appeals only for applications of their office (others count as
  unknown, as the rest of the module answers 404). An admin, and the command line without --user, import for
  every office: loading the history is a national migration task. Neither is shown any patient data: the
  result is counts and line/column errors, which never repeat a national ID or a birth date.

Entry points: run_import() is one import as a unit of work (the command line, the background job and a
benchmark call it); import_file() and import_table() check and write without committing. An import holds
the year's case-number counters from its first write to its commit, so other registrations wait for it.
"""
import csv
import gc
import io
import itertools
import re
import secrets
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from babel.numbers import format_decimal
from sqlalchemy import func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from app.abroad.models import (
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    BoardOutcome,
    CostCategory,
    CostEntry,
    Decision,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.abroad.services import ADULT_AGE, age_on, appeal_deadline, validate_country
from app.cases.interface import (
    ABROAD_OFFICES,
    REGIONS,
    AuditAction,
    Case,
    CaseKind,
    CaseStatus,
    Patient,
    PatientDiscrepancy,
    creatable_kinds,
    differing_facts,
    find_patients,
    handling_office,
    icd10_chapter,
    logged_change,
    next_number,
    record_change,
    reserve_number,
    validate_icd10,
    validate_national_id,
)
from app.core.roles import Role
from app.db import utcnow
from app.errors import InvalidInput
from app.extensions import db

KINDS = {"applications": "søknader og henvisninger", "costs": "kostnader", "appeals": "klager"}

PLACEHOLDER_NAME = "Ukjent navn (importert, ref. {reference})"
# The case core's screening of patient cases (app.cases.services.open_case): the title names the patient,
# the public title (offentligTittel) has the name replaced. Imported titles end with the name, so the public
# title is the title's first part followed by the screened word. tests/abroad/test_import.py checks that this
# matches the core's screened_title().
SCREENED_WORD = "******"
SCREENING_CODE = "UO"
SCREENING_BASIS = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
APPEAL_TITLE = "Klage på avslag om behandling i utlandet"

MAX_SHOWN_ERRORS = 1000       # the web page lists this many; the command line and the error file all of them
CHUNK = 5000                  # rows per insert statement group (and per progress step)
LOOKUP_CHUNK = 2000           # values per IN (...) lookup
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SPACES = re.compile(r"[\s\u00a0\u202f]")

Progress = Callable[[int, str], None]


# Results

@dataclass(frozen=True)
class RowError:
    line: int | None        # None: the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"linje {self.line}, kolonne {self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    batch: str
    rows: int = 0
    created: int = 0
    patients_created: int = 0
    applications_granted: int = 0         # appeals: applications granted by a reversal
    numbers: list[str] = field(default_factory=list)   # the case numbers taken, as ranges per year
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if not self.ok:
            count = len(self.errors)
            return f"Ingenting er importert: filen har {count} feil."
        # How many patients were new is left out: it would tell whether the national IDs were on file.
        text = f"Importerte {self.created} {KINDS[self.kind]}"
        if self.kind == "appeals" and self.applications_granted:
            text += f"; {self.applications_granted} søknader ble innvilget etter klage"
        if self.numbers:
            text += f", saksnummer {', '.join(self.numbers)}"
        return text + "."

    def to_dict(self) -> dict:
        return {"kind": self.kind, "batch": self.batch, "rows": self.rows, "created": self.created,
                "patients_created": self.patients_created, "applications_granted": self.applications_granted,
                "numbers": self.numbers, "errors": [[e.line, e.column, e.message] for e in self.errors]}

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        return cls(**{**data, "errors": [RowError(*error) for error in data["errors"]]})


class UnreadableFile(Exception):
    """The file is not a CSV or XLSX table this module can read, or goes past a limit of what it reads; the
    message is bokmål, `line` and `column` say where when there is a place to name."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def new_batch() -> str:
    return f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


# Reading files
#
# A file is read as a stream, a row at a time, and every limit is checked while reading: a file past one stops
# being read there (a workbook that claims a million rows, or a CSV of a million lines, costs no more than its
# first MAX_ROWS rows), and what is kept is the stripped text of the rows up to the limits. A workbook is
# opened in openpyxl's read-only mode, and the sheet's stored dimensions are not trusted: a row is as wide as
# its last cell, never padded to the width (up to 16,384 columns) or height the file claims.

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


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]     # (line, cells), blank rows left out


def _count(number: int) -> str:
    return format_decimal(number, "#,##0", locale="nb_NO")


def read_table(data: bytes, filename: str = "") -> Table:
    """The header and rows of a CSV or XLSX file, every cell as stripped text. UnreadableFile when the
    file cannot be read or goes past a limit (MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS, the XLSX_MAX_ ones)."""
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data)
    if name.endswith((".xls", ".ods", ".numbers")):
        raise UnreadableFile("Filtypen støttes ikke. Lagre regnearket som XLSX eller som CSV (UTF-8).")
    return _read_csv(data)


class _Lines:
    """The lines of a text stream for csv.reader, refusing a row longer than MAX_RECORD_CHARS (a quoted
    field may hold line breaks, so a row can span lines): no line is read further than the limit allows."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream = stream
        self.record = 0    # characters of the row being read; the reader's loop sets it back after each row
        self.rows = 0      # rows read

    def __iter__(self):
        return self

    def __next__(self) -> str:
        left = MAX_RECORD_CHARS - self.record
        line = self.stream.readline(left + 1)
        if not line:
            raise StopIteration
        self.record += len(line)
        if len(line) > left:
            raise UnreadableFile(f"Linje {self.rows + 1} er lengre enn {_count(MAX_RECORD_CHARS)} tegn (har et felt "
                                 "et anførselstegn som ikke er lukket?), og resten av filen er ikke lest. En rad kan "
                                 f"ha høyst {MAX_COLUMNS} kolonner med høyst {_count(MAX_CELL_CHARS)} tegn i hvert "
                                 "felt.")
        return line


def _read_csv(data: bytes) -> Table:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    lines = _Lines(stream)
    reader = None
    try:
        first_line = next(lines, "")
        delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
        reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)

        def records():
            for record in reader:
                lines.rows += 1
                lines.record = 0
                yield lines.rows, record

        return _table(records())
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
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_ENTRIES:
            raise UnreadableFile(f"Regnearket består av mer enn {_count(XLSX_MAX_ENTRIES)} deler og leses ikke. "
                                 "Lagre det som CSV, eller som XLSX med bare arket som skal importeres.")
        if sum(member.file_size for member in members) > XLSX_MAX_UNPACKED_BYTES:
            raise UnreadableFile(f"Regnearket er over {XLSX_MAX_UNPACKED_BYTES // 1_000_000} MB utpakket. "
                                 "Del det opp, eller lagre det som CSV.")
        if sum(member.file_size for member in members
               if member.filename.lower().endswith("sharedstrings.xml")) > XLSX_MAX_SHARED_STRINGS_BYTES:
            raise UnreadableFile(f"Tekstene i regnearket er over {XLSX_MAX_SHARED_STRINGS_BYTES // 1_000_000} MB "
                                 "utpakket. Del det opp, eller lagre det som CSV.")


def _read_xlsx(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = "Filen kan ikke leses som XLSX. Lagre regnearket som XLSX eller CSV (UTF-8)."
    try:
        _check_archive(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # openpyxl warns about styles and extensions it does not read
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    raise UnreadableFile("Regnearket har ingen ark.")
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()   # rows as wide as their last cell, as many as the sheet holds

                def records():
                    header = []
                    for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                        if line > XLSX_MAX_LINES:
                            raise UnreadableFile(f"Regnearket har rader etter rad {_count(XLSX_MAX_LINES)}, "
                                                 "der et ark slutter. " + unreadable)
                        row = _within_columns(line, row)
                        if line == 1:
                            header = [_cell(value, "").strip().lower() for value in row]
                            yield line, header
                        else:
                            yield line, [_cell(value, header[index] if index < len(header) else "")
                                         for index, value in enumerate(row)]

                return _table(records())
            finally:
                workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        raise UnreadableFile(unreadable) from None   # SyntaxError: broken sheet XML (xml.etree's ParseError)


def _table(records: Iterator[tuple[int, Sequence[str]]]) -> Table:
    """The header and the non-blank rows of `records` ((line, cells), the header first), read one at a
    time and stopped at the first that goes past MAX_ROWS, MAX_COLUMNS or MAX_CELL_CHARS."""
    first = next(records, None)
    header = [cell.strip().lstrip("\ufeff").lower() for cell in _within_columns(1, first[1])] if first else []
    if not any(header):
        raise UnreadableFile("Filen er tom: første linje skal være overskriftene (kolonnenavnene).")
    while header and not header[-1]:
        header.pop()
    rows = []
    for line, values in records:
        cells = [cell.strip() for cell in _within_columns(line, values)]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        for index, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                raise UnreadableFile(f"Feltet har mer enn {_count(MAX_CELL_CHARS)} tegn, og resten av filen er "
                                     f"ikke lest. Et felt kan ha høyst {_count(MAX_CELL_CHARS)} tegn.", line=line,
                                     column=header[index] if index < len(header) and header[index]
                                     else f"nr. {index + 1}")
        if len(rows) == MAX_ROWS:
            raise UnreadableFile(f"Filen har mer enn {_count(MAX_ROWS)} rader under overskriftene; lesingen "
                                 f"stoppet på linje {_count(line)}. Del den opp i filer med høyst "
                                 f"{_count(MAX_ROWS)} rader.")
        rows.append((line, cells))
    return Table(header, rows)


# Checking cells

class _Row:
    """One data row: cells by column name, and the errors found in it."""

    __slots__ = ("line", "cells", "errors")

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.line = line
        self.cells = cells
        self.errors = errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def required(self, column: str) -> str | None:
        value = self.cells.get(column, "")
        if not value:
            self.error(column, "Feltet må fylles ut.")
            return None
        return value

    def date(self, column: str, today: date, *, required: bool = True, personal: bool = False) -> date | None:
        """The cell as a date (ÅÅÅÅ-MM-DD), not after `today`. A `personal` date (a birth date) is not
        repeated in the message."""
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.error(column, "Fyll inn en dato (ÅÅÅÅ-MM-DD).")
            return None
        day = None
        if DATE_PATTERN.match(value):
            try:
                day = date.fromisoformat(value)
            except ValueError:
                pass
        if day is None:
            shown = "Datoen" if personal else f"«{value}»"
            self.error(column, f"{shown} er ikke en gyldig dato. Bruk formen ÅÅÅÅ-MM-DD, f.eks. 2024-03-15.")
        elif day > today:
            self.error(column, "Datoen er fram i tid." if personal else f"Datoen {day:%d.%m.%Y} er fram i tid.")
            return None
        return day

    def code(self, column: str, enum_class, *, required: bool = True):
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.error(column, f"Feltet må fylles ut. Bruk {_allowed(enum_class)}.")
            return None
        member = _members(enum_class).get(value.lower())
        if member is None:
            self.error(column, f"«{value}» er ikke en gyldig verdi. Bruk {_allowed(enum_class, empty=not required)}.")
        return member


@lru_cache(maxsize=None)
def _members(enum_class) -> dict:
    return {member.value: member for member in enum_class}


def _allowed(values, empty: bool = False) -> str:
    """«a, b eller c»: the values a column takes (an enum's values, or the given strings)."""
    values = [getattr(value, "value", value) for value in values]
    text = ", ".join(values[:-1]) + f" eller {values[-1]}" if len(values) > 1 else values[0]
    return text + (", eller la feltet stå tomt" if empty else "")


def _national_id(value: str, today: date) -> tuple[str, date]:
    """validate_national_id() (the number and its birth date, or InvalidInput), with a fast path.

    The core's check (python-stdnum) takes tens of microseconds, a good part of a 100,000-row import. An
    ordinary fødselsnummer (11 digits, valid check digits, a real birth date not after today) is accepted here
    by the same arithmetic; anything else (D- and H-numbers, spaces, every error) goes to the core for its
    verdict and its message. tests/abroad/test_import.py compares the two on many numbers."""
    if len(value) == 11 and value.isascii() and value.isdigit():
        d = value.encode()
        d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10 = (c - 48 for c in d)
        # The two check digits (modulus 11), weights as in python-stdnum's calc_check_digit1/2.
        if ((11 - (3 * d0 + 7 * d1 + 6 * d2 + d3 + 8 * d4 + 9 * d5 + 4 * d6 + 5 * d7 + 2 * d8)) % 11 == d9
                and (11 - (5 * d0 + 4 * d1 + 3 * d2 + 2 * d3 + 7 * d4 + 6 * d5 + 5 * d6 + 4 * d7 + 3 * d8
                           + 2 * d9)) % 11 == d10):
            day, month, year, individual = int(value[0:2]), int(value[2:4]), int(value[4:6]), int(value[6:9])
            if individual < 500:
                year += 1900
            elif individual < 750 and year >= 54:
                year += 1800
            elif year < 40:
                year += 2000
            elif individual >= 900:
                year += 1900
            if 1 <= day <= 31 and 1 <= month <= 12 and year >= 1800:
                try:
                    birth_date = date(year, month, day)
                except ValueError:
                    birth_date = None
                if birth_date is not None and birth_date <= today:
                    return value, birth_date
    return validate_national_id(value)


@lru_cache(maxsize=None)
def _icd10(value: str) -> tuple[str, str] | str:
    """(code, chapter), or the error message."""
    try:
        code = validate_icd10(value)
    except InvalidInput as error:
        return str(error)
    return code, icd10_chapter(code)


@lru_cache(maxsize=None)
def _country(value: str) -> str | InvalidInput:
    try:
        return validate_country(value)
    except InvalidInput as error:
        return error


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _label(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _scope(actor) -> set[str] | None:
    """The offices whose records `actor` may import; None for every office (admin, the command line)."""
    if actor is None or actor.role is Role.ADMIN:
        return None
    if (actor.role is Role.ABROAD_CASEWORKER and actor.is_active and actor.office
            and CaseKind.ABROAD_APPLICATION in creatable_kinds(actor)):
        return {actor.office}
    return set()


def may_import(actor) -> bool:
    return _scope(actor) != set()


class _Importer:
    kind = ""
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    def __init__(self, *, actor, batch: str, today: date, progress: Progress) -> None:
        self.actor = actor
        self.batch = batch
        self.today = today
        self.progress = progress
        self.real_today = date.today()   # the core's national ID check knows no other today
        self.scope = _scope(actor)
        self.result = ImportResult(kind=self.kind, batch=batch)
        self.audit_rows: list[dict] = []
        self.audit_fields: dict | None = None

    def in_scope(self, office: str) -> bool:
        return self.scope is None or office in self.scope

    def check_header(self, header: list[str]) -> list[RowError]:
        errors = []
        seen = set()
        for name in header:
            if not name:
                continue   # a blank column; a value under it is reported on its row
            if name in seen:
                errors.append(RowError(1, name, "Kolonnen finnes flere ganger."))
            elif name not in self.columns:
                errors.append(RowError(1, name, "Ukjent kolonne. Kolonnene i denne filen er "
                                                f"{_allowed(self.columns)}."))
            seen.add(name)
        errors.extend(RowError(1, name, "Kolonnen mangler.") for name in self.required if name not in seen)
        return errors

    def rows(self, table: Table) -> list[_Row]:
        positions = [(name, index) for index, name in enumerate(table.header) if name in self.columns]
        unnamed = [index for index, name in enumerate(table.header) if not name]
        width = len(table.header)
        rows = []
        for line, cells in table.rows:
            errors: list[RowError] = []
            stray = [index for index in unnamed if index < len(cells) and cells[index]]
            stray += [index for index in range(width, len(cells)) if cells[index]]
            if stray:
                errors.append(RowError(line, f"nr. {stray[0] + 1}", "Feltet står under en kolonne uten overskrift."))
            rows.append(_Row(line, {name: cells[index] for name, index in positions if index < len(cells)}, errors))
        return rows

    def run(self, table: Table) -> ImportResult:
        errors = self.check_header(table.header)
        if errors:
            self.result.errors = errors
            return self.result
        rows = self.rows(table)
        self.result.rows = len(rows)
        if not rows:
            self.result.errors = [RowError(None, None, "Filen har ingen rader under overskriftene.")]
            return self.result
        plan = self.check(rows)
        self.result.errors = sorted((error for row in rows for error in row.errors),
                                    key=lambda error: (error.line or 0))
        if self.result.errors:
            return self.result
        self.progress(50, "Lagrer")
        self.write(plan)
        self.progress(100, "Ferdig")
        return self.result

    def checking(self, index: int, total: int) -> None:
        if index % CHUNK == 0:
            self.progress(10 + 40 * index // total, "Kontrollerer radene")

    def audit(self, object_type: str, object_id: int, case_id: int, patient_id: int, changes: dict) -> None:
        """One `create` audit row for an imported record, naming the batch; written by write_audit().
        `changes` holds JSON values only (strings, numbers, None)."""
        self.audit_rows.append({"object_type": object_type, "object_id": str(object_id), "case_id": case_id,
                                "patient_id": patient_id,
                                "changes": {"import_batch": [None, self.batch], **changes}})

    def write_audit(self, start: int, end: int) -> None:
        """Write the buffered audit rows: the first through the core's record_change(), the rest as copies of
        it that differ only in the record, case, patient and changes, inserted with executemany.

        record_change() builds one ORM object per row; for 100,000 rows that alone takes most of the time an
        import may take. The first row shows what the core writes for this user and this request (user,
        e-mail, role, office, login session, address); every other row repeats exactly that. (The core
        offers no bulk form of record_change() yet.)"""
        rows, self.audit_rows = self.audit_rows, []
        if not rows:
            return
        if self.audit_fields is None:
            db.session.flush()
            first = rows.pop(0)
            record_change(AuditAction.CREATE, first["object_type"], first["object_id"],
                          case=_CaseRef(first["case_id"], first["patient_id"]), user=self.actor,
                          changes=first["changes"])
            (event,) = db.session.new
            db.session.flush()
            mapper = inspect(event).mapper
            varying = {"id", "at", "object_type", "object_id", "case_id", "patient_id", "changes"}
            self.audit_fields = {attribute.key: getattr(event, attribute.key) for attribute in mapper.column_attrs
                                 if attribute.key not in varying}
            self.audit_table = mapper.local_table
        fields = self.audit_fields
        for done in range(0, len(rows), CHUNK):
            chunk = rows[done:done + CHUNK]
            db.session.execute(insert(self.audit_table), [{**fields, **row} for row in chunk])
            self.progress(start + (end - start) * (done + len(chunk)) // len(rows), "Skriver logg")

    def take_numbers(self, years: list[int]) -> dict[int, int]:
        """Reserve one block of case numbers per year in a single step each; returns the first of each."""
        first = {}
        for year, count in sorted(Counter(years).items()):
            first[year] = next_number("case", year)
            reserve_number("case", year, first[year] + count - 1)
            self.result.numbers.append(f"{year}/{first[year]}" + (f"–{year}/{first[year] + count - 1}"
                                                                  if count > 1 else ""))
        return first

    def insert(self, table, rows: list[dict], *, key: tuple[str, ...], start: int = 50,
               end: int = 100) -> dict[tuple, list[int]]:
        """Insert `rows` with executemany in chunks (reporting progress from `start` to `end`); returns the
        new ids by the values of the `key` columns.

        The ids are read back afterwards rather than with RETURNING: a plain executemany is the fastest
        insert, and RETURNING over many rows promises no order (to keep it, SQLAlchemy sends SQLite one INSERT
        per row). Every id the database hands out from here on is higher than the highest one visible now, so
        the new rows are among those above it; others' rows, committed meanwhile, do not carry this import's
        keys and are left out."""
        ids: dict[tuple, list[int]] = defaultdict(list)
        if not rows:
            return ids
        highest = db.session.scalar(select(func.max(table.c.id))) or 0
        for done in range(0, len(rows), CHUNK):
            chunk = rows[done:done + CHUNK]
            db.session.execute(insert(table), chunk)
            self.progress(start + (end - start) * (done + len(chunk)) // len(rows), "Lagrer")
        wanted = {tuple(row[name] for name in key) for row in rows}
        for new_id, *values in db.session.execute(select(table.c.id, *(table.c[name] for name in key))
                                                  .where(table.c.id > highest).order_by(table.c.id)).tuples():
            values = tuple(values)
            if values in wanted:
                ids[values].append(new_id)
        return ids


class _CaseRef(NamedTuple):
    """What the audit log needs of a case (its id and patient) without loading thousands of them."""

    id: int
    patient_id: int | None


def _case_fields(kind: CaseKind, actor, now: datetime) -> dict:
    """What every imported case of `kind` shares; the rest (number, titles, unit, patient, date) is per row.
    No responsible caseworker: the history is nobody's work list."""
    return {"kind": kind, "status": CaseStatus.CREATED, "access_code": SCREENING_CODE,
            "legal_basis": SCREENING_BASIS, "created_at": now,
            "created_by_id": actor.id if actor is not None else None, "version": 1}


def _appeal_case_row(*, number: tuple[int, int], application: "_Stored", case_date: date, actor,
                    now: datetime) -> dict:
    """An appeal's case: the application's patient as registered with the application, at its office."""
    year, sequence = number
    return {**_case_fields(CaseKind.ABROAD_APPEAL, actor, now), "number": f"{year}/{sequence}", "year": year,
            "sequence": sequence, "title": f"{APPEAL_TITLE} – {application.patient_name}",
            "public_title": f"{APPEAL_TITLE} – {SCREENED_WORD}", "unit": application.office,
            "patient_id": application.patient_id, "case_date": case_date,
            "patient_name": application.patient_name, "patient_birth_date": application.patient_birth_date,
            "patient_municipality": application.patient_municipality,
            "patient_home_region": application.patient_home_region}


# Applications

# The case title's first part, as services.register_application() writes it.
NOUNS = {stream: "Søknad om behandling i utlandet" if stream.has_decision else f"Henvisning – {stream.label.lower()}"
         for stream in Stream}
# The status for (stream, decision): referrals are referred, undecided applications received.
STATUSES = {(stream, decision): (ApplicationStatus(decision.value) if decision else ApplicationStatus.RECEIVED)
            if stream.has_decision else ApplicationStatus.REFERRED
            for stream in Stream for decision in (None, *Decision)}


class _Application(NamedTuple):
    line: int
    reference: str
    region: str
    office: str
    national_id: str | None
    birth_date: date
    stream: Stream
    received_on: date
    icd10: str
    chapter: str
    treatment_class: TreatmentClass
    decision: Decision | None
    decided_on: date | None
    country: str | None
    hospital: str | None


class ApplicationImporter(_Importer):
    kind = "applications"
    columns = ("reference", "patient_region", "patient_birth_date", "national_id", "stream", "received_date",
               "icd10", "decision", "decision_date", "country", "hospital", "treatment_class")
    required = ("reference", "patient_region", "stream", "received_date", "icd10")

    def check_header(self, header: list[str]) -> list[RowError]:
        errors = super().check_header(header)
        if "patient_birth_date" not in header and "national_id" not in header:
            errors.append(RowError(1, "patient_birth_date", "Filen må ha kolonnen patient_birth_date, "
                                   "national_id eller begge."))
        return errors

    def check(self, rows: list[_Row]) -> list[_Application]:
        parsed = []
        for index, row in enumerate(rows):
            self.checking(index, len(rows))
            application = self.check_row(row)
            if application is not None:
                parsed.append((row, application))
        self.check_references(rows)
        if not any(row.errors for row in rows):
            self.find_patients(parsed)
        return [application for row, application in parsed if not row.errors]

    def check_row(self, row: _Row) -> _Application | None:
        today = self.today
        errors_before = len(row.errors)
        reference = row.required("reference")
        if reference and len(reference) > 40:
            row.error("reference", "Referansen kan ha høyst 40 tegn.")
        region = None
        region_text = row.text("patient_region").lower()
        office = None
        if not region_text:
            row.error("patient_region", f"Feltet må fylles ut. Bruk {_allowed(list(REGIONS))}.")
        elif region_text not in REGIONS:
            row.error("patient_region", f"«{row.text('patient_region')}» er ikke en helseregion. "
                                        f"Bruk {_allowed(list(REGIONS))}.")
        else:
            region = region_text
            office = handling_office(region)
            if not self.in_scope(office):
                row.error("patient_region", f"Pasienter fra {REGIONS[region]} behandles av "
                                            f"{ABROAD_OFFICES[office]}. Du kan bare importere saker for ditt "
                                            "eget kontor.")
        birth_date = row.date("patient_birth_date", today, required=False, personal=True)
        national_id = None
        if row.text("national_id"):
            try:
                national_id, derived = _national_id(row.text("national_id"), self.real_today)
            except InvalidInput as error:
                row.error("national_id", str(error))
            else:
                if birth_date is not None and birth_date != derived:
                    row.error("patient_birth_date", "Fødselsdatoen stemmer ikke med fødselsnummeret.")
                birth_date = derived
        elif not row.text("patient_birth_date"):
            row.error("patient_birth_date", "Fyll inn fødselsnummer (national_id) eller fødselsdato.")
        stream = row.code("stream", Stream)
        received_on = row.date("received_date", today)
        if received_on and birth_date and received_on < birth_date:
            row.error("received_date", "Mottatt-datoen kan ikke være før pasientens fødselsdato.")
        icd10 = chapter = None
        if row.required("icd10"):
            checked = _icd10(row.text("icd10"))
            if isinstance(checked, str):
                row.error("icd10", checked)
            else:
                icd10, chapter = checked
        treatment_class = TreatmentClass.ESTABLISHED
        if row.text("treatment_class"):
            treatment_class = row.code("treatment_class", TreatmentClass)
        decision = row.code("decision", Decision, required=False)
        decided_on = row.date("decision_date", today, required=False)
        if stream is not None and not stream.has_decision:
            if row.text("decision") or row.text("decision_date"):
                row.error("decision" if row.text("decision") else "decision_date",
                          f"{stream.label} avgjøres ikke av kontoret. Feltet skal stå tomt for henvisninger.")
        elif decision is not None and not row.text("decision_date"):
            row.error("decision_date", "Fyll inn vedtaksdatoen.")
        elif decision is None and row.text("decision_date") and not row.text("decision"):
            row.error("decision_date", "Vedtaksdato uten vedtak. Fyll inn decision eller fjern datoen.")
        if decided_on and received_on and decided_on < received_on:
            row.error("decision_date", f"Vedtaket kan ikke være datert før søknaden ble mottatt "
                                       f"({_label(received_on)}).")
        country = None
        if row.text("country"):
            checked = _country(row.text("country"))
            if isinstance(checked, InvalidInput):
                row.error("country", str(checked))
            else:
                country = checked
        hospital = row.text("hospital") or None
        if hospital and len(hospital) > 200:
            row.error("hospital", "Sykehusnavnet kan ha høyst 200 tegn.")
        treated = stream is not None and (not stream.has_decision or decision is Decision.GRANTED)
        if stream is not None and not treated and (row.text("hospital") or row.text("country")):
            row.error("hospital" if row.text("hospital") else "country",
                      "Sykehus og land kan bare oppgis for innvilgede søknader og for henvisninger.")
        if len(row.errors) > errors_before or None in (reference, region, stream, received_on, icd10, birth_date,
                                                       treatment_class):
            return None
        return _Application(row.line, reference, region, office, national_id, birth_date, stream, received_on,
                            icd10, chapter, treatment_class, decision, decided_on, country, hospital)

    def check_references(self, rows: list[_Row]) -> None:
        """Every reference once, in the file and in the database (also on rows with other errors, so one
        round of corrections is enough)."""
        first_line: dict[str, int] = {}
        for row in rows:
            reference = row.text("reference")
            if not reference:
                continue
            if reference in first_line:
                row.error("reference", f"Referansen «{reference}» finnes også på linje {first_line[reference]}.")
            else:
                first_line[reference] = row.line
        taken = set()
        for chunk in _chunks(list(first_line)):
            taken.update(db.session.scalars(select(Application.reference).where(Application.reference.in_(chunk))))
        for row in rows:
            if row.text("reference") in taken:
                row.error("reference", f"Referansen «{row.text('reference')}» er allerede brukt på en annen søknad.")

    def find_patients(self, parsed: list[tuple[_Row, _Application]]) -> None:
        """The people on file with the file's national IDs, looked up (and logged) once the file is clean,
        before anything is written. What is found decides only which patient row a case refers to."""
        self.existing = find_patients((application.national_id for _row, application in parsed
                                       if application.national_id), actor=self.actor, purpose="import")

    def write(self, applications: list[_Application]) -> None:
        actor, now = self.actor, utcnow()
        applications.sort(key=lambda application: (application.received_on, application.line))
        # Patients: one per national ID (the existing one when known), one per row without a number.
        patient_rows: list[dict] = []
        new_for: dict[object, int] = {}     # national ID or line -> index in patient_rows
        latest_region: dict[str, str] = {}
        for application in applications:
            key = application.national_id or application.line
            if application.national_id in self.existing or key in new_for:
                if application.national_id:
                    latest_region[application.national_id] = application.region
                continue
            new_for[key] = len(patient_rows)
            patient_rows.append({"national_id": application.national_id, "birth_date": application.birth_date,
                                 "name": PLACEHOLDER_NAME.format(reference=application.reference),
                                 "home_region": application.region, "created_at": now,
                                 "version": 1})
        for number, region in latest_region.items():
            if number in new_for:
                patient_rows[new_for[number]]["home_region"] = region
        # A new patient's placeholder name holds a reference, unique in the file and the database.
        patient_ids = self.insert(Patient.__table__, patient_rows, key=("name",), end=60)
        patients: dict[object, int] = {number: known.id for number, known in self.existing.items()}
        for key, index in new_for.items():
            patients[key] = patient_ids[(patient_rows[index]["name"],)][0]
        self.result.patients_created = len(patient_rows)

        first = self.take_numbers([application.received_on.year for application in applications])
        case_rows, application_rows, sequence = [], [], dict(first)
        case_fields = _case_fields(CaseKind.ABROAD_APPLICATION, actor, now)
        differs: dict[int, tuple[str, ...]] = {}   # index in case_rows -> facts that disagree with the person
        for application in applications:
            patient_id = patients[application.national_id or application.line]
            name = PLACEHOLDER_NAME.format(reference=application.reference)
            known = self.existing.get(application.national_id)
            if known is not None and (fields := differing_facts(known, name=None, birth_date=application.birth_date,
                                                                home_region=application.region)):
                differs[len(case_rows)] = fields
            received_on = application.received_on
            year = received_on.year
            noun = NOUNS[application.stream]
            case_rows.append({**case_fields, "number": f"{year}/{sequence[year]}", "year": year,
                              "sequence": sequence[year], "title": f"{noun} – {name}",
                              "public_title": f"{noun} – {SCREENED_WORD}", "unit": application.office,
                              "patient_id": patient_id, "case_date": received_on, "patient_name": name,
                              "patient_birth_date": application.birth_date, "patient_municipality": None,
                              "patient_home_region": application.region})
            sequence[year] += 1
            # Only the columns the file fills; the others (applicant, letter, plan, ...) stay NULL.
            application_rows.append({
                "reference": application.reference, "stream": application.stream,
                "home_region": application.region, "office": application.office, "received_on": received_on,
                "child": age_on(application.birth_date, received_on) < ADULT_AGE,
                "treatment_class": application.treatment_class, "icd10": application.icd10,
                "icd10_chapter": application.chapter, "status": STATUSES[application.stream, application.decision],
                "decision": application.decision, "decided_on": application.decided_on,
                "hospital": application.hospital, "country": application.country, "created_at": now,
                "version": 1})
        case_ids = self.insert(Case.__table__, case_rows, key=("number",), start=60, end=75)
        for row, case in zip(application_rows, case_rows):
            row["case_id"] = case_ids[(case["number"],)][0]
        application_ids = self.insert(Application.__table__, application_rows, key=("case_id",), start=75, end=85)
        batch = [None, self.batch]
        self.audit_rows = [
            {"object_type": "abroad_application", "object_id": str(application_ids[(row["case_id"],)][0]),
             "case_id": row["case_id"], "patient_id": case["patient_id"],
             "changes": {"import_batch": batch, "number": [None, case["number"]],
                         "reference": [None, row["reference"]]}}
            for case, row in zip(case_rows, application_rows)]
        self.list_discrepancies(case_rows, [row["case_id"] for row in application_rows], differs, now)
        self.write_audit(85, 100)
        self.result.created = len(applications)

    def list_discrepancies(self, case_rows: list[dict], case_ids: list[int], differs: dict[int, tuple[str, ...]],
                           now: datetime) -> None:
        """The data-quality list's rows for the cases of known people registered with other facts (as the case
        core's open_case() lists them), each with its `create` audit row."""
        if not differs:
            return
        registered_by = self.actor.id if self.actor is not None else None
        rows = [{"patient_id": case_rows[index]["patient_id"], "case_id": case_ids[index], "fields": list(fields),
                 "registered_at": now, "registered_by_id": registered_by} for index, fields in differs.items()]
        ids = self.insert(PatientDiscrepancy.__table__, rows, key=("case_id",), start=85, end=85)
        self.audit_rows.extend(
            {"object_type": "patient_discrepancy", "object_id": str(ids[(row["case_id"],)][0]),
             "case_id": row["case_id"], "patient_id": row["patient_id"],
             "changes": {"import_batch": [None, self.batch], "fields": [None, row["fields"]]}} for row in rows)


# Costs and appeals refer to stored applications

class _Stored(NamedTuple):
    id: int
    reference: str
    case_id: int
    patient_id: int
    patient_name: str
    patient_birth_date: date
    patient_municipality: str | None
    patient_home_region: str
    office: str
    status: ApplicationStatus
    decision: Decision | None
    decided_on: date | None
    received_on: date


def _stored_applications(references: Iterable[str], scope: set[str] | None) -> dict[str, _Stored]:
    """The applications with these references that the importer may use (others count as unknown)."""
    found = {}
    for chunk in _chunks(sorted(set(references))):
        query = (select(Application.id, Application.reference, Application.case_id, Case.patient_id,
                        Case.patient_name, Case.patient_birth_date, Case.patient_municipality,
                        Case.patient_home_region, Application.office, Application.status, Application.decision,
                        Application.decided_on, Application.received_on)
                 .join(Case, Case.id == Application.case_id)
                 .where(Application.reference.in_(chunk)))
        if scope is not None:
            query = query.where(Application.office.in_(scope))
        found.update((row.reference, _Stored(*row)) for row in db.session.execute(query))
    return found


def _unknown(row: _Row, reference: str) -> None:
    row.error("application_reference", f"Fant ingen søknad med referansen «{reference}».")


class _Cost(NamedTuple):
    line: int
    application: _Stored
    entry_date: date
    category: CostCategory
    amount: int


COSTS_ALLOWED = (ApplicationStatus.GRANTED, ApplicationStatus.REFERRED, ApplicationStatus.COMPLETED)
MAX_AMOUNT = 10 ** 12


class CostImporter(_Importer):
    kind = "costs"
    columns = ("application_reference", "date", "category", "amount_nok")
    required = columns

    def check(self, rows: list[_Row]) -> list[_Cost]:
        stored = _stored_applications((row.text("application_reference") for row in rows
                                       if row.text("application_reference")), self.scope)
        costs = []
        for index, row in enumerate(rows):
            self.checking(index, len(rows))
            cost = self.check_row(row, stored)
            if cost is not None:
                costs.append((row, cost))
        existing = set()
        for chunk in _chunks(sorted({cost.application.id for _row, cost in costs})):
            existing.update(db.session.execute(
                select(CostEntry.application_id, CostEntry.entry_date, CostEntry.category, CostEntry.amount_nok)
                .where(CostEntry.application_id.in_(chunk))).tuples())
        for row, cost in costs:
            if (cost.application.id, cost.entry_date, cost.category, cost.amount) in existing:
                row.error("amount_nok", "Kostnaden er allerede registrert på søknaden (samme dato, kategori og "
                                        "beløp).")
        return [cost for row, cost in costs if not row.errors]

    def check_row(self, row: _Row, stored: dict[str, _Stored]) -> _Cost | None:
        errors_before = len(row.errors)
        reference = row.required("application_reference")
        application = stored.get(reference) if reference else None
        if reference and application is None:
            _unknown(row, reference)
        entry_date = row.date("date", self.today)
        category = row.code("category", CostCategory)
        amount = None
        raw = row.text("amount_nok")
        if not raw:
            row.error("amount_nok", "Fyll inn beløpet i hele kroner.")
        else:
            digits = SPACES.sub("", raw)
            if not digits.lstrip("-").isdigit():
                row.error("amount_nok", f"«{raw}» er ikke et helt antall kroner. Skriv beløpet uten øre, "
                                        "f.eks. 12500.")
            elif int(digits) <= 0:
                row.error("amount_nok", "Beløpet må være større enn null.")
            elif int(digits) >= MAX_AMOUNT:
                row.error("amount_nok", "Beløpet er for stort.")
            else:
                amount = int(digits)
        if application is not None:
            if application.status not in COSTS_ALLOWED:
                row.error("application_reference", "Kostnader kan bare føres på innvilgede søknader og henvisninger. "
                                                   f"Søknaden «{reference}» er «{application.status.label.lower()}».")
            if entry_date and entry_date < application.received_on:
                row.error("date", f"Kostnaden kan ikke være datert før søknaden ble mottatt "
                                  f"({_label(application.received_on)}).")
        if len(row.errors) > errors_before or None in (application, entry_date, category, amount):
            return None
        return _Cost(row.line, application, entry_date, category, amount)

    def write(self, costs: list[_Cost]) -> None:
        now = utcnow()
        created_by = self.actor.id if self.actor is not None else None
        rows = [{"application_id": cost.application.id, "entry_date": cost.entry_date, "category": cost.category,
                 "amount": cost.amount, "currency": "NOK", "amount_nok": cost.amount, "created_at": now,
                 "created_by_id": created_by} for cost in costs]
        # A cost has no column of its own: identical rows of one application share a key and take its ids
        # in turn (which of two identical costs gets which id does not matter).
        key = ("application_id", "entry_date", "category", "amount_nok")
        ids = self.insert(CostEntry.__table__, rows, key=key, end=80)
        for cost in costs:
            application = cost.application
            self.audit("abroad_cost", ids[(application.id, cost.entry_date, cost.category, cost.amount)].pop(),
                       application.case_id, application.patient_id, {
                           "application_reference": [None, application.reference],
                           "category": [None, cost.category.value], "amount_nok": [None, cost.amount],
                           "entry_date": [None, cost.entry_date.isoformat()]})
        self.write_audit(80, 100)
        self.result.created = len(costs)


# Appeals

class _Appeal(NamedTuple):
    line: int
    application: _Stored
    received_on: date
    office_outcome: OfficeOutcome | None
    office_decided_on: date | None
    board_outcome: BoardOutcome | None
    board_decided_on: date | None

    @property
    def status(self) -> AppealStatus:
        if self.board_outcome is not None:
            return {BoardOutcome.UPHELD: AppealStatus.UPHELD_BY_BOARD,
                    BoardOutcome.REVERSED: AppealStatus.REVERSED_BY_BOARD}[self.board_outcome]
        return {None: AppealStatus.RECEIVED, OfficeOutcome.REVERSED: AppealStatus.REVERSED_BY_OFFICE,
                OfficeOutcome.FORWARDED: AppealStatus.FORWARDED}[self.office_outcome]

    @property
    def grants(self) -> bool:
        return self.status in (AppealStatus.REVERSED_BY_OFFICE, AppealStatus.REVERSED_BY_BOARD)


OPEN_APPEALS = OPEN_APPEAL_STATUSES


class AppealImporter(_Importer):
    kind = "appeals"
    columns = ("application_reference", "received_date", "office_outcome", "office_decision_date",
               "board_outcome", "board_decision_date")
    required = ("application_reference", "received_date")

    def check(self, rows: list[_Row]) -> list[_Appeal]:
        stored = _stored_applications((row.text("application_reference") for row in rows
                                       if row.text("application_reference")), self.scope)
        appeals = []
        for index, row in enumerate(rows):
            self.checking(index, len(rows))
            appeal = self.check_row(row, stored)
            if appeal is not None:
                appeals.append((row, appeal))
        self.check_sequence(appeals)
        return [appeal for row, appeal in appeals if not row.errors]

    def check_row(self, row: _Row, stored: dict[str, _Stored]) -> _Appeal | None:
        errors_before = len(row.errors)
        reference = row.required("application_reference")
        application = stored.get(reference) if reference else None
        if reference and application is None:
            _unknown(row, reference)
        received_on = row.date("received_date", self.today)
        office_outcome = row.code("office_outcome", OfficeOutcome, required=False)
        office_decided_on = row.date("office_decision_date", self.today, required=False)
        board_outcome = row.code("board_outcome", BoardOutcome, required=False)
        board_decided_on = row.date("board_decision_date", self.today, required=False)
        for outcome, when in (("office_outcome", "office_decision_date"), ("board_outcome", "board_decision_date")):
            if row.text(outcome) and not row.text(when):
                row.error(when, "Fyll inn datoen for avgjørelsen.")
            elif row.text(when) and not row.text(outcome):
                row.error(when, f"Dato uten avgjørelse. Fyll inn {outcome} eller fjern datoen.")
        if row.text("board_outcome") and office_outcome is not OfficeOutcome.FORWARDED:
            row.error("board_outcome", "Nemndas avgjørelse forutsetter at kontoret oversendte klagen til "
                                       "Klagenemnda (office_outcome forwarded).")
        if office_decided_on and received_on and office_decided_on < received_on:
            row.error("office_decision_date", f"Kontorets behandling kan ikke være datert før klagen kom inn "
                                              f"({_label(received_on)}).")
        if board_decided_on and office_decided_on and board_decided_on < office_decided_on:
            row.error("board_decision_date", f"Nemndas avgjørelse kan ikke være datert før klagen ble oversendt "
                                             f"({_label(office_decided_on)}).")
        if application is not None:
            if application.decision is not Decision.DENIED:
                state = application.decision.label.lower() if application.decision else "ikke avgjort"
                row.error("application_reference", f"Bare et avslag kan påklages. Søknaden «{reference}» er "
                                                   f"«{state}».")
            elif received_on and received_on < application.decided_on:
                row.error("received_date", f"Klagen kan ikke ha kommet inn før vedtaket ble fattet "
                                           f"({_label(application.decided_on)}).")
        if len(row.errors) > errors_before or None in (application, received_on):
            return None
        return _Appeal(row.line, application, received_on, office_outcome, office_decided_on, board_outcome,
                       board_decided_on)

    def check_sequence(self, appeals: list[tuple[_Row, _Appeal]]) -> None:
        """Per application, in the order they came: one appeal under way at a time, none after a grant, and
        none registered twice (in the file or already stored)."""
        stored: dict[int, list[tuple[date, AppealStatus]]] = defaultdict(list)
        for chunk in _chunks(sorted({appeal.application.id for _row, appeal in appeals})):
            for application_id, received_on, status in db.session.execute(
                    select(Appeal.application_id, Appeal.received_on, Appeal.status)
                    .where(Appeal.application_id.in_(chunk))):
                stored[application_id].append((received_on, status))
        by_application: dict[int, list[tuple[_Row, _Appeal]]] = defaultdict(list)
        for row, appeal in appeals:
            by_application[appeal.application.id].append((row, appeal))
        for application_id, items in by_application.items():
            items.sort(key=lambda item: (item[1].received_on, item[0].line))
            status = items[0][1].application.status
            under_way = any(state in OPEN_APPEALS for _day, state in stored[application_id])
            seen = {day: None for day, _state in stored[application_id]}
            for row, appeal in items:
                reference = appeal.application.reference
                if appeal.received_on in seen:
                    where = seen[appeal.received_on]
                    row.error("received_date", f"Klagen på «{reference}» mottatt {_label(appeal.received_on)} "
                                               + (f"finnes også på linje {where}." if where else
                                                  "er allerede registrert."))
                    continue
                seen[appeal.received_on] = row.line
                if under_way:
                    row.error("application_reference", f"Det er allerede en klage under behandling på vedtaket "
                                                       f"i «{reference}».")
                elif status is not ApplicationStatus.DENIED:
                    row.error("application_reference", f"Bare et avslag kan påklages. Søknaden «{reference}» er "
                                                       f"«{status.label.lower()}».")
                if appeal.grants:
                    status = ApplicationStatus.GRANTED
                under_way = under_way or appeal.status in OPEN_APPEALS

    def write(self, appeals: list[_Appeal]) -> None:
        actor, now = self.actor, utcnow()
        appeals.sort(key=lambda appeal: (appeal.received_on, appeal.line))
        first = self.take_numbers([appeal.received_on.year for appeal in appeals])
        case_rows, appeal_rows, sequence = [], [], dict(first)
        for appeal in appeals:
            year = appeal.received_on.year
            application = appeal.application
            case_rows.append(_appeal_case_row(number=(year, sequence[year]), application=application,
                                              case_date=appeal.received_on, actor=actor, now=now))
            sequence[year] += 1
            deadline_on = appeal_deadline(application.decided_on)
            late = appeal.received_on > deadline_on
            considered = late and appeal.office_outcome is not None
            appeal_rows.append({
                "application_id": application.id, "received_on": appeal.received_on,
                "notified_on": application.decided_on, "deadline_on": deadline_on, "late": late,
                "late_assessment": ("Importert fra historiske data: kontoret behandlet klagen." if considered
                                    else None),
                "consider_late": True if considered else None, "status": appeal.status,
                "office_outcome": appeal.office_outcome, "office_decided_on": appeal.office_decided_on,
                "board_outcome": appeal.board_outcome, "board_decided_on": appeal.board_decided_on,
                "created_at": now, "version": 1})
        case_ids = self.insert(Case.__table__, case_rows, key=("number",), end=70)
        for row, case in zip(appeal_rows, case_rows):
            row["case_id"] = case_ids[(case["number"],)][0]
        appeal_ids = self.insert(Appeal.__table__, appeal_rows, key=("case_id",), start=70, end=85)
        for appeal, case, row in zip(appeals, case_rows, appeal_rows):
            self.audit("abroad_appeal", appeal_ids[(row["case_id"],)][0], row["case_id"],
                       appeal.application.patient_id, {
                           "number": [None, case["number"]],
                           "application_reference": [None, appeal.application.reference],
                           "status": [None, appeal.status.value]})
        self.write_audit(85, 95)
        self.grant(appeals, {appeal.line: case["number"] for appeal, case in zip(appeals, case_rows)})
        db.session.flush()
        self.result.created = len(appeals)

    def grant(self, appeals: list[_Appeal], numbers: dict[int, str]) -> None:
        """A reversal (by the office or the board) grants the application; its first-instance decision stays."""
        granting = {appeal.application.id: appeal for appeal in appeals if appeal.grants}
        if not granting:
            return
        for chunk in _chunks(sorted(granting)):
            for application in db.session.scalars(select(Application).where(Application.id.in_(chunk))):
                appeal = granting[application.id]
                previous = application.status
                application.status = ApplicationStatus.GRANTED
                record_change(AuditAction.UPDATE, "abroad_application", application.id,
                              case=_CaseRef(application.case_id, appeal.application.patient_id), user=self.actor,
                              changes={"import_batch": [None, self.batch],
                                       "status": [previous.value, ApplicationStatus.GRANTED.value],
                                       "appeal_case": [None, numbers[appeal.line]]})
        self.result.applications_granted = len(granting)


IMPORTERS = {"applications": ApplicationImporter, "costs": CostImporter, "appeals": AppealImporter}


# Entry points

def _no_progress(_percent: int, _step: str) -> None:
    pass


def import_table(kind: str, table: Table, *, actor=None, today: date | None = None, batch: str | None = None,
                 progress: Progress | None = None) -> ImportResult:
    """Check every row of `table` and, when all are good, write them (flushed, not committed).

    `actor` is the user the import is done for (their office scope, named in the audit rows); None for the
    command line's own imports of every office. A result with errors has written nothing."""
    importer = IMPORTERS[kind](actor=actor, batch=batch or new_batch(), today=today or date.today(),
                               progress=progress or _no_progress)
    if not may_import(actor):
        importer.result.errors = [RowError(None, None, "Du har ikke tilgang til å importere saker.")]
        return importer.result
    return importer.run(table)


@contextmanager
def _without_cyclic_gc():
    """An import builds millions of small objects and lets go of none until it ends; Python's cyclic garbage
    collector would walk them all over and over (a third of the time of a 100,000-row file). Reference
    counting still frees everything; the collector is back on as soon as the import is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(kind: str, data: bytes, filename: str = "", *, actor=None, today: date | None = None,
                batch: str | None = None, progress: Progress | None = None) -> ImportResult:
    """Read a CSV or XLSX file and import it with import_table() (flushed, not committed)."""
    progress = progress or _no_progress
    with _without_cyclic_gc():
        progress(0, "Leser filen")
        try:
            table = read_table(data, filename)
        except UnreadableFile as error:
            return ImportResult(kind=kind, batch=batch or new_batch(),
                                errors=[RowError(error.line, error.column, str(error))])
        progress(10, "Kontrollerer radene")
        return import_table(kind, table, actor=actor, today=today, batch=batch, progress=progress)


CONFLICT = ("Noen andre lagret søknader med de samme referansene eller de samme saksnumrene samtidig. "
            "Ingenting er importert – prøv igjen.")


IMPORT_RECEIPT = "abroad_import"   # the audit row of a committed import, keyed by its batch


def run_import(kind: str, data: bytes, filename: str = "", *, actor=None, today: date | None = None,
               progress: Progress | None = None, batch: str | None = None) -> ImportResult:
    """One import as a unit of work: import_file(), then commit a clean result or roll everything back.

    This is what the command line and the background job call, and what a benchmark can time. The audit row
    of the import, keyed by `batch`, holds the result: the background job gives each import its batch up
    front, and a run after its worker died finds that row (imported_result) instead of importing again."""
    batch = batch or new_batch()
    try:
        result = import_file(kind, data, filename, actor=actor, today=today, batch=batch, progress=progress)
        if result.ok:
            record_change(AuditAction.CREATE, IMPORT_RECEIPT, batch, user=actor,
                          changes={"kind": [None, kind], "file": [None, filename[:200]],
                                   "created": [None, result.created], "rows": [None, result.rows],
                                   "patients_created": [None, result.patients_created],
                                   "applications_granted": [None, result.applications_granted],
                                   "numbers": [None, result.numbers]})
            db.session.commit()
        # A refused file has written nothing: there is nothing to roll back.
    except IntegrityError:
        db.session.rollback()
        return ImportResult(kind=kind, batch=batch, errors=[RowError(None, None, CONFLICT)])
    except BaseException:
        db.session.rollback()
        raise
    return result


def imported_result(batch: str, *, since: datetime) -> ImportResult | None:
    """The result of the import `batch` when it was committed (at or after `since`), from its audit row."""
    changes = logged_change(IMPORT_RECEIPT, batch, since=since)
    if changes is None:
        return None
    values = {name: changes[name][1] for name in ("rows", "created", "patients_created", "applications_granted",
                                                   "numbers") if name in changes}
    return ImportResult(kind=changes["kind"][1], batch=batch, **values)
