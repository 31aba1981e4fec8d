"""The letters of treatment abroad: the decision letter to the patient (or the guardians), the office's decisions on
a complaint (the dismissal of a late one, the reversal of its decision) and the forwarding letter to Klagenemnda.
The rules run first, so a refused step costs no PDF; then the letter is rendered once as HTML (shown as the preview
before filing) and the same HTML becomes the filed PDF (WeasyPrint). Used by the pages and the API.

Each letter carries the sender's block of the office (app/core/regions.py, UNIT_CONTACTS), is addressed through
`letter_addressees` (the guardians, «Foresatte til …» or the patient, with the address valid on the letter's date),
and the decision letter lists its copies («Kopi til»): the referring doctor and the patient's home regional health
authority, which pays for the treatment.
"""
import hashlib
from dataclasses import dataclass
from datetime import date

from flask import render_template
from markupsafe import Markup

from app.abroad import services
from app.abroad.commands import LateAppealAssessment, NewDecision, PartDecision, Reconsideration
from app.abroad.hospitals import find
from app.abroad.importing.applications import is_placeholder_name
from app.abroad.models import Appeal, Application, Decision, DecisionItem, OfficeOutcome
from app.cases.interface import Case, filed_documents, get_case, letter_addressees, letter_facts
from app.core.regions import region_name, unit_contact
from app.errors import DomainError, InvalidInput
from app.forms import saved, show_error
from app.pdf import pdf_from_html

SUBJECT_LINE = "Behandling i utlandet · pasient- og brukerrettighetsloven § 2-4a"


@dataclass(frozen=True)
class Letter:
    """A letter rendered for preview and filing: `body` is what the preview shows, `document` the whole page."""

    title: str
    body: Markup
    missing_address: bool

    @property
    def document(self) -> str:
        return render_template("pdf/letter.html", title=self.title, body=self.body)

    @property
    def digest(self) -> str:
        """Identifies the text previewed: filing from the page files only the letter the caseworker saw."""
        return hashlib.sha256(str(self.body).encode()).hexdigest()

    def pdf(self) -> bytes:
        return pdf_from_html(self.document)


def copies(application: Application) -> list[str]:
    """«Kopi til»: the referring doctor (with the hospital) and the home region's regional health authority."""
    referrer = ", ".join(filter(None, (application.referring_doctor, application.referring_hospital)))
    return [name for name in (referrer, f"{region_name(application.home_region)} RHF") if name]


def _patient_name(case: Case, on_date: date) -> str:
    """The patient's name as the office knows it on the letter's date; an imported placeholder is refused, so no
    letter goes out to «Ukjent navn»."""
    name = letter_facts(case, on_date).name
    if is_placeholder_name(name):
        raise InvalidInput("Pasientens navn er ikke registrert (saken er importert uten navn). Registrer navnet "
                           "under «Pasientens opplysninger over tid og verger» i saken før brevet lages.")
    return name


@dataclass(frozen=True)
class PartLine:
    """An item of a partial grant as its letter states it: what was asked (`asked`: the hospital's name), whether
    it is granted, why not, and the hospital granted instead («name (country)»)."""

    label: str
    granted: bool
    reason: str | None = None
    asked: str | None = None
    instead: str | None = None


def part_lines(application: Application, parts: tuple[PartDecision, ...]) -> list[PartLine]:
    lines = []
    for part in parts:
        hospital = find(part.instead_hospital) if part.instead_hospital and not part.granted else None
        instead = (f"{hospital.name} ({services.country_name(hospital.country or part.instead_country)})"
                   if hospital is not None else None)
        lines.append(PartLine(part.item.label, part.granted, part.reason, instead=instead,
                              asked=application.requested_where if part.item is DecisionItem.HOSPITAL else None))
    return lines


