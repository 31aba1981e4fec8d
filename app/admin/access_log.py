"""The patient's access log (pasientjournalloven § 18, Normen): a request registered as a case of the admin role's
unit, the log translated into plain bokmål, and the answer filed as a letter that closes the case.

The letter lists who (name, role, organisation) saw or changed which of the patient's cases, when and in which
module, grouped by person, case, action and day. It never shows an e-mail address, an IP address or an internal
object name: the translation below names only what a patient can read. Every path (the admin's pages, tests)
calls these functions; they add and flush, the caller commits.
"""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from app.auth.models import User
from app.cases.documents import attach_document
from app.cases.models import Case, CaseKind, CaseStatus, JournalEntry, JournalEntryType, Patient, RegisteredPatient
from app.cases.patient_facts import letter_addressees
from app.cases.services import (
    PartyAddress,
    add_journal_entry,
    answer_incoming,
    check_address,
    ensure_open,
    follow_module_status,
    open_case,
)
from app.core import audit
from app.core.audit import AuditAction, AuditEvent, AuditEventPatient, concerning
from app.core.checks import Problems
from app.core.regions import ABROAD_OFFICES, METHODS_UNIT, PANEL_UNIT, PRIVACY_UNIT, UNITS, unit_contact
from app.core.roles import Role
from app.errors import InvalidInput
from app.extensions import db
from app.pdf import pdf_from_html

OSLO = ZoneInfo("Europe/Oslo")
PURPOSE = "innsyn i logg"
LEGAL_BASIS = "pasientjournalloven § 18 og personvernforordningen artikkel 15"

# What the patient reads for each kind of event; a denied attempt showed nothing and is left out.
ACTION_VERBS = {
    AuditAction.VIEW: "Så", AuditAction.LIST: "Så i en liste", AuditAction.CREATE: "Registrerte",
    AuditAction.UPDATE: "Endret", AuditAction.EXPORT: "Tok ut (eksport eller utskrift)",
    AuditAction.DOWNLOAD: "Lastet ned", AuditAction.LOOKUP: "Søkte opp",
}
SHOWN_ACTIONS = tuple(ACTION_VERBS)
# What was seen or changed, in plain words, by the log's object types; anything else is «saken».
OBJECT_NOUNS = {
    "patient": "pasientopplysningene", "patient_facts": "pasientopplysningene",
    "patient_discrepancy": "pasientopplysningene", "guardian": "opplysninger om verge eller foresatte",
    "journal_entry": "journalen", "document": "et dokument", "document_version": "et dokument",
    "deadline": "en frist", "case_assignment": "tilgangen til saken", "patient_access_log": "innsynsloggen",
    "abroad_application": "søknaden", "abroad_appeal": "klagen", "abroad_cost": "kostnadene",
    "abroad_medical_opinion": "en medisinsk vurdering", "panel_referral": "henvisningen",
    "panel_statement": "uttalelsen", "panel_item": "ekspertpanelets vurdering",
    "panel_answer": "ekspertpanelets vurdering", "panel_contribution": "ekspertpanelets vurdering",
    "panel_feedback": "tilbakemeldingen", "panel_ending": "avslutningen av henvisningen",
    "panel_participant": "deltakerne i ekspertpanelet", "panel_principled_question": "et prinsipielt spørsmål",
}
MODULE_NAMES = {
    CaseKind.METHOD: "Nye metoder", CaseKind.PANEL_REFERRAL: "Ekspertpanelet",
    CaseKind.ABROAD_APPLICATION: "Behandling i utlandet", CaseKind.ABROAD_APPEAL: "Behandling i utlandet",
    CaseKind.ACCESS_LOG_REQUEST: "Innsyn i logg",
}
COMMON_MODULE = "Saksbehandling"   # an event on the patient that belongs to no case (a look-up)
ORGANISATION_BY_ROLE = {
    Role.ADMIN: UNITS[PRIVACY_UNIT], Role.METHODS_SECRETARIAT: UNITS[METHODS_UNIT],
    Role.BESTILLERFORUM: "Bestillerforum, Nye Metoder", Role.PANEL_SECRETARIAT: UNITS[PANEL_UNIT],
    Role.PANEL_MEMBER: "Ekspertpanelet", Role.ABROAD_CASEWORKER: "Behandling i utlandet", Role.ANALYST: "Helsesak",
}
SYSTEM_NAME = "Helsesak (automatisk behandling)"


@dataclass(frozen=True)
class Period:
    """The days the answer covers, both included, in Norwegian time."""

    start: date
    end: date

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, OSLO),
                datetime.combine(self.end + timedelta(days=1), time.min, OSLO))


@dataclass(frozen=True)
class LogLine:
    """One line of the letter: one person's one kind of action on one case (or on the patient) on one day."""

    day: date
    first: datetime
    last: datetime
    name: str
    role: str
    organisation: str
    action: str
    case_number: str | None
    module: str
    count: int

    @property
    def times(self) -> str:
        first, last = f"{self.first:%H.%M}", f"{self.last:%H.%M}"
        return f"kl. {first}" if first == last else f"kl. {first}–{last}"


