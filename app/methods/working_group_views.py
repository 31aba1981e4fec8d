"""The working groups' pages: the list, a group with its members, basis document and report, and the forms that
register and change them.

Reads: every role that may read methods (the group is shown to whoever may see all of its methods); the group
page names its members (staff's personal data) and is logged as a read. Writes: the methods secretariat only. No
public page: the members' names never leave the logged-in pages."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.cases.interface import Document, filed_documents, get_case
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.extensions import db
from app.forms import button_pressed, choices, form_status, submitted
from app.http import owned_or_404
from app.listing import list_page
from app.methods import working_groups as services
from app.methods.access import READERS, get_working_group_or_404, require_secretariat
from app.methods.lists import WORKING_GROUPS
from app.methods.models import Method, WorkingGroup, WorkingGroupMember
from app.methods.views import bp
from app.methods.working_group_forms import (
    EditWorkingGroupForm,
    MemberForm,
    WorkingGroupForm,
    WorkingGroupReportForm,
)
from app.security import role_required


def _method_choices(form: WorkingGroupForm) -> None:
    form.references.choices = [(method.reference, f"{method.reference} {method.title}")
                               for method in db.session.scalars(select(Method).order_by(Method.reference))]


def _document_choices(form: WorkingGroupForm, group: WorkingGroup) -> None:
    """The basis document is chosen among the documents on the group's methods' cases."""
    documents = filed_documents(*(get_case(method.case_id) for method in group.methods))
    form.basis_document_id.choices = choices(((str(document.id), f"{document.title} ({document.case_number})")
                                              for document in documents), blank="Ikke valgt")


@bp.get("/arbeidsgrupper")
@role_required(*READERS)
def working_groups():
    return list_page(WORKING_GROUPS, "methods/working_groups.html",
                     can_edit=current_user.role is Role.METHODS_SECRETARIAT)


@bp.route("/arbeidsgrupper/ny", methods=["GET", "POST"])
@login_required
def new_working_group():
    require_secretariat()
    form = WorkingGroupForm(references=request.args.getlist("metode"))
    del form.basis_document_id   # chosen once the group exists, among its methods' documents
    _method_choices(form)
    created = []

    def create():
        created.append(services.create_working_group(form.to_command(), actor=current_user))

    if submitted(form, create, check=services.check_working_group):
        flash("Arbeidsgruppen er registrert.", "success")
        return redirect(url_for("methods.working_group", group_id=created[0].id))
    return render_template("methods/working_group_form.html", form=form, group=None, heading="Ny arbeidsgruppe",
                           cancel_url=url_for("methods.working_groups")), form_status(form)


@bp.get("/arbeidsgrupper/<int:group_id>")
@role_required(*READERS)
def working_group(group_id: int):
    group = get_working_group_or_404(group_id)
    document = db.session.get(Document, group.basis_document_id) if group.basis_document_id else None
    page = render_template("methods/working_group.html", group=group, basis_document=document,
                           slots=services.answer_slots(group.report_questions),
                           approving_body=services.APPROVING_BODY,
                           editable=current_user.role is Role.METHODS_SECRETARIAT)
    record_access(AuditAction.VIEW, "method_working_group", group.id, details={"page": "working_group"})
    return page


@bp.route("/arbeidsgrupper/<int:group_id>/endre", methods=["GET", "POST"])
@login_required
def edit_working_group(group_id: int):
    group = get_working_group_or_404(group_id, need="edit")
    form = EditWorkingGroupForm(data=EditWorkingGroupForm.stored(group))
    _method_choices(form)
    _document_choices(form, group)

    def update():
        services.update_working_group(group, form.to_command(), expected_version=form.version.data,
                                      actor=current_user)

    if submitted(form, update, check=lambda details: services.check_working_group(details, group)):
        flash("Endringene er lagret.", "success")
        return redirect(url_for("methods.working_group", group_id=group_id))
    if form.conflict:
        form.adopt_version(group.version)
    return render_template("methods/working_group_form.html", form=form, group=group,
                           heading=f"Endre {group.title}",
                           cancel_url=url_for("methods.working_group", group_id=group_id)), form_status(form)


@bp.route("/arbeidsgrupper/<int:group_id>/medlemmer/ny", methods=["GET", "POST"])
@login_required
def new_member(group_id: int):
    group = get_working_group_or_404(group_id, need="edit")
    form = MemberForm()
    if submitted(form, lambda: services.add_member(group, form.to_command(), actor=current_user),
                 check=lambda command: services.check_member(group, command)):
        flash(f"{form.name.data} er lagt til i arbeidsgruppen.", "success")
        return redirect(url_for("methods.working_group", group_id=group_id, _anchor="sammensetning"))
    return render_template("methods/working_group_form.html", form=form, group=group, heading="Nytt medlem",
                           cancel_url=url_for("methods.working_group", group_id=group_id)), form_status(form)


@bp.post("/arbeidsgrupper/<int:group_id>/medlemmer/<int:member_id>/fjern")
@login_required
def remove_member(group_id: int, member_id: int):
    group = get_working_group_or_404(group_id, need="edit")
    member = owned_or_404(WorkingGroupMember, member_id, working_group_id=group.id)
    return button_pressed(FlaskForm(), lambda: services.remove_member(member, actor=current_user),
                          done=f"{member.name} er fjernet fra arbeidsgruppen.",
                          back_to=url_for("methods.working_group", group_id=group_id, _anchor="sammensetning"))


@bp.route("/arbeidsgrupper/<int:group_id>/rapport", methods=["GET", "POST"])
@login_required
def edit_report(group_id: int):
    group = get_working_group_or_404(group_id, need="edit")
    form = WorkingGroupReportForm.for_group(group)

    def record():
        services.record_report(group, form.to_command(), expected_version=form.version.data, actor=current_user)

    if submitted(form, record, check=lambda command: services.check_report(group, command)):
        flash("Rapporten er lagret.", "success")
        return redirect(url_for("methods.working_group", group_id=group_id, _anchor="rapport"))
    if form.conflict:
        form.adopt_version(group.version)
    return render_template("methods/working_group_report_form.html", form=form, group=group,
                           slots=services.answer_slots(group.report_questions),
                           answer_field=services.answer_field), form_status(form)
