from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
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
    ValidationError,
)

from app.auth.roles import Role
from app.cases.regions import ABROAD_OFFICES
from app.forms import NorwegianDateField, choices


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
    national_id = StringField("Pasientens fødselsnummer eller D-nummer",
                              validators=[DataRequired(message="Fyll inn fødselsnummer eller D-nummer.")],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField("Vis innsynslogg")


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
