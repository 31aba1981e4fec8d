"""Importing applications and referrals: each row becomes a screened case of the abroad module, through the
case core's bulk API (app.cases.bulk), with its Application row and a `create` audit row.

The first pass keeps what the checks across rows and the numbering need, and nothing of a row besides: the
first line of each reference, the order in which the cases are numbered (received date, then line), and per
national ID the facts of its new patient row (the first application's name, or its placeholder name, and the
latest home region). The second pass writes a batch at a time.
"""
from array import array
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from app.abroad.hospitals import ImportRegister
from app.abroad.importing.application_checks import Application, check_application
from app.abroad.importing.base import Importer, batches, chunks
from app.abroad.importing.cells import Row
from app.abroad.importing.reading import Table
from app.abroad.importing.results import RowError
from app.abroad.models import Application as ApplicationRecord
from app.abroad.models import ApplicationStatus, Decision, Stream
from app.abroad.services import DUPLICATE_DAYS
from app.cases.interface import (
    ADULT_AGE,
    Case,
    CaseKind,
    CaseStatus,
    CaseWriter,
    Change,
    NewCase,
    PersonFacts,
    TableWriter,
    age_on,
    record_changes,
)
from app.db import utcnow
from app.extensions import db

PLACEHOLDER_NAME = "Ukjent navn (importert, ref. {reference})"


def is_placeholder_name(name: str | None) -> bool:
    """The name is the import's placeholder (no name was given): no letter may be addressed to it."""
    return (name or "").startswith(PLACEHOLDER_NAME.partition("{")[0])

# The case title's first part, as services.register_application() writes it.
NOUNS = {stream: "Søknad om behandling i utlandet" if stream.has_decision else f"Henvisning – {stream.label.lower()}"
         for stream in Stream}
# The status for (stream, decision): referrals are referred, undecided applications received.
STATUSES = {(stream, decision): (decision.status if decision else ApplicationStatus.RECEIVED)
            if stream.has_decision else ApplicationStatus.REFERRED
            for stream in Stream for decision in (None, *Decision)}
APPLICATION_COLUMNS = ("case_id", "reference", "stream", "home_region", "office", "received_on", "child",
                       "treatment_class", "icd10", "icd10_chapter", "status", "decision", "decided_on",
                       "approving_body", "approval_reference", "hospital", "hospital_id",
                       "country", "trial_registry_id", "exception_grounds", "created_at", "version")
INDEX_BITS = 32   # an order key is the received date's ordinal above the row's index


class Imported(NamedTuple):
    """A written line of a patient known by national ID: what the duplicate check compares."""

    line: int
    case_id: int
    patient_id: int
    received_on: date
    category: str     # the ICD-10 category: O43.0 and O43.9 are one diagnosis


class Registered(NamedTuple):
    case_id: int
    patient_id: int
    number: str
    received_on: date
    category: str


