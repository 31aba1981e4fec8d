"""Importing appeals: each becomes its own case (abroad_appeal) with the application's patient as registered
with the application, at the office that decided. An appeal's deadline is counted from the decision date (the
files have no date of notification). A late appeal that the office went on to decide is marked as considered;
one still at the office awaits the assessment under forvaltningsloven § 31, as a registered one would, and one the
office dismissed as late (office_outcome dismissed_late) is marked as not considered. A reversal of a refusal,
whole or partial, by the office or the board, grants the application. A decision the board quashed or an appeal it
dismissed is recorded as such; the application is left as the file gives it (the history's new decision is on the
application's own row).

The appeals of one application are checked together, in the order they came, so the first pass keeps every
checked appeal (a few fields each) and the writing starts from them rather than from a second pass.
"""
from collections import Counter, defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from app.abroad.importing.base import Importer, batches, chunks
from app.abroad.importing.cells import Row, label
from app.abroad.importing.reading import Table
from app.abroad.importing.results import RowError
from app.abroad.importing.stored import Stored, StoredApplications
from app.abroad.models import (
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    BoardOutcome,
    Decision,
    OfficeOutcome,
    appeal_refused,
)
from app.abroad.services import appeal_deadline, appeal_title
from app.cases.interface import (
    CaseKind,
    CaseWriter,
    Change,
    NewCase,
    RegisteredPatient,
    TableWriter,
    record_changes,
)
from app.core.audit import AuditAction, record_change
from app.db import utcnow
from app.extensions import db

LATE_BUT_CONSIDERED = "Importert fra historiske data: kontoret behandlet klagen."
LATE_AND_DISMISSED = "Importert fra historiske data: kontoret avviste klagen fordi den kom for sent."
APPEAL_COLUMNS = ("case_id", "application_id", "office", "appealed_decision", "appealed_decided_on", "received_on",
                  "notified_on", "deadline_on", "late", "late_assessment", "consider_late", "status", "office_outcome",
                  "office_decided_on", "board_outcome", "board_decided_on", "created_at", "version")
OFFICE_STATUSES = {None: AppealStatus.RECEIVED, OfficeOutcome.REVERSED: AppealStatus.REVERSED_BY_OFFICE,
                   OfficeOutcome.FORWARDED: AppealStatus.FORWARDED,
                   OfficeOutcome.DISMISSED_LATE: AppealStatus.DISMISSED_LATE}


class ImportedAppeal(NamedTuple):
    line: int
    application: Stored
    received_on: date
    office_outcome: OfficeOutcome | None
    office_decided_on: date | None
    board_outcome: BoardOutcome | None
    board_decided_on: date | None

    @property
    def status(self) -> AppealStatus:
        if self.board_outcome is not None:
            return self.board_outcome.status
        return OFFICE_STATUSES[self.office_outcome]

    @property
    def grants(self) -> bool:
        return self.office_outcome is OfficeOutcome.REVERSED or (
            self.board_outcome is not None and self.board_outcome.grants)