def check_period(start: date | None, end: date | None, *, today: date) -> Period:
    """A period that has begun and ended by today, its end not before its start; every refusal at once."""
    problems = Problems()
    if start is None:
        problems.errors.append(InvalidInput("Fyll inn fra-dato.", field="period_start"))
    if end is None:
        problems.errors.append(InvalidInput("Fyll inn til-dato.", field="period_end"))
    elif end > today:
        problems.errors.append(InvalidInput("Perioden kan ikke slutte etter dagens dato.", field="period_end"))
    if start and end and end < start:
        problems.errors.append(InvalidInput("Til-datoen kan ikke være før fra-datoen.", field="period_end"))
    problems.done()
    return Period(start, end)


def access_log(patient_id: int, period: Period, *, request_case_id: int | None = None) -> list[LogLine]:
    """The patient's log in `period`, translated and grouped, oldest first. A list request counts once for each of
    the patient's cases it showed; an event without a case (a look-up) counts under «Saksbehandling». The handling
    of the request being answered (`request_case_id`) is left out: each look at its page would change the letter
    the admin previewed."""
    start, end = period.bounds
    events = db.session.scalars(select(AuditEvent).where(
        concerning(patient_id=patient_id), AuditEvent.action.in_(SHOWN_ACTIONS),
        AuditEvent.at >= start, AuditEvent.at < end).order_by(AuditEvent.at, AuditEvent.id)).all()
    listed: dict[int, list[int]] = {}
    for event_id, case_id in db.session.execute(select(AuditEventPatient.event_id, AuditEventPatient.case_id).where(
            AuditEventPatient.patient_id == patient_id,
            AuditEventPatient.event_id.in_([event.id for event in events]))):
        listed.setdefault(event_id, []).append(case_id)
    case_ids = {event.case_id for event in events if event.case_id} | {
        case_id for ids in listed.values() for case_id in ids}
    cases = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(case_ids)))}
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({event.user_id for event in events if event.user_id}))).all())
    groups: dict[tuple, list[datetime]] = {}
    for event in events:
        for case_id in listed.get(event.id) or [event.case_id]:
            if request_case_id is not None and case_id == request_case_id:
                continue
            case = cases.get(case_id)
            local = _as_utc(event.at).astimezone(OSLO)
            key = (local.date(), *_who(event, names), _what(event), case.number if case else None,
                   MODULE_NAMES.get(case.kind, COMMON_MODULE) if case else COMMON_MODULE)
            groups.setdefault(key, []).append(local)
    lines = [LogLine(day, min(times), max(times), name, role, organisation, action, number, module, len(times))
             for (day, name, role, organisation, action, number, module), times in groups.items()]
    return sorted(lines, key=lambda line: (line.first, line.name, line.case_number or ""))