def decision_letter(case: Case, application: Application, command: NewDecision, *, actor,
                    today: date | None = None) -> Letter | None:
    """The decision letter the command would file, after the decision's rules; None for a withdrawal (no letter)."""
    check = services.check_decision(application, command, today=today)
    if command.decision is Decision.WITHDRAWN:
        return None
    addressees = letter_addressees(case, command.decided_on)
    body = render_template(
        "abroad/pdf/decision_letter.html", case=case, patient_name=_patient_name(case, command.decided_on),
        addressees=addressees, application=application, decision=command.decision, decided_on=command.decided_on,
        legal_basis=command.legal_basis, reasoning=command.reasoning, citation=(check or {}).get("citation"),
        contact=unit_contact(case.unit), subject_line=SUBJECT_LINE, sender=actor.name, copies=copies(application),
        appeal_weeks=services.APPEAL_WEEKS, board=services.BOARD_NAME,
        experimental_notice=services.experimental_notice(application),
        parts=part_lines(application, command.parts),
        attachments=[document for document in filed_documents(case) if document.id in command.attachments])
    return Letter(f"Vedtak {case.number}", Markup(body),
                  missing_address=any(not addressee.address_lines for addressee in addressees))


def decide_with_letter(case: Case, application: Application, command: NewDecision, *, actor,
                       today: date | None = None) -> Letter | None:
    """Record the decision and file its letter (the one `decision_letter` shows)."""
    letter = decision_letter(case, application, command, actor=actor, today=today)
    services.decide(application, command, actor=actor, letter=letter.pdf() if letter else None, today=today)
    return letter


def forwarding_letter(case: Case, appeal: Appeal, command: Reconsideration, *, actor) -> Letter:
    """The letter forwarding the complaint to Klagenemnda. It lists the documents of the application's case and of
    the appeal's, which go with it."""
    application_case = get_case(appeal.application.case_id)
    addressees = letter_addressees(case, command.decided_on)
    body = render_template(
        "abroad/pdf/forwarding_letter.html", case=case, application_case=application_case,
        patient_name=_patient_name(case, command.decided_on), addressees=addressees, appeal=appeal,
        application=appeal.application, forwarded_on=command.decided_on, reasoning=command.reasoning,
        contact=unit_contact(case.unit), subject_line=SUBJECT_LINE, sender=actor.name, board=services.BOARD_NAME,
        attachments=filed_documents(application_case, case))
    return Letter(f"Oversendelse av klage {case.number}", Markup(body),
                  missing_address=any(not addressee.address_lines for addressee in addressees))


def _appeal_decision_letter(case: Case, appeal: Appeal, *, dismissed: bool, decided_on: date, reasoning: str,
                            actor) -> Letter:
    """The office's own decision on a complaint, to the patient: the dismissal of a late complaint or the
    reversal of its decision, with the reasons and the appeal information (either is a decision that can be
    appealed, forvaltningsloven § 28)."""
    application = appeal.application
    addressees = letter_addressees(case, decided_on)
    body = render_template(
        "abroad/pdf/appeal_decision_letter.html", case=case, application_case=get_case(application.case_id),
        patient_name=_patient_name(case, decided_on), addressees=addressees, appeal=appeal, application=application,
        dismissed=dismissed, decided_on=decided_on, reasoning=reasoning,
        late_limit=services.late_appeal_limit(application.decided_on), legal_basis=services.LEGAL_BASIS,
        what="vedtaket om å avvise klagen" if dismissed else "det nye vedtaket",
        contact=unit_contact(case.unit), subject_line=SUBJECT_LINE, sender=actor.name, copies=copies(application),
        appeal_weeks=services.APPEAL_WEEKS, board=services.BOARD_NAME)
    title = "Avvisning av klage" if dismissed else "Vedtak etter klage"
    return Letter(f"{title} {case.number}", Markup(body),
                  missing_address=any(not addressee.address_lines for addressee in addressees))


