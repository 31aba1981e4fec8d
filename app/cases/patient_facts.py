"""One patient over time: the facts (name, postal address, municipality, home region) with their history, and
the guardians who receive the letters.

Where the facts live:

- A case keeps the patient as registered with it (Case.patient_*: name, birth date, address, municipality,
  home region): that registration is the patient's facts from the case date. A new case for a known national
  ID records the facts as typed then; older cases keep theirs, so a report counts the home region the
  application was received with.
- A change (moved, changed name) is an entry valid from a date (PatientFactsEntry, kind «change»), recorded
  through a case. A correction (a typo) edits what was registered (the case's registration, or a change
  entry) and leaves an entry with the old and new values and the reason.
- The facts valid on a date are those of the newest registration or change valid then (the later recorded on
  the same date); a blank address keeps the last address known, so an import without addresses does not
  erase one.

Scope (Normen: need-to-know): registrations, entries and guardians are read through the cases a user may see
(`visible_cases`), and for a letter through the cases of the letter's office (`Case.unit`): what another office
or the panel registered about the same person is never shown or used. Every page that shows them is logged.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from app.cases.access import visible_cases
from app.cases.commands import NewGuardian, PatientFactsUpdate
from app.cases.models import Case, CaseKind, FactsEntryKind, Guardian, PatientFactsEntry
from app.cases.municipalities import municipality_number, normalise_municipality, validate_municipality
from app.cases.services import check_address, ensure_version, screened_title
from app.cases.signals import registered_facts_corrected
from app.core import audit
from app.core.audit import AuditAction
from app.core.checks import Problems, require
from app.core.regions import REGIONS, handling_office
from app.errors import InvalidInput
from app.extensions import db

ADULT_AGE = 18
ADDRESS_FIELDS = ("street", "postal_code", "postal_place")
FACT_FIELDS = ("name", *ADDRESS_FIELDS, "municipality", "home_region")
FACT_LABELS = {"name": "Navn", "street": "Adresse", "postal_code": "Postnummer", "postal_place": "Poststed",
               "municipality": "Hjemkommune", "home_region": "Hjemregion"}


@dataclass(frozen=True)
class PatientFacts:
    """The facts valid on a date, and where they come from (`source`: a case number, or «endring»)."""

    name: str
    street: str | None
    postal_code: str | None
    postal_place: str | None
    municipality: str | None
    home_region: str
    valid_from: date
    source: str

    @property
    def has_address(self) -> bool:
        return bool(self.street and self.postal_code and self.postal_place)


@dataclass(frozen=True)
class HistoryItem:
    """A line of the patient's history: a registration with a case, a change or a correction."""

    kind: str                       # "registration", "change" or "correction"
    valid_from: date
    recorded_at: datetime
    case_number: str
    facts: dict                     # field -> value (registration, change) or [old, new] (correction)
    reason: str | None = None
    recorded_by: str | None = None

    @property
    def label(self) -> str:
        return {"registration": "Registrert med sak", "change": "Endring",
                "correction": "Retting"}[self.kind]


@dataclass(frozen=True)
class Addressee:
    """Who a letter about the patient goes to, with the postal address (None when none is known)."""

    name: str
    street: str | None
    postal_code: str | None
    postal_place: str | None
    role: str                       # "patient", "guardian" or "parents" (a child without guardians on file)

    @property
    def address_lines(self) -> list[str]:
        if not (self.street and self.postal_code and self.postal_place):
            return []
        return [self.street, f"{self.postal_code} {self.postal_place}"]


# Reading

def _registration_facts(case: Case) -> dict:
    return {"name": case.patient_name, "street": case.patient_street, "postal_code": case.patient_postal_code,
            "postal_place": case.patient_postal_place, "municipality": case.patient_municipality,
            "home_region": case.patient_home_region}


def _entry_facts(entry: PatientFactsEntry) -> dict:
    return {field: getattr(entry, field) for field in FACT_FIELDS}


