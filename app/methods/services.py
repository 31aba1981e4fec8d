"""Rules of Nye Metoder: method IDs, the status machine, the forums' decisions and amendments.

Services add and flush, never commit. A service that takes what a user typed takes it as one
command (app/methods/commands.py), already normalised by the form. Every change goes to the
method's core case as an audit row; status changes are dated in the method's history.
"""
import re
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, or_, select

from app.cases.interface import (
    CaseKind,
    CaseStatus,
    close_deadline,
    follow_module_status,
    get_case,
    next_number,
    open_case,
    reserve_number,
    set_deadline,
    visible_records,
)
from app.core.audit import AuditAction, apply_changes, record_change
from app.core.checks import Problems, not_in_future, require
from app.errors import EditConflict, InvalidInput
from app.extensions import db
from app.methods import signals
from app.methods.commands import (
    MethodDetails,
    NewAgendaItem,
    NewFollowUp,
    NewForumDecision,
    NewInput,
    NewMeeting,
    NewMethod,
    NewOrderingDecision,
    NewPriceNote,
    NewReport,
    NewSubmission,
    StatusChange,
)
from app.methods.interface import method_names
from app.methods.models import (
    AgendaItem,
    Commission,
    CommissionReport,
    DecidedBy,
    FollowUpAssignment,
    Forum,
    ForumDecision,
    Meeting,
    Method,
    MethodComment,
    MethodInput,
    MethodStatus,
    MethodStatusChange,
    MethodType,
    OrderingDecision,
    OrderingKind,
    PriceNote,
    Submission,
)

