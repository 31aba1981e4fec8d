"""Rules of the case core: registering patients and cases, editing, status, journal and assignment.

Services add and flush, never commit: the view (or job, or CLI command) commits once.
"""
import re
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import Select, select

from app.cases.access import caseworkers, may_register, visible_cases
from app.cases.identifiers import validate_national_id
from app.cases.models import (
    Case,
    CaseAssignment,
    CaseKind,
    CaseStatus,
    CaseStatusChange,
    JournalEntry,
    JournalEntryType,
    JournalStatus,
    PartyType,
    Patient,
    PatientDiscrepancy,
    RegisteredPatient,
)
from app.cases.municipalities import municipality_number, normalise_municipality, validate_municipality
from app.cases.numbering import next_number
from app.core import audit
from app.core.audit import AuditAction
from app.core.checks import REVIEW_NOTE_MAX, Problems, require
from app.core.regions import METHODS_UNIT, PANEL_UNIT, PRIVACY_UNIT, REGIONS, UNITS, handling_office
from app.db import utcnow
from app.errors import DomainError, EditConflict, InvalidInput
from app.extensions import db
from app.modules import module_case_status

SCREENING_CODE = "UO"  # Unntatt offentlighet
SCREENING_BASIS_PERSONAL = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
SCREENED_WORD = "******"
LOOKUP_CHUNK = 2000   # national IDs per IN (...) look-up

ALLOWED_TRANSITIONS = {
    CaseStatus.CREATED: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED, CaseStatus.DISCARDED},
    CaseStatus.IN_PROGRESS: {CaseStatus.FINISHED_BY_CASEWORKER, CaseStatus.CLOSED, CaseStatus.DISCARDED},
    CaseStatus.FINISHED_BY_CASEWORKER: {CaseStatus.IN_PROGRESS, CaseStatus.CLOSED, CaseStatus.DISCARDED},
    CaseStatus.CLOSED: {CaseStatus.IN_PROGRESS},
    CaseStatus.DISCARDED: set(),
}


class CaseClosed(DomainError):
    def __init__(self, case: Case) -> None:
        super().__init__(f"Sak {case.number} er {case.status.label.lower()} og kan ikke endres.")


def actor_id(actor) -> int | None:
    """Who did it, for a row's *_by_id: None for a request from the public (the public journal's form)."""
    return actor.id if actor is not None else None


def get_case(case_id: int) -> Case:
    """A case by id, for services; views load cases through access.get_case_or_404()."""
    return db.session.get(Case, case_id)


def ensure_open(case: Case) -> None:
    if case.status in (CaseStatus.CLOSED, CaseStatus.DISCARDED):
        raise CaseClosed(case)


def ensure_version(obj, expected_version: int | None) -> None:
    """Refuse a save based on an older version than the one stored (optimistic locking)."""
    if expected_version is not None and obj.version != expected_version:
        raise EditConflict()