def _moment(at: datetime) -> datetime:
    """A timestamp comparable with any other (SQLite returns them without the zone they were stored in UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _sources(patient_id: int, scope, on_date: date | None = None) -> list[tuple[date, datetime, int, object]]:
    """The registrations and changes within `scope` (a condition on Case), oldest first."""
    cases = select(Case).where(Case.patient_id == patient_id, scope)
    changes = (select(PatientFactsEntry).join(Case, PatientFactsEntry.case_id == Case.id)
               .where(PatientFactsEntry.patient_id == patient_id, PatientFactsEntry.kind == FactsEntryKind.CHANGE,
                      scope))
    if on_date is not None:
        cases = cases.where(Case.case_date <= on_date)
        changes = changes.where(PatientFactsEntry.valid_from <= on_date)
    found = [(case.case_date, _moment(case.created_at), 0, case) for case in db.session.scalars(cases)]
    found += [(entry.valid_from, _moment(entry.recorded_at), 1, entry) for entry in db.session.scalars(changes)]
    return sorted(found, key=lambda item: item[:3])


def _facts_of(sources: list) -> PatientFacts | None:
    if not sources:
        return None
    valid_from, _at, _order, newest = sources[-1]
    values = _registration_facts(newest) if isinstance(newest, Case) else _entry_facts(newest)
    if not values["street"]:   # a blank address keeps the last one known
        for *_key, source in reversed(sources):
            known = _registration_facts(source) if isinstance(source, Case) else _entry_facts(source)
            if known["street"]:
                values.update({field: known[field] for field in ADDRESS_FIELDS})
                break
    source = newest.number if isinstance(newest, Case) else "endring"
    return PatientFacts(**values, valid_from=valid_from, source=source)


def facts_on(patient_id: int, on_date: date, *, scope) -> PatientFacts | None:
    """The patient's facts valid on `on_date`, from the registrations and changes within `scope` (a condition
    on Case: `visible_cases(user)`, or `Case.unit == office` for a letter); None when none is valid yet."""
    return _facts_of(_sources(patient_id, scope, on_date))


def history(patient_id: int, *, scope) -> list[HistoryItem]:
    """Registrations, changes and corrections within `scope`, newest first."""
    items = []
    for valid_from, at, _order, source in _sources(patient_id, scope):
        if isinstance(source, Case):
            items.append(HistoryItem("registration", valid_from, at, source.number, _registration_facts(source)))
        else:
            items.append(HistoryItem("change", valid_from, at, source.case.number, _entry_facts(source),
                                     source.reason, source.recorded_by.name if source.recorded_by else None))
    corrections = (select(PatientFactsEntry).join(Case, PatientFactsEntry.case_id == Case.id)
                   .where(PatientFactsEntry.patient_id == patient_id,
                          PatientFactsEntry.kind == FactsEntryKind.CORRECTION, scope))
    for entry in db.session.scalars(corrections):
        items.append(HistoryItem("correction", entry.valid_from, _moment(entry.recorded_at), entry.case.number,
                                 entry.changes, entry.reason, entry.recorded_by.name if entry.recorded_by else None))
    return sorted(items, key=lambda item: (item.recorded_at, item.valid_from), reverse=True)


def guardians(patient_id: int, *, scope) -> list[Guardian]:
    """The guardians recorded through cases within `scope`, the newest first."""
    return list(db.session.scalars(select(Guardian).join(Case, Guardian.case_id == Case.id)
                                   .where(Guardian.patient_id == patient_id, scope)
                                   .order_by(Guardian.valid_from.desc(), Guardian.id.desc())))


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def letter_facts(case: Case, on_date: date) -> PatientFacts:
    """The patient's facts for a letter of `case` dated `on_date`: those valid then, as known to the case's
    office (a name corrected since the case was registered, e.g. an imported placeholder, is the new one)."""
    return (facts_on(case.patient_id, on_date, scope=Case.unit == case.unit)
            or _facts_of(_sources(case.patient_id, Case.id == case.id)))


def letter_addressees(case: Case, on_date: date) -> list[Addressee]:
    """Who a letter of `case` dated `on_date` goes to: the guardians on file then (for a child, and for an adult
    who has them), else the patient; a child without a guardian on file is addressed to the parents at the
    patient's address. Addresses are the ones valid on the date, as known to the case's office."""
    if case.patient_id is None:
        return []
    scope = Case.unit == case.unit
    on_file = [guardian for guardian in guardians(case.patient_id, scope=scope) if guardian.active_on(on_date)]
    if on_file:
        return [Addressee(guardian.name, guardian.street, guardian.postal_code, guardian.postal_place, "guardian")
                for guardian in sorted(on_file, key=lambda guardian: guardian.id)]
    facts = letter_facts(case, on_date)
    address = (facts.street, facts.postal_code, facts.postal_place)
    if age_on(case.patient_birth_date, on_date) < ADULT_AGE:
        return [Addressee(f"Foresatte til {facts.name}", *address, "parents")]
    return [Addressee(facts.name, *address, "patient")]


# Writing

def check_facts_update(case: Case, command: PatientFactsUpdate, *, actor) -> dict:
    """Everything a change or correction of the patient's facts must satisfy, every refused field at once (a value
    that is None was refused by the form). Returns the facts as they are stored."""
    if case.patient_id is None:
        raise InvalidInput("Saken gjelder ingen pasient.")
    problems = Problems()
    for field, message in (("reason", "Skriv hvorfor opplysningene endres eller rettes."),
                           ("name", "Fyll inn pasientens navn.")):
        with problems.check():
            require(getattr(command, field), field, message)
    region = command.home_region if command.home_region in REGIONS else None
    if region is None:
        problems.errors.append(InvalidInput("Velg en gyldig helseregion.", field="home_region"))
    municipality = normalise_municipality(command.municipality) or None
    if municipality_number(municipality):
        with problems.check():
            validate_municipality(municipality, region)
    with problems.check():
        check_address(command.street, command.postal_code, command.postal_place)
    valid_from = command.valid_from
    if valid_from is not None and valid_from < case.patient_birth_date:
        problems.errors.append(InvalidInput("Datoen kan ikke være før pasientens fødselsdato.", field="valid_from"))
    elif valid_from is not None and not _sources(case.patient_id, visible_cases(actor), valid_from):
        problems.errors.append(InvalidInput("Datoen er før pasienten ble registrert i sakene du har tilgang til. "
                                            "Velg en senere dato.", field="valid_from"))
    problems.done()
    return {"name": command.name.strip(), "street": command.street, "postal_code": command.postal_code,
            "postal_place": command.postal_place, "municipality": municipality, "home_region": command.home_region}


def record_facts(case: Case, command: PatientFactsUpdate, *, expected_version: int | None = None,
                 actor) -> PatientFactsEntry:
    """Record a change or a correction of the patient's facts through `case` (which the actor may change),
    audited with the old and new values and the reason. A change is valid from its date and leaves every
    registration as it was; a correction edits the registration or change valid on its date, within the
    actor's scope, and a corrected registration's case shows the corrected facts (its title too)."""
    ensure_version(case, expected_version)
    values = check_facts_update(case, command, actor=actor)
    sources = _sources(case.patient_id, visible_cases(actor), command.valid_from)
    if command.kind is FactsEntryKind.CHANGE:
        entry = _change(case, sources, values, command, actor)
    else:
        entry = _correction(case, sources[-1][-1], values, command, actor)
    audit.record_change(AuditAction.CREATE, "patient_facts", entry.id, case=case, user=actor,
                        changes={**entry.changes, "kind": [None, entry.kind.value],
                                 "valid_from": [None, entry.valid_from], "reason": [None, entry.reason]})
    return entry


def _differences(before: dict, after: dict) -> dict:
    return {field: [before[field], after[field]] for field in FACT_FIELDS if before[field] != after[field]}


def _change(case: Case, sources: list, values: dict, command: PatientFactsUpdate, actor) -> PatientFactsEntry:
    before = _facts_of(sources)
    changes = _differences({field: getattr(before, field) for field in FACT_FIELDS}, values)
    if not changes:
        raise InvalidInput("Opplysningene er de samme som gjelder fra før. Ingenting er lagret.", field="name")
    entry = PatientFactsEntry(patient_id=case.patient_id, case_id=case.id, kind=FactsEntryKind.CHANGE,
                              valid_from=command.valid_from, changes=changes, reason=command.reason.strip(),
                              recorded_by_id=actor.id, **values)
    db.session.add(entry)
    db.session.flush()
    return entry


def _correction(case: Case, source, values: dict, command: PatientFactsUpdate, actor) -> PatientFactsEntry:
    if isinstance(source, Case):
        before = _registration_facts(source)
        valid_from = source.case_date
    else:
        before, valid_from = _entry_facts(source), source.valid_from
    changes = _differences(before, values)
    if not changes:
        raise InvalidInput("Opplysningene er de samme som er registrert. Ingenting er lagret.", field="name")
    if isinstance(source, Case):
        _correct_registration(source, changes, actor)
    else:
        for field, (_old, new) in changes.items():
            setattr(source, field, new)
    entry = PatientFactsEntry(patient_id=case.patient_id, case_id=case.id, kind=FactsEntryKind.CORRECTION,
                              valid_from=valid_from, changes=changes, reason=command.reason.strip(),
                              corrected_entry_id=None if isinstance(source, Case) else source.id,
                              recorded_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def _correct_registration(registered: Case, changes: dict, actor) -> None:
    """The case shows the corrected facts, also a closed case (the right to rectification, GDPR art. 16, does not
    end with the case); a treatment-abroad case stays at its office, so the corrected home region must be one
    that office handles."""
    if (registered.kind in (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL) and "home_region" in changes
            and handling_office(changes["home_region"][1]) != registered.unit):
        raise InvalidInput("Pasienter fra den regionen behandles av et annet kontor. Saken kan ikke flyttes hit; "
                           "registrer flyttingen som en endring.", field="home_region")
    case_changes = {}
    for field, (old, new) in changes.items():
        setattr(registered, f"patient_{field}", new)
        case_changes[f"patient_{field}"] = [old, new]
    if "name" in changes:
        old_name, new_name = changes["name"]
        title = registered.title.replace(old_name, new_name) if old_name else registered.title
        case_changes["title"] = [registered.title, title]
        registered.title = title
        registered.public_title = screened_title(title, registered.patient)
    db.session.flush()
    audit.record_change(AuditAction.UPDATE, "case", registered.id, case=registered, user=actor, changes=case_changes)
    registered_facts_corrected.send(registered.id, changes=changes, actor=actor)


def check_guardian(case: Case, command: NewGuardian) -> None:
    """A guardian has a name and a whole postal address (the letters are sent there), and ends no earlier than
    it starts: every refused field at once."""
    if case.patient_id is None:
        raise InvalidInput("Saken gjelder ingen pasient.")
    problems = Problems()
    with problems.check():
        require(command.name, "name", "Fyll inn vergens navn.")
    with problems.check():
        check_address(command.street, command.postal_code, command.postal_place, required=True)
    if command.valid_to is not None and command.valid_from is not None and command.valid_to < command.valid_from:
        problems.errors.append(InvalidInput("Til-datoen kan ikke være før fra-datoen.", field="valid_to"))
    problems.done()


def add_guardian(case: Case, command: NewGuardian, *, actor) -> Guardian:
    """Record a guardian of the case's patient (name, postal address, from a date, optionally to one)."""
    check_guardian(case, command)
    guardian = Guardian(patient_id=case.patient_id, case_id=case.id, name=command.name, street=command.street,
                        postal_code=command.postal_code, postal_place=command.postal_place,
                        valid_from=command.valid_from, valid_to=command.valid_to, created_by_id=actor.id)
    db.session.add(guardian)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "guardian", guardian.id, case=case, user=actor,
                        changes={"name": [None, guardian.name], "valid_from": [None, guardian.valid_from],
                                 "valid_to": [None, guardian.valid_to]})
    return guardian


def end_guardian(case: Case, guardian: Guardian, *, valid_to: date, expected_version: int | None = None,
                 actor) -> None:
    """The guardianship ended on `valid_to` (kept in the history, never deleted)."""
    ensure_version(guardian, expected_version)
    if valid_to < guardian.valid_from:
        raise InvalidInput("Til-datoen kan ikke være før fra-datoen.", field="valid_to")
    changes = audit.apply_changes(guardian, {"valid_to": valid_to})
    if changes:
        db.session.flush()
        audit.record_change(AuditAction.UPDATE, "guardian", guardian.id, case=case, user=actor, changes=changes)
