"""Rules of the inter-regional working groups (S1): a group covers one or more methods, its composition and
mandate are approved by «Interregionalt fagdirektørmøte», it has one leader, its basis document is filed on one
of its methods' cases, and its report answers every question and sub-question of the mandate before it is
delivered.

Services add and flush, never commit; every change is an audit row on the group.
"""
from datetime import date

from sqlalchemy import select

from app.cases.interface import Document
from app.core.audit import AuditAction, apply_changes, record_change
from app.core.checks import Problems, not_in_future, require
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from app.methods.commands import NewMember, ReportAnswers, WorkingGroupDetails
from app.methods.models import MemberRole, Method, WorkingGroup, WorkingGroupMember, working_group_methods
from app.methods.services import find_method

APPROVING_BODY = "Interregionalt fagdirektørmøte"


def answer_slots(questions) -> list[tuple[str, str, str | None]]:
    """(key, question, sub-question) for every answer the report needs: «1.2» for a sub-question, «3» for a
    question without sub-questions. `questions` as stored ({"title", "sub_questions"}) or as ReportQuestion."""
    slots = []
    for number, question in enumerate(questions, start=1):
        title, subs = ((question["title"], question["sub_questions"]) if isinstance(question, dict)
                       else (question.title, question.sub_questions))
        if not subs:
            slots.append((str(number), title, None))
        slots.extend((f"{number}.{index}", title, sub) for index, sub in enumerate(subs, start=1))
    return slots


def working_groups_of(method: Method) -> list[WorkingGroup]:
    """The working groups that cover `method`, the newest first."""
    return list(db.session.scalars(
        select(WorkingGroup).join(working_group_methods).where(working_group_methods.c.method_id == method.id)
        .order_by(WorkingGroup.created_at.desc(), WorkingGroup.id.desc())))


def _methods(references: tuple[str, ...]) -> list[Method]:
    if not references:
        raise InvalidInput("Velg minst én metode arbeidsgruppen dekker.", field="references")
    methods = []
    for reference in dict.fromkeys(references):
        method = find_method(reference)
        if method is None:
            raise InvalidInput(f"Fant ingen metode med ID {reference}.", field="references")
        methods.append(method)
    return methods


def check_working_group(details: WorkingGroupDetails, group: WorkingGroup | None = None,
                        today: date | None = None) -> list[Method]:
    """Everything a working group must satisfy, every refused field at once (a value that is None was refused by
    the form): a title, whom it reports to, its methods, an approval that has happened, a deadline after it, a
    basis document filed on one of its methods' cases, questions with a title, and (when changed) no question
    dropped that has an answer. Returns the methods."""
    problems = Problems()
    for field, message in (("title", "Fyll inn arbeidsgruppens navn."),
                           ("reports_to", "Fyll inn hvem arbeidsgruppen rapporterer til.")):
        with problems.check():
            require(getattr(details, field), field, message)
    methods = []
    with problems.check():
        methods = _methods(details.references) if details.references is not None else []
    if details.approved_on is not None:
        with problems.check():
            not_in_future(details.approved_on, "approved_on", "Godkjenningsdatoen", today)
        if details.due_on is not None and details.due_on < details.approved_on:
            problems.errors.append(InvalidInput("Fristen kan ikke være før godkjenningen.", field="due_on"))
    if details.basis_document_id is not None and methods:
        document = db.session.get(Document, details.basis_document_id)
        if document is None or document.case_id not in {method.case_id for method in methods}:
            problems.errors.append(InvalidInput("Grunnlagsdokumentet må ligge på saken til en av metodene "
                                                "arbeidsgruppen dekker.", field="basis_document_id"))
    if details.questions is not None:
        if any(not question.title for question in details.questions):
            problems.errors.append(InvalidInput("Et underspørsmål må stå under et nummerert spørsmål.",
                                                field="questions"))
        elif group is not None:
            kept = {key for key, _question, _sub in answer_slots(details.questions)}
            dropped = sorted(key for key, answer in group.report_answers.items() if answer and key not in kept)
            if dropped:
                problems.errors.append(InvalidInput(f"Spørsmål {', '.join(dropped)} er besvart i rapporten og kan "
                                                    "ikke fjernes.", field="questions"))
    problems.done()
    return methods


def _values(details: WorkingGroupDetails, methods: list[Method]) -> dict:
    return {"title": details.title, "reports_to": details.reports_to, "mandate": details.mandate,
            "secretariat": details.secretariat, "due_on": details.due_on, "approved_on": details.approved_on,
            "basis_document_lead": details.basis_document_lead, "basis_document_id": details.basis_document_id,
            "report_questions": [{"title": question.title, "sub_questions": list(question.sub_questions)}
                                 for question in details.questions],
            "methods": methods}


def create_working_group(details: WorkingGroupDetails, *, actor) -> WorkingGroup:
    """A working group (check_working_group) covering its methods."""
    values = _values(details, check_working_group(details))
    group = WorkingGroup(**values)
    db.session.add(group)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_working_group", group.id, user=actor,
                  changes={"title": [None, group.title], "methods": [None, group.references],
                           "approved_on": [None, group.approved_on]})
    return group