def reconsideration_letter(case: Case, appeal: Appeal, command: Reconsideration, *, actor,
                           today: date | None = None) -> Letter:
    """The letter the reconsideration would file, after its rules: the decision letter to the patient when the
    office reverses its decision (§ 33), the forwarding letter to Klagenemnda when it upholds it."""
    services.check_reconsideration(appeal, command, today=today)
    if command.outcome is OfficeOutcome.REVERSED:
        return _appeal_decision_letter(case, appeal, dismissed=False, decided_on=command.decided_on,
                                       reasoning=command.reasoning, actor=actor)
    return forwarding_letter(case, appeal, command, actor=actor)


def reconsider_with_letter(case: Case, appeal: Appeal, command: Reconsideration, *, actor,
                           today: date | None = None) -> Letter:
    """Record the office's reconsideration and file its letter (the one `reconsideration_letter` shows)."""
    letter = reconsideration_letter(case, appeal, command, actor=actor, today=today)
    services.reconsider(appeal, command, actor=actor, letter=letter.pdf(), today=today)
    return letter


def late_assessment_letter(case: Case, appeal: Appeal, command: LateAppealAssessment, *, actor,
                           today: date | None = None) -> Letter | None:
    """The dismissal letter (avvisningsvedtak) the § 31 assessment would file, after its rules; None when the
    complaint is considered after all (no letter: the complaint goes on to the reconsideration)."""
    services.check_late_appeal(appeal, command, today=today)
    if command.consider:
        return None
    return _appeal_decision_letter(case, appeal, dismissed=True, decided_on=command.decided_on,
                                   reasoning=command.assessment, actor=actor)


def assess_late_with_letter(case: Case, appeal: Appeal, command: LateAppealAssessment, *, actor,
                            today: date | None = None) -> Letter | None:
    """Record the § 31 assessment and, when the complaint is dismissed, file the dismissal letter."""
    letter = late_assessment_letter(case, appeal, command, actor=actor, today=today)
    services.assess_late_appeal(appeal, command, actor=actor, letter=letter.pdf() if letter else None, today=today)
    return letter


# The pages: preview, then file

PREVIEW, FILE, INSERT = "forhandsvis", "journalfor", "sett_inn"   # the form's buttons (name «steg»)


@dataclass(frozen=True)
class Preview:
    """What the form page shows under the form: the letter (None when the step sends none) and whether the text
    changed since the caseworker last saw it (then it is shown again instead of being filed)."""

    letter: Letter | None
    changed: bool = False


def preview_or_file(form, step: str | None, previewed: str | None, *, preview, file) -> tuple[bool, Preview | None]:
    """One post of a letter's form: «Forhåndsvis» renders the letter (`preview()`, which runs the rules and saves
    nothing); «Journalfør» files (`file()`, committed once by `saved`) only when the letter is the one previewed
    (`previewed`, its digest), else shows the new text first. A post without a step files at once. Returns whether
    it was filed, and the preview to show."""
    if step not in (PREVIEW, FILE):
        return saved(form, file), None
    try:
        letter = preview()
    except DomainError as error:
        show_error(form, error)
        return False, None
    same = letter is None or letter.digest == previewed
    if step == FILE and same:
        return saved(form, file), Preview(letter)
    return False, Preview(letter, changed=step == FILE)


def insert_phrase(field, phrases: list, phrase_id: str | None) -> None:
    """Append the chosen standard phrase (one of the office's `phrases`) to the text `field`, as a paragraph of
    its own; the caseworker adapts it before the preview. An unknown choice changes nothing."""
    chosen = next((phrase for phrase in phrases if str(phrase.id) == (phrase_id or "")), None)
    if chosen is not None:
        field.data = "\n\n".join(filter(None, ((field.data or "").rstrip(), chosen.text)))


def chosen_attachments(values: list[str]) -> tuple[int, ...]:
    """The documents ticked as «Vedlegg» on a letter's form (their ids); anything else is ignored."""
    return tuple(sorted({int(value) for value in values if value.isdigit()}))