class ApplicationImporter(Importer):
    kind = "applications"
    columns = ("reference", "patient_region", "patient_birth_date", "national_id", "stream", "received_date",
               "icd10", "decision", "decision_date", "country", "hospital", "treatment_class", "trial_registry_id",
               "exception_grounds", "patient_name", "patient_street", "patient_postal_code", "patient_postal_place",
               "patient_municipality", "approving_body", "approval_reference")
    required = ("reference", "patient_region", "stream", "received_date", "icd10")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.first_line: dict[str, int] = {}       # reference -> the line it first appears on
        self.order = array("q")                    # per row: received date and index, for the numbering
        self.people: dict[str, list] = {}   # national ID -> [first key, reference, birth, last key, region, name]

    def check_header(self, header: list[str]) -> list[RowError]:
        errors = super().check_header(header)
        if "patient_birth_date" not in header and "national_id" not in header:
            errors.append(RowError(1, "patient_birth_date", "Filen må ha kolonnen patient_birth_date, "
                                   "national_id eller begge."))
        return errors

    def check_row(self, row: Row) -> Application | None:
        return check_application(row, today=self.today, real_today=self.real_today, in_scope=self.in_scope)

    def check_batch(self, rows: list[Row]) -> None:
        for row in rows:
            application = self.check_row(row)
            if application is not None:
                self.note_row(application)
        self.check_references(rows)

    def note_row(self, application: Application) -> None:
        """Keep what numbering the case and registering its patient need of a clean row."""
        key = application.received_on.toordinal() << INDEX_BITS | len(self.order)
        self.order.append(key)
        number = application.national_id
        if number is None:
            return
        person = self.people.get(number)
        if person is None:
            self.people[number] = [key, application.reference, application.birth_date, key, application.region,
                                   application.contact.name]
            return
        if key < person[0]:
            person[0], person[1], person[5] = key, application.reference, application.contact.name
        if key > person[3]:
            person[3], person[4] = key, application.region

    def check_references(self, rows: list[Row]) -> None:
        """Every reference once, in the file and in the database (also on rows with other errors, so one
        round of corrections is enough)."""
        first_line = self.first_line
        new = []
        for row in rows:
            reference = row.text("reference")
            if not reference:
                continue
            if reference in first_line:
                row.error("reference", f"Referansen «{reference}» finnes også på linje {first_line[reference]}.")
            else:
                first_line[reference] = row.line
                new.append(reference)
        taken = set()
        for chunk in chunks(new):
            taken.update(db.session.scalars(select(ApplicationRecord.reference)
                                            .where(ApplicationRecord.reference.in_(chunk))))
        for row in rows:
            if row.text("reference") in taken:
                row.error("reference", f"Referansen «{row.text('reference')}» er allerede brukt på en annen søknad.")

    def positions(self) -> tuple[array, dict[int, int]]:
        """Each row's place among the cases of its year (numbered as received, then by line), and the count
        per year."""
        positions = array("l", bytes(len(self.order) * array("l").itemsize))
        counts: dict[int, int] = {}
        mask = (1 << INDEX_BITS) - 1
        for key in sorted(self.order):
            year = date.fromordinal(key >> INDEX_BITS).year
            positions[key & mask] = counts.get(year, 0)
            counts[year] = counts.get(year, 0) + 1
        return positions, counts

    def write(self, table: Table) -> None:
        positions, counts = self.positions()
        self.order, self.first_line = array("q"), {}   # the checks' bookkeeping is done with
        cases = CaseWriter(CaseKind.ABROAD_APPLICATION, actor=self.actor, note=self.note)
        cases.register_people(PersonFacts(number, name or PLACEHOLDER_NAME.format(reference=reference), birth_date,
                                          region)
                              for number, (_first, reference, birth_date, _last, region, name)
                              in self.people.items())
        self.people = {}
        self.reserve_numbers(cases, counts)
        applications = TableWriter(ApplicationRecord.__table__, APPLICATION_COLUMNS)
        register = ImportRegister()   # each hospital name mapped through the register (app/abroad/hospitals.py)
        imported: list[Imported] = []
        done = 0
        for batch in batches(self.rows(table)):
            parsed = [self.check_row(row) for row in batch]
            written = cases.write([NewCase(NOUNS[application.stream], _registered(application),
                                           application.received_on, application.office, positions[done + index],
                                           STATUSES[application.stream, application.decision].case_status)
                                   for index, application in enumerate(parsed)])
            now = utcnow()
            ids = applications.write([_application_row(application, case.id, now,
                                                       register.id_for(application.hospital, application.country))
                                      for application, case in zip(parsed, written, strict=True)])
            record_changes((Change("abroad_application", application_id, case.id, case.patient_id,
                                   {"number": [None, case.number], "reference": [None, application.reference]})
                            for application_id, application, case in zip(ids, parsed, written, strict=True)),
                           user=self.actor, note=self.note)
            imported.extend(Imported(application.line, case.id, case.patient_id, application.received_on,
                                     application.icd10[:3])
                            for application, case in zip(parsed, written, strict=True) if application.national_id)
            done += len(batch)
            self.written(done)
        self.result.patients_created = cases.patients_created
        self.result.created = done
        self.result.warnings = self.possible_duplicates(imported)

    def possible_duplicates(self, imported: list[Imported]) -> list[RowError]:
        """Each imported line whose patient has another application (in the file or already registered, on a
        case not discarded, at an office within the import's scope) with the same diagnosis received within
        DUPLICATE_DAYS, as a warning naming the other case; the same rule as registering one
        (services.possible_duplicates), but the line is imported."""
        if not imported:
            return []
        registered: dict[int, list[Registered]] = {}
        for chunk in chunks(sorted({line.patient_id for line in imported})):
            query = (select(Case.id, Case.patient_id, Case.number, ApplicationRecord.received_on,
                            ApplicationRecord.icd10)
                     .join(ApplicationRecord, ApplicationRecord.case_id == Case.id)
                     .where(Case.patient_id.in_(chunk), Case.status != CaseStatus.DISCARDED))
            if self.scope is not None:
                query = query.where(ApplicationRecord.office.in_(self.scope))
            for case_id, patient_id, number, received_on, code in db.session.execute(query):
                registered.setdefault(patient_id, []).append(
                    Registered(case_id, patient_id, number, received_on, code[:3]))
        warnings = []
        for line in imported:
            other = next((other for other in registered.get(line.patient_id, ())
                          if other.case_id != line.case_id and other.category == line.category
                          and abs((other.received_on - line.received_on).days) <= DUPLICATE_DAYS), None)
            if other is not None:
                warnings.append(RowError(line.line, "icd10", (
                    f"Mulig dobbeltregistrering: pasienten har også sak {other.number} (mottatt "
                    f"{other.received_on:%d.%m.%Y}) med samme diagnose, mottatt innen {DUPLICATE_DAYS} dager. "
                    "Linjen er importert; sjekk om det er samme søknad.")))
        return warnings


def _registered(application: Application) -> PersonFacts:
    """The patient as the row registers them: its name, or the placeholder name with the row's own reference
    (no disagreement with a name on file), its birth date, home region, address and municipality."""
    contact = application.contact
    name = contact.name or PLACEHOLDER_NAME.format(reference=application.reference)
    return PersonFacts(application.national_id, name, application.birth_date, application.region,
                       contact.municipality, contact.street, contact.postal_code, contact.postal_place,
                       name_known=contact.name is not None)


def _application_row(application: Application, case_id: int, now, hospital_id: int | None) -> tuple:
    """Only the columns the file fills; the others (applicant, letter, plan, ...) stay NULL."""
    return (case_id, application.reference, application.stream, application.region, application.office,
            application.received_on, age_on(application.birth_date, application.received_on) < ADULT_AGE,
            application.treatment_class, application.icd10, application.chapter,
            STATUSES[application.stream, application.decision], application.decision, application.decided_on,
            application.approving_body, application.approval_reference, application.hospital, hospital_id,
            application.country, application.trial_registry_id, application.exception_grounds, now, 1)
