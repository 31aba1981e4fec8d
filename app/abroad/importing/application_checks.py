"""The checks of one application row, a concern each: the reference, the patient (region, office scope,
national ID and birth date; name, postal address and municipality when given), the treatment (stream, dates,
diagnosis, class), the decision, and where the patient was treated. Each records its errors on the row, in the
order of the columns."""
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from app.abroad.importing.cells import Row, allowed, country, icd10, label, national_id
from app.abroad.models import PGD_BOARD_LAST_DAY, ApprovingBody, Decision, Stream, TreatmentClass
from app.cases.interface import (
    check_address,
    municipality_number,
    normalise_municipality,
    validate_municipality,
    validate_registry_id,
)
from app.core.regions import ABROAD_OFFICES, REGIONS, handling_office
from app.errors import InvalidInput

IMPORTED_DECISIONS = (Decision.GRANTED, Decision.DENIED, Decision.WITHDRAWN)   # a partial grant is refused
MAX_REFERENCE = 40
MAX_HOSPITAL = 200
MAX_APPROVAL_REFERENCE = 60
MAX_NAME = 200
MAX_STREET = 200
MAX_PLACE = 100
ADDRESS_COLUMNS = {"street": "patient_street", "postal_code": "patient_postal_code",
                   "postal_place": "patient_postal_place"}


class Application(NamedTuple):
    line: int
    reference: str
    region: str
    office: str
    national_id: str | None
    birth_date: date
    stream: Stream
    received_on: date
    icd10: str
    chapter: str
    treatment_class: TreatmentClass
    decision: Decision | None
    decided_on: date | None
    approving_body: ApprovingBody | None
    approval_reference: str | None
    country: str | None
    hospital: str | None
    contact: "Contact"
    trial_registry_id: str | None = None   # what a grant of experimental treatment rests on
    exception_grounds: str | None = None


class Contact(NamedTuple):
    """The patient's name, postal address and municipality as the row gives them (None: not given)."""

    name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None
    municipality: str | None = None


NO_CONTACT = Contact()


def check_application(row: Row, *, today: date, real_today: date,
                      in_scope: Callable[[str], bool]) -> Application | None:
    """The row as an application, or None when it has errors (recorded on the row)."""
    errors_before = len(row.errors)
    reference = _reference(row)
    region, office = _region(row, in_scope)
    national_id_, birth_date = _person(row, today, real_today)
    contact = _contact(row, region)
    stream = row.code("stream", Stream)
    received_on = row.date("received_date", today)
    if received_on and birth_date and received_on < birth_date:
        row.error("received_date", "Mottatt-datoen kan ikke være før pasientens fødselsdato.")
    code, chapter = _diagnosis(row)
    treatment_class = row.code("treatment_class", TreatmentClass) if row.text("treatment_class") \
        else TreatmentClass.ESTABLISHED
    decision, decided_on = _decision(row, stream, received_on, today)
    trial_registry_id, exception_grounds = _experimental_basis(row, treatment_class, stream, decision)
    approving_body, approval_reference = _approval(row, stream, decision, decided_on)
    where, hospital = _treated_at(row, stream, decision)
    if len(row.errors) > errors_before or None in (reference, region, stream, received_on, code, birth_date,
                                                   treatment_class):
        return None
    return Application(row.line, reference, region, office, national_id_, birth_date, stream, received_on, code,
                       chapter, treatment_class, decision, decided_on, approving_body, approval_reference, where,
                       hospital, contact, trial_registry_id, exception_grounds)


def _experimental_basis(row: Row, treatment_class: TreatmentClass | None, stream: Stream | None,
                        decision: Decision | None) -> tuple[str | None, str | None]:
    """A granted experimental treatment names its trial (`trial_registry_id`) or the grounds of its exception
    (`exception_grounds`), as a grant in the app must (services.ensure_may_be_granted); the Nordic drug protocols
    need neither."""
    trial_registry_id, grounds = row.text("trial_registry_id") or None, row.text("exception_grounds") or None
    if trial_registry_id:
        try:
            trial_registry_id = validate_registry_id(trial_registry_id)
        except InvalidInput as error:
            row.error("trial_registry_id", str(error))
    if decision is not None and decision.grants and stream is not Stream.NORDIC_DRUG_PROTOCOL:
        if treatment_class is TreatmentClass.TRIAL and not trial_registry_id:
            row.error("trial_registry_id", "Innvilget behandling i klinisk studie må ha studiens registernummer.")
        elif treatment_class is TreatmentClass.EXPERIMENTAL and not grounds:
            row.error("exception_grounds", "Innvilget utprøvende behandling utenfor studie må ha grunnlaget for "
                                           "unntaket (prioriteringsforskriften § 3).")
    return trial_registry_id, grounds


