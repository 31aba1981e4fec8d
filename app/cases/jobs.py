"""Background jobs of the case core (queue "pdf"). Jobs take ids and commit their own work; a job that runs
again after its worker died files nothing twice (app.background)."""
from rq import get_current_job

from app.auth.models import User
from app.background import queue_available, receipts_since, retry_policy
from app.cases.access import can_edit
from app.cases.documents import attach_document
from app.cases.models import Case, CaseStatus
from app.core.audit import AuditAction, logged_change, record_change
from app.db import utcnow
from app.extensions import db, rq
from app.pdf import render_pdf

PRINTOUT = "journal_printout"   # the receipt: an audit row for the job's id, naming the document it filed


def order_journal_printout(case: Case, user) -> None:
    """Queue the printout (run at once without Redis); JobsUnavailable when Redis cannot be reached."""
    with queue_available():
        render_journal_printout.enqueue(case.id, user.id, retry=retry_policy())


@rq.job(queue="pdf")
def render_journal_printout(case_id: int, user_id: int) -> int | None:
    """Render the case's journal as a PDF and file it on the case; returns the document id."""
    job = get_current_job()
    if job is not None:
        receipt = logged_change(PRINTOUT, job.id, since=receipts_since(job))
        if receipt is not None:
            return receipt["document_id"][1]   # an earlier run filed it, and its worker died before finishing
    case = db.session.get(Case, case_id)
    user = db.session.get(User, user_id)
    if case is None or user is None or case.status in (CaseStatus.CLOSED, CaseStatus.DISCARDED):
        return None  # gone or closed since it was queued: nothing to do
    if not can_edit(user, case):
        return None  # the user lost access (deactivated, moved office) since it was queued
    printed_at = utcnow()
    pdf = render_pdf("cases/pdf/journal.html", case=case, printed_at=printed_at, printed_by=user.name)
    document = attach_document(case, title=f"Journalutskrift {printed_at:%d.%m.%Y}", content=pdf,
                               filename=f"journalutskrift-{case.year}-{case.sequence}.pdf", actor=user)
    if job is not None:
        record_change(AuditAction.CREATE, PRINTOUT, job.id, case=case, user=user,
                      changes={"document_id": [None, document.id]})
    db.session.commit()
    return document.id