class AppealImporter(Importer):
    kind = "appeals"
    columns = ("application_reference", "received_date", "office_outcome", "office_decision_date",
               "board_outcome", "board_decision_date")
    required = ("application_reference", "received_date")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stored = StoredApplications(self.scope)
        self.appeals: list[ImportedAppeal] = []

    def check_batch(self, rows: list[Row]) -> None:
        self.stored.look_up(rows)
        self.appeals.extend(appeal for row in rows if (appeal := self.check_row(row)) is not None)

    def check_row(self, row: Row) -> ImportedAppeal | None:
        errors_before = len(row.errors)
        reference, application = self.stored.get(row)
        received_on = row.date("received_date", self.today)
        office_outcome = row.code("office_outcome", OfficeOutcome, required=False)
        office_decided_on = row.date("office_decision_date", self.today, required=False)
        board_outcome = row.code("board_outcome", BoardOutcome, required=False)
        board_decided_on = row.date("board_decision_date", self.today, required=False)
        _check_outcomes(row, office_outcome, received_on, office_decided_on, board_decided_on)
        if application is not None:
            _check_appealable(row, reference, application, received_on)
            _check_dismissal(row, application, received_on, office_outcome)
        if len(row.errors) > errors_before or None in (application, received_on):
            return None
        return ImportedAppeal(row.line, application, received_on, office_outcome, office_decided_on, board_outcome,
                              board_decided_on)

    def check_across(self) -> list[RowError]:
        """Per application, in the order they came: one appeal under way at a time, none after a grant, and
        none registered twice (in the file or already stored)."""
        stored: dict[int, list[tuple[date, AppealStatus]]] = defaultdict(list)
        for chunk in chunks(sorted({appeal.application.id for appeal in self.appeals})):
            for application_id, received_on, status in db.session.execute(
                    select(Appeal.application_id, Appeal.received_on, Appeal.status)
                    .where(Appeal.application_id.in_(chunk))):
                stored[application_id].append((received_on, status))
        by_application: dict[int, list[ImportedAppeal]] = defaultdict(list)
        for appeal in self.appeals:
            by_application[appeal.application.id].append(appeal)
        errors: list[RowError] = []
        for application_id, appeals in by_application.items():
            errors.extend(_sequence_errors(sorted(appeals, key=lambda appeal: (appeal.received_on, appeal.line)),
                                           stored[application_id]))
        return errors

    def write(self, _table: Table) -> None:
        appeals = sorted(self.appeals, key=lambda appeal: (appeal.received_on, appeal.line))
        cases = CaseWriter(CaseKind.ABROAD_APPEAL, actor=self.actor, note=self.note)
        years = Counter(appeal.received_on.year for appeal in appeals)
        self.reserve_numbers(cases, years)
        writer = TableWriter(Appeal.__table__, APPEAL_COLUMNS)
        seen: Counter[int] = Counter()
        numbers: dict[int, str] = {}
        for batch in batches(appeals):
            new_cases = []
            for appeal in batch:
                year = appeal.received_on.year
                new_cases.append(NewCase(appeal_title(appeal.application.decision), _patient(appeal.application),
                                         appeal.received_on, appeal.application.office, seen[year],
                                         appeal.status.case_status))
                seen[year] += 1
            written = cases.write(new_cases)
            now = utcnow()
            ids = writer.write([_appeal_row(appeal, case.id, now)
                                for appeal, case in zip(batch, written, strict=True)])
            record_changes((Change("abroad_appeal", appeal_id, case.id, case.patient_id, {
                "number": [None, case.number], "application_reference": [None, appeal.application.reference],
                "status": [None, appeal.status.value]})
                for appeal_id, appeal, case in zip(ids, batch, written, strict=True)),
                user=self.actor, note=self.note)
            numbers.update((appeal.line, case.number) for appeal, case in zip(batch, written, strict=True))
            self.written(len(numbers))
        self.grant(appeals, numbers)
        db.session.flush()
        self.result.created = len(appeals)

    def grant(self, appeals: list[ImportedAppeal], numbers: dict[int, str]) -> None:
        """A reversal (by the office or the board) grants the application; its first-instance decision stays."""
        granting = {appeal.application.id: appeal for appeal in appeals
                    if appeal.grants and appeal.application.decision is Decision.DENIED}
        for chunk in chunks(sorted(granting)):
            for application in db.session.scalars(select(Application).where(Application.id.in_(chunk))):
                appeal = granting[application.id]
                previous = application.status
                application.status = ApplicationStatus.GRANTED
                record_change(AuditAction.UPDATE, "abroad_application", application.id,
                              case=_CaseRef(application.case_id, appeal.application.patient_id), user=self.actor,
                              changes={**self.note, "status": [previous.value, ApplicationStatus.GRANTED.value],
                                       "appeal_case": [None, numbers[appeal.line]]})
        self.result.applications_granted = len(granting)


class _CaseRef(NamedTuple):
    """What the audit log needs of a case (its id and patient) without loading it."""

    id: int
    patient_id: int | None


def _patient(application: Stored) -> RegisteredPatient:
    """The application's patient as registered with the application (the number is not needed: the appeal's
    title holds only the registered name)."""
    return RegisteredPatient(id=application.patient_id, national_id=None, name=application.patient_name,
                             birth_date=application.patient_birth_date,
                             municipality=application.patient_municipality,
                             home_region=application.patient_home_region)


