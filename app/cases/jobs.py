"""Background jobs of the case core (queue "pdf"). Jobs take ids and commit their own work."""
from app.auth.models import User
from app.cases.access import can_edit
from app.cases.documents import attach_document
from app.cases.models import Case, CaseStatus
from app.db import utcnow
from app.extensions import db, rq
from app.pdf import render_pdf


@rq.job(queue="pdf")
def render_journal_printout(case_id: int, user_id: int) -> int | None:
    """Render the case's journal as a PDF and file it on the case; returns the document id."""
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
    db.session.commit()
    return document.id
