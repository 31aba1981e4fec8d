"""Meetings of Bestillerforum and Beslutningsforum (agendas, minutes) and what the forums decide
about a method: ordering decisions, commissioned reports, price notes, Beslutningsforum's
decisions (an amendment is a new version) and the follow-up assignments they order.

Reads: every role that may read methods. Writes: the methods secretariat only. Price notes are
shown to the secretariat only (access.can_see_price_notes)."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.cases.interface import attach_document, get_case
from app.core.roles import Role
from app.errors import InvalidInput
from app.extensions import db
from app.forms import button_pressed, choices, saved, submitted
from app.http import owned_or_404
from app.listing import list_page
from app.methods import meeting_papers, services
from app.methods.access import can_see_price_notes, get_method_or_404, require_secretariat
from app.methods.forum_forms import (
    AgendaItemForm,
    CloseFollowUpForm,
    FilePaperForm,
    FollowUpForm,
    ForumDecisionForm,
    MeetingForm,
    MinutesForm,
    OrderingDecisionForm,
    PriceNoteForm,
    ReportForm,
    TakeUpAgainForm,
)
from app.methods.lists import MEETINGS
from app.methods.method_views import READERS
from app.methods.models import (
    AgendaItem,
    Commission,
    CommissionReport,
    FollowUpAssignment,
    Forum,
    ForumDecision,
    Meeting,
    Method,
)
from app.methods.views import bp
from app.query_args import int_arg
from app.security import role_required


@bp.post("/<reference>/oppfolging/<int:follow_up_id>/status")
@login_required
def close_follow_up(reference: str, follow_up_id: int):
    method = get_method_or_404(reference, need="edit")
    assignment = db.session.get(FollowUpAssignment, follow_up_id)
    if assignment is None or assignment.decision.method_id != method.id:
        abort(404)
    form = CloseFollowUpForm()
    return button_pressed(
        form, lambda: services.close_follow_up(assignment, status=form.status.data,
                                               expected_version=form.version.data, actor=current_user),
        done=lambda: f"Oppdraget er markert som {services.FOLLOW_UP_STATUSES[form.status.data].lower()}.",
        back_to=url_for("methods.detail", reference=reference, _anchor="beslutningsforum"))


# Helpers for the method page's forum sections (templates/methods/_forum_sections.html).

@bp.app_template_global("method_report_documents")
def report_documents(method: Method) -> dict:
    """The documents on the method's case by id, so a report links to its stored file."""
    return {document.id: document for document in get_case(method.case_id).documents}


@bp.app_template_global("aspect_labels")
def aspect_labels(aspects: list[str]) -> str:
    """«Effekt, Sikkerhet, Helseøkonomi» for an ordering decision's aspects."""
    return ", ".join(services.ASPECTS.get(aspect, aspect) for aspect in aspects)


@bp.app_template_global("follow_up_overdue")
def follow_up_overdue(assignment, today: date | None = None) -> bool:
    return assignment.status == "open" and assignment.due_on < (today or date.today())


@bp.app_template_global("decision_label")
def decision_label(decision: ForumDecision) -> str:
    """«Beslutning 17.03.2025 (Sak 031-2025)»."""
    label = f"Beslutning {decision.decided_on:%d.%m.%Y}"
    return f"{label} ({decision.agenda_item.label})" if decision.agenda_item else label


def meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _agenda_items(method: Method, forum: Forum) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem).join(AgendaItem.meeting)
        .where(AgendaItem.methods.contains(method), AgendaItem.forum == forum)
        .order_by(Meeting.meeting_date.desc(), AgendaItem.number.desc())))


def _agenda_choice(item: AgendaItem) -> str:
    return f"{item.label} – {item.meeting.label}: {item.title}"


# Meetings

@bp.get("/moter")
@role_required(*READERS)
def meetings():
    return list_page(MEETINGS, "methods/meetings.html", can_edit=current_user.role is Role.METHODS_SECRETARIAT)