REFERENCE_PATTERN = re.compile(r"^ID((?:19|20)\d{2})_(\d{3}) ?([A-Z])?$")
# The five levels of the WHO ATC code: anatomical group (L), therapeutic (L01), pharmacological (L01F),
# chemical subgroup (L01FF) and substance (L01FF02).
ATC_PATTERN = re.compile(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?")

SUBJECT_AREAS = [
    "Blodsykdommer", "Endokrinologi", "Fordøyelsessykdommer", "Gynekologi og fødselshjelp", "Hjerte og kar",
    "Hud", "Infeksjonssykdommer", "Kreftsykdommer", "Lungesykdommer", "Muskel-, skjelett- og bindevevssykdommer",
    "Nevrologi", "Nyre- og urinveissykdommer", "Psykisk helse og rus", "Revmatologi", "Sjeldne sykdommer",
    "Øre-nese-hals", "Øyesykdommer", "Andre",
]
TAGS = {
    "tilhorende_diagnostikk": "Tilhørende diagnostikk", "genterapi": "Genterapi",
    "medisinsk_straling": "Medisinsk stråling", "vaksine": "Vaksine", "kunstig_intelligens": "Kunstig intelligens",
}
ASPECTS = {"effekt": "Effekt", "sikkerhet": "Sikkerhet", "helseokonomi": "Helseøkonomi",
           "organisasjon": "Organisasjon", "etikk": "Etikk", "jus": "Jus"}

TRANSITIONS = {
    MethodStatus.RECEIVED: {MethodStatus.OPEN_FOR_INPUT, MethodStatus.SUITABILITY, MethodStatus.AWAITING_ORDERING,
                            MethodStatus.CLOSED},
    MethodStatus.OPEN_FOR_INPUT: {MethodStatus.SUITABILITY, MethodStatus.AWAITING_ORDERING, MethodStatus.CLOSED},
    MethodStatus.SUITABILITY: {MethodStatus.AWAITING_ORDERING, MethodStatus.CLOSED},
    MethodStatus.AWAITING_ORDERING: {MethodStatus.NOT_COMMISSIONED, MethodStatus.ASSESSMENT, MethodStatus.CLOSED},
    MethodStatus.NOT_COMMISSIONED: {MethodStatus.CLOSED},
    MethodStatus.ASSESSMENT: {MethodStatus.PRICE_NEGOTIATION, MethodStatus.CLEARANCE, MethodStatus.CLOSED},
    MethodStatus.PRICE_NEGOTIATION: {MethodStatus.CLEARANCE, MethodStatus.CLOSED},
    MethodStatus.CLEARANCE: {MethodStatus.FOR_DECISION, MethodStatus.ASSESSMENT, MethodStatus.CLOSED},
    MethodStatus.FOR_DECISION: {MethodStatus.DECIDED, MethodStatus.CLEARANCE, MethodStatus.CLOSED},
    MethodStatus.DECIDED: {MethodStatus.REASSESSMENT, MethodStatus.CLOSED},
    MethodStatus.REASSESSMENT: {MethodStatus.CLEARANCE, MethodStatus.FOR_DECISION, MethodStatus.DECIDED,
                                MethodStatus.CLOSED},
    MethodStatus.CLOSED: set(),
}


# The status follows from what is recorded: the suitability assessment (SUITABILITY), a Bestillerforum agenda
# item (AWAITING_ORDERING), the ordering decision (ASSESSMENT, NOT_COMMISSIONED or REASSESSMENT), the commission's
# report (CLEARANCE), a Beslutningsforum agenda item (FOR_DECISION) and the decision (DECIDED). A user sets by hand
# only what no record drives: opening the method for input, price negotiation (Sykehusinnkjøp's work is not
# recorded here), closing it, and sending it back a step (clearance back to assessment, decision back to clearance).
MANUAL_TRANSITIONS = {
    MethodStatus.RECEIVED: {MethodStatus.OPEN_FOR_INPUT},
    MethodStatus.ASSESSMENT: {MethodStatus.PRICE_NEGOTIATION},
    MethodStatus.CLEARANCE: {MethodStatus.ASSESSMENT},
    MethodStatus.FOR_DECISION: {MethodStatus.CLEARANCE},
}


def case_status(case_id: int) -> CaseStatus | None:
    """The core case's status that the method of `case_id` gives it (None: no method's case)."""
    status = db.session.scalar(select(Method.status).where(Method.case_id == case_id))
    return status.case_status if status is not None else None


def manual_statuses(method: Method) -> list[MethodStatus]:
    """The statuses a user may set by hand from the method's status now."""
    allowed = MANUAL_TRANSITIONS.get(method.status, set()) | {MethodStatus.CLOSED}
    return [status for status in MethodStatus if status in allowed and status in TRANSITIONS[method.status]]


class TransitionRefused(InvalidInput):
    def __init__(self, method: Method, to_status: MethodStatus) -> None:
        super().__init__(f"{method.reference} er «{method.status.label}» og kan ikke gå til «{to_status.label}».",
                         field="status")


def parse_reference(reference: str) -> tuple[int, int, str]:
    """(year, sequence, suffix) of an ID such as ID2025_102 or ID2019_004A."""
    match = REFERENCE_PATTERN.match((reference or "").strip())
    if match is None:
        raise InvalidInput(f"«{reference}» er ikke en gyldig metode-ID. Bruk formen ID2025_102.", field="reference")
    year, sequence, suffix = match.groups()
    return int(year), int(sequence), suffix or ""


def format_reference(year: int, sequence: int, suffix: str = "") -> str:
    return f"ID{year}_{sequence:03d}{suffix}"


def find_method(reference: str) -> Method | None:
    return db.session.scalar(select(Method).where(Method.reference == (reference or "").strip().replace(" ", "")))


def _check_vocabulary(values: list[str], allowed, field: str, what: str) -> list[str]:
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(f"Ukjent {what}: {', '.join(unknown)}.", field=field)
    return list(values)


def register_method(command: NewMethod, *, actor) -> Method:
    """Register a method with its first submission. It gets the next free ID of the received year,
    unless an existing ID is given (import); then that number is never handed out again. Methods like it
    (similar_methods) refuse it until the user confirms it is another (command.confirm_duplicate)."""
    details, received_on = command.details, command.submission.received_on
    check_method(command, actor=actor)
    confirmed_despite = similar_methods(details, actor=actor) if command.confirm_duplicate else []
    earlier = find_method(command.earlier_reference) if command.earlier_reference else None
    if command.reference:
        year, sequence, suffix = parse_reference(command.reference)
        reserve_number("method", year, sequence)
    else:
        year, suffix = received_on.year, ""
        sequence = next_number("method", year)
    method_reference = format_reference(year, sequence, suffix)
    case = open_case(kind=CaseKind.METHOD, title=f"{method_reference} {details.title}", actor=actor,
                     case_date=received_on)
    method = Method(case_id=case.id, reference=method_reference, year=year, sequence=sequence, suffix=suffix,
                    status=MethodStatus.RECEIVED, earlier_method=earlier, **_detail_values(details))
    db.session.add(method)
    db.session.flush()
    db.session.add(MethodStatusChange(method_id=method.id, on=received_on, from_status=None,
                                      to_status=MethodStatus.RECEIVED, by_id=actor.id))
    add_submission(method, command.submission, actor=actor)
    changes = {"reference": [None, method.reference], "title": [None, method.title]}
    if confirmed_despite:   # registered on purpose although these looked like the same method
        changes["confirmed_despite"] = [None, [each.reference for each in confirmed_despite]]
    record_change(AuditAction.CREATE, "method", method.id, user=actor, changes=changes)
    return method


# pg_trgm's default similarity threshold: titles at least this similar are shown as possible duplicates.
TITLE_SIMILARITY = 0.3
SIMILAR_LIMIT = 10


class SimilarMethod(NamedTuple):
    reference: str
    title: str
    generic_name: str | None
    product_names: str | None
    status: MethodStatus


class PossibleDuplicates(InvalidInput):
    """Methods registered before look like the new one (similar_methods): the secretariat must look at them
    and confirm that this is another method (NewMethod.confirm_duplicate)."""

    def __init__(self, similar: list[SimilarMethod]) -> None:
        self.similar = similar
        named = ", ".join(f"{each.reference} {each.title}" for each in similar)
        super().__init__(f"Mulig dobbeltregistrering eller tidligere forslag: {named}. Se om metoden finnes fra "
                         "før (fyll i så fall inn tidligere forslag), eller kryss av for å registrere likevel.",
                         field="confirm_duplicate")


def _containing(column, name: str):
    escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def similar_methods(details: MethodDetails, *, actor) -> list[SimilarMethod]:
    """The methods, visible to the actor, that a new method may duplicate or follow up: a title similar by
    trigrams (pg_trgm's similarity on PostgreSQL, the same measure registered on SQLite: app.db), or a generic
    or product name that one of theirs contains. Most similar title first, at most SIMILAR_LIMIT."""
    title_similarity = func.similarity(func.lower(Method.title), (details.title or "").lower())
    names = method_names(details.generic_name, details.product_names)
    matches = [title_similarity >= TITLE_SIMILARITY] if details.title else []
    for name in names:
        matches += [_containing(Method.generic_name, name), _containing(Method.product_names, name)]
    if not matches:
        return []
    rows = db.session.execute(
        select(Method.reference, Method.title, Method.generic_name, Method.product_names, Method.status)
        .where(or_(*matches), visible_records(actor, CaseKind.METHOD, case_id=Method.case_id))
        .order_by(title_similarity.desc(), Method.year.desc(), Method.sequence.desc())
        .limit(SIMILAR_LIMIT))
    return [SimilarMethod(*row) for row in rows]


def check_method(command: NewMethod, *, actor=None) -> None:
    """Everything a new method must satisfy, every refused input at once (a value that is None was refused by
    the form, app.forms.submitted). With the `actor`, methods like it that are not confirmed as other ones
    (PossibleDuplicates) are among them: not for an imported ID (the register's history), nor the earlier
    proposal the command names."""
    problems = Problems()
    _check_details(command.details, problems)
    with problems.check():
        require(command.submission.organisation, "organisation", "Fyll inn hvem som sendte inn.")
    if command.submission.received_on is not None:
        with problems.check():
            not_in_future(command.submission.received_on, "received_on", "Mottatt-datoen")
    if command.earlier_reference and find_method(command.earlier_reference) is None:
        problems.errors.append(InvalidInput(f"Fant ingen metode med ID {command.earlier_reference}.",
                                            field="earlier_reference"))
    if command.reference:
        with problems.check():
            year, sequence, suffix = parse_reference(command.reference)
            if find_method(format_reference(year, sequence, suffix)) is not None:
                raise InvalidInput(f"{command.reference} er allerede i bruk.", field="reference")
    if actor is not None and not command.confirm_duplicate and not command.reference and command.details.title:
        earlier = (command.earlier_reference or "").replace(" ", "")
        if similar := [each for each in similar_methods(command.details, actor=actor) if each.reference != earlier]:
            problems.errors.append(PossibleDuplicates(similar))
    problems.done()


def _check_details(details: MethodDetails, problems: Problems) -> None:
    with problems.check():
        if not details.title:
            raise InvalidInput("Fyll inn metodens tittel.", field="title")
    with problems.check():
        atc_code(details)


def atc_code(details: MethodDetails) -> str | None:
    """The drug's ATC code in capitals, at any level of the WHO ATC classification (L, L01, L01F, L01FF or
    L01FF02). Only drugs have one (a method type left out by the form is not held against it)."""
    if details.atc_code is None:
        return None
    code = details.atc_code.replace(" ", "").upper()
    if not ATC_PATTERN.fullmatch(code):
        raise InvalidInput(f"«{details.atc_code[:20]}» er ikke en ATC-kode. Skriv koden som L01FF02 (eller et "
                           "høyere nivå, som L01).", field="atc_code")
    if details.method_type not in (None, MethodType.DRUG):
        raise InvalidInput("Bare legemidler har ATC-kode. Fjern koden eller velg metodetypen Legemidler.",
                           field="atc_code")
    return code


def _detail_values(details: MethodDetails) -> dict:
    """The method's columns from its details, the vocabularies checked."""
    return {"title": details.title, "method_type": details.method_type,
            "subject_areas": _check_vocabulary(details.subject_areas, SUBJECT_AREAS, "subject_areas", "fagområde"),
            "tags": _check_vocabulary(details.tags, TAGS, "tags", "tagg"), "generic_name": details.generic_name,
            "atc_code": atc_code(details),
            "product_names": details.product_names, "manufacturers": details.manufacturers,
            "indication": details.indication}


def update_method(method: Method, details: MethodDetails, *, expected_version: int, actor) -> dict:
    if method.version != expected_version:
        raise EditConflict("Metoden er endret av en annen bruker etter at du åpnet den. Ingenting er lagret.")
    problems = Problems()
    _check_details(details, problems)
    problems.done()
    changes = apply_changes(method, _detail_values(details))
    if changes:
        db.session.flush()
        record_change(AuditAction.UPDATE, "method", method.id, user=actor, changes=changes)
    return changes


def change_status(method: Method, change: StatusChange, *, actor) -> None:
    """Move the method along an allowed transition, dated in its history."""
    to_status, on = change.to_status, change.on
    if to_status not in TRANSITIONS[method.status]:
        raise TransitionRefused(method, to_status)
    not_in_future(on, "on", "Datoen")
    latest = method.status_changes[-1].on if method.status_changes else None
    if latest and on < latest:
        raise InvalidInput(f"Datoen kan ikke være før forrige statusendring ({latest:%d.%m.%Y}).", field="on")
    db.session.add(MethodStatusChange(method_id=method.id, on=on, from_status=method.status, to_status=to_status,
                                      by_id=actor.id, comment=change.comment))
    record_change(AuditAction.UPDATE, "method", method.id, user=actor,
                  changes={"status": [method.status.value, to_status.value]})
    method.status = to_status
    db.session.flush()
    db.session.expire(method, ["status_changes"])
    follow_module_status(get_case(method.case_id), to_status.case_status, actor=actor,
                         reason=f"{method.reference}: {to_status.label}")


def set_status_by_hand(method: Method, change: StatusChange, *, actor) -> None:
    """A status change a user makes (the status page): only one no record drives (MANUAL_TRANSITIONS)."""
    if change.to_status in TRANSITIONS[method.status] and change.to_status not in manual_statuses(method):
        raise InvalidInput(f"«{change.to_status.label}» settes når det registreres i saken (egnethetsvurdering, "
                           "saksliste, bestilling, rapport eller beslutning), ikke for hånd.", field="status")
    change_status(method, change, actor=actor)


def _record_date(method: Method, on: date) -> date:
    """The date of a status change a record drives: the record's, or the latest status change's when that is
    later (records of the past may be entered after a later one, e.g. an assessment registered today)."""
    latest = method.status_changes[-1].on if method.status_changes else on
    return min(max(on, latest), date.today())


def follow_record(method: Method, to_status: MethodStatus, on: date, *, comment: str, actor) -> None:
    """Move the method to the status a record just made drives, when that is a step forward from where it is."""
    if method.status is to_status or to_status not in TRANSITIONS[method.status]:
        return
    change_status(method, StatusChange(to_status, _record_date(method, on), comment=comment), actor=actor)


def add_submission(method: Method, command: NewSubmission, *, actor) -> Submission:
    submission = Submission(method_id=method.id, kind=command.kind, organisation=command.organisation,
                            department=command.department, contact_person=command.contact_person,
                            received_on=command.received_on)
    db.session.add(submission)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_submission", submission.id, user=actor,
                  changes={"kind": [None, command.kind.value], "organisation": [None, submission.organisation]})
    return submission