def _as_utc(moment: datetime) -> datetime:
    """SQLite gives the stored UTC time back without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


def _who(event: AuditEvent, names: dict[int, str]) -> tuple[str, str, str]:
    """Name, role and organisation as they were when the event was logged; never the e-mail address."""
    if event.user_id is None:
        return SYSTEM_NAME, "", ""
    role = Role(event.role) if event.role in Role._value2member_map_ else None
    organisation = ABROAD_OFFICES.get(event.office) or (ORGANISATION_BY_ROLE.get(role, "") if role else "")
    return names.get(event.user_id, "Ukjent bruker"), role.label if role else "", organisation


def _what(event: AuditEvent) -> str:
    if event.action is AuditAction.LOOKUP:
        return "Søkte opp pasienten"
    if event.action is AuditAction.LIST:
        return "Så saken i en liste"
    return f"{ACTION_VERBS[event.action]} {OBJECT_NOUNS.get(event.object_type, 'saken')}"


# Registering the request

def known_patient(patient: Patient, *, name: str, address: PartyAddress) -> RegisteredPatient:
    """The patient found by the admin's look-up, as registered with the request: the person's row and the name and
    address the request gives (where the answer is sent)."""
    return RegisteredPatient(id=patient.id, national_id=patient.national_id, name=name, birth_date=patient.birth_date,
                             municipality=patient.municipality, home_region=patient.home_region, **address._asdict())


def check_request(*, received_on: date | None, address: PartyAddress, today: date) -> None:
    """The request came no later than today and gives the postal address for the answer; every refusal at once (a
    value that is None was refused by the form)."""
    problems = Problems()
    if received_on is not None and received_on > today:
        problems.errors.append(InvalidInput("Mottatt-datoen kan ikke være etter dagens dato.", field="received_on"))
    with problems.check():
        check_address(*address, required=True)
    problems.done()


def register_request(patient: Patient, *, name: str | None, received_on: date, address: PartyAddress, actor,
                     upload: tuple[str, bytes] | None = None, today: date | None = None) -> Case:
    """Open an «Innsyn i logg» case for the patient at the admin role's unit, with the request as its incoming post
    (and the request's file, when there is one). The case is screened like every patient case. `name` is the
    patient's as the request gives it; without one, the name on the patient's row."""
    check_request(received_on=received_on, address=address, today=today or date.today())
    name = (name or "").strip() or patient.name
    case = open_case(kind=CaseKind.ACCESS_LOG_REQUEST, title=f"Innsyn i logg – {name}", actor=actor,
                     patient=known_patient(patient, name=name, address=address), case_date=received_on)
    entry = add_journal_entry(case, entry_type=JournalEntryType.INCOMING, title="Forespørsel om innsyn i logg",
                              journal_date=today or date.today(), document_date=received_on, party_name=name,
                              party_address=address, actor=actor)
    if upload is not None:
        filename, content = upload
        attach_document(case, title="Forespørsel om innsyn i logg", filename=filename, content=content, actor=actor,
                        journal_entry=entry)
    return case


def request_received_on(case: Case) -> date:
    """When the request came: its incoming post's document date."""
    entry = db.session.scalar(select(JournalEntry).where(
        JournalEntry.case_id == case.id, JournalEntry.entry_type == JournalEntryType.INCOMING)
        .order_by(JournalEntry.number_in_case).limit(1))
    return (entry.document_date or entry.journal_date) if entry is not None else case.case_date


def first_registered(patient_id: int) -> date:
    """The day the patient was first registered in Helsesak: where their log begins."""
    created = db.session.scalar(select(Patient.created_at).where(Patient.id == patient_id))
    return _as_utc(created).astimezone(OSLO).date()


def ensure_request(case: Case) -> None:
    if case.kind is not CaseKind.ACCESS_LOG_REQUEST:
        raise InvalidInput("Saken er ikke en forespørsel om innsyn i logg.")


# The answer

@dataclass(frozen=True)
class Letter:
    """The answer as previewed and filed: `body` is what the preview shows; `digest` identifies that text, so only
    the letter the admin saw is filed."""

    title: str
    body: Markup
    missing_address: bool

    @property
    def digest(self) -> str:
        return hashlib.sha256(str(self.body).encode()).hexdigest()

    def pdf(self) -> bytes:
        return pdf_from_html(render_template("pdf/letter.html", title=self.title, body=self.body))


def answer_letter(case: Case, period: Period, *, actor, today: date | None = None) -> Letter:
    """The letter to the patient (or the guardians) with the log for `period`; saves nothing."""
    ensure_request(case)
    ensure_open(case)
    today = today or date.today()
    addressees = letter_addressees(case, today)
    body = render_template(
        "admin/pdf/access_log_letter.html", case=case, addressees=addressees, period=period,
        lines=access_log(case.patient_id, period, request_case_id=case.id), received_on=request_received_on(case),
        dated=today,
        contact=unit_contact(case.unit), sender=actor.name, legal_basis=LEGAL_BASIS)
    return Letter(f"Innsyn i logg {case.number}", Markup(body),
                  missing_address=any(not addressee.address_lines for addressee in addressees))


def file_answer(case: Case, period: Period, letter: Letter, *, actor, today: date | None = None) -> JournalEntry:
    """File the letter as the case's outgoing post (to the first addressee), close the request's incoming post as
    answered by letter, and close the case. The log the letter holds is an export of the patient's data."""
    ensure_request(case)
    today = today or date.today()
    addressee = letter_addressees(case, today)[0]
    entry = add_journal_entry(case, entry_type=JournalEntryType.OUTGOING, title="Svar på forespørsel om innsyn i logg",
                              journal_date=today, document_date=today, party_name=addressee.name,
                              party_address=PartyAddress(addressee.street, addressee.postal_code,
                                                         addressee.postal_place), actor=actor)
    attach_document(case, title="Innsyn i logg", filename=f"innsyn-i-logg-{case.year}-{case.sequence}.pdf",
                    content=letter.pdf(), actor=actor, journal_entry=entry)
    answer_incoming(case, actor=actor)
    audit.record_change(AuditAction.EXPORT, "patient_access_log", case.id, case=case, user=actor,
                        changes={"period": [None, f"{period.start.isoformat()}/{period.end.isoformat()}"]})
    follow_module_status(case, CaseStatus.CLOSED, actor=actor, reason="Besvart med brev (innsyn i logg)")
    return entry


def registered_requests() -> list[Case]:
    """The requests, open ones first, then newest first (the admin's list)."""
    return list(db.session.scalars(select(Case).where(Case.kind == CaseKind.ACCESS_LOG_REQUEST).order_by(
        (Case.status == CaseStatus.CLOSED), Case.case_date.desc(), Case.id.desc())))
