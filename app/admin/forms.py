from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from app.auth.roles import Role
from app.cases.regions import ABROAD_OFFICES
from app.forms import choices


class UserForm(FlaskForm):
    name = StringField("Navn", validators=[DataRequired(message="Fyll inn navn."), Length(max=200)])
    email = EmailField("E-postadresse", validators=[
        DataRequired(message="Fyll inn e-postadresse."),
        Email(message="Oppgi en gyldig e-postadresse.", check_deliverability=False)])
    role = SelectField("Rolle", choices=choices((role.value, role.label) for role in Role))
    office = SelectField("Utenlandskontor", choices=choices(ABROAD_OFFICES.items(), blank="Ingen"),
                         description="Bare for saksbehandlere for behandling i utlandet.")
    password = PasswordField("Startpassord", validators=[DataRequired(message="Fyll inn et startpassord.")],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Opprett bruker")


class PatientLookupForm(FlaskForm):
    national_id = StringField("Pasientens fødselsnummer eller D-nummer",
                              validators=[DataRequired(message="Fyll inn fødselsnummer eller D-nummer.")],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField("Vis innsynslogg")
