"""Rules of treatment abroad (pasient- og brukerrettighetsloven § 2-4a; appeals under forvaltningsloven
§§ 28-31): registering applications and referrals, medical opinions, the decision and its letter, treatment
logistics, costs and appeals.

Services add and flush, never commit. Nye Metoder is consulted only through app.methods.interface.
"""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

import pycountry
from babel import Locale
from sqlalchemy import func, select, true

from app.abroad.commands import (
    AppealWithdrawal,
    ApplicationCorrection,
    ApplicationFacts,
    BoardDecision,
    CostReversal,
    ExperimentalBasis,
    LateAppealAssessment,
    NewAppeal,
    NewApplication,
    NewCost,
    NewDecision,
    OpinionCorrection,
    OpinionReceived,
    OpinionRequest,
    PartDecision,
    PhraseText,
    Reconsideration,
    TreatmentPlan,
)
from app.abroad.hospitals import find, for_plan, validate_country
from app.abroad.models import (
    ACTIVE_STATUSES,
    OPEN_APPEAL_STATUSES,
    OPEN_STATUSES,
    RECONSIDERATION_OUTCOMES,
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    BoardOutcome,
    CostCategory,
    CostEntry,
    Decision,
    DecisionItem,
    DecisionNote,
    DecisionPart,
    ForeignHospital,
    MedicalOpinion,
    OfficeOutcome,
    StandardPhrase,
    Stream,
    TreatmentClass,
    appeal_refused,
)
from app.cases.interface import (
    ADULT_AGE,
    Case,
    CaseKind,
    CaseStatus,
    JournalEntryType,
    add_journal_entry,
    age_on,
    answer_incoming,
    attach_document,
    change_status,
    check_file,
    close_deadline,
    complete_follow_up,
    ensure_version,
    filed_documents,
    follow_module_status,
    get_case,
    icd10_chapter,
    next_working_day,
    open_case,
    record_review,
    register_patient,
    set_deadline,
    validate_icd10,
    validate_registry_id,
    visible_cases,
)
from app.core.audit import AuditAction, apply_changes, record_change
from app.core.checks import Problems, not_in_future, require
from app.db import utcnow
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.formatting import as_date, as_money
from app.forms import Upload
from app.methods.interface import (
    MethodRejected,
    MethodState,
    MethodStatusInfo,
    decision_change,
    ensure_not_rejected,
    method_status,
)

DUPLICATE_DAYS = 30        # a second application for the same patient and diagnosis this close is likely the same
APPEAL_WEEKS = 4            # Klagefristen: four weeks from when the patient received the letter
BOKMAL = Locale("nb")

LEGAL_BASIS = "Pasient- og brukerrettighetsloven § 2-4a andre ledd, jf. prioriteringsforskriften § 3"
LEGAL_BASIS_NOT_INTRODUCED = ("Pasient- og brukerrettighetsloven § 2-4a tredje ledd, jf. merknaden til "
                              "prioriteringsforskriften § 3")
EXPERIMENTAL_NOTICE = ("Ordningen dekker som hovedregel ikke utprøvende eller eksperimentell behandling, verken i "
                       "eller utenfor kliniske studier.")
BOARD_NAME = "Klagenemnda for behandling i utlandet"
PGD_NOT_DECIDED_HERE = ("Preimplantasjonsdiagnostikk (PGD) godkjennes av PGD-nemnda (til 30.06.2020) eller av Oslo "
                        "universitetssykehus og St. Olavs hospital, ikke av utenlandskontoret. Registrer "
                        "godkjenningen under «Godkjenning av PGD»; kontoret sender ikke eget vedtaksbrev.")


def _lock(application: Application) -> None:
    """Hold the application's row until the transaction ends (SELECT ... FOR UPDATE on PostgreSQL; SQLite lets
    one writer at a time anyway) and read it and its appeals afresh: two requests appealing or granting the same
    application at the same moment take turns, and the second sees what the first did."""
    db.session.execute(select(Application).where(Application.id == application.id).with_for_update()
                       .execution_options(populate_existing=True))
    db.session.expire(application, ["appeals"])


def country_name(code: str | None) -> str | None:
    """The country's name in bokmål (CLDR through Babel), or the code when it has none."""
    return BOKMAL.territories.get(code, code) if code else None


def _method_reference(reference: str | None) -> str | None:
    """The method's ID as Nye Metoder spells it."""
    if reference is None:
        return None
    status = method_status(reference)
    if status.reference is None:
        raise InvalidInput(f"Fant ingen metode i Nye Metoder med ID «{reference}».", field="method_reference")
    return status.reference


# Registration

class Facts(NamedTuple):
    """An application's facts as checked: the ICD-10 code and the Nye Metoder ID as stored (None if refused)."""

    icd10: str | None
    method_reference: str | None


def _check_facts(command: ApplicationFacts, problems: Problems, *, today: date,
                 application_id: int | None = None) -> Facts:
    """The rules on an application's registered facts, at registration and at a correction alike, each refusal
    collected in `problems`; a fact that is None was refused by the form and is not checked again."""
    code = method_reference = None
    if command.received_on is not None:
        with problems.check():
            not_in_future(command.received_on, "received_on", "Mottatt-datoen", today)
    if command.icd10 is not None:
        with problems.check():
            code = validate_icd10(command.icd10)
    with problems.check():
        method_reference = _method_reference(command.method_reference)
    reference = command.reference
    if reference and db.session.scalar(select(Application.id).where(
            Application.reference == reference, Application.id != application_id)):
        problems.errors.append(InvalidInput(f"Referansen «{reference}» er allerede brukt på en annen søknad.",
                                            field="reference"))
    if command.stream is not None and command.stream.has_decision:
        with problems.check():
            require(command.requested_treatment, "requested_treatment", "Beskriv behandlingen det søkes om.")
    return Facts(code, method_reference)


def check_application(command: NewApplication, *, today: date | None = None) -> None:
    """The registration's rules that need no patient on file, every refusal at once: what a refused form also
    shows (app.forms.submitted)."""
    problems = Problems()
    _check_facts(command, problems, today=today or date.today())
    _check_birth_date(command.birth_date, command.received_on, problems)
    problems.done()


def _check_birth_date(birth_date: date | None, received_on: date | None, problems: Problems) -> None:
    if birth_date is not None and received_on is not None and birth_date > received_on \
            and not problems.refused("received_on"):
        problems.errors.append(InvalidInput("Mottatt-datoen kan ikke være før pasientens fødselsdato.",
                                            field="received_on"))


def register_application(command: NewApplication, *, actor, today: date | None = None) -> Application:
    """Register an application (or a referral in the particle-therapy and Nordic-protocol streams) as a
    screened case at the office that handles the patient's home region. Every refused input is reported at
    once (InvalidInputs), the possible duplicate among them."""
    stream, received_on = command.stream, command.received_on
    problems = Problems()
    code, method_reference = _check_facts(command, problems, today=today or date.today())
    reference = command.reference
    patient = None
    with problems.check():
        patient = register_patient(national_id=command.national_id, name=command.patient_name,
                                   birth_date=command.birth_date, municipality=command.municipality,
                                   home_region=command.home_region, street=command.street,
                                   postal_code=command.postal_code, postal_place=command.postal_place, actor=actor)
    duplicates = []
    if patient is not None:
        _check_birth_date(patient.birth_date, received_on, problems)
        if code is not None and not problems.refused("received_on"):
            duplicates = possible_duplicates(patient.id, code, received_on, actor=actor)
            if duplicates and not command.confirm_duplicate:
                problems.errors.append(PossibleDuplicate(duplicates))
    problems.done()
    noun = "Søknad om behandling i utlandet" if stream.has_decision else f"Henvisning – {stream.label.lower()}"
    case = open_case(kind=CaseKind.ABROAD_APPLICATION, title=f"{noun} – {patient.name}", patient=patient,
                     actor=actor, case_date=received_on)
    application = Application(
        case_id=case.id, reference=reference, stream=stream, home_region=patient.home_region, office=case.unit,
        received_on=received_on, child=age_on(patient.birth_date, received_on) < ADULT_AGE,
        applicant=command.applicant, referring_doctor=command.referring_doctor,
        referring_hospital=command.referring_hospital, requested_treatment=command.requested_treatment,
        requested_where=command.requested_where, treatment_class=command.treatment_class, icd10=code,
        icd10_chapter=icd10_chapter(code), method_reference=method_reference,
        status=ApplicationStatus.RECEIVED if stream.has_decision else ApplicationStatus.REFERRED)
    db.session.add(application)
    add_journal_entry(case, entry_type=JournalEntryType.INCOMING, title=f"{noun} – {patient.name}",
                      journal_date=received_on, document_date=received_on,
                      party_name=(command.referring_doctor or command.referring_hospital or command.applicant
                                  or patient.name), actor=actor)
    db.session.flush()
    follow_module_status(case, application.status.case_status, actor=actor,
                         reason=f"Søknaden: {application.status.label}")
    changes = {"stream": [None, stream.value], "icd10": [None, code], "method_reference": [None, method_reference]}
    if duplicates:   # registered on purpose although these looked like the same application
        changes["confirmed_duplicate_of"] = [None, [duplicate.number for duplicate in duplicates]]
    record_change(AuditAction.CREATE, "abroad_application", application.id, case=case, user=actor, changes=changes)
    return application


class Duplicate(NamedTuple):
    number: str
    received_on: date
    icd10: str