def add_input(method: Method, command: NewInput, *, actor) -> MethodInput:
    not_in_future(command.received_on, "received_on", "Mottatt-datoen")
    item = MethodInput(method_id=method.id, sender=command.sender, received_on=command.received_on,
                       summary=command.summary)
    db.session.add(item)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_input", item.id, user=actor, changes={"sender": [None, item.sender]})
    return item


def add_comment(method: Method, *, text: str, actor) -> MethodComment:
    require(text, "text", "Skriv en kommentar.")
    comment = MethodComment(method_id=method.id, author_id=actor.id, text=text.strip())
    db.session.add(comment)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_comment", comment.id, user=actor)
    return comment


def received_on(method: Method) -> date:
    """The day the method came in: its first submission's."""
    return min(submission.received_on for submission in method.submissions)


def check_meeting(command: NewMeeting) -> None:
    """The deadlines come before the meeting, the one for input no earlier than the one for proposals, a forum
    meets once a day, and on weekdays: a meeting on a Saturday or Sunday only when the user confirms the date.
    Every refused field at once (a value that is None was refused by the form)."""
    forum, meeting_date = command.forum, command.meeting_date
    proposal_deadline, input_deadline = command.proposal_deadline, command.input_deadline
    problems = Problems()
    for deadline, field in ((proposal_deadline, "proposal_deadline"), (input_deadline, "input_deadline")):
        if deadline and meeting_date and deadline >= meeting_date:
            problems.errors.append(InvalidInput("Fristen må være før møtedatoen.", field=field))
    if proposal_deadline and input_deadline and input_deadline < proposal_deadline \
            and not problems.refused("input_deadline"):
        problems.errors.append(InvalidInput("Innspillsfristen kan ikke være før forslagsfristen.",
                                            field="input_deadline"))
    if forum is not None and meeting_date is not None and db.session.scalar(
            select(Meeting.id).where(Meeting.forum == forum, Meeting.meeting_date == meeting_date)):
        problems.errors.append(InvalidInput(f"{forum.label} har allerede et møte {meeting_date:%d.%m.%Y}.",
                                            field="meeting_date"))
    if meeting_date is not None and meeting_date.weekday() >= 5 and not command.confirm_weekend:
        problems.errors.append(InvalidInput(f"{meeting_date:%d.%m.%Y} er en {WEEKDAYS[meeting_date.weekday()]}. "
                                            "Kryss av for å opprette møtet likevel.", field="confirm_weekend"))
    problems.done()