def register_patient(*, national_id: str | None, name: str, birth_date: date | None, municipality: str | None,
                     home_region: str, actor, street: str | None = None, postal_code: str | None = None,
                     postal_place: str | None = None) -> RegisteredPatient:
    """The patient of a new case, as registered: the known person when the national ID is on file, else a new
    patient row. Without a number the birth date is required; with one, the birth date is derived from it and
    must agree with any date given. A home municipality that starts with a municipality number must be in a
    county of the home region; free text without a number (as stored before the number was required) is kept
    as given.

    The answer never depends on what is on file (Normen: no existence oracle): a known national ID is
    registered exactly as an unknown one would be, with the name, address, municipality and region typed here,
    and the case shows those (the patient's facts from the case date, app/cases/patient_facts.py). When they
    disagree with the person's row, open_case() lists the case for the data-quality review (`differs`). The
    look-up is logged for the person found."""
    if home_region not in REGIONS:
        raise InvalidInput("Velg en gyldig helseregion.", field="home_region")
    municipality = normalise_municipality(municipality) or None
    if municipality_number(municipality):
        validate_municipality(municipality, home_region)
    if not name or not name.strip():
        raise InvalidInput("Fyll inn pasientens navn.", field="patient_name")
    name = name.strip()
    check_address(street, postal_code, postal_place)
    address = {"street": street or None, "postal_code": postal_code or None, "postal_place": postal_place or None}
    if national_id:
        national_id, derived = validate_national_id(national_id)
        if birth_date and birth_date != derived:
            raise InvalidInput("Fødselsdatoen stemmer ikke med fødselsnummeret.", field="birth_date")
        birth_date = derived
        existing = find_patients([national_id], actor=actor, purpose="registrering").get(national_id)
        if existing is not None:
            return RegisteredPatient(id=existing.id, national_id=national_id, name=name, birth_date=birth_date,
                                     municipality=municipality, home_region=home_region,
                                     differs=differing_facts(existing, name=name, birth_date=birth_date,
                                                             home_region=home_region), **address)
    elif birth_date is None:
        raise InvalidInput("Fyll inn fødselsnummer eller fødselsdato.", field="birth_date")
    patient = Patient(national_id=national_id or None, name=name, birth_date=birth_date,
                      municipality=municipality, home_region=home_region)
    db.session.add(patient)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "patient", patient.id, patient_id=patient.id, user=actor)
    return RegisteredPatient(id=patient.id, national_id=patient.national_id, name=name, birth_date=birth_date,
                             municipality=municipality, home_region=home_region, **address)


def check_address(street: str | None, postal_code: str | None, postal_place: str | None, *,
                  required: bool = False, prefix: str = "") -> None:
    """A postal address is whole (street, postal code and place) or left out; a Norwegian postal code has four
    digits. `prefix` names the form's fields (e.g. "party_" for a journal post's party). Every part refused
    at once."""
    given = [value for value in (street, postal_code, postal_place) if value]
    if not given and not required:
        return
    problems = Problems()
    for value, field, message in ((street, "street", "Fyll inn gateadresse eller postboks."),
                                  (postal_code, "postal_code", "Fyll inn postnummer."),
                                  (postal_place, "postal_place", "Fyll inn poststed.")):
        with problems.check():
            require(value, f"{prefix}{field}", message)
    if postal_code and not (len(postal_code) == 4 and postal_code.isascii() and postal_code.isdigit()):
        problems.errors.append(InvalidInput(f"«{postal_code}» er ikke et postnummer (fire siffer).",
                                            field=f"{prefix}postal_code"))
    problems.done()


class KnownPatient(NamedTuple):
    """What a look-up by national ID returns: enough to reuse the person and compare the facts, nothing to show."""

    id: int
    name: str
    birth_date: date
    home_region: str


def find_patients(national_ids: Iterable[str], *, actor, purpose: str) -> dict[str, KnownPatient]:
    """The patients on file with these (valid, normalised) national IDs, by number: the one look-up by national
    ID that registration and import use. Every person found gets a `lookup` audit row (with whether the actor
    may see any of their cases), whatever becomes of the registration it serves; the caller shows none of
    what it returns."""
    numbers = sorted(set(national_ids))
    found: dict[str, KnownPatient] = {}
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        rows = db.session.execute(select(Patient.national_id, Patient.id, Patient.name, Patient.birth_date,
                                         Patient.home_region)
                                  .where(Patient.national_id.in_(numbers[start:start + LOOKUP_CHUNK])))
        found.update((number, KnownPatient(*rest)) for number, *rest in rows)
    if found:
        ids = [patient.id for patient in found.values()]
        visible = set()
        if actor is not None:
            for start in range(0, len(ids), LOOKUP_CHUNK):
                visible.update(db.session.scalars(select(Case.patient_id).distinct().where(
                    Case.patient_id.in_(ids[start:start + LOOKUP_CHUNK]), visible_cases(actor))))
        audit.record_lookups({patient_id: {"purpose": purpose, "in_scope": actor is None or patient_id in visible}
                              for patient_id in ids}, user=actor)
    return found