class PossibleDuplicate(InvalidInput):
    """The patient has an application with the same diagnosis received within DUPLICATE_DAYS: the caseworker
    must confirm that this one is another application (NewApplication.confirm_duplicate)."""

    def __init__(self, duplicates: list[Duplicate], *, correction: bool = False) -> None:
        self.duplicates = duplicates
        named = ", ".join(f"sak {duplicate.number} (mottatt {duplicate.received_on:%d.%m.%Y}, ICD-10 "
                          f"{duplicate.icd10})" for duplicate in duplicates)
        action = "lagre rettingen" if correction else "registrere søknaden"
        super().__init__(f"Mulig dobbeltregistrering: pasienten har allerede {named} med samme diagnose, mottatt "
                         f"innen {DUPLICATE_DAYS} dager. Kryss av for å {action} likevel.",
                         field="confirm_duplicate")


def possible_duplicates(patient_id: int, icd10: str, received_on: date, *, actor,
                        other_than: int | None = None) -> list[Duplicate]:
    """The patient's applications with the same diagnosis (the same ICD-10 category, so O43.0 and O43.9 count as
    one) received within DUPLICATE_DAYS before or after `received_on`, on cases not discarded that the actor
    may see (their office's): a case the actor may not see is neither named nor counted, so the answer reveals
    nothing outside their scope (Normen). `other_than` is the case of an application being corrected."""
    rows = db.session.execute(
        select(Case.number, Application.received_on, Application.icd10)
        .join(Case, Case.id == Application.case_id)
        .where(Case.patient_id == patient_id, visible_cases(actor), Case.status != CaseStatus.DISCARDED,
               Case.id != other_than if other_than is not None else true(),
               func.substr(Application.icd10, 1, 3) == icd10[:3],
               Application.received_on.between(received_on - timedelta(days=DUPLICATE_DAYS),
                                               received_on + timedelta(days=DUPLICATE_DAYS)))
        .order_by(Application.received_on, Application.id))
    return [Duplicate(*row) for row in rows]


def case_status(case_id: int) -> CaseStatus | None:
    """The core case's status that the application or appeal of `case_id` gives it (None: neither)."""
    status = db.session.scalar(select(Application.status).where(Application.case_id == case_id)) \
        or db.session.scalar(select(Appeal.status).where(Appeal.case_id == case_id))
    return status.case_status if status is not None else None


def _set_status(record: Application | Appeal, status: ApplicationStatus | AppealStatus, *, actor) -> None:
    """An application's or appeal's status, and the core case's status that follows from it. An application
    decided again after Klagenemnda quashed its decision closes the deadline set for the new decision."""
    record.status = status
    what = "Søknaden" if isinstance(record, Application) else "Klagen"
    follow_module_status(get_case(record.case_id), status.case_status, actor=actor, reason=f"{what}: {status.label}")
    if isinstance(record, Application) and status not in OPEN_STATUSES:
        for appeal in record.appeals:
            if appeal.new_decision_deadline_id is not None:
                close_deadline(appeal.new_decision_deadline_id, actor=actor)


def correct_home_region(case_id: int, home_region: str, *, actor) -> None:
    """The application of `case_id` (if any) counts `home_region`, corrected on its case (audited)."""
    application = db.session.scalar(select(Application).where(Application.case_id == case_id))
    if application is None:
        return
    changes = apply_changes(application, {"home_region": home_region})
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "abroad_application", application.id, case=get_case(case_id), user=actor,
                      changes=changes)


def _start_work(application: Application, actor) -> None:
    """The case is «under behandling» from the office's first step on it (Noark saksstatus B)."""
    case = get_case(application.case_id)
    if case.status is CaseStatus.CREATED:
        change_status(case, CaseStatus.IN_PROGRESS, expected_version=case.version, comment=None, actor=actor)


# Papers received for a record (the specialist's statement, the appeal letter, an invoice): filed through the case
# core as the document of the record's incoming journal post, checked as every case document is (type by
# content, size); the record keeps the document's id.

def _check_upload(upload: Upload | None, problems: Problems) -> None:
    if upload is not None:
        with problems.check():
            check_file(upload.filename, upload.content)


def _file_received(case: Case, entry, upload: Upload | None, *, actor) -> int | None:
    """The uploaded file as the document of the incoming post `entry`; its id, or None when none was uploaded."""
    if upload is None:
        return None
    return attach_document(case, title=entry.title, filename=upload.filename, content=upload.content, actor=actor,
                           journal_entry=entry).id


# Medical opinions

def _ensure_open(application: Application) -> None:
    if not application.stream.has_decision:
        raise InvalidInput(f"{application.stream.label} behandles ikke som søknad hos kontoret.")
    if application.status not in OPEN_STATUSES:
        raise InvalidInput(f"Søknaden er «{application.status.label.lower()}» og kan ikke lenger forberedes "
                           "eller avgjøres.")


def check_opinion_request(application: Application, command: OpinionRequest, *, today: date | None = None) -> None:
    """Everything a request for a medical opinion must satisfy, every refused field at once (a value that is None
    was refused by the form)."""
    _ensure_open(application)
    requested_on, due_on = command.requested_on, command.due_on
    problems = Problems()
    with problems.check():
        require(command.requested_from, "requested_from", "Oppgi hvilket fagmiljø som skal uttale seg.")
    with problems.check():
        require(command.question, "question", "Skriv hva fagmiljøet skal vurdere.")
    if requested_on is not None:
        with problems.check():
            not_in_future(requested_on, "requested_on", "Datoen forespørselen ble sendt", today or date.today())
        if requested_on < application.received_on and not problems.refused("requested_on"):
            problems.errors.append(InvalidInput("Forespørselen kan ikke være sendt før søknaden ble mottatt.",
                                                field="requested_on"))
    if due_on is not None and requested_on is not None and due_on <= requested_on:
        problems.errors.append(InvalidInput("Svarfristen må være etter datoen forespørselen ble sendt.",
                                            field="due_on"))
    problems.done()


def request_opinion(application: Application, command: OpinionRequest, *, actor,
                    today: date | None = None) -> MedicalOpinion:
    """Ask a Norwegian specialist community for a medical opinion, with a deadline for the answer."""
    check_opinion_request(application, command, today=today)
    requested_from, requested_on, due_on = command.requested_from, command.requested_on, command.due_on
    case = get_case(application.case_id)
    deadline = set_deadline(case, kind="uttalelse", due_date=due_on, responsible_id=case.responsible_id,
                            description=f"Medisinsk uttalelse fra {requested_from}", actor=actor,
                            today=requested_on)
    opinion = MedicalOpinion(application_id=application.id, requested_from=requested_from, question=command.question,
                             requested_on=requested_on, due_on=deadline.due_date, deadline_id=deadline.id,
                             created_by_id=actor.id)
    db.session.add(opinion)
    add_journal_entry(case, entry_type=JournalEntryType.OUTGOING, title="Anmodning om medisinsk uttalelse",
                      journal_date=requested_on, document_date=requested_on, party_name=requested_from, actor=actor)
    _set_status(application, ApplicationStatus.IN_PREPARATION, actor=actor)
    _start_work(application, actor)
    db.session.flush()
    db.session.expire(application, ["opinions"])
    record_change(AuditAction.CREATE, "abroad_medical_opinion", opinion.id, case=case, user=actor,
                  changes={"requested_from": [None, requested_from], "due_on": [None, opinion.due_on]})
    return opinion


def _check_opinion_answer(opinion: MedicalOpinion, received_on: date | None, conclusion: str | None,
                          problems: Problems, today: date | None) -> None:
    """The answer to a request for a medical opinion: received on a day that has come, not before the request
    was sent, and with the specialists' conclusion (a received date that is None was refused by the form)."""
    if received_on is not None:
        with problems.check():
            not_in_future(received_on, "received_on", "Mottatt-datoen", today or date.today())
        if received_on < opinion.requested_on and not problems.refused("received_on"):
            problems.errors.append(InvalidInput("Uttalelsen kan ikke være mottatt før forespørselen ble sendt "
                                                f"({as_date(opinion.requested_on)}).", field="received_on"))
    with problems.check():
        require(conclusion, "conclusion", "Skriv fagmiljøets konklusjon.")


def check_opinion_received(opinion: MedicalOpinion, command: OpinionReceived, *, today: date | None = None) -> None:
    """Everything a received medical opinion must satisfy, every refused field at once."""
    _ensure_open(db.session.get(Application, opinion.application_id))
    if opinion.received_on is not None:
        raise InvalidInput("Uttalelsen er allerede registrert som mottatt.")
    problems = Problems()
    _check_opinion_answer(opinion, command.received_on, command.conclusion, problems, today)
    if command.file is not None:
        with problems.check():
            check_file(command.file.filename, command.file.content)
    problems.done()


def record_opinion(opinion: MedicalOpinion, command: OpinionReceived, *, actor,
                   today: date | None = None) -> MedicalOpinion:
    """Register the answer to a request for a medical opinion (check_opinion_received); its deadline is met."""
    check_opinion_received(opinion, command, today=today)
    received_on = command.received_on
    application = db.session.get(Application, opinion.application_id)
    opinion.conclusion = command.conclusion
    opinion.received_on = received_on
    case = get_case(application.case_id)
    if opinion.deadline_id:
        close_deadline(opinion.deadline_id, actor=actor)
    entry = add_journal_entry(case, entry_type=JournalEntryType.INCOMING, title="Medisinsk uttalelse",
                              journal_date=received_on, document_date=received_on,
                              party_name=opinion.requested_from, actor=actor)
    opinion.document_id = _file_received(case, entry, command.file, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_medical_opinion", opinion.id, case=case, user=actor,
                  changes={"received_on": [None, received_on], "document_id": [None, opinion.document_id]})
    return opinion