def _reference(row: Row) -> str | None:
    reference = row.required("reference")
    if reference and len(reference) > MAX_REFERENCE:
        row.error("reference", f"Referansen kan ha høyst {MAX_REFERENCE} tegn.")
    return reference


def _region(row: Row, in_scope: Callable[[str], bool]) -> tuple[str | None, str | None]:
    """The patient's health region and the office that handles it, which must be the importer's."""
    text = row.text("patient_region").lower()
    if not text:
        row.error("patient_region", f"Feltet må fylles ut. Bruk {allowed(list(REGIONS))}.")
        return None, None
    if text not in REGIONS:
        row.error("patient_region", f"«{row.text('patient_region')}» er ikke en helseregion. "
                                    f"Bruk {allowed(list(REGIONS))}.")
        return None, None
    office = handling_office(text)
    if not in_scope(office):
        row.error("patient_region", f"Pasienter fra {REGIONS[text]} behandles av {ABROAD_OFFICES[office]}. Du kan "
                                    "bare importere saker for ditt eget kontor.")
    return text, office


def _person(row: Row, today: date, real_today: date) -> tuple[str | None, date | None]:
    """The national ID (when given) and the birth date, derived from the number when there is one."""
    birth_date = row.date("patient_birth_date", today, required=False, personal=True)
    if not row.text("national_id"):
        if not row.text("patient_birth_date"):
            row.error("patient_birth_date", "Fyll inn fødselsnummer (national_id) eller fødselsdato.")
        return None, birth_date
    try:
        number, derived = national_id(row.text("national_id"), real_today)
    except InvalidInput as error:
        row.error("national_id", str(error))
        return None, birth_date
    if birth_date is not None and birth_date != derived:
        row.error("patient_birth_date", "Fødselsdatoen stemmer ikke med fødselsnummeret.")
    return number, derived


def _contact(row: Row, region: str | None) -> Contact:
    """Name, address and municipality: optional, each blank when not given (the import then keeps the
    placeholder name, and the letters the last address known). An address is whole or left out; a municipality
    number must lie in a county of the patient's region."""
    name, street, code, place, municipality = (row.text(column) or None for column in (
        "patient_name", "patient_street", "patient_postal_code", "patient_postal_place", "patient_municipality"))
    if not (name or street or code or place or municipality):
        return NO_CONTACT
    for column, value, limit in (("patient_name", name, MAX_NAME), ("patient_street", street, MAX_STREET),
                                 ("patient_postal_place", place, MAX_PLACE)):
        if value and len(value) > limit:
            row.error(column, f"Feltet kan ha høyst {limit} tegn.")
    try:
        check_address(street, code, place)
    except InvalidInput as refused:
        for error in getattr(refused, "errors", [refused]):   # every part of the address refused at once
            row.error(ADDRESS_COLUMNS.get(error.field, "patient_street"), str(error))
    if municipality:
        municipality = normalise_municipality(municipality)
        if region and municipality_number(municipality):
            try:
                validate_municipality(municipality, region)
            except InvalidInput as error:
                row.error("patient_municipality", str(error))
    return Contact(name, street, code, place, municipality)


def _diagnosis(row: Row) -> tuple[str | None, str | None]:
    if not row.required("icd10"):
        return None, None
    checked = icd10(row.text("icd10"))
    if isinstance(checked, str):
        row.error("icd10", checked)
        return None, None
    return checked