@bp.route("/moter/ny", methods=["GET", "POST"])
@login_required
def new_meeting():
    require_secretariat()
    form = MeetingForm()
    created = []

    def create():
        created.append(services.create_meeting(form.to_command(), actor=current_user))

    if submitted(form, create, check=services.check_meeting):
        flash(f"Møtet i {created[0].label} er opprettet.", "success")
        return redirect(url_for("methods.meeting", meeting_id=created[0].id))
    if not (form.confirm_weekend.errors or form.confirm_weekend.data):
        del form.confirm_weekend   # asked only when the meeting date is a Saturday or Sunday
    return render_template("methods/meeting_form.html", form=form, meeting=None, heading="Nytt møte",
                           cancel_url=url_for("methods.meetings"))


@bp.get("/moter/<int:meeting_id>")
@role_required(*READERS)
def meeting(meeting_id: int):
    meeting = meeting_or_404(meeting_id)
    decisions = meeting_papers.decisions_by_item(meeting)
    return render_template("methods/meeting.html", meeting=meeting, decisions=decisions,
                           editable=current_user.role is Role.METHODS_SECRETARIAT,
                           before_meeting=meeting.meeting_date > date.today(), file_form=FilePaperForm())


@bp.route("/moter/<int:meeting_id>/referat", methods=["GET", "POST"])
@login_required
def edit_minutes(meeting_id: int):
    require_secretariat()
    meeting = meeting_or_404(meeting_id)
    form = MinutesForm(obj=meeting)
    if form.validate_on_submit() and saved(form, lambda: services.update_minutes(
            meeting, minutes=form.minutes.data, expected_version=form.version.data, actor=current_user)):
        flash("Referatet er lagret.", "success")
        return redirect(url_for("methods.meeting", meeting_id=meeting_id, _anchor="referat"))
    if form.conflict:
        # The stored minutes are shown beside what the user typed; saving again overwrites them.
        db.session.refresh(meeting)
        form.adopt_version(meeting.version)
    page = render_template("methods/meeting_form.html", form=form, meeting=meeting,
                           heading=f"Referat – {meeting.label}",
                           cancel_url=url_for("methods.meeting", meeting_id=meeting_id))
    return page, 409 if form.conflict else 200


@bp.route("/moter/<int:meeting_id>/saker/ny", methods=["GET", "POST"])
@login_required
def new_agenda_item(meeting_id: int):
    require_secretariat()
    meeting = meeting_or_404(meeting_id)
    form = AgendaItemForm(references=request.args.getlist("metode"))
    form.references.choices = [(method.reference, f"{method.reference} {method.title}")
                               for method in services.agenda_candidates(meeting)]
    created = []

    def add():
        created.append(services.add_agenda_item(meeting, form.to_command(), actor=current_user))

    if submitted(form, add, check=lambda command: services.check_agenda_item(meeting, command)):
        flash(f"{created[0].label} er satt på sakslisten.", "success")
        return redirect(url_for("methods.meeting", meeting_id=meeting_id, _anchor="saksliste"))
    again = TakeUpAgainForm(formdata=None, prefix="again")
    again.earlier_id.choices = _earlier_items(meeting)
    return render_template("methods/agenda_item_form.html", form=form, again=again, meeting=meeting,
                           heading=f"Ny sak – {meeting.label}")


def _earlier_items(meeting: Meeting) -> list[tuple[int, str]]:
    """The forum's items from earlier meetings that may be taken up again, the latest hearing of each number."""
    latest = {}
    for item in db.session.scalars(
            select(AgendaItem).join(AgendaItem.meeting)
            .where(AgendaItem.forum == meeting.forum, Meeting.meeting_date < meeting.meeting_date)
            .order_by(Meeting.meeting_date)):
        latest[(item.year, item.number)] = item
    listed = {item.number for item in meeting.agenda_items}
    return [(item.id, _agenda_choice(item)) for key, item in sorted(latest.items(), reverse=True)
            if item.number not in listed]