def create_meeting(command: NewMeeting, *, actor) -> Meeting:
    """A forum meeting (check_meeting); minutes given now are saved as a change of the new meeting."""
    check_meeting(command)
    forum, meeting_date = command.forum, command.meeting_date
    proposal_deadline, input_deadline = command.proposal_deadline, command.input_deadline
    meeting = Meeting(forum=forum, meeting_date=meeting_date, proposal_deadline=proposal_deadline,
                      input_deadline=input_deadline)
    db.session.add(meeting)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_meeting", meeting.id, user=actor,
                  changes={"forum": [None, forum.value], "meeting_date": [None, meeting_date]})
    if command.minutes:
        update_minutes(meeting, minutes=command.minutes, expected_version=meeting.version, actor=actor)
    return meeting


WEEKDAYS = {5: "lørdag", 6: "søndag"}


def agenda_candidates(meeting: Meeting) -> list[Method]:
    """The methods that may go on the meeting's agenda: received by the meeting date, not closed, not already
    on it."""
    listed = {method.id for item in meeting.agenda_items for method in item.methods}
    first_received = (select(Submission.method_id, func.min(Submission.received_on).label("received_on"))
                      .group_by(Submission.method_id).subquery())
    return [method for method in db.session.scalars(
        select(Method).join(first_received, first_received.c.method_id == Method.id)
        .where(first_received.c.received_on <= meeting.meeting_date, Method.status != MethodStatus.CLOSED)
        .order_by(Method.reference)) if method.id not in listed]