def update_working_group(group: WorkingGroup, details: WorkingGroupDetails, *, expected_version: int,
                         actor) -> dict:
    """Change a working group (check_working_group), refused when someone else saved it after the form was
    opened."""
    if group.version != expected_version:
        raise EditConflict("Arbeidsgruppen er endret av en annen bruker etter at du åpnet den. Ingenting er lagret.")
    values = _values(details, check_working_group(details, group))
    methods = values.pop("methods")
    changes = apply_changes(group, values)
    if {method.id for method in methods} != {method.id for method in group.methods}:
        changes["methods"] = [group.references, ", ".join(sorted(method.reference for method in methods))]
        group.methods = methods
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "method_working_group", group.id, user=actor, changes=changes)
    return changes


def check_member(group: WorkingGroup, command: NewMember) -> None:
    """A member has a name, and a group has one leader: both at once."""
    problems = Problems()
    with problems.check():
        require(command.name, "name", "Fyll inn navnet.")
    leader = next((member for member in group.members if member.role is MemberRole.LEADER), None)
    if command.role is MemberRole.LEADER and leader is not None:
        problems.errors.append(InvalidInput(f"Arbeidsgruppen har allerede en leder ({leader.name}). Fjern vedkommende "
                                            "først.", field="role"))
    problems.done()


def add_member(group: WorkingGroup, command: NewMember, *, actor) -> WorkingGroupMember:
    """Put a person in the group (check_member), with the body that nominated them."""
    check_member(group, command)
    member = WorkingGroupMember(working_group=group, name=command.name, position=command.position, role=command.role,
                                nominated_by=command.nominated_by,
                                nominating_organisation=command.nominating_organisation)
    db.session.add(member)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_working_group_member", member.id, user=actor,
                  changes={"working_group": [None, group.id], "name": [None, member.name],
                           "role": [None, member.role.value]})
    return member


def remove_member(member: WorkingGroupMember, *, actor) -> None:
    """Take a person out of the group (the audit log keeps who was in it)."""
    group = member.working_group
    record_change(AuditAction.UPDATE, "method_working_group_member", member.id, user=actor,
                  changes={"removed": [False, True], "working_group": [group.id, None], "name": [member.name, None]})
    db.session.delete(member)
    db.session.flush()
    db.session.expire(group, ["members"])


def check_report(group: WorkingGroup, command: ReportAnswers, today: date | None = None) -> dict[str, str]:
    """The report's answers, each to a question of the mandate; a delivered report answers every one, after the
    composition and mandate were approved and not in the future. Every refused field at once (field
    «answer_1_2» for slot «1.2»). Returns the answers by slot, blank ones left out."""
    slots = {key: (question, sub) for key, question, sub in answer_slots(group.report_questions)}
    answers = {key: text.strip() for key, text in command.answers if text and text.strip()}
    problems = Problems()
    unknown = sorted(set(answers) - set(slots))
    if unknown:
        problems.errors.append(InvalidInput(f"Ukjent spørsmål: {', '.join(unknown)}.", field="answers"))
    delivered_on = command.delivered_on
    if delivered_on is not None:
        if not slots:
            problems.errors.append(InvalidInput("Arbeidsgruppen har ingen spørsmål å besvare. Legg inn mandatets "
                                                "spørsmål først.", field="delivered_on"))
        for key in slots:
            if key not in answers:
                problems.errors.append(InvalidInput(f"Besvar spørsmål {key} før rapporten registreres som levert.",
                                                    field=answer_field(key)))
        with problems.check():
            not_in_future(delivered_on, "delivered_on", "Leveransedatoen", today)
        if group.approved_on is None:
            problems.errors.append(InvalidInput(f"{APPROVING_BODY} må ha godkjent sammensetning og mandat før "
                                                "rapporten leveres.", field="delivered_on"))
        elif delivered_on < group.approved_on:
            problems.errors.append(InvalidInput(f"Rapporten kan ikke være levert før godkjenningen "
                                                f"({group.approved_on:%d.%m.%Y}).", field="delivered_on"))
    problems.done()
    return answers


def answer_field(key: str) -> str:
    """The form field of answer slot «1.2»: answer_1_2."""
    return "answer_" + key.replace(".", "_")


def record_report(group: WorkingGroup, command: ReportAnswers, *, expected_version: int, actor) -> dict:
    """Save the report's answers (check_report), and its delivery when dated; refused when someone else saved the
    group after the form was opened."""
    if group.version != expected_version:
        raise EditConflict("Arbeidsgruppen er endret av en annen bruker etter at du åpnet rapporten. Ingenting er "
                           "lagret.")
    answers = check_report(group, command)
    changes = apply_changes(group, {"report_answers": answers, "report_delivered_on": command.delivered_on})
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "method_working_group", group.id, user=actor, changes=_counted(changes))
    return changes


def _counted(changes: dict) -> dict:
    """The audit row's changes, the answers counted rather than copied (the report's text is the group's)."""
    if "report_answers" in changes:
        old, new = changes["report_answers"]
        return {**changes, "report_answers": [len(old or {}), len(new)]}
    return changes
