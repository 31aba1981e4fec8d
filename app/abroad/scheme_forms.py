"""Forms of the steps where another body decides: recording the approval of PGD (app/abroad/pgd.py) and forwarding
an application to the scheme it belongs to (app/abroad/forwarding.py). The JSON API uses them too."""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.abroad.commands import Forwarding, PgdApproval
from app.abroad.forms import DATE_MESSAGE, LONG_TEXT, _enum_choices, _required_choice
from app.abroad.models import ApprovingBody, Decision, ForwardedTo
from app.abroad.pgd import OUTCOMES
from app.forms import TIDY_TEXT, NorwegianDateField, choices, command_from


class PgdApprovalForm(FlaskForm):
    decision = RadioField("Svar", choices=choices((outcome.value, "Godkjent" if outcome is Decision.GRANTED
                                                   else "Avslått") for outcome in OUTCOMES),
                          validate_choice=False,
                          validators=[_required_choice("Velg om PGD er godkjent eller avslått.")])
    approving_body = SelectField("Godkjent av", choices=_enum_choices(ApprovingBody, blank="Velg instans"),
                                 validate_choice=False, validators=[_required_choice("Velg hvem som godkjente.")],
                                 description="PGD-nemnda til og med 30.06.2020; fra 01.07.2020 Oslo "
                                             "universitetssykehus eller St. Olavs hospital.")
    decided_on = NorwegianDateField("Dato for godkjenningen", [DataRequired(message=DATE_MESSAGE)],
                                    default=date.today)
    approval_reference = StringField("Instansens referanse", filters=TIDY_TEXT, validators=[Length(max=60)])
    submit = SubmitField("Registrer godkjenningen")
    command_class = PgdApproval

    def to_command(self) -> PgdApproval:
        return command_from(self, PgdApproval, decision=Decision(self.decision.data),
                            approving_body=ApprovingBody(self.approving_body.data))


class ForwardingForm(FlaskForm):
    forwarded_to = RadioField("Sendes til", choices=_enum_choices(ForwardedTo), validate_choice=False,
                              validators=[_required_choice("Velg ordningen søknaden hører til.")])
    body_name = StringField("Navn på instansen", filters=TIDY_TEXT, validators=[Length(max=200)],
                            description="Bare for «Annen instans».")
    forwarded_on = NorwegianDateField("Dato", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    reason = TextAreaField("Hvorfor søknaden hører til en annen ordning", filters=TIDY_TEXT,
                           validators=[Length(max=LONG_TEXT)], render_kw={"rows": 6},
                           description="Står i brevet til pasienten.")
    submit = SubmitField("Send videre")
    command_class = Forwarding

    def to_command(self) -> Forwarding:
        return command_from(self, Forwarding, forwarded_to=ForwardedTo(self.forwarded_to.data))