def _agenda_methods(meeting: Meeting, references: tuple[str, ...]) -> list[Method]:
    """The methods of `references`, each one that may be on the meeting's agenda."""
    if not references:
        raise InvalidInput("Velg minst én metode.", field="references")
    methods, listed = [], {method.id for item in meeting.agenda_items for method in item.methods}
    for reference in dict.fromkeys(references):
        method = find_method(reference)
        if method is None:
            raise InvalidInput(f"Fant ingen metode med ID {reference}.", field="references")
        # A forum can only take up what had come in by the day it met.
        if received_on(method) > meeting.meeting_date:
            raise InvalidInput(f"{method.reference} ble mottatt {received_on(method):%d.%m.%Y}, etter møtet "
                               f"{meeting.meeting_date:%d.%m.%Y}, og kan ikke stå på sakslisten.",
                               field="references")
        if method.id in listed:
            raise InvalidInput(f"{method.reference} står allerede på sakslisten til møtet.", field="references")
        methods.append(method)
    return methods


def check_agenda_item(meeting: Meeting, command: NewAgendaItem) -> list[Method]:
    """An agenda item names methods that may be on the meeting's agenda and, when numbered by hand, a number the
    forum has not used this year: both at once (a value the form refused is left out). Returns the methods."""
    problems = Problems()
    methods = []
    with problems.check():
        methods = _agenda_methods(meeting, command.references)
    year, number = meeting.meeting_date.year, command.number
    if number is not None and db.session.scalar(select(AgendaItem.id).where(
            AgendaItem.forum == meeting.forum, AgendaItem.year == year, AgendaItem.number == number)):
        problems.errors.append(InvalidInput(f"Sak {number:03d}-{year} finnes allerede i {meeting.forum.label}. En "
                                            "sak som tas opp igjen, settes på med «Ta opp igjen en sak».",
                                            field="number"))
    problems.done()
    return methods


def add_agenda_item(meeting: Meeting, command: NewAgendaItem, *, actor) -> AgendaItem:
    """Put one or more methods on a meeting's agenda as the forum's next «Sak NNN-YYYY» (or a given number,
    check_agenda_item). A method not yet before Bestillerforum moves to «Til behandling i Bestillerforum»."""
    methods = check_agenda_item(meeting, command)
    year, number = meeting.meeting_date.year, command.number
    counter = f"agenda-{meeting.forum.value}"
    if number is None:
        number = next_number(counter, year)
    else:
        reserve_number(counter, year, number)
    title = command.title or "; ".join(f"{method.reference} {method.title}" for method in methods)
    item = AgendaItem(meeting=meeting, meeting_id=meeting.id, methods=methods, forum=meeting.forum, year=year,
                      number=number, title=title[:300])
    return _listed(item, actor)


def take_up_again(meeting: Meeting, earlier: AgendaItem, *, actor) -> AgendaItem:
    """«Saken ble på nytt tatt opp»: the item on a later meeting of the same forum, with its number, title
    and methods."""
    if earlier.forum is not meeting.forum:
        raise InvalidInput(f"Saken må være fra {meeting.forum.label}.", field="earlier_id")
    if earlier.meeting.meeting_date >= meeting.meeting_date:
        raise InvalidInput("Bare en sak fra et tidligere møte kan tas opp igjen.", field="earlier_id")
    if any(item.number == earlier.number for item in meeting.agenda_items):
        raise InvalidInput(f"{earlier.label} står allerede på sakslisten til møtet.", field="earlier_id")
    item = AgendaItem(meeting=meeting, meeting_id=meeting.id, methods=list(earlier.methods), forum=meeting.forum,
                      year=earlier.year, number=earlier.number, title=earlier.title,
                      resumes_id=earlier.resumes_id or earlier.id)
    return _listed(item, actor)


def _listed(item: AgendaItem, actor) -> AgendaItem:
    """Store a new agenda item, and move its methods to the status being on the agenda gives them."""
    meeting = item.meeting
    db.session.add(item)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_agenda_item", item.id, user=actor,
                  changes={"label": [None, item.label], "methods": [None, item.references],
                           "resumes": [None, item.resumes_id]})
    for method in item.methods:
        if meeting.forum is Forum.BESTILLERFORUM:
            follow_record(method, MethodStatus.AWAITING_ORDERING, meeting.meeting_date,
                          comment=f"{item.label} i {meeting.label}", actor=actor)
        elif method.status in (MethodStatus.CLEARANCE, MethodStatus.REASSESSMENT):
            follow_record(method, MethodStatus.FOR_DECISION, meeting.meeting_date,
                          comment=f"{item.label} i {meeting.label}", actor=actor)
    return item


def remove_agenda_item(item: AgendaItem, *, actor, today: date | None = None) -> None:
    """Take an item off the agenda before the meeting. Its number is not handed out again, and the methods keep
    their status (they wait for another meeting)."""
    if item.meeting.meeting_date <= (today or date.today()):
        raise InvalidInput("En sak kan bare fjernes fra sakslisten før møtet.", field="item")
    decided = db.session.scalar(select(OrderingDecision.id).where(OrderingDecision.agenda_item_id == item.id)) or \
        db.session.scalar(select(ForumDecision.id).where(ForumDecision.agenda_item_id == item.id))
    if decided:
        raise InvalidInput(f"{item.label} har en beslutning og kan ikke fjernes.", field="item")
    meeting = item.meeting
    record_change(AuditAction.UPDATE, "method_agenda_item", item.id, user=actor,
                  changes={"removed": [False, True], "label": [item.label, None], "methods": [item.references, None]})
    db.session.delete(item)
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])