def find_patients_by_birth_date_and_name(birth_date: date, name: str, *, actor, purpose: str) -> list[Patient]:
    """The patients born on `birth_date` who are registered under `name` (case and spacing aside) on their own
    row or on any of their cases, oldest first. Every one found gets a `lookup` audit row."""
    wanted = _normalised(name)
    born = list(db.session.scalars(select(Patient).where(Patient.birth_date == birth_date).order_by(Patient.id)))
    names: dict[int, set[str]] = {patient.id: {_normalised(patient.name)} for patient in born}
    if born:
        for patient_id, case_name in db.session.execute(select(Case.patient_id, Case.patient_name).distinct().where(
                Case.patient_id.in_(list(names)))):
            names[patient_id].add(_normalised(case_name))
    found = [patient for patient in born if wanted in names[patient.id]]
    audit.record_lookups({patient.id: {"purpose": purpose, "by": "birth_date_and_name"} for patient in found},
                         user=actor)
    return found


def differing_facts(known: KnownPatient, *, name: str | None, birth_date: date, home_region: str) -> tuple[str, ...]:
    """Which registered facts disagree with the person's row (the data-quality list's reasons). A placeholder
    name (an import without names) is no disagreement."""
    differs = []
    if name is not None and _normalised(known.name) != _normalised(name):
        differs.append("name")
    if known.birth_date != birth_date:
        differs.append("birth_date")
    if known.home_region != home_region:
        differs.append("home_region")
    return tuple(differs)


def _normalised(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def screened_title(title: str, patient: RegisteredPatient | Patient | None) -> str:
    """The public title (offentligTittel): the patient's name (each part, as a whole word, in any
    case) and number replaced by asterisks."""
    if patient is None:
        return title
    words = [patient.national_id, *patient.name.split()]
    pattern = "|".join(re.escape(word) for word in sorted(filter(None, words), key=len, reverse=True))
    public = re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", SCREENED_WORD, title, flags=re.IGNORECASE)
    return re.sub(rf"{re.escape(SCREENED_WORD)}(?:\s+{re.escape(SCREENED_WORD)})+", SCREENED_WORD, public)


def _unit_for(kind: CaseKind, patient: RegisteredPatient | None) -> str:
    if kind is CaseKind.METHOD:
        return METHODS_UNIT
    if kind is CaseKind.PANEL_REFERRAL:
        return PANEL_UNIT
    if kind is CaseKind.ACCESS_LOG_REQUEST:
        return PRIVACY_UNIT
    return handling_office(patient.home_region)


def open_case(*, kind: CaseKind, title: str, actor, patient: RegisteredPatient | None = None,
              responsible_id: int | None = None, case_date: date | None = None) -> Case:
    """Register a case with the next case number of the year. Patient cases are screened (offl. § 13), keep
    the patient as registered (register_patient(), or another case's patient for an appeal), and abroad cases
    land at the office that handles the home region registered with the case."""
    if kind.concerns_patient and patient is None:
        raise InvalidInput(f"En sak av typen «{kind.label}» må gjelde en pasient.")
    if not kind.concerns_patient and patient is not None:
        raise InvalidInput("Metodesaker skal ikke inneholde pasientopplysninger.")
    if not title or not title.strip():
        raise InvalidInput("Fyll inn sakstittel.", field="title")
    unit = _unit_for(kind, patient)
    if not may_register(actor, kind, unit):
        raise InvalidInput(f"Saken hører til {UNITS[unit]}. Du kan bare registrere saker for din egen enhet.",
                           field="home_region")
    case = insert_case(kind=kind, title=title.strip(), unit=unit, patient=patient,
                       responsible_id=responsible_id if responsible_id else actor.id, case_date=case_date, actor=actor)
    if patient is not None and patient.differs:
        _list_discrepancy(case, patient, actor)
    return case


def insert_case(*, kind: CaseKind, title: str, unit: str, patient: RegisteredPatient | None,
                responsible_id: int | None, case_date: date | None, actor) -> Case:
    """The new case row with the year's next number, its first status and its audit row, once the caller has
    checked who registers it and where (open_case(); a request from the public has no `actor`)."""
    case_date = case_date or date.today()
    sequence = next_number("case", case_date.year)
    case = Case(
        number=f"{case_date.year}/{sequence}", year=case_date.year, sequence=sequence, kind=kind,
        title=title, public_title=screened_title(title, patient), status=CaseStatus.CREATED,
        unit=unit, responsible_id=responsible_id, patient_id=patient.id if patient else None, case_date=case_date,
        created_by_id=actor_id(actor), access_code=SCREENING_CODE if patient else None,
        legal_basis=SCREENING_BASIS_PERSONAL if patient else None,
        **(_facts(patient) if patient else {}),
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseStatusChange(case_id=case.id, by_id=actor_id(actor), from_status=None,
                                    to_status=CaseStatus.CREATED))
    changes = {"number": [None, case.number], "title": [None, case.title]}
    if case.is_screened:   # the screening (offl. § 13) is dated by this row and names its basis
        changes.update(access_code=[None, case.access_code], legal_basis=[None, case.legal_basis])
    audit.record_change(AuditAction.CREATE, "case", case.id, case=case, user=actor, changes=changes)
    return case


def _facts(patient: RegisteredPatient) -> dict:
    return {"patient_name": patient.name, "patient_birth_date": patient.birth_date,
            "patient_municipality": patient.municipality, "patient_home_region": patient.home_region,
            "patient_street": patient.street, "patient_postal_code": patient.postal_code,
            "patient_postal_place": patient.postal_place}


def _list_discrepancy(case: Case, patient: RegisteredPatient, actor) -> None:
    discrepancy = PatientDiscrepancy(patient_id=patient.id, case_id=case.id, fields=list(patient.differs),
                                     registered_by_id=actor.id if actor is not None else None)
    db.session.add(discrepancy)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "patient_discrepancy", discrepancy.id, case=case, user=actor,
                        changes={"fields": [None, list(patient.differs)]})