# The decision

def method_check(application: Application) -> MethodStatusInfo | None:
    """The Nye Metoder status of the method the application concerns, as the decision screen shows it."""
    return method_status(application.method_reference) if application.method_reference else None


def not_introduced_citation(status: MethodStatusInfo) -> str:
    """The sentence a refusal cites when Beslutningsforum decided not to introduce the method."""
    return (f"Beslutningsforum for nye metoder besluttet {status.decided_on:%d.%m.%Y} at metoden {status.reference} "
            f"{status.title} ikke skal innføres i spesialisthelsetjenesten. Etter merknaden til "
            "prioriteringsforskriften § 3 har pasienten da ikke rett til å få dekket behandlingen i utlandet, jf. "
            "pasient- og brukerrettighetsloven § 2-4a tredje ledd.")


def experimental_notice(application: Application) -> str | None:
    """The scheme does not as a rule cover experimental treatment; the Nordic protocols are the exception."""
    if application.treatment_class.experimental and application.stream is not Stream.NORDIC_DRUG_PROTOCOL:
        return EXPERIMENTAL_NOTICE
    return None


EXCEPTION_BASIS = "prioriteringsforskriften § 3 (unntak for svært sjeldne tilstander)"


def experimental_basis_missing(application: Application) -> str | None:
    """Why experimental treatment may not be granted yet, or None: the scheme does not as a rule cover it, so a
    grant in a trial names the trial, and a grant outside one records the exception and its grounds. The Nordic
    drug protocols are covered by the regional health authorities' own decision."""
    if application.stream is Stream.NORDIC_DRUG_PROTOCOL:
        return None
    if application.treatment_class is TreatmentClass.TRIAL and not application.trial_registry_id:
        return "Utprøvende behandling i klinisk studie kan bare innvilges når studiens registernummer er registrert."
    if application.treatment_class is TreatmentClass.EXPERIMENTAL and not application.exception_grounds:
        return (f"Utprøvende behandling utenfor klinisk studie kan bare innvilges som unntak etter {EXCEPTION_BASIS}, "
                "med grunnlaget for unntaket registrert.")
    return None


def record_experimental_basis(application: Application, command: ExperimentalBasis, *,
                              expected_version: int | None, actor) -> dict:
    """Record the trial or the exception a grant of experimental treatment rests on (before the grant, or for a
    reversal on appeal). Refused for established treatment, which needs neither."""
    ensure_version(application, expected_version)
    if not application.treatment_class.experimental:
        raise InvalidInput("Etablert behandling trenger verken studie eller unntak.")
    problems = Problems()
    trial_registry_id, grounds = command.trial_registry_id, command.exception_grounds
    if application.treatment_class is TreatmentClass.TRIAL:
        with problems.check():
            require(trial_registry_id, "trial_registry_id", "Oppgi studiens registernummer.")
            try:
                trial_registry_id = validate_registry_id(trial_registry_id)
            except InvalidInput as error:
                raise InvalidInput(str(error), field="trial_registry_id") from None
    else:
        with problems.check():
            require(grounds, "exception_grounds", "Skriv grunnlaget for unntaket.")
    problems.done()
    changes = apply_changes(application, {"trial_registry_id": trial_registry_id, "exception_grounds": grounds})
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "abroad_application", application.id, case=get_case(application.case_id),
                      user=actor, changes=changes)
    return changes


def ensure_may_be_granted(application: Application, *, field: str) -> None:
    """Pasient- og brukerrettighetsloven § 2-4a third paragraph with the note to prioriteringsforskriften § 3:
    a method Beslutningsforum decided not to introduce is not covered abroad either; and experimental treatment
    only with its trial or exception recorded (experimental_basis_missing). Every step that ends in a grant asks
    here (the first-instance decision, the office's reversal, Klagenemnda's reversal), with the method's status
    now, so a decision Beslutningsforum made after the application came counts too."""
    missing = experimental_basis_missing(application)
    if missing:
        raise InvalidInput(f"Søknaden kan ikke innvilges: {missing}", field=field)
    if not application.method_reference:
        return
    try:
        ensure_not_rejected(application.method_reference)
    except MethodRejected:
        raise InvalidInput("Søknaden kan ikke innvilges: "
                           + not_introduced_citation(method_status(application.method_reference)),
                           field=field) from None


def check_decision(application: Application, command: NewDecision, *, today: date | None = None) -> dict | None:
    """Everything a decision must satisfy, before its letter is rendered, every refused field at once (a value
    that is None was refused by the form). Returns the Nye Metoder check to store."""
    today = today or date.today()
    decision, decided_on = command.decision, command.decided_on
    _ensure_open(application)
    if not application.stream.office_decides:
        raise InvalidInput(PGD_NOT_DECIDED_HERE, field="decision")
    problems = Problems()
    if decided_on is not None:
        with problems.check():
            not_in_future(decided_on, "decided_on", "Vedtaksdatoen", today)
        if decided_on < application.received_on and not problems.refused("decided_on"):
            problems.errors.append(InvalidInput(f"Vedtaket kan ikke være datert før søknaden ble mottatt "
                                                f"({application.received_on:%d.%m.%Y}).", field="decided_on"))
    if decision is not None and decision.grants:
        with problems.check():
            ensure_may_be_granted(application, field="decision")
    _check_parts(application, decision, command.parts, problems)
    if decision is not None and decision is not Decision.WITHDRAWN:
        for field, message in (("legal_basis", "Oppgi hjemmelen for vedtaket."),
                               ("reasoning", "Skriv begrunnelsen for vedtaket.")):
            with problems.check():
                require(getattr(command, field), field, message)
    if command.attachments:
        on_case = {document.id for document in filed_documents(get_case(application.case_id))}
        if decision is Decision.WITHDRAWN or not set(command.attachments) <= on_case:
            problems.errors.append(InvalidInput("Velg vedlegg blant sakens dokumenter (og bare når det lages et "
                                                "vedtaksbrev).", field="attachments"))
    problems.done()
    status = method_check(application)
    if status is None:
        return None
    return {"reference": status.reference, "state": status.state.value, "title": status.title,
            "decided_on": status.decided_on.isoformat() if status.decided_on else None,
            "citation": not_introduced_citation(status) if status.state is MethodState.NOT_INTRODUCED else None}


def _check_parts(application: Application, decision: Decision | None, parts: tuple[PartDecision, ...],
                 problems: Problems) -> None:
    """A partial grant grants the treatment and refuses at least one other item of what was asked, each refusal
    with its reason; a refused hospital (one the application asked for, not in a refund after treatment) names
    the hospital of the register granted instead. Only a partial grant itemises; a decision that is None was
    refused by the form, and its parts are not checked."""
    if decision is not Decision.PARTIAL:
        if decision is not None and parts:
            problems.errors.append(InvalidInput(
                "Delene av søknaden vurderes hver for seg bare i et delvis innvilget vedtak. Velg «Delvis innvilget», "
                "eller fjern valgene for delene.", field="decision"))
        return
    by_item = {part.item: part for part in parts}
    if len(by_item) < len(parts):
        problems.errors.append(InvalidInput("Hver del av søknaden kan bare vurderes én gang.", field="decision"))
    treatment = by_item.get(DecisionItem.TREATMENT)
    if treatment is None or not treatment.granted:
        problems.errors.append(InvalidInput(
            "I et delvis innvilget vedtak er behandlingen innvilget. Avslås behandlingen, velg «Avslått».",
            field="part_treatment"))
    if all(part.granted for part in parts):
        problems.errors.append(InvalidInput(
            "Et delvis innvilget vedtak avslår minst én del av søknaden. Innvilges alt, velg «Innvilget».",
            field="decision"))
    for part in parts:
        field = f"reason_{part.item.value}"
        if not part.granted and not part.reason:
            problems.errors.append(InvalidInput(f"Skriv hvorfor «{part.item.label.lower()}» avslås.", field=field))
        elif part.granted and part.reason:
            problems.errors.append(InvalidInput("Skriv begrunnelse bare for det som avslås.", field=field))
    hospital = by_item.get(DecisionItem.HOSPITAL)
    if hospital is not None and not hospital.granted:
        _check_instead_hospital(application, hospital, problems)
    elif any(part.instead_hospital or part.instead_country for part in parts):
        problems.errors.append(InvalidInput("Oppgi et annet sykehus bare når behandlingsstedet det er søkt om, "
                                            "avslås.", field="instead_hospital"))


