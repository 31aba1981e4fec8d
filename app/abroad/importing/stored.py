"""The stored applications that cost and appeal rows refer to, by reference, looked up a batch at a time."""
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from app.abroad.importing.base import chunks
from app.abroad.importing.cells import Row
from app.abroad.models import Application, ApplicationStatus, Decision, Stream
from app.cases.interface import Case
from app.extensions import db


class Stored(NamedTuple):
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
    stream: Stream


class StoredApplications:
    """The applications the importer may use (others count as unknown, as the rest of the module answers
    404), kept once looked up."""

    def __init__(self, scope: set[str] | None) -> None:
        self.scope = scope
        self.found: dict[str, Stored] = {}
        self.asked: set[str] = set()

    def look_up(self, rows: Iterable[Row]) -> None:
        """Find the applications of these rows' `application_reference` not asked for before."""
        wanted = sorted({row.text("application_reference") for row in rows} - self.asked - {""})
        self.asked.update(wanted)
        for chunk in chunks(wanted):
            query = (select(Application.id, Application.reference, Application.case_id, Case.patient_id,
                            Case.patient_name, Case.patient_birth_date, Case.patient_municipality,
                            Case.patient_home_region, Application.office, Application.status, Application.decision,
                            Application.decided_on, Application.received_on, Application.stream)
                     .join(Case, Case.id == Application.case_id)
                     .where(Application.reference.in_(chunk)))
            if self.scope is not None:
                query = query.where(Application.office.in_(self.scope))
            self.found.update((row.reference, Stored(*row)) for row in db.session.execute(query))

    def get(self, row: Row) -> tuple[str | None, Stored | None]:
        """The row's reference (required) and its application; an unknown one is an error on the row."""
        reference = row.required("application_reference")
        application = self.found.get(reference) if reference else None
        if reference and application is None:
            row.error("application_reference", f"Fant ingen søknad med referansen «{reference}».")
        return reference, application