@bp.post("/moter/<int:meeting_id>/saker/gjenoppta")
@login_required
def take_up_again(meeting_id: int):
    require_secretariat()
    meeting = meeting_or_404(meeting_id)
    form = TakeUpAgainForm(prefix="again")
    form.earlier_id.choices = _earlier_items(meeting)
    created = []

    def add():
        earlier = db.session.get(AgendaItem, form.earlier_id.data) if form.earlier_id.data else None
        if earlier is None:
            raise InvalidInput("Velg en sak fra et tidligere møte.", field="earlier_id")
        created.append(services.take_up_again(meeting, earlier, actor=current_user))

    return button_pressed(form, add, done=lambda: f"{created[0].label} er tatt opp igjen og satt på sakslisten.",
                          back_to=url_for("methods.meeting", meeting_id=meeting_id, _anchor="saksliste"))


@bp.post("/moter/<int:meeting_id>/saker/<int:item_id>/fjern")
@login_required
def remove_agenda_item(meeting_id: int, item_id: int):
    require_secretariat()
    meeting = meeting_or_404(meeting_id)
    item = owned_or_404(AgendaItem, item_id, meeting_id=meeting.id)
    return button_pressed(FlaskForm(), lambda: services.remove_agenda_item(item, actor=current_user),
                          done=f"{item.label} er fjernet fra sakslisten.",
                          back_to=url_for("methods.meeting", meeting_id=meeting_id, _anchor="saksliste"))


# A method's forum records