def _check_instead_hospital(application: Application, part: PartDecision, problems: Problems) -> None:
    """The hospital asked for is refused: the treatment is granted at another hospital of the register."""
    if application.stream is Stream.REFUND:
        problems.errors.append(InvalidInput("I en refusjonssak er behandlingen allerede gitt, så behandlingsstedet "
                                            "kan ikke avslås.", field="part_hospital"))
        return
    if not application.requested_where:
        problems.errors.append(InvalidInput("Søknaden oppgir ikke noe ønsket behandlingssted som kan avslås. Rett "
                                            "søknaden først hvis den gjør det.", field="part_hospital"))
        return
    country = None
    if part.instead_country:
        with problems.check():
            try:
                country = validate_country(part.instead_country)
            except InvalidInput as error:
                raise InvalidInput(str(error), field="instead_country") from None
    if not part.instead_hospital:
        problems.errors.append(InvalidInput("Oppgi sykehuset som innvilges i stedet for det det er søkt om.",
                                            field="instead_hospital"))
        return
    try:
        hospital = for_plan(part.instead_hospital, country)
    except InvalidInput as error:
        problems.errors.append(InvalidInput(str(error), field=f"instead_{error.field}"))
        return
    if hospital.country is None and country is None:
        problems.errors.append(InvalidInput(f"Oppgi landet {hospital.name} ligger i.", field="instead_country"))
    asked = find(application.requested_where)
    if asked is not None and asked.id == hospital.id:
        problems.errors.append(InvalidInput(f"{hospital.name} er sykehuset det er søkt om. Velg et annet sykehus, "
                                            "eller innvilg behandlingsstedet.", field="instead_hospital"))


def _record_parts(application: Application, parts: tuple[PartDecision, ...]) -> None:
    """Store a partial grant's items (checked by _check_parts); a hospital granted instead of the one asked for
    is where the treatment plan starts."""
    for part in parts:
        instead = find(part.instead_hospital) if not part.granted and part.instead_hospital else None
        application.decision_parts.append(DecisionPart(item=part.item, granted=part.granted, reason=part.reason,
                                                       instead_hospital=instead))
        if instead is not None:
            application.hospital_id, application.hospital = instead.id, instead.name
            application.country = instead.country or validate_country(part.instead_country)


def decide(application: Application, command: NewDecision, *, actor, letter: bytes | None,
           today: date | None = None) -> Application:
    """Record the first-instance decision. A grant or refusal is filed as an outgoing letter (PDF) with
    the appeal information; a withdrawal as a note. Open medical-opinion deadlines are closed."""
    check = check_decision(application, command, today=today)
    decision, decided_on = command.decision, command.decided_on
    case = get_case(application.case_id)
    _start_work(application, actor)
    application.decision = decision
    application.decided_on = decided_on
    application.legal_basis = command.legal_basis
    application.reasoning = command.reasoning
    application.method_check = check
    _set_status(application, decision.status, actor=actor)
    _record_parts(application, command.parts)
    for opinion in application.opinions:
        if opinion.received_on is None and opinion.deadline_id:
            close_deadline(opinion.deadline_id, actor=actor)
    if decision is Decision.WITHDRAWN:
        add_journal_entry(case, entry_type=JournalEntryType.NOTE, title="Søknaden er trukket",
                          journal_date=decided_on, actor=actor)
        answer_incoming(case, actor=actor, method="TE")
    else:
        if letter is None:
            raise InvalidInput("Vedtaksbrevet mangler.")
        file_letter(application, case, title=f"Vedtak – {decision.label.lower()} – {case.patient.name}",
                    document_title=f"Vedtaksbrev – {decision.label.lower()}", filename="vedtak", dated=decided_on,
                    letter=letter, actor=actor)
    application.flag = None
    application.flagged_at = None
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=case, user=actor,
                  changes={"decision": [None, decision.value], "decided_on": [None, decided_on],
                           **({"refused": [None, [part.item.value for part in command.parts if not part.granted]]}
                              if command.parts else {})})
    return application


def file_letter(application: Application, case: Case, *, title: str, document_title: str, filename: str,
                dated: date, letter: bytes, actor) -> None:
    """File the application's letter to the patient as an outgoing post with its PDF, and close (avskriv) the
    incoming application post it answers."""
    entry = add_journal_entry(case, entry_type=JournalEntryType.OUTGOING, title=title, journal_date=dated,
                              document_date=dated, party_name=case.patient.name, actor=actor)
    document = attach_document(case, title=document_title, filename=f"{filename}-{case.year}-{case.sequence}.pdf",
                               content=letter, actor=actor, journal_entry=entry)
    application.letter_document_id = document.id
    answer_incoming(case, actor=actor)


# After a grant

def _ensure_plannable(application: Application) -> None:
    if not application.treatment_may_be_planned:
        raise InvalidInput("Behandlingen kan bare planlegges når søknaden er innvilget eller henvist.")


# An appeal that changed the decision in the patient's favour: the office's or Klagenemnda's reversal, and a
# partial one too (what it granted is in its summary, for the caseworker to follow).
FAVOURABLE_APPEALS = (AppealStatus.REVERSED_BY_OFFICE, AppealStatus.REVERSED_BY_BOARD,
                      AppealStatus.PARTLY_REVERSED_BY_BOARD)


def refused_parts(application_id: int) -> dict[DecisionItem, DecisionPart]:
    """What a partial grant refused and still refuses, by item: the plan, the costs and their import keep to it
    until an appeal changes the decision in the patient's favour."""
    favourable = select(Appeal.id).where(Appeal.application_id == application_id,
                                         Appeal.status.in_(FAVOURABLE_APPEALS)).exists()
    parts = db.session.scalars(select(DecisionPart).where(DecisionPart.application_id == application_id,
                                                          DecisionPart.granted.is_(False), ~favourable))
    return {part.item: part for part in parts}


def refused_cost(refused: dict[DecisionItem, DecisionPart], category: CostCategory | None) -> str | None:
    """Why a cost of `category` may not be booked when the grant refused the part that covers it, or None."""
    part = refused.get(category.decision_item) if category is not None else None
    if part is None:
        return None
    return (f"{part.item.label} er avslått i vedtaket om delvis innvilgelse ({part.reason}), så kostnaden kan ikke "
            f"føres som «{category.label.lower()}».")


def check_treatment_plan(application: Application,
                         plan: TreatmentPlan) -> tuple[str | None, ForeignHospital | None]:
    """Everything a treatment plan must satisfy, every refused field at once: the hospital from the register
    (app/abroad/hospitals.py) in the country given, and, after a partial grant, the hospital granted instead of
    the one asked for and no companion when the companion was refused. Returns the country's code and the
    hospital."""
    _ensure_plannable(application)
    problems = Problems()
    country = hospital = None
    with problems.check():
        country = validate_country(plan.country)
    with problems.check():
        hospital = for_plan(plan.hospital, country)
    if plan.planned_start and plan.planned_end and plan.planned_end < plan.planned_start:
        problems.errors.append(InvalidInput("Planlagt slutt kan ikke være før planlagt start.", field="planned_end"))
    refused = refused_parts(application.id)
    instead = refused.get(DecisionItem.HOSPITAL)
    if hospital is not None and instead is not None and instead.instead_hospital_id not in (None, hospital.id):
        problems.errors.append(InvalidInput(
            f"Vedtaket innvilget behandling ved {instead.instead_hospital.name}, ikke ved {hospital.name}.",
            field="hospital"))
    if plan.companion and DecisionItem.COMPANION in refused:
        problems.errors.append(InvalidInput(
            f"Ledsager er avslått i vedtaket om delvis innvilgelse ({refused[DecisionItem.COMPANION].reason}).",
            field="companion"))
    problems.done()
    return country, hospital


def plan_treatment(application: Application, plan: TreatmentPlan, *, expected_version: int | None, actor) -> dict:
    """Where and when the patient is treated, and how travel and stay are arranged (check_treatment_plan)."""
    _ensure_plannable(application)
    ensure_version(application, expected_version)
    country, hospital = check_treatment_plan(application, plan)
    changes = apply_changes(application, {
        "hospital_id": hospital.id, "hospital": hospital.name, "country": country,
        "planned_start": plan.planned_start,
        "planned_end": plan.planned_end, "travel_arrangements": plan.travel_arrangements,
        "stay_arrangements": plan.stay_arrangements, "companion": plan.companion})
    _start_work(application, actor)
    db.session.flush()
    if changes:
        record_change(AuditAction.UPDATE, "abroad_application", application.id,
                      case=get_case(application.case_id), user=actor, changes=changes)
    return changes


def complete_treatment(application: Application, *, expected_version: int | None, actor) -> None:
    ensure_version(application, expected_version)   # first: someone else may just have completed it
    if application.status not in (ApplicationStatus.GRANTED, ApplicationStatus.REFERRED):
        raise InvalidInput("Bare en innvilget eller henvist behandling kan avsluttes.")
    if not application.hospital:
        raise InvalidInput("Registrer sykehuset som behandlet pasienten før behandlingen avsluttes.")
    previous = application.status
    _set_status(application, ApplicationStatus.COMPLETED, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=get_case(application.case_id),
                  user=actor, changes={"status": [previous.value, ApplicationStatus.COMPLETED.value]})


def _money(value, field: str, what: str, *, places: str = "0.01") -> Decimal:
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", ".")) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidInput(f"{what} må være et tall.", field=field)
    if amount <= 0:
        # A negative amount exists only as the reversal of a booked cost (reverse_cost).
        raise InvalidInput(f"{what} må være større enn null. En feilført kostnad rettes ved å tilbakeføre den.",
                           field=field)
    return amount.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _currency(code: str | None) -> str:
    """The ISO 4217 code as the standard spells it."""
    currency = pycountry.currencies.get(alpha_3=code) if code else None
    if currency is None:
        raise InvalidInput(f"«{code or ''}» er ikke en valutakode etter ISO 4217 (f.eks. NOK, DKK, EUR).",
                           field="currency")
    return currency.alpha_3


class CostAmounts(NamedTuple):
    """A cost's amounts as checked (None where refused): the currency's code, the amount, the exchange rate (None
    for NOK) and the amount in NOK."""

    currency: str | None
    amount: Decimal | None
    rate: Decimal | None
    amount_nok: Decimal | None