def open_discrepancies() -> Select:
    """The data-quality list: discrepancies not yet looked into."""
    return select(PatientDiscrepancy).where(PatientDiscrepancy.checked_at.is_(None))


def mark_discrepancy_checked(discrepancy: PatientDiscrepancy, *, actor) -> None:
    """The admin has looked into a discrepancy: it leaves the list and stays in the log. Checking one already
    checked changes nothing."""
    if discrepancy.checked_at is not None:
        return
    discrepancy.checked_at = utcnow()
    discrepancy.checked_by_id = actor.id
    audit.record_change(AuditAction.UPDATE, "patient_discrepancy", discrepancy.id,
                        case=db.session.get(Case, discrepancy.case_id), user=actor,
                        changes={"checked_at": [None, discrepancy.checked_at]})


def update_case(case: Case, *, expected_version: int, title: str, responsible_id: int | None, actor,
                reason: str | None = None) -> dict:
    """Change the case's title and responsible caseworker; returns what changed. A changed title corrects a
    registered fact and needs the reason (kept with the change in the audit log and shown in the case's
    history); a new responsible caseworker is an assignment and needs none. Every refused input at once."""
    ensure_open(case)
    ensure_version(case, expected_version)
    reason = (reason or "").strip() or None
    problems = Problems()
    if not title or not title.strip():
        problems.errors.append(InvalidInput("Fyll inn sakstittel.", field="title"))
    elif title.strip() != case.title and reason is None:
        problems.errors.append(InvalidInput("Skriv hvorfor sakstittelen endres.", field="reason"))
    if responsible_id is not None and responsible_id != case.responsible_id:
        with problems.check():
            _ensure_caseworker(case, responsible_id, field="responsible_id")
    problems.done()
    changes = audit.apply_changes(case, {
        "title": title.strip(), "public_title": screened_title(title.strip(), case.patient),
        "responsible_id": responsible_id,
    })
    if changes:
        db.session.flush()
        audit.record_change(AuditAction.UPDATE, "case", case.id, case=case, user=actor,
                            changes={**changes, "reason": reason} if reason else changes)
    return changes


def change_status(case: Case, to_status: CaseStatus, *, expected_version: int, comment: str | None, actor) -> None:
    """Move the case to `to_status` along an allowed transition, keeping the history.
    Discarding ("Utgår") is the only way to remove a case and needs a reason."""
    ensure_version(case, expected_version)
    if to_status not in ALLOWED_TRANSITIONS[case.status]:
        raise InvalidInput(f"En sak som er «{case.status.label}» kan ikke settes til «{to_status.label}».")
    _record_status(case, to_status, comment, actor)


