"""Bulk import of historical treatment-abroad records (issue 7): applications and referrals, costs and
appeals, from CSV (UTF-8 with or without BOM, comma or semicolon) or XLSX (the first sheet).

Columns are found by their header name, in any order. A file is imported whole or not at all: every row is
checked first, in a pass over the file that keeps only what the checks across rows need, and every bad cell is
reported as «linje N, kolonne C: melding» (line 1 is the header, so N is the row number a spreadsheet shows).
Only a clean file is written, in a second pass, in batches, through the case core's bulk API (app.cases.bulk:
patients, screened cases numbered from blocks reserved per year, audit rows) and the module's own rows, in the
caller's transaction.

What an imported record becomes, and the choices the files leave open:

- Every application is a real case of the abroad module: a screened case (kind abroad_application) numbered
  in the year of `received_date`, at the office that handles `patient_region`, with its Application row and
  one `create` audit row naming the import batch. Appeals are their own cases (abroad_appeal) with the same
  patient, at the office that refused. Costs are cost entries in NOK on the application.
- Names, addresses and municipalities are optional columns. A person on file with the row's `national_id` is
  reused (found through the case core's bulk API, which logs the look-up); any other row gets a new patient,
  named as the row names them or else «Ukjent navn (importert, ref. X)», X being the application's reference.
  Every imported case, known person or not, keeps the patient as the row registers them: that name (or the
  placeholder, which disagrees with no name on file), the birth date, the address and municipality given and the
  row's `patient_region` (people move; the application keeps the region it came from). A blank address keeps the
  last address known for the letters (app/cases/patient_facts.py); the patient page completes an imported
  patient later. A known person whose row
  holds another birth date or home region is listed for the data-quality review; nothing in the result tells
  the importer whether a number was on file (Normen: no existence oracle).
- Imported cases have no responsible caseworker (they are history, not anyone's work list), no journal
  posts (there are no documents), no decision letters, and no initial status-history row (their history is
  the file's). Their case status is the one the row's own status gives (ApplicationStatus.case_status).
- `treatment_class` is an optional extra column (established, trial, experimental); without it a row is
  «established». A granted trial names the trial in `trial_registry_id`, a granted experimental treatment outside
  a trial the grounds of its exception in `exception_grounds` (optional columns), as a grant in the app must.
- Appeals and costs: see appeals.py and costs.py.
- Scope: an abroad caseworker imports only rows whose patient region their office handles (Helse Sør-Øst's
  office also Helse Nord's); costs and appeals only for applications of their office (others count as
  unknown, as the rest of the module answers 404). An admin, and the command line without --user, import for
  every office: loading the history is a national migration task. Neither is shown any patient data: the
  result is counts and line/column errors, which never repeat a national ID or a birth date.

Entry points: run_import() is one import as a unit of work (the command line, the background job and a
benchmark call it); import_file() and import_table() check and write without committing. An import holds
the year's case-number counters from its first write to its commit, so other registrations wait for it.
The package: reading.py (the file), cells.py and application_checks.py (one row's checks), base.py (the two
passes), applications.py, costs.py and appeals.py (each kind's checks across rows and its writing).
"""
import gc
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from app.abroad.importing.appeals import AppealImporter
from app.abroad.importing.applications import PLACEHOLDER_NAME, ApplicationImporter
from app.abroad.importing.base import Progress, import_scope
from app.abroad.importing.costs import CostImporter
from app.abroad.importing.reading import MAX_COLUMNS, MAX_ROWS, Table, read_table
from app.abroad.importing.results import (
    ImportResult,
    RowError,
    UnreadableFile,
    new_batch,
)
from app.core.audit import AuditAction, logged_change, record_change
from app.extensions import db

__all__ = [
    "IMPORTERS", "MAX_COLUMNS", "MAX_ROWS", "MAX_SHOWN_ERRORS", "PLACEHOLDER_NAME", "AppealImporter",
    "ApplicationImporter", "CostImporter", "ImportResult", "RowError", "Table", "UnreadableFile", "import_file",
    "import_table", "imported_result", "may_import", "new_batch", "read_table", "run_import",
]

MAX_SHOWN_ERRORS = 1000       # the web page lists this many; the command line and the error file all of them
IMPORTERS = {"applications": ApplicationImporter, "costs": CostImporter, "appeals": AppealImporter}


def may_import(actor) -> bool:
    return import_scope(actor) != set()


def _no_progress(_percent: int, _step: str) -> None:
    pass


def import_table(kind: str, table: Table, *, actor=None, today: date | None = None, batch: str | None = None,
                 progress: Progress | None = None) -> ImportResult:
    """Check every row of `table` and, when all are good, write them (flushed, not committed); `table` is read
    twice and left open.

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
    """An import builds millions of small objects, and keeps some (a reference per row) until it ends; Python's
    cyclic garbage collector would walk the kept ones over and over. Reference counting still frees everything;
    the collector is back on as soon as the import is done."""
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
        batch = batch or new_batch()
        try:
            with read_table(data, filename) as table:
                progress(10, "Kontrollerer radene")
                return import_table(kind, table, actor=actor, today=today, batch=batch, progress=progress)
        except UnreadableFile as error:   # met in the checking pass, before anything is written
            return ImportResult(kind=kind, batch=batch, errors=[RowError(error.line, error.column, str(error))])


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