def check_cost(application: Application, command: NewCost, *, today: date | None = None) -> CostAmounts:
    """Everything a cost must satisfy, every refused field at once (a value that is None was refused by the
    form). A foreign currency needs the exchange rate used; the NOK amount is derived from it."""
    today = today or date.today()
    if not application.treatment_may_be_planned:
        raise InvalidInput("Kostnader kan bare føres på innvilgede søknader og henvisninger.")
    problems = Problems()
    entry_date, exchange_rate = command.entry_date, command.exchange_rate
    if entry_date is not None:
        with problems.check():
            not_in_future(entry_date, "entry_date", "Kostnadsdatoen", today)
        if entry_date < application.received_on and not problems.refused("entry_date"):
            problems.errors.append(InvalidInput("Kostnaden kan ikke være datert før søknaden ble mottatt.",
                                                field="entry_date"))
    currency = amount = rate = None
    with problems.check():
        currency = _currency(command.currency)
    if command.amount is not None:
        with problems.check():
            amount = _money(command.amount, "amount", "Beløpet")
    with problems.check():
        if currency == "NOK" and exchange_rate is not None \
                and _money(exchange_rate, "exchange_rate", "Kursen", places="0.000001") != 1:
            raise InvalidInput("Beløp i NOK skal ikke ha valutakurs.", field="exchange_rate")
        if currency not in (None, "NOK"):
            if exchange_rate is None:
                raise InvalidInput(f"Oppgi valutakursen fra {currency} til NOK.", field="exchange_rate")
            rate = _money(exchange_rate, "exchange_rate", "Valutakursen", places="0.000001")
    if amount is not None and currency is not None:
        with problems.check():
            _ensure_not_booked(application, command.invoice_reference, amount, currency)
    if refused := refused_cost(refused_parts(application.id), command.category):
        problems.errors.append(InvalidInput(refused, field="category"))
    _check_upload(command.file, problems)
    problems.done()
    amount_nok = amount if rate is None or amount is None else \
        (amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return CostAmounts(currency, amount, rate, amount_nok)


def add_cost(application: Application, command: NewCost, *, actor, today: date | None = None) -> CostEntry:
    """Book a cost (check_cost)."""
    entry_date, category = command.entry_date, command.category
    currency, amount, rate, amount_nok = check_cost(application, command, today=today)
    case = get_case(application.case_id)
    cost = CostEntry(application_id=application.id, entry_date=entry_date, category=category, amount=amount,
                     currency=currency, exchange_rate=rate, amount_nok=amount_nok,
                     invoice_reference=command.invoice_reference, created_by_id=actor.id,
                     invoice_document_id=_file_invoice(case, application, command, actor=actor))
    db.session.add(cost)
    db.session.flush()
    db.session.expire(application, ["costs"])
    record_change(AuditAction.CREATE, "abroad_cost", cost.id, case=case, user=actor,
                  changes={"category": [None, category.value], "amount": [None, f"{amount} {currency}"],
                           "amount_nok": [None, amount_nok], "invoice_document_id": [None, cost.invoice_document_id]})
    return cost


def _file_invoice(case: Case, application: Application, command: NewCost, *, actor) -> int | None:
    """The invoice behind a cost as an incoming post from the treating hospital; booking the cost is its follow-up
    (avskrevet «Tatt til etterretning»)."""
    if command.file is None:
        return None
    title = f"Faktura {command.invoice_reference}" if command.invoice_reference else "Faktura"
    entry = add_journal_entry(case, entry_type=JournalEntryType.INCOMING, title=title, journal_date=date.today(),
                              document_date=command.entry_date,
                              party_name=application.hospital or application.requested_where or "Behandlingssted",
                              actor=actor)
    document_id = _file_received(case, entry, command.file, actor=actor)
    complete_follow_up(entry, method="TE", expected_version=entry.version, actor=actor)
    return document_id


def _ensure_not_booked(application: Application, invoice_reference: str | None, amount: Decimal,
                       currency: str) -> None:
    """The same invoice is booked once on a case: a second cost with its reference and amount is refused, naming
    the first. A booking that has been reversed no longer counts, so the invoice can then be booked again."""
    if not invoice_reference:
        return
    reversed_ids = select(CostEntry.reverses_id).where(CostEntry.reverses_id.is_not(None))
    first = db.session.scalars(select(CostEntry).where(
        CostEntry.application_id == application.id, CostEntry.invoice_reference == invoice_reference,
        CostEntry.amount == amount, CostEntry.currency == currency, CostEntry.reverses_id.is_(None),
        CostEntry.id.not_in(reversed_ids)).order_by(CostEntry.id).limit(1)).first()
    if first is not None:
        raise InvalidInput(f"Fakturaen «{invoice_reference}» er allerede ført på saken: "
                           f"{as_date(first.entry_date)}, {as_money(first.amount)} {first.currency}, referanse "
                           f"«{first.invoice_reference}». Ingenting er lagret. Er den første feil, tilbakefør den.",
                           field="invoice_reference")


def reverse_cost(cost: CostEntry, command: CostReversal, *, actor) -> CostEntry:
    """Correct a booked cost by a reversal: a credit with the negative amount, in the same year (its date is the
    cost's, so the annual statistics of that year come out right), naming the cost it reverses. A cost is
    reversed once, and a reversal is never reversed: a cost that should count after all is booked again."""
    require(command.reason, "reason", "Skriv hvorfor kostnaden tilbakeføres.")
    if cost.is_reversal:
        raise InvalidInput("En tilbakeføring kan ikke tilbakeføres. Skal kostnaden telles likevel, før den på nytt.")
    earlier = db.session.scalars(select(CostEntry).where(CostEntry.reverses_id == cost.id)).first()
    if earlier is not None:
        raise Conflict(f"Kostnaden er allerede tilbakeført ({as_date(earlier.created_at)}). Ingenting er lagret.")
    application = db.session.get(Application, cost.application_id)
    credit = CostEntry(application_id=cost.application_id, entry_date=cost.entry_date, category=cost.category,
                       amount=-cost.amount, currency=cost.currency, exchange_rate=cost.exchange_rate,
                       amount_nok=-cost.amount_nok, invoice_reference=cost.invoice_reference,
                       invoice_document_id=cost.invoice_document_id, reverses_id=cost.id,
                       reason=command.reason, created_by_id=actor.id)
    db.session.add(credit)
    db.session.flush()
    db.session.expire(application, ["costs"])
    record_change(AuditAction.CREATE, "abroad_cost", credit.id, case=get_case(application.case_id), user=actor,
                  changes={"reverses": [None, cost.id], "amount": [None, f"{credit.amount} {credit.currency}"],
                           "amount_nok": [None, credit.amount_nok], "reason": command.reason})
    return credit


# Corrections

# The facts a first-instance decision rests on: corrected after the decision, each gets a note on the decision.
DECISION_FACTS = {"icd10": "Hoveddiagnose (ICD-10)", "received_on": "Mottatt", "stream": "Type sak"}


def _shown(field: str, value) -> str | None:
    """A corrected value as the decision note prints it."""
    if value is None:
        return None
    if isinstance(value, Stream):
        return value.label
    if isinstance(value, date):
        return as_date(value)
    return str(value)


def correct_application(application: Application, command: ApplicationCorrection, *, expected_version: int | None,
                        actor, today: date | None = None) -> dict:
    """Correct the registered facts of an application, with the reason, under the same rules as registration.
    A fact the decision rests on (DECISION_FACTS), corrected once the application is decided, gets a note on
    the decision (shown with the decision and its letter): the decision is not changed silently.
    Returns what changed."""
    ensure_version(application, expected_version)
    check_correction(application, command, actor=actor, today=today)
    stream, received_on = command.stream, command.received_on
    code, reference = validate_icd10(command.icd10), command.reference
    method_reference = _method_reference(command.method_reference)
    case = get_case(application.case_id)
    changes = apply_changes(application, {
        "stream": stream, "received_on": received_on, "treatment_class": command.treatment_class, "icd10": code,
        "icd10_chapter": icd10_chapter(code), "reference": reference, "applicant": command.applicant,
        "referring_doctor": command.referring_doctor, "referring_hospital": command.referring_hospital,
        "requested_treatment": command.requested_treatment, "requested_where": command.requested_where,
        "method_reference": method_reference,
        "child": age_on(case.patient.birth_date, received_on) < ADULT_AGE})
    if not changes:
        raise InvalidInput("Ingen opplysninger er endret. Rett minst én opplysning, eller avbryt.")
    if application.decision is not None:
        _note_on_decision(application, changes, command.reason, actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=case, user=actor,
                  changes={**changes, "reason": command.reason})
    return changes


def check_correction(application: Application, command: ApplicationCorrection, *, actor,
                     today: date | None = None) -> None:
    """Everything a correction of the application's facts must satisfy, every refusal at once. A corrected
    diagnosis or received date runs the possible-duplicate rule of registration again, and needs the same
    confirmation; the application's own case is not its duplicate."""
    problems = Problems()
    with problems.check():
        require(command.reason, "reason", "Skriv hvorfor opplysningene rettes.")
    stream, received_on = command.stream, command.received_on
    if stream is not None and stream.has_decision != application.stream.has_decision:
        problems.errors.append(InvalidInput(
            f"«{application.stream.label}» kan ikke rettes til «{stream.label}»: en søknad som kontoret avgjør, og "
            "en henvisning som andre avgjør, følger ulike regler. Registrer saken på nytt som riktig type, og sett "
            "denne til «Utgår».", field="stream"))
    code, _ = _check_facts(command, problems, today=today or date.today(), application_id=application.id)
    case = get_case(application.case_id)
    if received_on is not None and not problems.refused("received_on"):
        with problems.check():
            _check_received_on(application, received_on, case.patient.birth_date)
    if code is not None and received_on is not None and not problems.refused("received_on") \
            and (code != application.icd10 or received_on != application.received_on):
        duplicates = possible_duplicates(case.patient_id, code, received_on, actor=actor, other_than=case.id)
        if duplicates and not command.confirm_duplicate:
            problems.errors.append(PossibleDuplicate(duplicates, correction=True))
    problems.done()


def _check_received_on(application: Application, received_on: date, birth_date: date) -> None:
    """The received date comes after the patient's birth and before every later step of the application."""
    if birth_date > received_on:
        raise InvalidInput("Mottatt-datoen kan ikke være før pasientens fødselsdato.", field="received_on")
    later = [(application.decided_on, "vedtaket"),
             *((opinion.requested_on, "forespørselen om medisinsk uttalelse") for opinion in application.opinions),
             *((cost.entry_date, "en ført kostnad") for cost in application.costs)]
    for day, step in sorted((pair for pair in later if pair[0] is not None), key=lambda pair: pair[0]):
        if received_on > day:
            raise InvalidInput(f"Mottatt-datoen kan ikke være etter {step} ({as_date(day)}).", field="received_on")


def _note_on_decision(application: Application, changes: dict, reason: str, actor) -> None:
    for field in DECISION_FACTS:
        if field in changes:
            old, new = changes[field]
            application.decision_notes.append(DecisionNote(
                field=field, old_value=_shown(field, old), new_value=_shown(field, new), reason=reason,
                created_by_id=actor.id))


def _opinion_values(opinion: MedicalOpinion, command: OpinionCorrection) -> dict:
    """The opinion's facts a correction sets: the answer's only once the opinion is received."""
    values = {"requested_from": command.requested_from, "question": command.question}
    if opinion.received_on is not None:
        values.update(received_on=command.received_on, conclusion=command.conclusion)
    return values


def check_opinion_correction(opinion: MedicalOpinion, command: OpinionCorrection, *,
                             today: date | None = None) -> None:
    """Everything a correction of a medical opinion must satisfy, every refused field at once (a value that is
    None was refused by the form or left blank)."""
    problems = Problems()
    for field, message in (("reason", "Skriv hvorfor opplysningene rettes."),
                           ("requested_from", "Oppgi hvilket fagmiljø som skal uttale seg."),
                           ("question", "Skriv hva fagmiljøet skal vurdere.")):
        with problems.check():
            require(getattr(command, field), field, message)
    if opinion.received_on is None:
        if command.received_on is not None or command.conclusion is not None:
            problems.errors.append(InvalidInput("Uttalelsen er ikke mottatt ennå. Registrer den som mottatt fra "
                                                "søknadssiden.", field="received_on"))
    else:
        with problems.check():
            require(command.received_on, "received_on", "Fyll inn datoen uttalelsen ble mottatt.")
        _check_opinion_answer(opinion, command.received_on, command.conclusion, problems, today)
    if not problems.errors and all(getattr(opinion, name) == value
                                   for name, value in _opinion_values(opinion, command).items()):
        problems.errors.append(InvalidInput("Ingen opplysninger er endret. Rett minst én opplysning, eller avbryt."))
    problems.done()


def correct_opinion(opinion: MedicalOpinion, command: OpinionCorrection, *, expected_version: int | None, actor,
                    today: date | None = None) -> dict:
    """Correct a medical opinion's registered facts, with the reason. The answer (received date, conclusion) is
    corrected only once the opinion is received; it is registered as received with record_opinion."""
    ensure_version(opinion, expected_version)
    check_opinion_correction(opinion, command, today=today)
    changes = apply_changes(opinion, _opinion_values(opinion, command))
    application = db.session.get(Application, opinion.application_id)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_medical_opinion", opinion.id, case=get_case(application.case_id),
                  user=actor, changes={**changes, "reason": command.reason})
    return changes


