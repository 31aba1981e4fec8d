"""Forms of the register of foreign hospitals (app/abroad/hospitals.py)."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.abroad.forms import LONG_TEXT, _required_choice, country_choices
from app.abroad.hospitals import HospitalDetails
from app.forms import TIDY_TEXT, VersionedForm, choices, command_from


class HospitalForm(FlaskForm):
    name = StringField("Navn", filters=TIDY_TEXT, validators=[DataRequired(message="Oppgi sykehusets navn."),
                                                                Length(max=200)])
    country = SelectField("Land", validators=[_required_choice("Velg landet sykehuset ligger i.")],
                          validate_choice=False)
    city = StringField("By", filters=TIDY_TEXT, validators=[Length(max=100)])
    agreements = TextAreaField("Avtaler med kontorene", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                               render_kw={"rows": 4},
                               description="Avtaler om økonomisk oppgjør og prosedyrer (henvisning, utskrivning, "
                                           "rapportering, betaling).")
    submit = SubmitField("Lagre sykehuset")
    command_class = HospitalDetails

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def to_command(self) -> HospitalDetails:
        return command_from(self, HospitalDetails)


class EditHospitalForm(HospitalForm, VersionedForm):
    pass


class HospitalChoiceForm(FlaskForm):
    """Which hospital of the register a spelling is, or which one a hospital is merged into."""

    hospital = SelectField("Sykehus", validate_choice=False,
                           validators=[_required_choice("Velg et sykehus i registeret.")])
    submit = SubmitField("Lagre")

    def __init__(self, hospitals, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hospital.choices = choices(((str(each.id), f"{each.name} ({each.country or '–'})")
                                         for each in hospitals), blank="Velg sykehus")