def _agenda_item(item_id: int | None) -> AgendaItem | None:
    if item_id is None:
        return None
    item = db.session.get(AgendaItem, item_id)
    if item is None:
        raise InvalidInput("Saken finnes ikke på noen saksliste.", field="agenda_item_id")
    return item


def _check_agenda_item(method: Method, item: AgendaItem | None, forum: Forum, decided_on: date) -> None:
    if item is None:
        return
    if method not in item.methods:
        raise InvalidInput("Saken på sakslisten gjelder ikke denne metoden.", field="agenda_item_id")
    if item.forum is not forum:
        raise InvalidInput(f"Saken må stå på sakslisten til {forum.label}.", field="agenda_item_id")
    if decided_on < item.meeting.meeting_date:
        raise InvalidInput(f"Beslutningsdatoen kan ikke være før møtet ({item.meeting.meeting_date:%d.%m.%Y}).",
                           field="decided_on")


def _item_methods(method: Method, item: AgendaItem | None, whole_item: bool) -> list[Method]:
    """The method first, then, for a decision on the whole item, the item's other methods."""
    others = [other for other in item.methods if other.id != method.id] if whole_item and item else []
    return [method, *others]


class CheckedOrdering(NamedTuple):
    """An ordering decision's inputs as checked: its agenda item, its date (the meeting's unless given) and
    aspects."""

    agenda_item: AgendaItem
    decided_on: date
    aspects: list[str]


def check_ordering_decision(method: Method, command: NewOrderingDecision) -> CheckedOrdering:
    """Everything Bestillerforum's decision must satisfy, every refused field at once (a value that is None was
    refused by the form)."""
    problems = Problems()
    agenda_item = aspects = None
    with problems.check():
        agenda_item = _agenda_item(command.agenda_item_id)
    if agenda_item is None and not problems.refused("agenda_item_id"):
        problems.errors.append(InvalidInput("Velg saken på Bestillerforums saksliste.", field="agenda_item_id"))
    decided_on = command.decided_on or (agenda_item.meeting.meeting_date if agenda_item else None)
    if agenda_item is not None:
        with problems.check():
            _check_agenda_item(method, agenda_item, Forum.BESTILLERFORUM, decided_on)
        if agenda_item.id in {decision.agenda_item_id for decision in method.ordering_decisions}:
            problems.errors.append(InvalidInput(f"{agenda_item.label} har allerede en beslutning for "
                                                f"{method.reference}.", field="agenda_item_id"))
    with problems.check():
        aspects = _check_vocabulary(command.aspects or [], ASPECTS, "aspects", "aspekt")
    kind = command.kind
    if kind is not None and kind.commissions and not command.assessing_body:
        problems.errors.append(InvalidInput("Velg hvem som skal utføre oppdraget.", field="assessing_body"))
    if kind is OrderingKind.FULL_HTA and aspects == []:
        problems.errors.append(InvalidInput("Velg minst ett aspekt for en fullstendig metodevurdering.",
                                            field="aspects"))
    if command.due_on and decided_on and command.due_on < decided_on:
        problems.errors.append(InvalidInput("Leveringsfristen kan ikke være før beslutningsdatoen.", field="due_on"))
    problems.done()
    return CheckedOrdering(agenda_item, decided_on, aspects)


def record_ordering_decision(method: Method, command: NewOrderingDecision, *, actor) -> OrderingDecision:
    """Bestillerforum's decision (check_ordering_decision): commissioned kinds start a commission and the
    assessment stage. With `whole_item` the same decision is recorded for every method on the agenda item, all or
    nothing; returns `method`'s."""
    agenda_item = check_ordering_decision(method, command).agenda_item
    decisions = [_record_ordering_decision(each, command, actor=actor)
                 for each in _item_methods(method, agenda_item, command.whole_item)]
    return decisions[0]