# Appeals

def appeal_deadline(notified_on: date) -> date:
    """Four weeks from when the patient received the letter, moved to the next working day."""
    return next_working_day(notified_on + timedelta(weeks=APPEAL_WEEKS))


APPEALED = {Decision.GRANTED: "vedtak", Decision.PARTIAL: "delvis avslag"}


def appeal_title(decision: Decision | None) -> str:
    """The appeal case's title, before the patient's name: a complaint against a refusal, a partial grant's refused
    parts, or a grant."""
    return f"Klage på {APPEALED.get(decision, 'avslag')} om behandling i utlandet"


def check_appeal(application: Application, command: NewAppeal, *, today: date | None = None) -> None:
    """Everything a complaint's registration must satisfy (a refusal, or a grant's terms: appeal_refused), every
    refused date at once (a value that is None was refused by the form)."""
    today = today or date.today()
    received_on, notified_on = command.received_on, command.notified_on
    refused = appeal_refused(application.decision, application.status, application.stream, named="Denne søknaden")
    if refused:
        raise InvalidInput(refused)
    if any(appeal.status in OPEN_APPEAL_STATUSES for appeal in application.appeals):
        raise Conflict("Det er allerede en klage under behandling på dette vedtaket. Ingenting er lagret; åpne "
                       "klagen som er registrert.")
    problems = Problems()
    if received_on is not None:
        with problems.check():
            not_in_future(received_on, "received_on", "Datoen klagen kom inn", today)
    if notified_on is not None and notified_on < application.decided_on:
        problems.errors.append(InvalidInput(f"Pasienten kan ikke ha mottatt vedtaket før det ble fattet "
                                            f"({application.decided_on:%d.%m.%Y}).", field="notified_on"))
    if received_on is not None and notified_on is not None and received_on < notified_on \
            and not problems.refused("received_on"):
        problems.errors.append(InvalidInput("Klagen kan ikke ha kommet inn før pasienten mottok vedtaket.",
                                            field="received_on"))
    _check_upload(command.file, problems)
    problems.done()


def register_appeal(application: Application, command: NewAppeal, *, actor, today: date | None = None) -> Appeal:
    """Register a complaint against a decision as its own case (check_appeal). A complaint after the deadline is
    flagged late and waits for an assessment under forvaltningsloven § 31."""
    received_on, notified_on = command.received_on, command.notified_on
    _lock(application)
    check_appeal(application, command, today=today)
    application_case = get_case(application.case_id)
    case = open_case(kind=CaseKind.ABROAD_APPEAL, title=f"{appeal_title(application.decision)} – "
                     f"{application_case.patient.name}", patient=application_case.patient, actor=actor,
                     case_date=received_on)
    deadline_on = appeal_deadline(notified_on)
    appeal = Appeal(case_id=case.id, application_id=application.id, application=application, office=case.unit,
                    appealed_decision=application.decision, appealed_decided_on=application.decided_on,
                    received_on=received_on, notified_on=notified_on, deadline_on=deadline_on,
                    late=received_on > deadline_on, grounds=command.grounds, status=AppealStatus.RECEIVED)
    db.session.add(appeal)
    entry = add_journal_entry(case, entry_type=JournalEntryType.INCOMING,
                              title=f"Klage på vedtak i sak {application_case.number}", journal_date=received_on,
                              document_date=received_on, party_name=application_case.patient.name, actor=actor)
    appeal.letter_document_id = _file_received(case, entry, command.file, actor=actor)
    db.session.flush()
    record_change(AuditAction.CREATE, "abroad_appeal", appeal.id, case=case, user=actor,
                  changes={"application_case": [None, application_case.number], "late": [None, appeal.late],
                           "letter_document_id": [None, appeal.letter_document_id]})
    return appeal


def late_appeal_limit(decided_on: date) -> date:
    """The last day a late complaint may still be considered: forvaltningsloven § 31 third paragraph bars it when
    «more than one year» has passed since the decision was made. Forvaltningsloven has no counting rule of its
    own; periods are counted as domstolloven §§ 148 and 149 count them (the usual rule, written out in e.g.
    skatteforvaltningsloven § 5-5): a period in years ends on the day of the last year with the same date as the
    day it began, and when that month lacks the day (29 February), on the month's last day: 28 February
    (§ 148 second paragraph). A period ending on a Saturday, Sunday or public holiday ends on the next working day
    (§ 149), as the four-week deadline does (appeal_deadline). Calendar dates, not 365 days: a year with
    29 February in it is 366 days long."""
    try:
        same_date = decided_on.replace(year=decided_on.year + 1)
    except ValueError:                     # 29 February: the next year's February has no 29th
        same_date = date(decided_on.year + 1, 2, 28)
    return next_working_day(same_date)


