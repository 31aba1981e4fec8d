"""A meeting's papers as PDF: the notice with the agenda and the items' suitability assessments, and the
minutes (protokoll); the secretariat files them in the journal of the agenda methods' cases.

Reads: every role that may read methods (an export, audited). Filing: the methods secretariat only."""
from datetime import date

from flask import Response, abort, url_for
from flask_login import current_user, login_required

from app.core.audit import AuditAction, record_access
from app.errors import InvalidInput
from app.extensions import limiter
from app.forms import button_pressed
from app.http import content_disposition
from app.methods import meeting_papers
from app.methods.access import require_secretariat
from app.methods.forum_forms import FilePaperForm
from app.methods.forum_views import meeting_or_404
from app.methods.method_views import READERS
from app.methods.models import MeetingPaperKind
from app.methods.views import bp
from app.security import role_required


@bp.get("/moter/<int:meeting_id>/<any(innkalling, protokoll):kind>.pdf")
@role_required(*READERS)
@limiter.limit("30 per minute")
def meeting_paper_pdf(meeting_id: int, kind: str):
    meeting = meeting_or_404(meeting_id)
    paper = MeetingPaperKind(kind)
    if paper is MeetingPaperKind.MINUTES and not meeting.minutes:
        abort(404)
    pdf = meeting_papers.render_paper(meeting, paper, printed_by=current_user.name)
    record_access(AuditAction.EXPORT, "method_meeting", meeting.id, details={"paper": kind, "format": "pdf"})
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        f"{meeting.forum.value}-{meeting.meeting_date:%Y-%m-%d}-{kind}.pdf")
    return response


@bp.post("/moter/<int:meeting_id>/arkiver")
@login_required
def file_meeting_paper(meeting_id: int):
    require_secretariat()
    meeting = meeting_or_404(meeting_id)
    form = FilePaperForm()
    kind = MeetingPaperKind(form.kind.data) if form.kind.data in {k.value for k in MeetingPaperKind} else None

    def file():
        if kind is None:
            raise InvalidInput("Velg innkalling eller protokoll.", field="kind")
        meeting_papers.check_can_file(meeting, kind, date.today())
        pdf = meeting_papers.render_paper(meeting, kind, printed_by=current_user.name)
        meeting_papers.file_paper(meeting, kind, pdf=pdf, published=bool(form.published.data), actor=current_user)

    return button_pressed(form, file, done=lambda: f"{kind.label} er arkivert på sakene til metodene på sakslisten.",
                          back_to=url_for("methods.meeting", meeting_id=meeting_id, _anchor="sakspapirer"))