def _record_status(case: Case, to_status: CaseStatus, comment: str | None, actor) -> None:
    comment = (comment or "").strip() or None
    if to_status is CaseStatus.DISCARDED and not comment:
        raise InvalidInput("Oppgi begrunnelse når en sak settes til «Utgår».", field="comment")
    from_status = case.status
    case.status = to_status
    db.session.add(CaseStatusChange(case_id=case.id, by_id=actor.id, from_status=from_status, to_status=to_status,
                                    comment=comment))
    if to_status is CaseStatus.CLOSED:
        archive_posts(case, actor)
    db.session.flush()
    audit.record_change(AuditAction.UPDATE, "case", case.id, case=case, user=actor,
                        changes={"status": [from_status, to_status], "comment": [None, comment]})


def statuses_by_hand(case: Case) -> set[CaseStatus]:
    """The statuses the core's status page may give `case`. A case whose status follows a module's record
    (app.modules.module_case_status) gets none that contradicts it: it may be discarded («Utgår»), closed
    («Avsluttet») once the module has finished it, and a case closed that way reopened to the module's status. A
    case the module has closed itself is reopened through the module. A case no module has a record of moves
    along the core's own transitions."""
    module_status = module_case_status(case.id)
    if module_status is None:
        return ALLOWED_TRANSITIONS[case.status]
    if case.status is CaseStatus.DISCARDED:
        return set()
    if case.status is CaseStatus.CLOSED:
        return set() if module_status is CaseStatus.CLOSED else {module_status}
    allowed = {CaseStatus.DISCARDED}
    if module_status is CaseStatus.FINISHED_BY_CASEWORKER:
        allowed.add(CaseStatus.CLOSED)
    return allowed


def change_status_by_hand(case: Case, to_status: CaseStatus, *, expected_version: int, comment: str | None,
                          actor) -> None:
    """A status set on the core's status page: only one statuses_by_hand() offers, kept in the status history and
    audited as change_status() does."""
    ensure_version(case, expected_version)
    if to_status not in statuses_by_hand(case):
        raise InvalidInput(f"En sak som er «{case.status.label}» kan ikke settes til «{to_status.label}» her: "
                           "statusen følger sakens behandling i fagmodulen.", field="status")
    _record_status(case, to_status, comment, actor)


def follow_module_status(case: Case, to_status: CaseStatus, *, actor, reason: str) -> None:
    """Set the case's status (saksstatus, M052) to what the module's own record of the case says, so a decided
    method or an appeal at Klagenemnda is never «Opprettet». The module calls this whenever its status changes,
    on every path (page, API, import). A discarded case («Utgår») keeps its status, and a case never goes back
    to «Opprettet» once work on it has started. The change is kept in the status history and audited."""
    if case.status is to_status or case.status is CaseStatus.DISCARDED or to_status is CaseStatus.CREATED:
        return
    from_status = case.status
    case.status = to_status
    db.session.add(CaseStatusChange(case_id=case.id, by_id=actor.id if actor is not None else None,
                                    from_status=from_status, to_status=to_status, comment=reason))
    if to_status is CaseStatus.CLOSED:
        archive_posts(case, actor)
    db.session.flush()
    audit.record_change(AuditAction.UPDATE, "case", case.id, case=case, user=actor,
                        changes={"status": [from_status, to_status], "comment": [None, reason]})


class PartyAddress(NamedTuple):
    """The correspondence party's postal address (postadresse, postnummer, poststed: M406-M408)."""

    street: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None


NO_ADDRESS = PartyAddress()