def check_late_appeal(appeal: Appeal, command: LateAppealAssessment, *, today: date | None = None) -> None:
    """Forvaltningsloven § 31: a late complaint may still be considered when the party cannot be blamed
    or special reasons call for it, but never more than a year after the decision (late_appeal_limit). Not
    considering it is a decision of its own (avvisningsvedtak), dated. Every refused field at once."""
    if not appeal.awaiting_late_assessment:
        raise InvalidInput("Klagen venter ikke på en vurdering av fristoversittelse.")
    problems = Problems()
    with problems.check():
        require(command.assessment, "assessment", "Skriv vurderingen etter forvaltningsloven § 31.")
    limit = late_appeal_limit(appeal.appealed_decided_on)
    if command.consider and appeal.received_on > limit:
        problems.errors.append(InvalidInput(
            f"Klagen kom mer enn ett år etter vedtaket (siste dag var {as_date(limit)}) og kan ikke tas under "
            "behandling (forvaltningsloven § 31 tredje ledd).", field="consider"))
    if command.consider is False:
        if command.decided_on is None and not problems.refused("decided_on"):
            problems.errors.append(InvalidInput("Fyll inn datoen for vedtaket om å avvise klagen.",
                                                field="decided_on"))
        _check_appeal_step_date(command.decided_on, appeal.received_on, problems, today=today,
                                what="Datoen for avvisningsvedtaket",
                                earliest="Klagen kan ikke avvises før den kom inn")
    problems.done()


def assess_late_appeal(appeal: Appeal, command: LateAppealAssessment, *, actor, letter: bytes | None = None,
                       today: date | None = None) -> Appeal:
    """Record whether a late complaint is considered after all (check_late_appeal). One that is not is dismissed by
    a decision of the office (avvisningsvedtak, itself open to appeal under forvaltningsloven § 28): its letter,
    with the reasons and the appeal information, is filed as an outgoing post and answers the complaint."""
    check_late_appeal(appeal, command, today=today)
    consider = command.consider
    if not consider and letter is None:
        raise InvalidInput("Vedtaksbrevet om avvisning mangler.")
    appeal.late_assessment = command.assessment
    appeal.consider_late = consider
    if not consider:
        appeal.office_outcome = OfficeOutcome.DISMISSED_LATE
        appeal.office_decided_on = command.decided_on
        appeal.office_reasoning = command.assessment
        _set_status(appeal, AppealStatus.DISMISSED_LATE, actor=actor)
        _file_office_letter(appeal, title="Vedtak om avvisning av klage – klagen kom for sent",
                            document_title="Vedtaksbrev – avvisning av klage", filename="avvisning",
                            dated=command.decided_on, letter=letter, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_appeal", appeal.id, case=get_case(appeal.case_id), user=actor,
                  changes={"consider_late": [None, consider], "status": [None, appeal.status.value],
                           "office_letter_document_id": [None, appeal.office_letter_document_id]})
    return appeal


def _file_office_letter(appeal: Appeal, *, title: str, document_title: str, filename: str, dated: date,
                        letter: bytes, actor) -> None:
    """The office's decision on the complaint (a dismissal or a reversal) as an outgoing post to the patient with
    its letter; it answers (avskriver) the incoming complaint."""
    case = get_case(appeal.case_id)
    entry = add_journal_entry(case, entry_type=JournalEntryType.OUTGOING, title=title, journal_date=dated,
                              document_date=dated, party_name=case.patient.name, actor=actor)
    document = attach_document(case, title=document_title, filename=f"{filename}-{case.year}-{case.sequence}.pdf",
                               content=letter, actor=actor, journal_entry=entry)
    appeal.office_letter_document_id = document.id
    answer_incoming(case, actor=actor)


def _grant_on_appeal(application: Application, *, field: str, actor, case) -> None:
    """The refusal is reversed: the application is granted, if a grant is allowed now (ensure_may_be_granted).
    A complaint against a grant, or against a partial grant's refused parts, that succeeds changes the grant; the
    application stays granted."""
    if application.decision.grants:
        return
    _lock(application)
    if application.status is not ApplicationStatus.DENIED:
        raise Conflict(f"Søknaden er allerede «{application.status.label.lower()}», og avslaget kan ikke omgjøres "
                       "på nytt.")
    ensure_may_be_granted(application, field=field)
    previous = application.status
    _set_status(application, ApplicationStatus.GRANTED, actor=actor)
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=get_case(application.case_id),
                  user=actor, changes={"status": [previous.value, ApplicationStatus.GRANTED.value],
                                       "appeal_case": [None, case.number]})


def check_reconsideration(appeal: Appeal, command: Reconsideration, *, today: date | None = None) -> None:
    """What the office's reconsideration must satisfy, before its letter is rendered: every refused field at once
    (a value that is None was refused by the form). A reversal must be a grant that is allowed now."""
    decided_on = command.decided_on
    _ensure_at_office(appeal)
    problems = Problems()
    if command.outcome not in RECONSIDERATION_OUTCOMES:
        problems.errors.append(InvalidInput("Velg utfallet av kontorets behandling.", field="outcome"))
    _check_appeal_step_date(decided_on, appeal.received_on, problems, today=today, what="Datoen",
                            earliest="Kontorets behandling kan ikke være datert før klagen kom inn")
    with problems.check():
        require(command.reasoning, "reasoning", "Skriv kontorets vurdering av klagen.")
    _check_reversal(appeal, command.outcome is OfficeOutcome.REVERSED, problems)
    problems.done()


def _ensure_at_office(appeal: Appeal) -> None:
    if not appeal.at_office:
        raise InvalidInput(f"Klagen er «{appeal.status.label.lower()}» og er ikke lenger hos kontoret.")
    if appeal.awaiting_late_assessment:
        raise InvalidInput("Klagen kom etter fristen. Vurder først om den likevel skal behandles "
                           "(forvaltningsloven § 31).")


def _check_appeal_step_date(decided_on: date | None, earliest_on: date, problems: Problems, *, today: date | None,
                            what: str, earliest: str, field: str = "decided_on") -> None:
    """A step of an appeal is dated on a day that has come, and not before the step it follows (`earliest_on`)."""
    if decided_on is None:
        return
    with problems.check():
        not_in_future(decided_on, field, what, today or date.today())
    if decided_on < earliest_on and not problems.refused(field):
        problems.errors.append(InvalidInput(f"{earliest} ({as_date(earliest_on)}).", field=field))


def _check_reversal(appeal: Appeal, reversed_: bool, problems: Problems) -> None:
    """A refusal reversed on appeal becomes a grant, which the Nye Metoder rule may forbid
    (ensure_may_be_granted); a grant whose terms are changed, or a partial grant in full, stays granted."""
    if reversed_ and not appeal.application.decision.grants:
        with problems.check():
            ensure_may_be_granted(appeal.application, field="outcome")


def reconsider(appeal: Appeal, command: Reconsideration, *, actor, letter: bytes | None,
               today: date | None = None) -> Appeal:
    """The office reconsiders (forvaltningsloven § 33): it reverses its decision, a new decision whose letter to the
    patient (`letter`) is filed as an outgoing post, or upholds it and forwards the complaint to Klagenemnda
    with a forwarding letter (`letter`)."""
    check_reconsideration(appeal, command, today=today)
    if letter is None:
        raise InvalidInput("Vedtaksbrevet mangler." if command.outcome is OfficeOutcome.REVERSED
                           else "Oversendelsesbrevet mangler.")
    outcome, decided_on = command.outcome, command.decided_on
    case = get_case(appeal.case_id)
    appeal.office_outcome = outcome
    appeal.office_decided_on = decided_on
    appeal.office_reasoning = command.reasoning
    if outcome is OfficeOutcome.REVERSED:
        _set_status(appeal, AppealStatus.REVERSED_BY_OFFICE, actor=actor)
        _grant_on_appeal(appeal.application, field="outcome", actor=actor, case=case)
        _file_office_letter(appeal, title="Vedtak omgjort – " + ("vedtaket endres" if appeal.against_grant
                                                                  else "søknaden innvilges"),
                            document_title="Vedtaksbrev – omgjøring etter klage", filename="omgjoring",
                            dated=decided_on, letter=letter, actor=actor)
    else:
        _set_status(appeal, AppealStatus.FORWARDED, actor=actor)
        entry = add_journal_entry(case, entry_type=JournalEntryType.OUTGOING,
                                  title="Oversendelse av klage til Klagenemnda for behandling i utlandet",
                                  journal_date=decided_on, document_date=decided_on, party_name=BOARD_NAME,
                                  actor=actor)
        document = attach_document(case, title="Oversendelsesbrev til Klagenemnda",
                                   filename=f"oversendelse-{case.year}-{case.sequence}.pdf",
                                   content=letter, actor=actor, journal_entry=entry)
        appeal.forwarding_document_id = document.id
        answer_incoming(case, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_appeal", appeal.id, case=case, user=actor,
                  changes={"office_outcome": [None, outcome.value], "office_decided_on": [None, decided_on]})
    return appeal


NEW_DECISION_WEEKS = 6   # the default deadline for the office's new decision after the board quashed its decision


def check_board_decision(appeal: Appeal, command: BoardDecision, *, today: date | None = None) -> None:
    """What Klagenemnda's decision must satisfy, every refused field at once (a value that is None was refused by
    the form): a partial reversal says what was changed, a quashed decision gets a deadline for the new one."""
    if appeal.status is not AppealStatus.FORWARDED:
        raise InvalidInput("Nemndas avgjørelse kan bare registreres når klagen er oversendt Klagenemnda.",
                           field="outcome")
    outcome, today = command.outcome, today or date.today()
    problems = Problems()
    _check_appeal_step_date(command.decided_on, appeal.office_decided_on, problems, today=today,
                            what="Datoen for nemndas avgjørelse",
                            earliest="Nemndas avgjørelse kan ikke være datert før klagen ble oversendt")
    if outcome in (BoardOutcome.PARTLY_REVERSED, BoardOutcome.QUASHED):
        with problems.check():
            require(command.summary, "summary", "Skriv hva nemnda endret." if outcome is BoardOutcome.PARTLY_REVERSED
                    else "Skriv hva nemnda ba kontoret vurdere på nytt.")
    if outcome is BoardOutcome.QUASHED:
        due_on = command.new_decision_due_on
        if due_on is None and not problems.refused("new_decision_due_on"):
            problems.errors.append(InvalidInput("Sett en frist for kontorets nye vedtak.",
                                                field="new_decision_due_on"))
        elif due_on is not None and due_on < today:
            problems.errors.append(InvalidInput("Fristen for det nye vedtaket kan ikke være tilbake i tid.",
                                                field="new_decision_due_on"))
    _check_reversal(appeal, outcome is not None and outcome.grants, problems)
    problems.done()


