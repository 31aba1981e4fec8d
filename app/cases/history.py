"""A case's history of changes: who changed what on the case and its modules' records, when, from what to what,
and why. Read from the audit log (app.core.audit), where every change is written with its old and new value;
a correction adds its reason (`changes["reason"]`). Each module names its records and fields through its
`HistoryLabels` (app.modules); a field without a label is shown by its name.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.auth.models import User
from app.cases.models import Case, CaseStatus
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from app.formatting import as_date, as_datetime
from app.modules import HistoryLabels, history_labels

HISTORY_LIMIT = 200
REASON = "reason"
CORE = HistoryLabels(
    objects={"case": "Sak", "journal_entry": "Journalpost", "document_version": "Dokument", "deadline": "Frist",
             "case_assignment": "Tilgang", "patient_discrepancy": "Avvik i pasientopplysninger", "patient": "Pasient"},
    fields={
        "case": {"number": "Saksnummer", "title": "Sakstittel", "public_title": "Offentlig tittel",
                 "responsible_id": "Saksansvarlig", "status": "Status", "comment": "Kommentar",
                 "access_code": "Skjerming", "legal_basis": "Skjermingshjemmel", "document_id": "Journalutskrift"},
        "journal_entry": {"registration_number": "Journalpostnummer", "title": "Tittel",
                          "follow_up_method": "Avskrivningsmåte"},
        "document_version": {"filename": "Fil", "sha256": "Sjekksum (SHA-256)"},
        "deadline": {"kind": "Frist", "due_date": "Forfall", "done_at": "Utført"},
        "case_assignment": {"user_id": "Bruker"},
        "patient_discrepancy": {"fields": "Opplysninger som avviker", "checked_at": "Sett på"},
    },
    values={"case.status": {status.value: status.label for status in CaseStatus}},
)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    action: str
    record: str
    changes: list[FieldChange]
    reason: str | None


def case_history(case: Case, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The case's changes, newest first: every audit row that created or changed something of the case."""
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.action.in_((AuditAction.CREATE, AuditAction.UPDATE)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))
    labels = [CORE, *history_labels()]
    user_ids = {event.user_id for event in events} | {
        new for event in events for field, pair in (event.changes or {}).items()
        if field == "responsible_id" and isinstance(pair, list) for new in pair if isinstance(new, int)}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).tuples().all()) \
        if user_ids else {}
    return [_entry(event, labels, names) for event in events]


def _entry(event: AuditEvent, labels: list[HistoryLabels], names: dict[int, str]) -> HistoryEntry:
    changes = event.changes or {}
    fields = {}
    record = event.object_type
    for group in labels:
        fields.update(group.fields.get(event.object_type, {}))
        record = group.objects.get(event.object_type, record)
    shown = []
    for field, pair in changes.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            continue
        shown.append(FieldChange(fields.get(field, field), *(
            _value(event.object_type, field, value, labels, names) for value in pair)))
    reason = changes.get(REASON)
    return HistoryEntry(at=event.at, who=names.get(event.user_id, event.user_email or "System"),
                        action=event.action.label, record=record, changes=shown,
                        reason=reason if isinstance(reason, str) else None)


def _value(object_type: str, field: str, value, labels: list[HistoryLabels], names: dict[int, str]) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if field == "responsible_id" and isinstance(value, int):
        return names.get(value, str(value))
    for group in labels:
        coded = group.values.get(f"{object_type}.{field}") or group.values.get(field)
        if coded and value in coded:
            return coded[value]
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:   # the log keeps dates and times in ISO form (app.core.audit)
            return as_date(date.fromisoformat(value)) if len(value) == 10 else as_datetime(
                datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
