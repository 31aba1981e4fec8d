"""Importing costs: cost entries in NOK on granted applications and referrals.

Costs have no reference of their own: a cost with the same application, date, category and amount as one
already stored counts as a duplicate. Costs can only be booked on granted applications and referrals, so
import the appeals (which may grant) before the costs.
"""
import re
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from app.abroad.importing.base import Importer, batches, chunks
from app.abroad.importing.cells import Row, label
from app.abroad.importing.reading import Table
from app.abroad.importing.stored import Stored, StoredApplications
from app.abroad.models import ApplicationStatus, CostCategory, CostEntry, Decision
from app.abroad.services import refused_cost, refused_parts
from app.cases.interface import Change, TableWriter, record_changes
from app.db import utcnow
from app.extensions import db

COSTS_ALLOWED = (ApplicationStatus.GRANTED, ApplicationStatus.REFERRED, ApplicationStatus.COMPLETED)
MAX_AMOUNT = 10 ** 12
SPACES = re.compile(r"[\s\u00a0\u202f]")
COST_COLUMNS = ("application_id", "entry_date", "category", "amount", "currency", "amount_nok", "created_at",
                "created_by_id")


class Cost(NamedTuple):
    line: int
    application: Stored
    entry_date: date
    category: CostCategory
    amount: int

    @property
    def key(self) -> tuple:
        return self.application.id, self.entry_date, self.category, self.amount


class CostImporter(Importer):
    kind = "costs"
    columns = ("application_reference", "date", "category", "amount_nok")
    required = columns

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stored = StoredApplications(self.scope)
        self.existing: set[tuple] = set()          # the stored costs of the applications seen
        self.existing_of: set[int] = set()
        self.refused: dict[int, dict] = {}        # what a partial grant refused, by application, looked up once

    def check_batch(self, rows: list[Row]) -> None:
        self.stored.look_up(rows)
        costs = [(row, cost) for row in rows if (cost := self.check_row(row)) is not None]
        self.load_existing({cost.application.id for _row, cost in costs} - self.existing_of)
        for row, cost in costs:
            if cost.key in self.existing:
                row.error("amount_nok", "Kostnaden er allerede registrert på søknaden (samme dato, kategori og "
                                        "beløp).")

    def load_existing(self, application_ids: set[int]) -> None:
        self.existing_of |= application_ids
        for chunk in chunks(sorted(application_ids)):
            self.existing.update(db.session.execute(
                select(CostEntry.application_id, CostEntry.entry_date, CostEntry.category, CostEntry.amount_nok)
                .where(CostEntry.application_id.in_(chunk))).tuples())

    def check_row(self, row: Row) -> Cost | None:
        errors_before = len(row.errors)
        reference, application = self.stored.get(row)
        entry_date = row.date("date", self.today)
        category = row.code("category", CostCategory)
        amount = _amount(row)
        if application is not None:
            if application.status not in COSTS_ALLOWED:
                row.error("application_reference", "Kostnader kan bare føres på innvilgede søknader og henvisninger. "
                                                   f"Søknaden «{reference}» er «{application.status.label.lower()}».")
            if entry_date and entry_date < application.received_on:
                row.error("date", f"Kostnaden kan ikke være datert før søknaden ble mottatt "
                                  f"({label(application.received_on)}).")
            if application.decision is Decision.PARTIAL and (refused := refused_cost(self.refused_of(application),
                                                                                     category)):
                row.error("category", refused)
        if len(row.errors) > errors_before or None in (application, entry_date, category, amount):
            return None
        return Cost(row.line, application, entry_date, category, amount)

    def refused_of(self, application: Stored) -> dict:
        if application.id not in self.refused:
            self.refused[application.id] = refused_parts(application.id)
        return self.refused[application.id]

    def write(self, table: Table) -> None:
        created_by = self.actor.id if self.actor is not None else None
        writer = TableWriter(CostEntry.__table__, COST_COLUMNS)
        done = 0
        for batch in batches(self.rows(table)):
            costs = [self.check_row(row) for row in batch]
            now = utcnow()
            ids = writer.write([(cost.application.id, cost.entry_date, cost.category, cost.amount, "NOK", cost.amount,
                                 now, created_by) for cost in costs])
            record_changes((Change("abroad_cost", cost_id, cost.application.case_id, cost.application.patient_id, {
                "application_reference": [None, cost.application.reference], "category": [None, cost.category.value],
                "amount_nok": [None, cost.amount], "entry_date": [None, cost.entry_date.isoformat()]})
                for cost_id, cost in zip(ids, costs, strict=True)), user=self.actor, note=self.note)
            done += len(batch)
            self.written(done)
        self.result.created = done


def _amount(row: Row) -> int | None:
    """Whole kroner above zero, spaces as thousands separators allowed."""
    raw = row.text("amount_nok")
    if not raw:
        row.error("amount_nok", "Fyll inn beløpet i hele kroner.")
        return None
    digits = SPACES.sub("", raw)
    if not digits.lstrip("-").isdigit():
        row.error("amount_nok", f"«{raw}» er ikke et helt antall kroner. Skriv beløpet uten øre, f.eks. 12500.")
    elif int(digits) <= 0:
        row.error("amount_nok", "Beløpet må være større enn null.")
    elif int(digits) >= MAX_AMOUNT:
        row.error("amount_nok", "Beløpet er for stort.")
    else:
        return int(digits)
    return None
