"""What every import does: the header, the office scope, and two passes over the rows.

The first pass checks every row and keeps only what the checks across rows need (e.g. the references seen);
the second, over a file known to be clean, writes the rows in batches. Neither holds more than a batch of rows.
"""
import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from app.abroad.importing.cells import Row, allowed
from app.abroad.importing.reading import Table
from app.abroad.importing.results import ImportResult, RowError
from app.cases.interface import CaseKind, CaseWriter, creatable_kinds
from app.core.roles import Role

BATCH = 5000                  # rows checked or written together (and per progress step)
LOOKUP_CHUNK = 2000           # values per IN (...) lookup
STRAY_VALUE = "Feltet står under en kolonne uten overskrift."

Progress = Callable[[int, str], None]


def chunks(values: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def batches(rows: Iterable, size: int = BATCH) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        yield batch


def import_scope(actor) -> set[str] | None:
    """The offices whose records `actor` may import; None for every office (admin, the command line)."""
    if actor is None or actor.role is Role.ADMIN:
        return None
    if (actor.role is Role.ABROAD_CASEWORKER and actor.is_active and actor.office
            and CaseKind.ABROAD_APPLICATION in creatable_kinds(actor)):
        return {actor.office}
    return set()


class Importer(ABC):
    kind = ""
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    def __init__(self, *, actor, batch: str, today: date, progress: Progress) -> None:
        self.actor = actor
        self.batch = batch
        self.today = today
        self.progress = progress
        self.real_today = date.today()   # the core's national ID check knows no other today
        self.scope = import_scope(actor)
        self.result = ImportResult(kind=self.kind, batch=batch)
        self.note = {"import_batch": [None, batch]}   # first in the changes of every audit row of the import

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
                                                f"{allowed(self.columns)}."))
            seen.add(name)
        errors.extend(RowError(1, name, "Kolonnen mangler.") for name in self.required if name not in seen)
        return errors

    def rows(self, table: Table) -> Iterator[Row]:
        """The rows of one pass over `table`, each with a stray value (under no column) as its first error."""
        header = table.header
        positions = [(name, index) for index, name in enumerate(header) if name in self.columns]
        unnamed = [index for index, name in enumerate(header) if not name]
        width = len(header)
        every_column = len(positions) == width   # then a row's cells pair with the header as they stand
        for line, cells in table.rows():
            errors: list[RowError] = []
            if unnamed or len(cells) > width:
                stray = [index for index in unnamed if index < len(cells) and cells[index]]
                stray += [index for index in range(width, len(cells)) if cells[index]]
                if stray:
                    errors.append(RowError(line, f"nr. {stray[0] + 1}", STRAY_VALUE))
            yield Row(line, dict(zip(header, cells, strict=False)) if every_column
                      else {name: cells[index] for name, index in positions if index < len(cells)}, errors)

    def run(self, table: Table) -> ImportResult:
        errors = self.check_header(table.header)
        if errors:
            self.result.errors = errors
            return self.result
        for batch in batches(self.rows(table)):
            self.check_batch(batch)
            errors.extend(error for row in batch for error in row.errors)
            self.result.rows += len(batch)
            self._report(table, 10, 40, "Kontrollerer radene")
        if not self.result.rows:
            self.result.errors = [RowError(None, None, "Filen har ingen rader under overskriftene.")]
            return self.result
        errors.extend(self.check_across())
        if errors:
            self.result.errors = sorted(errors, key=lambda error: error.line or 0)
            return self.result
        self.progress(50, "Lagrer")
        self.write(table)
        self.progress(100, "Ferdig")
        return self.result

    def _report(self, table: Table, start: int, width: int, step: str) -> None:
        fraction = table.fraction()
        self.progress(start + int(width * fraction) if fraction is not None else start, step)

    def reserve_numbers(self, cases: CaseWriter, counts: dict[int, int]) -> None:
        """Reserve the year's case numbers in a block each; the result names them as ranges («2019/1–2019/40»)."""
        self.result.numbers = [f"{year}/{first}" + (f"–{year}/{last}" if last > first else "")
                               for year, first, last in cases.reserve_numbers(counts)]

    def written(self, done: int) -> None:
        """Progress of the second pass: `done` of the file's rows written."""
        self.progress(50 + 50 * done // max(self.result.rows, 1), "Lagrer")

    @abstractmethod
    def check_batch(self, rows: list[Row]) -> None:
        """Check a batch of the first pass: each row's errors on the row."""

    def check_across(self) -> list[RowError]:
        """The checks that need every row seen (after the first pass); none unless an import has some."""
        return []

    @abstractmethod
    def write(self, table: Table) -> None:
        """Write the clean file (its second pass, or what the first one kept); sets the result's counts."""
