from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from app.cases.commands import NewGuardian, PatientFactsUpdate
from app.cases.deadlines import DEADLINE_KINDS
from app.cases.identifiers import validate_icd10, validate_national_id
from app.cases.models import CaseStatus, FactsEntryKind, JournalEntryType, PartyType
from app.cases.municipalities import normalise_municipality, validate_municipality
from app.cases.saved_filters import NAME_MAX
from app.cases.services import FOLLOW_UP_METHODS
from app.core.regions import REGIONS
from app.errors import InvalidInput
from app.forms import TIDY_TEXT, NorwegianDateField, VersionedForm, choices, command_from

DATE_MESSAGE = "Fyll inn en dato (dd.mm.åååå)."


class PatientFieldsMixin:
    """The patient in a module's registration form: a national ID or D-number (check digits validated),
    or the birth date when the patient has no Norwegian number; the home municipality as its number,
    whose county must belong to the home region (app/cases/municipalities.py)."""

    national_id = StringField("Fødselsnummer eller D-nummer", validators=[Optional()],
                              description="11 siffer. La stå tomt hvis pasienten ikke har norsk nummer.",
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    patient_name = StringField("Pasientens navn", validators=[DataRequired(message="Fyll inn pasientens navn."),
                                                              Length(max=200)])
    birth_date = NorwegianDateField("Fødselsdato", [Optional()], description="Trengs bare når fødselsnummer mangler.")
    municipality = StringField("Hjemkommune (kommunenummer)", validators=[Optional(), Length(max=100)],
                               filters=[normalise_municipality],
                               description="Valgfri. Fire siffer, gjerne fulgt av navnet, f.eks. 4601 Bergen.")
    home_region = SelectField("Hjemregion", choices=choices(REGIONS.items(), blank="Velg region"))

    def validate_national_id(self, field) -> None:
        if field.data:
            _check(validate_national_id, field.data)

    def validate_birth_date(self, field) -> None:
        if field.errors:
            return
        if not field.data and not self.national_id.data:
            raise ValidationError("Fyll inn fødselsnummer eller fødselsdato.")
        if field.data and field.data > date.today():
            raise ValidationError("Fødselsdatoen kan ikke være fram i tid.")

    def validate_municipality(self, field) -> None:
        if field.data:
            _check(validate_municipality, field.data)

    def validate_home_region(self, field) -> None:
        if field.data not in REGIONS:
            raise ValidationError("Velg pasientens hjemregion.")
        if self.municipality.data and not self.municipality.errors:   # the region must be the county's
            _check(lambda value: validate_municipality(value, field.data), self.municipality.data)


class PatientAddressMixin:
    """The patient's postal address in a registration form: whole or left out (checked by the service)."""

    street = StringField("Adresse", filters=TIDY_TEXT, validators=[Length(max=200)],
                         description="Valgfri. Gateadresse eller postboks.", render_kw={"autocomplete": "off"})
    postal_code = StringField("Postnummer", filters=TIDY_TEXT, validators=[Length(max=4)],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    postal_place = StringField("Poststed", filters=TIDY_TEXT, validators=[Length(max=100)],
                               render_kw={"autocomplete": "off"})


class PatientFactsForm(PatientAddressMixin, VersionedForm):
    """A change (from a date) or a correction of the patient's facts, with the reason."""

    kind = RadioField("Hva gjelder det", choices=choices([
        (FactsEntryKind.CHANGE.value, "Endring fra en dato (f.eks. flyttet eller nytt navn)"),
        (FactsEntryKind.CORRECTION.value, "Retting av feil i opplysningene som gjaldt på datoen")]),
        default=FactsEntryKind.CHANGE.value, validate_choice=False)
    valid_from = NorwegianDateField("Gjelder fra", [DataRequired(message=DATE_MESSAGE)], default=date.today,
                                    description="Ved retting: datoen opplysningene som skal rettes gjaldt.")
    name = StringField("Pasientens navn", filters=TIDY_TEXT,
                       validators=[DataRequired(message="Fyll inn pasientens navn."), Length(max=200)])
    municipality = StringField("Hjemkommune (kommunenummer)", validators=[Optional(), Length(max=100)],
                               filters=[normalise_municipality],
                               description="Valgfri. Fire siffer, gjerne fulgt av navnet, f.eks. 4601 Bergen.")
    home_region = SelectField("Hjemregion", choices=choices(REGIONS.items(), blank="Velg region"))
    reason = TextAreaField("Begrunnelse", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv hvorfor opplysningene endres eller rettes."), Length(max=2000)])
    submit = SubmitField("Lagre")

    def validate_kind(self, field) -> None:
        if field.data not in {kind.value for kind in FactsEntryKind}:
            raise ValidationError("Velg endring eller retting.")

    def validate_home_region(self, field) -> None:
        if field.data not in REGIONS:
            raise ValidationError("Velg pasientens hjemregion.")

    command_class = PatientFactsUpdate

    def to_command(self) -> PatientFactsUpdate:
        return command_from(self, PatientFactsUpdate, kind=FactsEntryKind(self.kind.data),
                            municipality=self.municipality.data or None)


class GuardianForm(FlaskForm):
    name = StringField("Vergens navn", filters=TIDY_TEXT,
                       validators=[DataRequired(message="Fyll inn vergens navn."), Length(max=200)])
    street = StringField("Adresse", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn gateadresse eller postboks."), Length(max=200)])
    postal_code = StringField("Postnummer", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn postnummer."), Length(max=4)], render_kw={"inputmode": "numeric"})
    postal_place = StringField("Poststed", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn poststed."), Length(max=100)])
    valid_from = NorwegianDateField("Fra", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    valid_to = NorwegianDateField("Til", [Optional()], description="Valgfri. Tom når vergemålet varer.")
    submit = SubmitField("Legg til verge")
    command_class = NewGuardian

    def to_command(self) -> NewGuardian:
        return command_from(self, NewGuardian)


class EndGuardianForm(VersionedForm):
    valid_to = NorwegianDateField("Vergemålet sluttet", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    submit = SubmitField("Avslutt vergemål")


def _check(validate, value) -> None:
    try:
        validate(value)
    except InvalidInput as error:
        raise ValidationError(str(error)) from None


def icd10_code(form, field) -> None:
    """WTForms validator: a code in the WHO ICD-10 list."""
    if field.data:
        _check(validate_icd10, field.data)


class EditCaseForm(VersionedForm):
    title = StringField("Sakstittel", validators=[DataRequired(message="Fyll inn sakstittel."), Length(max=300)])
    responsible_id = SelectField("Saksansvarlig", coerce=int)
    reason = TextAreaField("Begrunnelse", validators=[Length(max=2000)],
                           description="Påkrevd når sakstittelen endres (en retting). Vises i sakens historikk "
                                       "sammen med endringen.")
    submit = SubmitField("Lagre endringer")


class StatusForm(VersionedForm):
    status = SelectField("Ny status", choices=choices((status.value, status.label) for status in CaseStatus))
    comment = TextAreaField("Kommentar", validators=[Length(max=2000)],
                            description="Påkrevd når saken settes til «Utgår».")
    submit = SubmitField("Endre status")


class JournalEntryForm(FlaskForm):
    entry_type = SelectField("Journalposttype", choices=choices(
        (kind.value, f"{kind.value} – {kind.label}") for kind in JournalEntryType))
    title = StringField("Tittel", validators=[DataRequired(message="Fyll inn tittel."), Length(max=300)])
    party_name = StringField("Avsender/mottaker", validators=[Length(max=200)],
                             description="Påkrevd for inngående (I) og utgående (U) dokumenter.")
    party_type = SelectField("Avsender eller mottaker er", choices=choices(
        ((party.value, party.label) for party in PartyType), blank="Etter journalposttypen"), default="")
    party_street = StringField("Adresse", filters=TIDY_TEXT, validators=[Length(max=200)])
    party_postal_code = StringField("Postnummer", filters=TIDY_TEXT, validators=[Length(max=4)])
    party_postal_place = StringField("Poststed", filters=TIDY_TEXT, validators=[Length(max=100)])
    party_screened = BooleanField("Skjerm navnet på avsender/mottaker (offl. § 13)",
                                  description="Pasienten som part skjermes alltid i en skjermet sak.")
    journal_date = NorwegianDateField("Journaldato", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    document_date = NorwegianDateField("Dokumentdato", [Optional()])
    file = FileField("Dokument (valgfritt)")
    submit = SubmitField("Journalfør")

    def validate_document_date(self, field) -> None:
        if field.data and self.journal_date.data and field.data > self.journal_date.data:
            raise ValidationError("Dokumentdatoen kan ikke være etter journaldatoen.")

    def draft_command(self) -> dict:
        """What the refused form holds, as the keyword arguments of services.check_journal_entry (None for a
        refused field)."""
        values = {name: None if self[name].errors else self[name].data
                  for name in ("entry_type", "journal_date", "document_date", "party_name")}
        return {**values, "entry_type": JournalEntryType(values["entry_type"]) if values["entry_type"] else None}


class FollowUpForm(VersionedForm):
    method = SelectField("Avskrivningsmåte", choices=choices(FOLLOW_UP_METHODS.items()))
    submit = SubmitField("Avskriv")


class DocumentForm(FlaskForm):
    title = StringField("Dokumenttittel", validators=[DataRequired(message="Fyll inn dokumenttittel."),
                                                      Length(max=300)])
    file = FileField("Fil", validators=[FileRequired(message="Velg en fil.")])
    submit = SubmitField("Last opp")


class DocumentVersionForm(FlaskForm):
    file = FileField("Ny versjon", validators=[FileRequired(message="Velg en fil.")])
    submit = SubmitField("Last opp ny versjon")


class DeadlineForm(FlaskForm):
    kind = SelectField("Type frist", choices=choices(DEADLINE_KINDS.items()))
    due_date = NorwegianDateField("Forfallsdato", [DataRequired(message=DATE_MESSAGE)],
                           description="Faller datoen på en helg eller helligdag, flyttes fristen til neste virkedag.")
    responsible_id = SelectField("Ansvarlig", coerce=int)
    description = StringField("Beskrivelse", validators=[Length(max=300)])
    submit = SubmitField("Legg til frist")


class CompleteDeadlineForm(VersionedForm):
    submit = SubmitField("Marker som utført")


class AssignForm(FlaskForm):
    user_id = SelectField("Gi tilgang til", coerce=int)
    submit = SubmitField("Gi tilgang")


class ResponsibleForm(FlaskForm):
    """Assign a case to a caseworker of its unit (from a work queue); the service checks who may take it, the
    choices are the page's offer."""

    user_id = SelectField("Saksbehandler", coerce=int, validate_choice=False)
    next = HiddenField()
    submit = SubmitField("Tildel")


class SavedFilterForm(FlaskForm):
    """«Lagre filter» on a list page: a name for the list URL's current filter (the list and its query
    string travel as hidden fields). Built with prefix="lagre" so its ids never meet the filter form's."""

    name = StringField("Navn på filteret", validators=[
        DataRequired(message="Gi filteret et navn."),
        Length(max=NAME_MAX, message=f"Navnet kan ha høyst {NAME_MAX} tegn.")])
    list_endpoint = HiddenField()
    list_query = HiddenField()
    submit = SubmitField("Lagre filter")