def _appeal_row(appeal: ImportedAppeal, case_id: int, now) -> tuple:
    application = appeal.application
    deadline_on = appeal_deadline(application.decided_on)
    late = appeal.received_on > deadline_on
    dismissed = appeal.office_outcome is OfficeOutcome.DISMISSED_LATE
    considered = late and appeal.office_outcome is not None and not dismissed
    assessment, consider = (LATE_AND_DISMISSED, False) if dismissed else (
        (LATE_BUT_CONSIDERED, True) if considered else (None, None))
    return (case_id, application.id, application.office, application.decision, application.decided_on,
            appeal.received_on, application.decided_on, deadline_on, late, assessment, consider, appeal.status,
            appeal.office_outcome, appeal.office_decided_on, appeal.board_outcome, appeal.board_decided_on, now, 1)


def _check_outcomes(row: Row, office_outcome: OfficeOutcome | None, received_on: date | None,
                    office_decided_on: date | None, board_decided_on: date | None) -> None:
    """Each outcome with its date; the board's only after the office forwarded; the dates in order."""
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
                                          f"({label(received_on)}).")
    if board_decided_on and office_decided_on and board_decided_on < office_decided_on:
        row.error("board_decision_date", f"Nemndas avgjørelse kan ikke være datert før klagen ble oversendt "
                                         f"({label(office_decided_on)}).")


def _check_appealable(row: Row, reference: str, application: Stored, received_on: date | None) -> None:
    """Only a grant (in full or in part) or a refusal can be appealed (appeal_refused), and not before it was
    made."""
    if application.decision not in (Decision.DENIED, Decision.GRANTED, Decision.PARTIAL):
        state = application.decision.label.lower() if application.decision else "ikke avgjort"
        row.error("application_reference", f"Bare et vedtak om innvilgelse eller avslag kan påklages. Søknaden "
                                           f"«{reference}» er «{state}».")
    elif received_on and received_on < application.decided_on:
        row.error("received_date", f"Klagen kan ikke ha kommet inn før vedtaket ble fattet "
                                   f"({label(application.decided_on)}).")


def _check_dismissal(row: Row, application: Stored, received_on: date | None,
                     office_outcome: OfficeOutcome | None) -> None:
    """Only a complaint that came after the deadline can be dismissed as late (forvaltningsloven § 31)."""
    if office_outcome is OfficeOutcome.DISMISSED_LATE and received_on and application.decided_on \
            and received_on <= (deadline_on := appeal_deadline(application.decided_on)):
        row.error("office_outcome", f"Klagen kom innen klagefristen ({label(deadline_on)}) og kan ikke avvises som "
                                    "for sen.")


def _sequence_errors(appeals: list[ImportedAppeal], stored: list[tuple[date, AppealStatus]]) -> list[RowError]:
    """The errors of one application's appeals, in the order they came, after the stored ones."""
    errors = []
    status = appeals[0].application.status
    under_way = any(state in OPEN_APPEAL_STATUSES for _day, state in stored)
    seen: dict[date, int | None] = {day: None for day, _state in stored}
    for appeal in appeals:
        reference = appeal.application.reference
        if appeal.received_on in seen:
            where = seen[appeal.received_on]
            errors.append(RowError(appeal.line, "received_date",
                                   f"Klagen på «{reference}» mottatt {label(appeal.received_on)} "
                                   + (f"finnes også på linje {where}." if where else "er allerede registrert.")))
            continue
        seen[appeal.received_on] = appeal.line
        if under_way:
            errors.append(RowError(appeal.line, "application_reference",
                                   f"Det er allerede en klage under behandling på vedtaket i «{reference}»."))
        elif refused := appeal_refused(appeal.application.decision, status, appeal.application.stream,
                                        named=f"Søknaden «{reference}»"):
            errors.append(RowError(appeal.line, "application_reference", refused))
        if appeal.grants:
            status = ApplicationStatus.GRANTED
        under_way = under_way or appeal.status in OPEN_APPEAL_STATUSES
    return errors