def _record_ordering_decision(method: Method, command: NewOrderingDecision, *, actor) -> OrderingDecision:
    agenda_item, decided_on, aspects = check_ordering_decision(method, command)
    kind, assessing_body, due_on, reasoning = command.kind, command.assessing_body, command.due_on, command.reasoning
    target = MethodStatus.ASSESSMENT if kind.commissions else MethodStatus.NOT_COMMISSIONED
    if method.status is MethodStatus.DECIDED and kind.commissions:
        target = MethodStatus.REASSESSMENT
    if target not in TRANSITIONS[method.status]:
        raise TransitionRefused(method, target)
    decision = OrderingDecision(method_id=method.id, agenda_item_id=agenda_item.id, kind=kind,
                                assessing_body=assessing_body, aspects=aspects, due_on=due_on,
                                reasoning=reasoning, decided_on=decided_on, created_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    if kind.commissions:
        db.session.add(Commission(method_id=method.id, ordering_decision_id=decision.id, kind=kind,
                                  assessing_body=assessing_body, description=reasoning,
                                  started_on=decided_on, due_on=due_on))
    record_change(AuditAction.CREATE, "method_ordering_decision", decision.id, user=actor,
                  changes={"kind": [None, kind.value], "agenda_item": [None, agenda_item.label]})
    change_status(method, StatusChange(target, _record_date(method, decided_on),
                                       comment=f"{agenda_item.label}: {kind.label}"), actor=actor)
    db.session.expire(method, ["ordering_decisions", "commissions"])
    return decision


def publish_report(report: CommissionReport, *, actor) -> None:
    """Publish a delivered report's file on the method's public page once the secretariat has cleared it (a file
    registered unpublished may hold confidential prices until the negotiations end). Published stays published:
    the public page and its feeds have shown it."""
    if report.document_id is None:
        raise InvalidInput("Rapporten har ingen fil å publisere.", field="report")
    if report.published:
        raise InvalidInput("Filen er allerede publisert.", field="report")
    report.published = True
    db.session.flush()
    record_change(AuditAction.UPDATE, "method_report", report.id, user=actor, changes={"published": [False, True]})


def check_report(commission: Commission, command: NewReport) -> None:
    """A report has a title and is delivered no earlier than the commission started: both at once."""
    problems = Problems()
    with problems.check():
        require(command.title, "title", "Fyll inn rapportens tittel.")
    if command.delivered_on is not None and command.delivered_on < commission.started_on:
        problems.errors.append(InvalidInput("Leveransedatoen kan ikke være før oppdraget startet.",
                                            field="delivered_on"))
    problems.done()


def add_report(commission: Commission, command: NewReport, *, actor) -> CommissionReport:
    """A commissioned report delivered (check_report); the method moves on to clearance."""
    check_report(commission, command)
    delivered_on = command.delivered_on
    report = CommissionReport(commission_id=commission.id, title=command.title, delivered_on=delivered_on,
                              document_id=command.document_id, published=command.published)
    db.session.add(report)
    commission.delivered_on = max(commission.delivered_on or delivered_on, delivered_on)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_report", report.id, user=actor,
                  changes={"title": [None, report.title], "published": [None, report.published]})
    method = commission.method
    if method.status in (MethodStatus.ASSESSMENT, MethodStatus.PRICE_NEGOTIATION, MethodStatus.REASSESSMENT):
        follow_record(method, MethodStatus.CLEARANCE, delivered_on, comment=f"Rapport levert: {report.title}",
                      actor=actor)
    return report


def add_price_note(method: Method, command: NewPriceNote, *, actor) -> PriceNote:
    if not command.content:
        raise InvalidInput("Fyll inn prisnotatet.", field="content")
    note = PriceNote(method_id=method.id, received_on=command.received_on, content=command.content,
                     created_by_id=actor.id)
    db.session.add(note)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_price_note", note.id, user=actor)
    return note


class CheckedDecision(NamedTuple):
    """A forum decision's inputs as checked: its agenda item (None for the medical directors' decision without
    one), the decision it amends (None for a first decision) and its points."""

    agenda_item: AgendaItem | None
    amends: ForumDecision | None
    points: list[str]


def check_forum_decision(method: Method, command: NewForumDecision) -> CheckedDecision:
    """Everything a forum decision must satisfy, every refused field at once (a value that is None was refused
    by the form). A method has one current decision: a later one amends it, decided after it."""
    decided_on, valid_from = command.decided_on, command.valid_from
    problems = Problems()
    agenda_item = None
    with problems.check():
        agenda_item = _agenda_item(command.agenda_item_id)
    if command.decided_by is DecidedBy.BESLUTNINGSFORUM and agenda_item is None \
            and not problems.refused("agenda_item_id"):
        problems.errors.append(InvalidInput("Velg saken på Beslutningsforums saksliste.", field="agenda_item_id"))
    if agenda_item is not None and decided_on is not None:
        with problems.check():
            _check_agenda_item(method, agenda_item, Forum.BESLUTNINGSFORUM, decided_on)
    points = [point.strip() for point in command.points or () if point and point.strip()]
    if not points:
        problems.errors.append(InvalidInput("Fyll inn minst ett beslutningspunkt.", field="points"))
    if valid_from and decided_on and valid_from < decided_on:
        problems.errors.append(InvalidInput("Gyldig fra kan ikke være før beslutningsdatoen.", field="valid_from"))
    amends = db.session.get(ForumDecision, command.amends_id) if command.amends_id is not None else None
    current = method.current_decision
    if amends is None and current is not None:
        problems.errors.append(InvalidInput(
            f"{method.reference} har allerede en gjeldende beslutning ({current.decided_on:%d.%m.%Y}). Registrer den "
            "nye som en endring av den.", field="amends_id"))
    elif amends is not None and (current is None or amends.id != current.id):
        problems.errors.append(InvalidInput("Bare den gjeldende beslutningen kan endres.", field="amends_id"))
    elif amends is not None and decided_on is not None and not problems.refused("decided_on"):
        # An amendment comes after the decision it amends, or the same day when a meeting held that day amended it
        # (its agenda item is on that meeting's agenda).
        same_meeting_day = agenda_item is not None and agenda_item.meeting.meeting_date == decided_on
        if decided_on < amends.decided_on or (decided_on == amends.decided_on and not same_meeting_day):
            problems.errors.append(InvalidInput(f"En endring må være fattet etter beslutningen den endrer "
                                                f"({amends.decided_on:%d.%m.%Y}), eller samme dag i et møte den "
                                                "dagen.", field="decided_on"))
    problems.done()
    return CheckedDecision(agenda_item, amends, points)