def _decision(row: Row, stream: Stream | None, received_on: date | None,
              today: date) -> tuple[Decision | None, date | None]:
    """The office's decision and its date: both or neither, never for a referral, not before receipt."""
    if row.text("decision").lower() == Decision.PARTIAL.value:
        # A partial grant itemises what was granted and refused (services._check_parts); a row cannot.
        row.error("decision", "Et delvis innvilget vedtak kan ikke importeres, fordi raden ikke kan si hva som er "
                              "innvilget og avslått. Importer søknaden uten vedtak, og fatt vedtaket i saken.")
        decision = Decision.PARTIAL
    else:
        decision = row.code("decision", IMPORTED_DECISIONS, required=False)
    decided_on = row.date("decision_date", today, required=False)
    if stream is not None and not stream.has_decision:
        if row.text("decision") or row.text("decision_date"):
            row.error(row.either("decision", "decision_date"),
                      f"{stream.label} avgjøres ikke av kontoret. Feltet skal stå tomt for henvisninger.")
    elif decision is not None and not row.text("decision_date"):
        row.error("decision_date", "Fyll inn vedtaksdatoen.")
    elif decision is None and row.text("decision_date") and not row.text("decision"):
        row.error("decision_date", "Vedtaksdato uten vedtak. Fyll inn decision eller fjern datoen.")
    if decided_on and received_on and decided_on < received_on:
        row.error("decision_date", f"Vedtaket kan ikke være datert før søknaden ble mottatt ({label(received_on)}).")
    return decision, decided_on


def _approval(row: Row, stream: Stream | None, decision: Decision | None,
              decided_on: date | None) -> tuple[ApprovingBody | None, str | None]:
    """PGD's decision is the approving body's (app/abroad/pgd.py): PGD-nemnda up to 30.6.2020, which the date
    tells; after that Oslo universitetssykehus or St. Olavs hospital, which the row must name. Other streams
    have no approving body."""
    body = row.code("approving_body", ApprovingBody, required=False)
    reference = row.text("approval_reference") or None
    if reference and len(reference) > MAX_APPROVAL_REFERENCE:
        row.error("approval_reference", f"Referansen kan ha høyst {MAX_APPROVAL_REFERENCE} tegn.")
    if stream is not Stream.PGD:
        if stream is not None and (row.text("approving_body") or reference):
            row.error(row.either("approving_body", "approval_reference"),
                      "Godkjenningsinstans og referanse gjelder bare PGD. Feltet skal stå tomt.")
        return None, None
    if decision is None:
        if row.text("approving_body") or reference:
            row.error(row.either("approving_body", "approval_reference"),
                      "Godkjenningsinstans uten svar. Fyll inn decision og decision_date eller fjern feltet.")
        return None, None
    if decision not in (Decision.GRANTED, Decision.DENIED):
        return None, reference
    if decided_on is not None and body is None and row.text("approving_body") == "":
        if decided_on <= PGD_BOARD_LAST_DAY:
            return ApprovingBody.PGD_BOARD, reference
        row.error("approving_body", f"Fyll inn hvem som godkjente PGD etter {label(PGD_BOARD_LAST_DAY)}: "
                                    f"{allowed([ApprovingBody.OUS, ApprovingBody.ST_OLAV])}.")
    elif decided_on is not None and body is not None and not body.approves_on(decided_on):
        row.error("approving_body", f"{body.label} godkjente ikke PGD {label(decided_on)}: PGD-nemnda til og med "
                                    f"{label(PGD_BOARD_LAST_DAY)}, deretter Oslo universitetssykehus eller St. Olavs "
                                    "hospital.")
    return body, reference


def _treated_at(row: Row, stream: Stream | None, decision: Decision | None) -> tuple[str | None, str | None]:
    """The country and hospital of the treatment: only for a granted application or a referral."""
    where = None
    if row.text("country"):
        checked = country(row.text("country"))
        if isinstance(checked, InvalidInput):
            row.error("country", str(checked))
        else:
            where = checked
    hospital = row.text("hospital") or None
    if hospital and len(hospital) > MAX_HOSPITAL:
        row.error("hospital", f"Sykehusnavnet kan ha høyst {MAX_HOSPITAL} tegn.")
    treated = stream is not None and (not stream.has_decision or (decision is not None and decision.grants))
    if stream is not None and not treated and (row.text("hospital") or row.text("country")):
        row.error(row.either("hospital", "country"),
                  "Sykehus og land kan bare oppgis for innvilgede søknader og for henvisninger.")
    return where, hospital
