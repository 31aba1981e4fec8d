"""Registering many patient cases at once (an import), by the rules open_case() and register_patient() apply
one at a time, written in batches in the caller's transaction.

- Patients: the national IDs are looked up once with find_patients() (each person found gets its `lookup`
  audit row); a person on file is reused, any other number gets one new patient row, and a case without a
  number gets a patient row of its own. Every case keeps the patient as its row registers them, whatever is
  on file (no existence oracle); a known person registered with other facts is listed for the data-quality
  review, with its audit row, as open_case() lists them.
- Cases: titled «subject – name» and screened (offl. § 13) by the core's screened_title(); numbered from
  blocks of case numbers reserved per year, in the order the caller gives (`position`).
- Audit: record_changes() writes one batch of `create` rows for one user, with the fields record_change()
  would give each.

Rows go in as the database takes them fastest (SQLite: one executemany per batch of values run through the
columns' bind processors; PostgreSQL: COPY), each with an id from a block taken first, so nothing is read back.
Imported cases get no status-history row and no audit row of their own: the module's record of each (its
`create` row) names the case number.
"""
import json
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Table, func, select, text
from sqlalchemy.exc import IntegrityError

from app.cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    Patient,
    PatientDiscrepancy,
    RegisteredPatient,
)
from app.cases.numbering import next_number, reserve_number
from app.cases.services import (
    SCREENED_WORD,
    SCREENING_BASIS_PERSONAL,
    SCREENING_CODE,
    KnownPatient,
    differing_facts,
    find_patients,
    screened_title,
)
from app.core.audit import AuditAction, AuditEvent, actor_fields, note_raw_write
from app.db import utcnow
from app.extensions import db

BATCH = 5000   # rows per statement where the caller gives more at once
# Column types whose equal values bind alike (hashable, one type per column), so a value is processed once per
# batch; not JSON (unhashable) nor Numeric (Decimal("1.0") == Decimal("1.00")).
ONCE_PER_VALUE = (Boolean, Date, DateTime, Enum)