def record_forum_decision(method: Method, command: NewForumDecision, *, actor) -> ForumDecision:
    """Record Beslutningsforum's (or the medical directors') decision. A method has one current
    decision: a later one must be recorded as an amendment of it, and both are kept. With `whole_item` the
    same decision is recorded for every method on the agenda item (an amendment amends each one's current
    decision); returns `method`'s."""
    agenda_item = check_forum_decision(method, command).agenda_item
    decisions = []
    for each in _item_methods(method, agenda_item, command.whole_item):
        amends_id = command.amends_id
        if each is not method and amends_id is not None:
            amends_id = each.current_decision.id if each.current_decision else None
        decisions.append(_record_forum_decision(each, replace(command, amends_id=amends_id), actor=actor))
    return decisions[0]


def _record_forum_decision(method: Method, command: NewForumDecision, *, actor) -> ForumDecision:
    agenda_item, amends, points = check_forum_decision(method, command)
    decided_by, decided_on, outcome, valid_from = (command.decided_by, command.decided_on, command.outcome,
                                                   command.valid_from)
    if amends is None and MethodStatus.DECIDED not in TRANSITIONS[method.status]:
        raise TransitionRefused(method, MethodStatus.DECIDED)
    decision = ForumDecision(method_id=method.id, agenda_item_id=agenda_item.id if agenda_item else None,
                             decided_by=decided_by, decided_on=decided_on, outcome=outcome, preamble=command.preamble,
                             points=points, conditions=command.conditions, valid_from=valid_from or decided_on,
                             supersedes_id=amends.id if amends else None, created_by_id=actor.id)
    db.session.add(decision)
    db.session.flush()
    db.session.expire(method, ["decisions"])
    record_change(AuditAction.CREATE, "method_forum_decision", decision.id, user=actor,
                  changes={"outcome": [None, outcome.value], "amends": [None, amends.id if amends else None]})
    if method.status is not MethodStatus.DECIDED:
        change_status(method, StatusChange(MethodStatus.DECIDED, _record_date(method, decided_on),
                                           comment=f"{agenda_item.label + ': ' if agenda_item else ''}{outcome.label}"),
                      actor=actor)
    signals.decision_recorded.send(method.reference)
    return decision


def check_follow_up(decision: ForumDecision, command: NewFollowUp) -> None:
    """A follow-up assignment has a title and an owner, and a deadline no earlier than the decision: every refused
    field at once (a value that is None was refused by the form)."""
    problems = Problems()
    for field, message in (("title", "Fyll inn tittel på oppdraget."), ("owner", "Fyll inn hvem som har oppdraget.")):
        with problems.check():
            require(getattr(command, field), field, message)
    if command.due_on is not None and command.due_on < decision.decided_on:
        problems.errors.append(InvalidInput("Fristen kan ikke være før beslutningen.", field="due_on"))
    problems.done()


def add_follow_up(decision: ForumDecision, command: NewFollowUp, *, actor,
                  today: date | None = None) -> FollowUpAssignment:
    """A follow-up assignment (check_follow_up) with its deadline on the method's case (so overdue ones reach the
    dashboard)."""
    check_follow_up(decision, command)
    title, due_on = command.title, command.due_on
    method = decision.method
    deadline = set_deadline(get_case(method.case_id), kind="oppfolging", due_date=due_on, responsible_id=None,
                            description=f"{method.reference}: {title}", actor=actor,
                            today=today or decision.decided_on)
    assignment = FollowUpAssignment(
        decision_id=decision.id, title=title, owner=command.owner,
        members=[dict(member) for member in command.members], mandate_questions=list(command.mandate_questions),
        secretariat=command.secretariat, reporting_line=command.reporting_line, due_on=due_on,
        deadline_id=deadline.id)
    db.session.add(assignment)
    db.session.flush()
    record_change(AuditAction.CREATE, "method_follow_up", assignment.id, user=actor,
                  changes={"title": [None, assignment.title], "due_on": [None, assignment.due_on]})
    return assignment


FOLLOW_UP_STATUSES = {"open": "Åpen", "delivered": "Levert", "cancelled": "Avlyst"}


def close_follow_up(assignment: FollowUpAssignment, *, status: str, expected_version: int, actor) -> None:
    """Mark a follow-up assignment delivered or cancelled; its deadline on the case is done with it."""
    if assignment.version != expected_version:
        raise EditConflict("Oppdraget er endret av en annen bruker etter at du åpnet siden. Ingenting er lagret.")
    if status not in ("delivered", "cancelled"):
        raise InvalidInput("Velg «Levert» eller «Avlyst».", field="status")
    if assignment.status != "open":
        raise InvalidInput("Oppdraget er allerede avsluttet.", field="status")
    assignment.status = status
    if assignment.deadline_id:
        close_deadline(assignment.deadline_id, actor=actor)
    db.session.flush()
    record_change(AuditAction.UPDATE, "method_follow_up", assignment.id, user=actor,
                  changes={"status": ["open", status]})


def update_minutes(meeting: Meeting, *, minutes: str | None, expected_version: int, actor) -> dict:
    """Write or change a meeting's minutes, refused when someone else saved them after the form was opened."""
    if meeting.version != expected_version:
        raise EditConflict("Referatet er endret av en annen bruker etter at du åpnet det. Ingenting er lagret.")
    minutes = (minutes or "").strip() or None
    if minutes == meeting.minutes:
        return {}
    changes = {"minutes": [meeting.minutes, minutes]}
    meeting.minutes = minutes
    db.session.flush()
    record_change(AuditAction.UPDATE, "method_meeting", meeting.id, user=actor, changes=changes)
    return changes
