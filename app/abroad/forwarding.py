"""The wrong scheme: an application that belongs to another scheme or body (S3 § 1: a refund of treatment in
another EEA country under Directive 2011/24/EU, planned treatment in the EEA with an S2 form, help during a stay
abroad under folketrygdloven § 5-24, treatment travel) is forwarded there and the patient told so in a letter
(forvaltningsloven § 4, the duty to guide). It is not refused: no decision is made, there is nothing to appeal,
and the annual report counts it as forwarded (app/abroad/statistics.py). The letter is previewed and filed as
the decision letter is (app/abroad/letters.py)."""
from datetime import date

from flask import render_template
from markupsafe import Markup

from app.abroad.commands import Forwarding
from app.abroad.letters import SUBJECT_LINE, Letter, _patient_name, copies
from app.abroad.models import Application, ApplicationStatus, ForwardedTo
from app.abroad.services import _ensure_open, _set_status, _start_work, file_letter
from app.cases.interface import Case, close_deadline, get_case, letter_addressees
from app.core.audit import AuditAction, record_change
from app.core.checks import Problems, not_in_future, require
from app.core.regions import unit_contact
from app.errors import InvalidInput
from app.extensions import db

LEGAL_BASIS = "Forvaltningsloven § 4 (veiledningsplikten)"
# What the patient is told to expect from each scheme (S3 § 1).
GUIDANCE = {
    ForwardedTo.HELFO_EEA_REFUND: "Helfo behandler søknader om refusjon av utgifter til helsehjelp mottatt i et "
                                  "annet EØS-land etter forskrift om stønad til helsetjenester mottatt i et annet "
                                  "EØS-land. Du får refundert det beløpet behandlingen ville kostet i Norge.",
    ForwardedTo.HELFO_S2: "Helfo avgjør søknader om forhåndsgodkjenning av planlagt behandling i et annet EØS-land "
                          "med blankett S2 etter trygdeforordningen (EF) nr. 883/2004.",
    ForwardedTo.HELFO_ABROAD_STAY: "Helfo avgjør søknader om stønad til helsehjelp for medlemmer av folketrygden "
                                   "som oppholder seg i utlandet, jf. folketrygdloven § 5-24.",
    ForwardedTo.TREATMENT_TRAVEL: "Seksjon for behandlingsreiser ved Oslo universitetssykehus forvalter "
                                  "behandlingsreiser til utlandet for pasienter med definerte kroniske sykdommer, "
                                  "jf. forskrift om behandlingsreiser til utlandet.",
}


def receiver(command: Forwarding) -> str | None:
    """The body the application goes to, as the letter and the application page name it."""
    if command.forwarded_to is ForwardedTo.OTHER:
        return command.body_name
    return command.forwarded_to.label if command.forwarded_to else None


def check_forwarding(application: Application, command: Forwarding, *, today: date | None = None) -> None:
    """An open application the office would decide may be forwarded, dated after receipt and not in the future,
    with the reason and, for another body, its name; every refusal at once (a value that is None was refused
    by the form)."""
    _ensure_open(application)
    if not application.stream.office_decides:
        raise InvalidInput(f"{application.stream.label} avgjøres av andre og kan ikke oversendes fra kontoret.")
    problems = Problems()
    if command.forwarded_on is not None:
        with problems.check():
            not_in_future(command.forwarded_on, "forwarded_on", "Datoen", today or date.today())
        if command.forwarded_on < application.received_on and not problems.refused("forwarded_on"):
            problems.errors.append(InvalidInput(f"Søknaden kan ikke oversendes før den ble mottatt "
                                                f"({application.received_on:%d.%m.%Y}).", field="forwarded_on"))
    with problems.check():
        require(command.reason, "reason", "Skriv hvorfor søknaden hører til en annen ordning.")
    if command.forwarded_to is ForwardedTo.OTHER:
        with problems.check():
            require(command.body_name, "body_name", "Oppgi instansen søknaden sendes til.")
    elif command.body_name:
        problems.errors.append(InvalidInput("Instansens navn oppgis bare for «Annen instans».", field="body_name"))
    problems.done()


def forwarding_letter(case: Case, application: Application, command: Forwarding, *, actor,
                      today: date | None = None) -> Letter:
    """The letter telling the patient where the application went and why (after the rules)."""
    check_forwarding(application, command, today=today)
    addressees = letter_addressees(case, command.forwarded_on)
    body = render_template(
        "abroad/pdf/forwarded_letter.html", case=case, application=application,
        patient_name=_patient_name(case, command.forwarded_on), addressees=addressees,
        forwarded_on=command.forwarded_on, receiver=receiver(command), reason=command.reason,
        guidance=GUIDANCE.get(command.forwarded_to), legal_basis=LEGAL_BASIS, contact=unit_contact(case.unit),
        subject_line=SUBJECT_LINE, sender=actor.name, copies=[receiver(command), *copies(application)])
    return Letter(f"Oversendelse av søknad {case.number}", Markup(body),
                  missing_address=any(not addressee.address_lines for addressee in addressees))


def forward(application: Application, command: Forwarding, *, actor, letter: bytes | None,
            today: date | None = None) -> Application:
    """Forward the application: its status, the letter filed as an outgoing post (the incoming application
    answered by it), open medical-opinion deadlines closed."""
    check_forwarding(application, command, today=today)
    if letter is None:
        raise InvalidInput("Brevet om oversendelsen mangler.")
    case = get_case(application.case_id)
    _start_work(application, actor)
    application.forwarded_to = command.forwarded_to
    application.forwarded_to_name = command.body_name
    application.forwarded_on = command.forwarded_on
    application.forwarding_reason = command.reason
    _set_status(application, ApplicationStatus.FORWARDED, actor=actor)
    for opinion in application.opinions:
        if opinion.received_on is None and opinion.deadline_id:
            close_deadline(opinion.deadline_id, actor=actor)
    file_letter(application, case, title=f"Søknaden oversendt {receiver(command)}",
                document_title="Brev om oversendelse av søknaden", filename="oversendelse",
                dated=command.forwarded_on, letter=letter, actor=actor)
    application.flag = None
    application.flagged_at = None
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=case, user=actor,
                  changes={"status": [None, ApplicationStatus.FORWARDED.value],
                           "forwarded_to": [None, command.forwarded_to.value],
                           "forwarded_on": [None, command.forwarded_on]})
    return application


def forward_with_letter(case: Case, application: Application, command: Forwarding, *, actor,
                        today: date | None = None) -> Letter:
    """Forward the application and file the letter `forwarding_letter` shows."""
    letter = forwarding_letter(case, application, command, actor=actor, today=today)
    forward(application, command, actor=actor, letter=letter.pdf(), today=today)
    return letter