class TableWriter:
    """Inserts rows (tuples in `columns` order, without the id) into one table and returns their new ids."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        dialect = db.session.get_bind().dialect
        self.table = table
        self.postgres = dialect.name == "postgresql"
        given = ("id", *columns)
        if self.postgres:
            from psycopg import sql

            self.columns = given
            self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, given)))
        else:
            compiled = table.insert().compile(dialect=dialect, column_keys=list(given))
            self.columns = tuple(compiled.positiontup)
            if set(self.columns) != set(given):
                raise ValueError(f"give {table.name}'s columns with defaults too: {set(self.columns) - set(given)}")
            self.statement = compiled.string
        self.order = [given.index(name) for name in self.columns]
        processors = []
        for index, name in enumerate(self.columns):
            kind = table.c[name].type
            # COPY takes JSON as text; the enums' processors give their values
            processor = _json_text if self.postgres and isinstance(kind, JSON) else kind._cached_bind_processor(dialect)
            if processor is not None:
                processors.append((index, processor, isinstance(kind, ONCE_PER_VALUE)))
        self.processors = processors

    def write(self, rows: Sequence[tuple]) -> list[int]:
        if not rows:
            return []
        ids = self._new_ids(len(rows))
        given = [ids, *zip(*rows, strict=True)]
        columns = [given[index] for index in self.order]
        for index, processor, once in self.processors:
            columns[index] = _processed(columns[index], processor, once)
        values = list(zip(*columns, strict=True))
        driver = db.session.connection().connection.driver_connection
        note_raw_write()   # a look-up after this joins the unit of work
        cursor = driver.cursor()
        try:
            if self.postgres:
                with cursor.copy(self.statement) as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(self.statement, values)
        except driver.IntegrityError as error:
            raise IntegrityError(str(self.statement), None, error) from error
        finally:
            cursor.close()
        return ids

    def _new_ids(self, count: int) -> list[int]:
        """A block of ids: from the sequence on PostgreSQL; on SQLite above the highest, which stays the highest
        (the transaction holds the database's write lock from its start, app.db)."""
        if self.postgres:
            return db.session.scalar(text("SELECT array_agg(id ORDER BY id) FROM (SELECT nextval("
                                          "pg_get_serial_sequence(:table, 'id')) AS id "
                                          "FROM generate_series(1, :count)) AS ids"),
                                     {"table": self.table.name, "count": count})
        highest = db.session.scalar(select(func.max(self.table.c.id))) or 0
        return list(range(highest + 1, highest + 1 + count))


def _processed(values: Sequence, processor, once: bool) -> list:
    """One column's values through its bind processor; for the ONCE_PER_VALUE types each distinct value once
    (a batch's timestamps are one value, its dates and codes a few)."""
    if not once:
        return list(map(processor, values))
    done = {value: processor(value) for value in set(values)}
    return list(map(done.__getitem__, values))


def _json_text(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)


# Audit rows

class Change(NamedTuple):
    """One record's audit row: `changes` maps field to [old, new], JSON values only."""

    object_type: str
    object_id: int | str
    case_id: int | None
    patient_id: int | None
    changes: dict


AUDIT_COLUMNS = ("at", "user_id", "user_email", "role", "office", "session_id", "remote_addr", "action",
                 "object_type", "object_id", "case_id", "patient_id", "changes")


def record_changes(changes: Iterable[Change], *, user, action: AuditAction = AuditAction.CREATE,
                   note: dict | None = None) -> int:
    """record_change() for many records of one user at once: one audit row each, `note` (e.g. the import
    batch) first in every row's changes. Returns how many were written."""
    actor = actor_fields(user)
    shared = (utcnow(), actor.get("user_id"), actor.get("user_email"), actor.get("role"), actor.get("office"),
              actor.get("session_id"), actor["remote_addr"], action)
    note = note or {}
    writer = TableWriter(AuditEvent.__table__, AUDIT_COLUMNS)
    rows = [(*shared, change.object_type, str(change.object_id), change.case_id, change.patient_id,
             {**note, **change.changes}) for change in changes]
    writer.write(rows)
    return len(rows)


# Patient cases

class PersonFacts(NamedTuple):
    """A patient as one case registers them (what register_patient() takes, checked by the caller).
    `name_known` is False for a placeholder name, which disagrees with no name on file."""

    national_id: str | None
    name: str
    birth_date: date
    home_region: str
    municipality: str | None = None
    street: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None
    name_known: bool = True


class NewCase(NamedTuple):
    subject: str                                   # the title before the patient's name
    patient: PersonFacts | RegisteredPatient       # a RegisteredPatient: another case's patient (an appeal)
    case_date: date                                # saksdato; the case is numbered in its year
    unit: str
    position: int                                  # the case's place among the writer's cases of its year, from 0
    status: CaseStatus = CaseStatus.CREATED        # saksstatus, as the module's record of the case says


class WrittenCase(NamedTuple):
    id: int
    number: str
    patient_id: int


CASE_COLUMNS = ("number", "year", "sequence", "kind", "title", "public_title", "status", "unit", "patient_id",
                "access_code", "legal_basis", "case_date", "created_at", "created_by_id", "version",
                "patient_name", "patient_birth_date", "patient_municipality", "patient_home_region", "patient_street",
                "patient_postal_code", "patient_postal_place")
PATIENT_COLUMNS = ("national_id", "name", "birth_date", "municipality", "home_region", "created_at", "version")
DISCREPANCY_COLUMNS = ("patient_id", "case_id", "fields", "registered_at", "registered_by_id", "version")


class CaseWriter:
    """Registers many patient cases of one kind for `actor` (None: the command line) in the caller's
    transaction: register_people() once, reserve_numbers() once, then write() batch by batch. `note` goes
    into every audit row it writes; `names_known=False` when the names are placeholders (no disagreement)."""

    def __init__(self, kind: CaseKind, *, actor, note: dict | None = None, names_known: bool = True,
                 purpose: str = "import") -> None:
        if not kind.concerns_patient:
            raise ValueError(f"{kind} cases concern no patient")
        self.kind = kind
        self.actor = actor
        self.note = note or {}
        self.names_known = names_known
        self.purpose = purpose
        self.now = utcnow()
        self.created_by = actor.id if actor is not None else None
        self.known: dict[str, KnownPatient] = {}
        self.patient_ids: dict[str, int] = {}
        self.patients_created = 0
        self.first_numbers: dict[int, int] = {}
        self.counts: dict[int, int] = {}
        self._patients = TableWriter(Patient.__table__, PATIENT_COLUMNS)
        self._cases = TableWriter(Case.__table__, CASE_COLUMNS)

    def register_people(self, people: Iterable[PersonFacts]) -> None:
        """Look up the national IDs of `people` (logged for each person found) and give every number not on file
        a new patient row, from the first facts given for it. Cases of people without a number get their rows
        in write()."""
        new: dict[str, PersonFacts] = {}
        for person in people:
            if person.national_id:
                new.setdefault(person.national_id, person)
        self.known = find_patients(new, actor=self.actor, purpose=self.purpose)
        self.patient_ids = {number: known.id for number, known in self.known.items()}
        unknown = [person for number, person in new.items() if number not in self.known]
        for start in range(0, len(unknown), BATCH):
            chunk = unknown[start:start + BATCH]
            national_ids = [person.national_id for person in chunk]
            self.patient_ids.update(zip(national_ids, self._write_patients(chunk), strict=True))

    def reserve_numbers(self, counts: dict[int, int]) -> list[tuple[int, int, int]]:
        """Reserve `counts[year]` case numbers of each year, a block each; returns (year, first, last)."""
        blocks = []
        for year, count in sorted(counts.items()):
            first = next_number("case", year)
            reserve_number("case", year, first + count - 1)
            self.first_numbers[year], self.counts[year] = first, count
            blocks.append((year, first, first + count - 1))
        return blocks

    def write(self, cases: Sequence[NewCase]) -> list[WrittenCase]:
        """Write `cases` (and the patient rows of those without a national ID), in order."""
        fresh = [case.patient for case in cases if _needs_row(case.patient)]
        fresh_ids = iter(self._write_patients(fresh))
        rows, patients, differs = [], [], {}
        for index, case in enumerate(cases):
            patient = case.patient
            if isinstance(patient, RegisteredPatient):
                patient_id = patient.id
            elif patient.national_id is None:
                patient_id = next(fresh_ids)
            else:
                patient_id = self.patient_ids[patient.national_id]
                known = self.known.get(patient.national_id)
                compared = self.names_known and getattr(patient, "name_known", True)
                if known is not None and (fields := differing_facts(
                        known, name=patient.name if compared else None, birth_date=patient.birth_date,
                        home_region=patient.home_region)):
                    differs[index] = fields
            patients.append(patient_id)
            rows.append(self._case_row(case, patient_id))
        ids = self._cases.write(rows)
        self._list_discrepancies([(ids[index], patients[index], fields) for index, fields in differs.items()])
        return [WrittenCase(case_id, row[0], patient_id)
                for case_id, row, patient_id in zip(ids, rows, patients, strict=True)]

    def _case_row(self, case: NewCase, patient_id: int) -> tuple:
        year = case.case_date.year
        if not 0 <= case.position < self.counts.get(year, 0):
            raise ValueError(f"case number {case.position} of {year} was not reserved")
        sequence = self.first_numbers[year] + case.position
        patient = case.patient
        title = f"{case.subject} – {patient.name}"
        return (f"{year}/{sequence}", year, sequence, self.kind, title, _screened(case.subject, title, patient),
                case.status, case.unit, patient_id, SCREENING_CODE, SCREENING_BASIS_PERSONAL, case.case_date,
                self.now, self.created_by, 1, patient.name, patient.birth_date, patient.municipality,
                patient.home_region, patient.street, patient.postal_code, patient.postal_place)

    def _write_patients(self, people: list[PersonFacts]) -> list[int]:
        self.patients_created += len(people)
        return self._patients.write([(person.national_id, person.name, person.birth_date, person.municipality,
                                      person.home_region, self.now, 1) for person in people])

    def _list_discrepancies(self, listed: list[tuple[int, int, tuple[str, ...]]]) -> None:
        """The data-quality list's rows (case id, patient id, facts) with their `create` audit rows."""
        if not listed:
            return
        writer = TableWriter(PatientDiscrepancy.__table__, DISCREPANCY_COLUMNS)
        ids = writer.write([(patient_id, case_id, list(fields), self.now, self.created_by, 1)
                            for case_id, patient_id, fields in listed])
        record_changes((Change("patient_discrepancy", discrepancy_id, case_id, patient_id,
                               {"fields": [None, list(fields)]})
                        for discrepancy_id, (case_id, patient_id, fields) in zip(ids, listed, strict=True)),
                       user=self.actor, note=self.note)


def _needs_row(patient: PersonFacts | RegisteredPatient) -> bool:
    return isinstance(patient, PersonFacts) and patient.national_id is None


def _fold(text_: str) -> str:
    """Case folding that finds every match screened_title()'s case-blind search finds (re.IGNORECASE also
    pairs the dotless ı with i)."""
    return text_.casefold().replace("ı", "i")


@cache
def _folded_head(subject: str) -> str:
    """«subject –» folded, for the few subjects a writer is given over and over."""
    return _fold(f"{subject} –")


def _screened(subject: str, title: str, patient) -> str:
    """screened_title(title, patient) for a title «subject – name», without a regular expression per case.

    When no part of the name and not the number occurs in «subject –», every match lies in the name, and the
    name, word by word, becomes one SCREENED_WORD; otherwise the core's screened_title() decides."""
    head = _folded_head(subject)
    words = _fold(patient.name).split()
    if patient.national_id:
        words.append(patient.national_id)
    if not words or len(words) == (1 if patient.national_id else 0) or any(word in head for word in words):
        return screened_title(title, patient)
    return f"{subject} – {SCREENED_WORD}"