def record_board_decision(appeal: Appeal, command: BoardDecision, *, actor, today: date | None = None) -> Appeal:
    """Klagenemnda's final decision (forvaltningsloven § 34). Upheld or dismissed: the decision stands. Reversed,
    in whole or in part: a refusal becomes a grant of what the board granted (a grant's terms change, and it stays
    granted). Quashed: the decision is set aside and the application goes back to the office, which must decide
    again by the deadline set here (reopen_after_quashing); that new decision can be appealed like the first."""
    check_board_decision(appeal, command, today=today)
    outcome, decided_on = command.outcome, command.decided_on
    case = get_case(appeal.case_id)
    appeal.board_outcome = outcome
    appeal.board_decided_on = decided_on
    appeal.board_reference = command.board_reference
    appeal.board_summary = command.summary
    _set_status(appeal, outcome.status, actor=actor)
    if outcome.grants:
        _grant_on_appeal(appeal.application, field="outcome", actor=actor, case=case)
    elif outcome is BoardOutcome.QUASHED:
        _reopen_after_quashing(appeal, command.new_decision_due_on, actor=actor, today=today)
    add_journal_entry(case, entry_type=JournalEntryType.INCOMING,
                      title=f"Avgjørelse fra nemnda – {outcome.label.lower()}",
                      journal_date=decided_on, document_date=decided_on, party_name=BOARD_NAME, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_appeal", appeal.id, case=case, user=actor,
                  changes={"board_outcome": [None, outcome.value], "board_decided_on": [None, decided_on],
                           "board_summary": [None, command.summary]})
    return appeal


def _reopen_after_quashing(appeal: Appeal, due_on: date, *, actor, today: date | None) -> None:
    """The quashed decision no longer stands: the application is under preparation again (so the decision form
    and every rule of a first decision apply), with a deadline for the new decision on its case and a note in its
    journal. The first decision's facts stay until the new one replaces them; its letter stays filed."""
    application = appeal.application
    _lock(application)
    if application.status not in (ApplicationStatus.DENIED, ApplicationStatus.GRANTED):
        raise Conflict(f"Søknaden er «{application.status.label.lower()}» og kan ikke sendes tilbake til ny "
                       "behandling.")
    previous = application.status
    application_case = get_case(application.case_id)
    _set_status(application, ApplicationStatus.IN_PREPARATION, actor=actor)
    add_journal_entry(application_case, entry_type=JournalEntryType.NOTE,
                      title=f"Vedtaket er opphevet av {BOARD_NAME} og sendt tilbake til ny behandling "
                            f"(klagesak {get_case(appeal.case_id).number})",
                      journal_date=appeal.board_decided_on, actor=actor)
    deadline = set_deadline(application_case, kind="saksbehandlingsfrist", due_date=due_on,
                            responsible_id=application_case.responsible_id,
                            description="Nytt vedtak etter at Klagenemnda opphevet vedtaket", actor=actor,
                            today=today)
    appeal.new_decision_deadline_id = deadline.id
    record_change(AuditAction.UPDATE, "abroad_application", application.id, case=application_case, user=actor,
                  changes={"status": [previous.value, ApplicationStatus.IN_PREPARATION.value],
                           "appeal_case": [None, get_case(appeal.case_id).number]})


def check_withdrawal(appeal: Appeal, command: AppealWithdrawal, *, today: date | None = None) -> None:
    """A complaint can be withdrawn while it is under way, at the office or at Klagenemnda, not before it came
    nor after its last step. Every refused field at once."""
    if not appeal.is_open:
        raise InvalidInput(f"Klagen er «{appeal.status.label.lower()}» og kan ikke trekkes.")
    problems = Problems()
    earliest_on = appeal.office_decided_on if appeal.status is AppealStatus.FORWARDED else appeal.received_on
    _check_appeal_step_date(command.withdrawn_on, earliest_on, problems, today=today, field="withdrawn_on",
                            what="Datoen klagen ble trukket",
                            earliest="Klagen kan ikke være trukket før " + (
                                "den ble oversendt nemnda" if appeal.status is AppealStatus.FORWARDED
                                else "den kom inn"))
    _check_upload(command.file, problems)
    problems.done()


def withdraw_appeal(appeal: Appeal, command: AppealWithdrawal, *, actor, today: date | None = None) -> Appeal:
    """The patient withdraws the complaint, at the office or at Klagenemnda (which then tells the office): the
    withdrawal is an incoming post (with the patient's letter, when there is one) taken into account (TE), every
    post still open in the appeal case is closed with it, and the appeal case is closed (avsluttet). The decision
    stands as it was."""
    check_withdrawal(appeal, command, today=today)
    at_board = appeal.status is AppealStatus.FORWARDED
    case = get_case(appeal.case_id)
    appeal.withdrawn_on = command.withdrawn_on
    entry = add_journal_entry(case, entry_type=JournalEntryType.INCOMING,
                              title="Klagen er trukket" + (" (meldt av Klagenemnda)" if at_board else ""),
                              journal_date=command.withdrawn_on, document_date=command.withdrawn_on,
                              party_name=BOARD_NAME if at_board else case.patient.name, actor=actor)
    _file_received(case, entry, command.file, actor=actor)
    while answer_incoming(case, actor=actor, method="TE") is not None:
        pass
    _set_status(appeal, AppealStatus.WITHDRAWN, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "abroad_appeal", appeal.id, case=case, user=actor,
                  changes={"status": [AppealStatus.FORWARDED.value if at_board else AppealStatus.RECEIVED.value,
                                      AppealStatus.WITHDRAWN.value],
                           "withdrawn_on": [None, command.withdrawn_on]})
    return appeal


# Nye Metoder

def flag_applications_for_method(reference: str) -> int:
    """Beslutningsforum decided on a method or changed its decision: flag every application that rests on it and may
    still change, saying what changed. A granted one also asks whether the decision or the plan must change."""
    change = decision_change(reference)
    applications = db.session.scalars(select(Application).where(
        Application.method_reference == reference, Application.status.in_(ACTIVE_STATUSES))).all()
    for application in applications:
        application.flag = change if application.is_open else (
            f"{change} Behandlingen er {application.status.label.lower()} og ikke avsluttet: vurder om vedtaket "
            f"eller behandlingsplanen må endres.")
        application.flagged_at = utcnow()
    db.session.flush()
    return len(applications)


def review_method_flag(application: Application, note: str, *, actor) -> None:
    """The caseworker has looked at a new Nye Metoder decision the application rests on and noted what follows."""
    if not application.flag:
        raise InvalidInput("Søknaden har ikke noe flagg om ny beslutning i Nye Metoder.")
    record_review(get_case(application.case_id), "abroad_application", application.id,
                  subject="Ny beslutning i Nye Metoder", flag=application.flag, note=note, actor=actor)
    application.flag = application.flagged_at = None


# Standard phrases

def office_phrases(office: str) -> list[StandardPhrase]:
    """The office's standard phrases, by title."""
    return list(db.session.scalars(select(StandardPhrase).where(StandardPhrase.office == office)
                                   .order_by(StandardPhrase.title, StandardPhrase.id)))


def check_phrase(office: str, command: PhraseText, phrase_id: int | None = None) -> None:
    """A standard phrase has a title, unique within the office, and a text: every refused field at once (a value
    that is None was refused by the form)."""
    problems = Problems()
    for field, message in (("title", "Gi standardteksten en tittel."), ("text", "Skriv standardteksten.")):
        with problems.check():
            require(getattr(command, field), field, message)
    if command.title and db.session.scalar(select(StandardPhrase.id).where(
            StandardPhrase.office == office, StandardPhrase.title == command.title,
            StandardPhrase.id != (phrase_id or 0))):
        problems.errors.append(InvalidInput(f"Kontoret har allerede en standardtekst med tittelen «{command.title}».",
                                            field="title"))
    problems.done()


def add_phrase(office: str, command: PhraseText, *, actor) -> StandardPhrase:
    """A new standard phrase of `office` (the actor's own office: the views pass it)."""
    check_phrase(office, command)
    phrase = StandardPhrase(office=office, title=command.title, text=command.text, created_by_id=actor.id)
    db.session.add(phrase)
    db.session.flush()
    record_change(AuditAction.CREATE, "abroad_standard_phrase", phrase.id, user=actor,
                  changes={"office": [None, office], "title": [None, command.title]})
    return phrase


def update_phrase(phrase: StandardPhrase, command: PhraseText, *, expected_version: int | None, actor) -> dict:
    ensure_version(phrase, expected_version)
    check_phrase(phrase.office, command, phrase.id)
    changes = apply_changes(phrase, {"title": command.title, "text": command.text})
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "abroad_standard_phrase", phrase.id, user=actor, changes=changes)
    return changes

