"""A forum meeting's papers: the notice with the agenda (and each item's suitability assessment attached)
before the meeting, the minutes (protokoll) after it. Filing puts the PDF in the journal of the case of every
method on the agenda; a published paper is listed in Meeting.published for the public pages, which serve a
public copy (render_public_paper), not the filed one.

The view renders the PDF (app/pdf.py) and hands it here; the service adds and flushes, never commits."""
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.cases.interface import (
    CaseStatus,
    JournalEntryType,
    add_journal_entry,
    attach_document,
    get_case,
)
from app.core.audit import AuditAction, record_change
from app.errors import InvalidInput
from app.extensions import db
from app.methods import public
from app.methods.assessment_layout import ASSESSMENT_SECTIONS, PUBLIC_ASSESSMENT_SECTIONS
from app.methods.assessment_services import registry_url
from app.methods.models import Forum, ForumDecision, Meeting, MeetingPaper, MeetingPaperKind, OrderingDecision
from app.methods.services import TAGS
from app.pdf import render_pdf

TEMPLATES = {MeetingPaperKind.NOTICE: "methods/pdf/meeting_notice.html",
             MeetingPaperKind.MINUTES: "methods/pdf/meeting_minutes.html"}


def render_paper(meeting: Meeting, kind: MeetingPaperKind, *, printed_by: str) -> bytes:
    """The paper as a PDF/UA document (app/pdf.py), every agenda method's assessment attached in full."""
    methods = agenda_methods(meeting)
    return _render(meeting, kind, methods, [(method, method.assessment) for method in methods if method.assessment],
                   ASSESSMENT_SECTIONS, printed_by)


def render_public_paper(meeting: Meeting, kind: MeetingPaperKind) -> bytes:
    """The copy the public pages serve, rendered from the records when asked for: only the published assessments
    (a draft stays out), in their public sections (no suggested experts), and no printer's name."""
    methods = agenda_methods(meeting)
    attachments = [(method, public.published_assessment(method)) for method in methods]
    return _render(meeting, kind, methods, [(method, assessment) for method, assessment in attachments if assessment],
                   PUBLIC_ASSESSMENT_SECTIONS, None)


def _render(meeting: Meeting, kind: MeetingPaperKind, methods: list, attachments: list, sections,
            printed_by: str | None) -> bytes:
    return render_pdf(TEMPLATES[kind], meeting=meeting, methods=methods, attachments=attachments,
                      decisions=decisions_by_item(meeting), tag_labels=TAGS, registry_url=registry_url,
                      assessment_sections=sections, printed_at=datetime.now(UTC), printed_by=printed_by)


def agenda_methods(meeting: Meeting) -> list:
    """Every method on the meeting's agenda, once, in the agenda's order."""
    return list({method.id: method for item in meeting.agenda_items for method in item.methods}.values())


def decisions_by_item(meeting: Meeting) -> dict:
    """The decisions on the meeting's items by (item id, method id)."""
    item_ids = [item.id for item in meeting.agenda_items]
    if not item_ids:
        return {}
    model = OrderingDecision if meeting.forum is Forum.BESTILLERFORUM else ForumDecision
    return {(decision.agenda_item_id, decision.method_id): decision for decision in db.session.scalars(
        select(model).where(model.agenda_item_id.in_(item_ids)))}


def check_can_file(meeting: Meeting, kind: MeetingPaperKind, today: date) -> None:
    """The notice needs an agenda; the minutes are filed after the meeting, once written."""
    if not meeting.agenda_items:
        raise InvalidInput("Møtet har ingen saker på sakslisten.", field="kind")
    if kind is MeetingPaperKind.MINUTES:
        if meeting.meeting_date > today:
            raise InvalidInput("Protokollen arkiveres etter møtet.", field="kind")
        if not meeting.minutes:
            raise InvalidInput("Skriv referatet før protokollen arkiveres.", field="kind")


def file_paper(meeting: Meeting, kind: MeetingPaperKind, *, pdf: bytes, published: bool, actor,
               today: date | None = None) -> MeetingPaper:
    """File the paper as an internal journal post with the PDF on each agenda method's case that is open."""
    today = today or date.today()
    check_can_file(meeting, kind, today)
    title = f"{kind.label} – {meeting.label}"
    filename = f"{meeting.forum.value}-{meeting.meeting_date:%Y-%m-%d}-{kind.value}.pdf"
    document_ids = []
    for method in agenda_methods(meeting):
        case = get_case(method.case_id)
        if case.status in (CaseStatus.CLOSED, CaseStatus.DISCARDED):
            continue
        entry = add_journal_entry(case, entry_type=JournalEntryType.NOTE, title=title, journal_date=today,
                                  document_date=min(meeting.meeting_date, today), actor=actor)
        document_ids.append(attach_document(case, title=title, filename=filename, content=pdf, actor=actor,
                                            journal_entry=entry).id)
    paper = MeetingPaper(meeting_id=meeting.id, kind=kind, filed_on=today, filed_by_id=actor.id,
                         published=published, document_ids=document_ids)
    db.session.add(paper)
    db.session.flush()
    db.session.expire(meeting, ["papers"])
    record_change(AuditAction.CREATE, "method_meeting_paper", paper.id, user=actor,
                  changes={"kind": [None, kind.value], "meeting": [None, meeting.label], "published": [None, published],
                           "documents": [None, document_ids]})
    return paper
