"""Preimplantation genetic diagnosis (PGD) abroad: the approval is another body's, not the office's (S3 § 4.1 and
§ 5.2; bioteknologiloven). PGD-nemnda approved up to 30 June 2020, Oslo universitetssykehus and St. Olavs hospital
from 1 July 2020. The office records who approved, when and under which reference, and then administers the
treatment abroad (plan, travel, stay, costs). It files no decision letter of its own, and the approval is not
appealed to Klagenemnda through the office (models.appeal_refused). The statistics count a PGD approval as a
grant in the year of its date, as before."""
from datetime import date

from app.abroad.commands import PgdApproval
from app.abroad.models import PGD_BOARD_LAST_DAY, Application, ApplicationStatus, Decision, Stream
from app.abroad.services import _ensure_open, _set_status, _start_work
from app.cases.interface import JournalEntryType, add_journal_entry, answer_incoming, get_case
from app.core.audit import AuditAction, apply_changes, record_change
from app.core.checks import Problems, not_in_future
from app.errors import InvalidInput
from app.extensions import db

OUTCOMES = (Decision.GRANTED, Decision.DENIED)


def check_approval(application: Application, command: PgdApproval, *, today: date | None = None) -> None:
    """Everything a recorded PGD approval must satisfy, every refusal at once (a value that is None was refused
    by the form): a PGD application still open, an approval or refusal, dated after receipt and not in the future,
    by the body that approved PGD on that date."""
    if application.stream is not Stream.PGD:
        raise InvalidInput("Bare søknader om preimplantasjonsdiagnostikk (PGD) godkjennes av en annen instans.")
    problems = Problems()
    if awaits_body(application):
        if (command.decision, command.decided_on) != (application.decision, application.decided_on):
            problems.errors.append(InvalidInput(
                f"Svaret er registrert som «{application.decision.label.lower()}» "
                f"{application.decided_on:%d.%m.%Y}. Registrer bare instansen og referansen.", field="decision"))
    else:
        _ensure_open(application)
    decided_on, body = command.decided_on, command.approving_body
    if command.decision is not None and command.decision not in OUTCOMES:
        problems.errors.append(InvalidInput("Velg om behandlingen er godkjent eller avslått.", field="decision"))
    if decided_on is not None:
        with problems.check():
            not_in_future(decided_on, "decided_on", "Godkjenningsdatoen", today or date.today())
        if decided_on < application.received_on and not problems.refused("decided_on"):
            problems.errors.append(InvalidInput(f"Godkjenningen kan ikke være datert før søknaden ble mottatt "
                                                f"({application.received_on:%d.%m.%Y}).", field="decided_on"))
    if decided_on is not None and body is not None and not body.approves_on(decided_on):
        problems.errors.append(InvalidInput(
            f"{body.label} godkjente ikke PGD {decided_on:%d.%m.%Y}: PGD-nemnda til og med "
            f"{PGD_BOARD_LAST_DAY:%d.%m.%Y}, deretter Oslo universitetssykehus eller St. Olavs hospital.",
            field="approving_body"))
    problems.done()


def record_approval(application: Application, command: PgdApproval, *, actor,
                    today: date | None = None) -> Application:
    """Record the approving body's answer as the application's decision (granted: the office plans and pays the
    treatment abroad). The answer is filed as an incoming post; the office sends no letter of its own."""
    check_approval(application, command, today=today)
    decision, decided_on, body = command.decision, command.decided_on, command.approving_body
    case = get_case(application.case_id)
    if awaits_body(application):   # decided before the body was recorded (the data migration flagged it)
        changes = apply_changes(application, {"approving_body": body,
                                              "approval_reference": command.approval_reference,
                                              "flag": None, "flagged_at": None})
        db.session.flush()
        record_change(AuditAction.UPDATE, "abroad_application", application.id, case=case, user=actor,
                      changes=changes)
        return application
    _start_work(application, actor)
    application.decision = decision
    application.decided_on = decided_on
    application.approving_body = body
    application.approval_reference = command.approval_reference
    _set_status(application, ApplicationStatus.GRANTED if decision is Decision.GRANTED else ApplicationStatus.DENIED,
                actor=actor)
    add_journal_entry(case, entry_type=JournalEntryType.INCOMING,
                      title=f"PGD {decision.label.lower()} av {body.label}"
                            + (f" (ref. {command.approval_reference})" if command.approval_reference else ""),
                      journal_date=decided_on, document_date=decided_on, party_name=body.label, actor=actor)
    answer_incoming(case, actor=actor, method="TE")   # the application, taken note of: the office sends no letter
    answer_incoming(case, actor=actor, method="TE")   # and the approval just filed
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=case, user=actor,
                  changes={"decision": [None, decision.value], "decided_on": [None, decided_on],
                           "approving_body": [None, body.value],
                           "approval_reference": [None, command.approval_reference]})
    return application


def awaits_body(application: Application) -> bool:
    """A PGD decision recorded before the approving body was (data from before the body was modelled)."""
    return application.stream is Stream.PGD and application.decision in OUTCOMES \
        and application.approving_body is None