def check_journal_entry(case: Case, *, entry_type: JournalEntryType | None, journal_date: date | None,
                        document_date: date | None, party_name: str | None,
                        party_address: PartyAddress = NO_ADDRESS) -> None:
    """A journal post of an open case: the document is dated no later than it is journaled, an incoming or
    outgoing one names its sender or recipient, and the party's address is whole or left out and has a name. All at
    once (a value that is None was refused by the form)."""
    ensure_open(case)
    problems = Problems()
    if document_date and journal_date and document_date > journal_date:
        problems.errors.append(InvalidInput("Dokumentdatoen kan ikke være etter journaldatoen.",
                                            field="document_date"))
    named = bool((party_name or "").strip())
    if entry_type in (JournalEntryType.INCOMING, JournalEntryType.OUTGOING) and not named:
        problems.errors.append(InvalidInput("Fyll inn avsender eller mottaker for inngående og utgående "
                                            "dokumenter.", field="party_name"))
    with problems.check():
        check_address(*party_address, prefix="party_")
    if not named and any(party_address) and not problems.refused("party_name"):
        problems.errors.append(InvalidInput("Fyll inn navnet på avsender eller mottaker når adressen er fylt inn.",
                                            field="party_name"))
    problems.done()


def add_journal_entry(case: Case, *, entry_type: JournalEntryType, title: str, journal_date: date | None = None,
                      document_date: date | None = None, party_name: str | None = None,
                      party_type: PartyType | None = None, party_address: PartyAddress = NO_ADDRESS,
                      party_screened: bool = False, actor) -> JournalEntry:
    """Register a journal post (check_journal_entry) with its number in the case and the year's journal sequence
    number, its journalstatus (M053) and its correspondence party (type, name, address). The party's type follows
    the post's type unless given. A party naming the case's patient is screened whenever the case is (offl. § 13
    jf. fvl. § 13 første ledd nr. 1): the name says who is ill even under a public title."""
    journal_date = journal_date or date.today()
    party_address = PartyAddress(*(_tidy(part) for part in party_address))
    check_journal_entry(case, entry_type=entry_type, journal_date=journal_date, document_date=document_date,
                        party_name=party_name, party_address=party_address)
    # The year's journal counter is taken first: its row lock serialises journal registrations,
    # so the number within the case below cannot be taken twice.
    sequence = next_number("journal", journal_date.year)
    number_in_case = (db.session.scalar(
        select(db.func.max(JournalEntry.number_in_case)).where(JournalEntry.case_id == case.id)) or 0) + 1
    party_name = (party_name or "").strip() or None
    if party_name is not None:
        party_type = party_type or PartyType.default_for(entry_type)
        # A party that names the patient (alone, with the doctor, or «Foresatte til …») says who is ill.
        party_screened = party_screened or (case.is_screened and case.patient is not None
                                            and case.patient.name.casefold() in party_name.casefold())
    entry = JournalEntry(
        case_id=case.id, case=case, number_in_case=number_in_case, year=journal_date.year,
        sequence=sequence, entry_type=entry_type, journal_status=JournalStatus.on_registration(entry_type),
        journal_date=journal_date, document_date=document_date, party_name=party_name,
        party_type=party_type if party_name else None, party_street=party_address.street,
        party_postal_code=party_address.postal_code, party_postal_place=party_address.postal_place,
        party_screened=bool(party_name and party_screened), title=title.strip(),
        public_title=screened_title(title.strip(), case.patient), created_by_id=actor_id(actor),
    )
    db.session.add(entry)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "journal_entry", entry.id, case=case, user=actor,
                        changes={"registration_number": [None, entry.registration_number],
                                 "title": [None, entry.title], "journal_status": [None, entry.journal_status]})
    return entry