@bp.route("/<reference>/bestilling/ny", methods=["GET", "POST"])
@login_required
def new_ordering_decision(reference: str):
    method = get_method_or_404(reference, need="edit")
    decided = {decision.agenda_item_id for decision in method.ordering_decisions}
    items = {item.id: item for item in _agenda_items(method, Forum.BESTILLERFORUM) if item.id not in decided}
    form = OrderingDecisionForm()
    form.agenda_item_id.choices = choices((item.id, _agenda_choice(item)) for item in items.values())
    if request.method == "GET" and request.args.get("sak", type=int) in items:
        form.agenda_item_id.data = request.args.get("sak", type=int)

    if items and submitted(form, lambda: services.record_ordering_decision(method, form.to_command(),
                                                                           actor=current_user),
                           check=lambda command: services.check_ordering_decision(method, command)):
        flash("Bestillerforums beslutning er registrert.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="bestillerforum"))
    return render_template("methods/forum_form.html", form=form, method=method,
                           heading="Beslutning i Bestillerforum",
                           missing_items=None if items else Forum.BESTILLERFORUM)


@bp.route("/<reference>/oppdrag/<int:commission_id>/rapporter/ny", methods=["GET", "POST"])
@login_required
def new_report(reference: str, commission_id: int):
    method = get_method_or_404(reference, need="edit")
    commission = owned_or_404(Commission, commission_id, method_id=method.id)
    form = ReportForm()

    def record():
        document_id = None
        upload = form.file.data
        if upload and upload.filename:
            document = attach_document(get_case(method.case_id), title=form.title.data, filename=upload.filename,
                                       content=upload.read(), actor=current_user)
            document_id = document.id
        services.add_report(commission, form.to_command(document_id), actor=current_user)

    if submitted(form, record, check=lambda command: services.check_report(commission, command)):
        flash("Rapporten er registrert.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="oppdrag"))
    return render_template("methods/forum_form.html", form=form, method=method, heading="Ny rapport",
                           subheading=f"{commission.kind.label}, {commission.assessing_body}",
                           enctype="multipart/form-data")


@bp.post("/<reference>/oppdrag/<int:commission_id>/rapporter/<int:report_id>/publiser")
@login_required
def publish_report(reference: str, commission_id: int, report_id: int):
    method = get_method_or_404(reference, need="edit")
    commission = owned_or_404(Commission, commission_id, method_id=method.id)
    report = owned_or_404(CommissionReport, report_id, commission_id=commission.id)
    return button_pressed(FlaskForm(), lambda: services.publish_report(report, actor=current_user),
                          done=f"Filen til «{report.title}» er publisert på metodens offentlige side.",
                          back_to=url_for("methods.detail", reference=reference, _anchor="oppdrag"))


@bp.route("/<reference>/prisnotat/ny", methods=["GET", "POST"])
@login_required
def new_price_note(reference: str):
    method = get_method_or_404(reference, need="edit")
    if not can_see_price_notes(current_user):
        abort(403)
    form = PriceNoteForm()
    if form.validate_on_submit() and saved(form, lambda: services.add_price_note(
            method, form.to_command(), actor=current_user)):
        flash("Prisnotatet er registrert.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="prisnotat"))
    return render_template("methods/forum_form.html", form=form, method=method, heading="Nytt prisnotat",
                           subheading="Unntatt offentlighet. Bare sekretariatet ser prisnotatet.")


@bp.route("/<reference>/beslutninger/ny", methods=["GET", "POST"])
@login_required
def new_decision(reference: str):
    method = get_method_or_404(reference, need="edit")
    amending = None
    if "endrer" in request.args:
        amending = owned_or_404(ForumDecision, int_arg("endrer", what="Beslutnings-ID-en"), method_id=method.id)
    amendable = {str(decision.id): decision for decision in (method.current_decision, amending) if decision}
    decided = {decision.agenda_item_id for decision in method.decisions}
    items = {str(item.id): item for item in _agenda_items(method, Forum.BESLUTNINGSFORUM) if item.id not in decided}

    form = ForumDecisionForm()
    form.amends_id.choices = choices(((key, decision_label(decision)) for key, decision in amendable.items()),
                                     blank="Ingen – ny beslutning")
    form.agenda_item_id.choices = choices(((key, _agenda_choice(item)) for key, item in items.items()),
                                          blank="Ingen sak i Beslutningsforum")
    if request.method == "GET":
        if amending:
            # An amendment starts from the decision it amends; the user changes what the meeting changed.
            form.amends_id.data = str(amending.id)
            form.decided_by.data = amending.decided_by.value
            form.outcome.data = amending.outcome.value
            form.preamble.data = amending.preamble
            form.points.data = "\n".join(amending.points)
            form.conditions.data = amending.conditions
        if request.args.get("sak", "") in items:
            form.agenda_item_id.data = request.args["sak"]
        elif items:
            form.agenda_item_id.data = next(iter(items))
        chosen = items.get(form.agenda_item_id.data)
        form.whole_item.data = bool(chosen and len(chosen.methods) > 1)
    created = []

    def record():
        created.append(services.record_forum_decision(method, form.to_command(), actor=current_user))

    if submitted(form, record, check=lambda command: services.check_forum_decision(method, command)):
        decision = created[0]
        flash("Endringen av beslutningen er registrert." if decision.supersedes_id
              else "Beslutningen er registrert.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="beslutningsforum"))
    return render_template("methods/forum_form.html", form=form, method=method,
                           heading="Endre beslutning" if amending else "Ny beslutning", amending=amending)


@bp.route("/<reference>/beslutninger/<int:decision_id>/oppfolging/ny", methods=["GET", "POST"])
@login_required
def new_follow_up(reference: str, decision_id: int):
    method = get_method_or_404(reference, need="edit")
    decision = owned_or_404(ForumDecision, decision_id, method_id=method.id)
    form = FollowUpForm()
    if submitted(form, lambda: services.add_follow_up(decision, form.to_command(), actor=current_user),
                 check=lambda command: services.check_follow_up(decision, command)):
        flash("Oppfølgingsoppdraget er registrert, med frist på saken.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="beslutningsforum"))
    return render_template("methods/forum_form.html", form=form, method=method, heading="Nytt oppfølgingsoppdrag",
                           subheading=f"Følger opp {decision_label(decision).lower()}")
