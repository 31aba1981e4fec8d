"""Reading the list events back: one `list` event per list request, its patients in audit_event_patients."""
from sqlalchemy import select

from app.core.audit import LIST_OBJECT, AuditAction, AuditEvent, listed_in
from app.extensions import db


def list_requests(user_id: int, context: str | None = None) -> list[tuple[str, list[int]]]:
    """Per list request of this user (oldest first, one context or all): its context and the case ids the
    child table names, each checked against the pairs the event's sealed content names. In an app context."""
    query = select(AuditEvent).where(AuditEvent.user_id == user_id, AuditEvent.action == AuditAction.LIST,
                                     AuditEvent.object_type == LIST_OBJECT)
    events = [event for event in db.session.scalars(query.order_by(AuditEvent.id))
              if context is None or event.changes["context"] == context]
    listed = listed_in(event.id for event in events)
    for event in events:
        assert [list(pair) for pair in listed.get(event.id, [])] == event.changes["patients"]
        assert (event.case_id, event.patient_id) == (None, None)
    return [(event.changes["context"], sorted(case_id for _, case_id in listed[event.id])) for event in events]