def record_review(case: Case, object_type: str, object_id: int, *, subject: str, flag: str, note: str,
                  actor) -> JournalEntry:
    """Someone looked at a flag on a record (e.g. a changed Nye Metoder decision the case rests on) and decided what
    to do: the assessment is an internal note (X) in the case's journal, and the audit row keeps the flag it
    cleared. The caller clears the flag."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Skriv hva som ble vurdert og bestemt.", field="note")
    if len(note) > REVIEW_NOTE_MAX:
        raise InvalidInput(f"Vurderingen kan være høyst {REVIEW_NOTE_MAX} tegn.", field="note")
    entry = add_journal_entry(case, entry_type=JournalEntryType.NOTE, title=f"{subject} vurdert: {note}",
                              actor=actor)
    audit.record_change(AuditAction.UPDATE, object_type, object_id, case=case, user=actor,
                        changes={"flag": [flag, None], "review": [None, note]})
    return entry


def _tidy(text: str | None) -> str | None:
    return (text or "").strip() or None


def archive_posts(case: Case, actor) -> None:
    """A closed case's posts are «Arkivert» (journalstatus A, M053): the journal of a finished case is
    final. Each change is audited like any other (the extraction's endringslogg)."""
    for entry in case.journal_entries:
        if entry.journal_status is not JournalStatus.ARCHIVED:
            previous, entry.journal_status = entry.journal_status, JournalStatus.ARCHIVED
            audit.record_change(AuditAction.UPDATE, "journal_entry", entry.id, case=case, user=actor,
                                changes={"journal_status": [previous, JournalStatus.ARCHIVED]})


FOLLOW_UP_METHODS = {
    "BU": "Besvart med brev", "BE": "Besvart med e-post", "TLF": "Besvart på telefon",
    "TE": "Tatt til etterretning", "TO": "Tatt til orientering",
}


def complete_follow_up(entry: JournalEntry, *, method: str, expected_version: int, actor, now=None) -> None:
    """Close the follow-up obligation of an incoming document or N-note (avskrivning)."""
    ensure_open(entry.case)
    ensure_version(entry, expected_version)
    if not entry.awaits_follow_up:
        raise InvalidInput("Denne journalposten venter ikke på oppfølging.")
    if method not in FOLLOW_UP_METHODS:
        raise InvalidInput("Velg hvordan journalposten er fulgt opp.", field="method")
    entry.follow_up_done_at = now or utcnow()
    entry.follow_up_method = method
    entry.follow_up_by_id = actor.id
    db.session.flush()
    audit.record_change(AuditAction.UPDATE, "journal_entry", entry.id, case=entry.case, user=actor,
                        changes={"follow_up_method": [None, method]})


def answer_incoming(case: Case, *, actor, method: str = "BU") -> JournalEntry | None:
    """A letter filed on `case` answers its first incoming document still awaiting follow-up (the application or
    the complaint): that post is closed (avskrevet, M617/M619) by `method`, «Besvart med brev» by default.
    Returns the post, or None when no incoming post awaits follow-up."""
    entry = db.session.scalar(
        select(JournalEntry).where(JournalEntry.case_id == case.id,
                                   JournalEntry.entry_type == JournalEntryType.INCOMING,
                                   JournalEntry.follow_up_done_at.is_(None))
        .order_by(JournalEntry.number_in_case).limit(1))
    if entry is not None:
        complete_follow_up(entry, method=method, expected_version=entry.version, actor=actor)
    return entry


def assign_user(case: Case, user, *, actor) -> CaseAssignment:
    """Give one user access to one case (decision-based access, e.g. a panel member)."""
    existing = db.session.scalar(select(CaseAssignment).where(
        CaseAssignment.case_id == case.id, CaseAssignment.user_id == user.id))
    if existing is not None:
        return existing
    assignment = CaseAssignment(case_id=case.id, user_id=user.id, assigned_by_id=actor.id)
    db.session.add(assignment)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "case_assignment", assignment.id, case=case, user=actor,
                        changes={"user_id": [None, user.id]})
    return assignment


def assign_responsible(case: Case, user_id: int | None, *, actor) -> dict:
    """Make a caseworker of the case's unit responsible for the case (saksansvarlig), e.g. from a work queue.
    Refused for a user who may not change the case (another unit, another role, deactivated) and for a closed
    case; assigning the one already responsible changes nothing. Returns what changed."""
    ensure_open(case)
    user = _ensure_caseworker(case, user_id, field="user_id")
    changes = audit.apply_changes(case, {"responsible_id": user.id})
    if changes:
        db.session.flush()
        audit.record_change(AuditAction.UPDATE, "case", case.id, case=case, changes=changes, user=actor)
    return changes


def _ensure_caseworker(case: Case, user_id: int | None, *, field: str):
    """The user, when they may be responsible for `case` (an active user who may change it); else refused."""
    user = next((user for user in caseworkers(case.kind, case.unit) if user.id == user_id), None)
    if user is None:
        raise InvalidInput(f"Velg en aktiv saksbehandler ved {UNITS.get(case.unit, case.unit)}.", field=field)
    return user
