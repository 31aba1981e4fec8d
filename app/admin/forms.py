from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.cases.services import PartyAddress
from app.core.regions import ABROAD_OFFICES
from app.core.roles import Role
from app.forms import TIDY_TEXT, NorwegianDateField, choices


class UserForm(FlaskForm):
    name = StringField("Navn", validators=[DataRequired(message="Fyll inn navn."), Length(max=200)])
    email = EmailField("E-postadresse", validators=[
        DataRequired(message="Fyll inn e-postadresse."),
        Email(message="Oppgi en gyldig e-postadresse.", check_deliverability=False)])
    role = SelectField("Rolle", choices=choices((role.value, role.label) for role in Role))
    office = SelectField("Utenlandskontor", choices=choices(ABROAD_OFFICES.items(), blank="Ingen"),
                         description="Bare for saksbehandlere for behandling i utlandet.")
    submit = SubmitField("Opprett bruker")


class PatientLookupForm(FlaskForm):
    """The patient whose access log (innsynslogg) to show: by national ID, or by birth date and name. Posted,
    never put in a URL. `choice` picks one of several patients with the same birth date and name."""

    national_id = StringField("Pasientens fødselsnummer eller D-nummer", validators=[Optional()],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    birth_date = NorwegianDateField("Fødselsdato", validators=[Optional()],
                                    description="Uten fødselsnummer: fødselsdato og fullt navn.")
    name = StringField("Fullt navn", validators=[Optional(), Length(max=200)], render_kw={"autocomplete": "off"})
    choice = RadioField("Hvilken pasient?", choices=[], coerce=int, validate_choice=False,
                        validators=[Optional()])
    submit = SubmitField("Vis innsynslogg")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.national_id.data and self.national_id.data.strip():
            return True
        if not self.birth_date.data and not (self.name.data or "").strip():
            self.national_id.errors.append("Fyll inn fødselsnummer eller D-nummer, eller fødselsdato og navn.")
            return False
        if not self.birth_date.data:
            self.birth_date.errors.append("Fyll inn fødselsdatoen sammen med navnet.")
            return False
        if not (self.name.data or "").strip():
            self.name.errors.append("Fyll inn navnet sammen med fødselsdatoen.")
            return False
        return True


class AccessLogRequestForm(PatientLookupForm):
    """A patient's request for their access log (pasientjournalloven § 18): who it concerns (found as on the
    access-log page, each look-up logged), when it came, the address the answer goes to and, optionally, the
    request itself as a file. The name is the patient's as the request gives it (required without a national
    ID, where it finds the patient)."""

    received_on = NorwegianDateField("Mottatt", validators=[InputRequired(message="Fyll inn når forespørselen kom.")])
    street = StringField("Adresse", filters=TIDY_TEXT, validators=[Length(max=200)],
                         description="Svaret sendes hit (pasienten, eller foresatte for et barn).")
    postal_code = StringField("Postnummer", filters=TIDY_TEXT, validators=[Length(max=4)],
                              render_kw={"inputmode": "numeric"})
    postal_place = StringField("Poststed", filters=TIDY_TEXT, validators=[Length(max=100)])
    file = FileField("Forespørselen som fil (valgfritt)")
    submit = SubmitField("Registrer forespørselen")

    def draft_command(self) -> dict:
        """What the form holds, as the keyword arguments of access_log.check_request (None for a refused field)."""
        def value(name: str):
            return None if self[name].errors else self[name].data
        return {"received_on": value("received_on"),
                "address": PartyAddress(value("street"), value("postal_code"), value("postal_place"))}


class AccessLogAnswerForm(FlaskForm):
    """The period the answer covers; the letter is previewed, then filed as shown."""

    period_start = NorwegianDateField("Fra dato", validators=[InputRequired(message="Fyll inn fra-dato.")])
    period_end = NorwegianDateField("Til dato", validators=[InputRequired(message="Fyll inn til-dato.")])

    def draft_command(self) -> dict:
        """The period's dates as access_log.check_period takes them (None for a refused field)."""
        return {"start": None if self.period_start.errors else self.period_start.data,
                "end": None if self.period_end.errors else self.period_end.data}


class LogReviewForm(FlaskForm):
    """The log review's period and thresholds. A GET form: the field names are the URL's parameters, in
    bokmål like those of the log search (/admin/logg?bruker=…&fra=…). The defaults come from config.py."""

    class Meta:
        csrf = False

    fra = NorwegianDateField("Fra dato", validators=[InputRequired(message="Fyll inn fra-dato.")])
    til = NorwegianDateField("Til dato", validators=[InputRequired(message="Fyll inn til-dato.")])
    pasienter = IntegerField("Antall ulike pasienter", validators=[
        InputRequired(message="Fyll inn et antall pasienter."),
        NumberRange(min=2, max=10_000, message="Velg et antall fra 2 til 10 000.")],
        description="Flagg en bruker som har åpnet minst så mange ulike pasienter …",
        render_kw={"inputmode": "numeric"})
    minutter = IntegerField("Innen antall minutter", validators=[
        InputRequired(message="Fyll inn et antall minutter."),
        NumberRange(min=1, max=1440, message="Velg fra 1 til 1440 minutter (ett døgn).")],
        description="… innenfor så mange minutter.", render_kw={"inputmode": "numeric"})

    def validate_til(self, field) -> None:
        if not (self.fra.data and field.data):
            return
        if field.data < self.fra.data:
            raise ValidationError("Til-datoen kan ikke være før fra-datoen.")
        longest = current_app.config["LOG_REVIEW_MAX_DAYS"]
        if (field.data - self.fra.data).days + 1 > longest:
            raise ValidationError(f"Velg en periode på høyst {longest} dager.")
