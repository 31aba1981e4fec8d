"""Forms of the referral pages and the member register. The rules live in app/panel/services.py;
these check the input only."""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Optional

from app.cases.interface import PatientFieldsMixin, icd10_code
from app.core.regions import REGIONS
from app.forms import TIDY_TEXT, NorwegianDateField, VersionedForm, choices, command_from
from app.panel import services
from app.panel.commands import MemberDetails, NewExpert, NewReferral

DATE_MESSAGE = "Fyll inn en dato (dd.mm.åååå)."


class ReferralForm(PatientFieldsMixin, FlaskForm):
    command_class = NewReferral
    # Henvisning
    referring_trust = SelectField("Henvisende helseforetak", validate_choice=False, filters=TIDY_TEXT,
                                  description="Regionsykehusene er merket. Henvisninger fra andre helseforetak skal "
                                              "være gjennomgått med regionsykehuset.")
    referring_department = StringField("Avdeling", filters=TIDY_TEXT, validators=[Length(max=200)])
    referring_doctor = StringField("Henvisende lege", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn henvisende lege."), Length(max=200)])
    referred_on = NorwegianDateField("Henvisningsdato", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    home_trust = SelectField("Helseforetaket der pasienten bor", validate_choice=False, filters=TIDY_TEXT,
                             description="Får kopi av uttalelsen. Står feltet tomt, brukes det henvisende "
                                         "helseforetaket.")
    regional_review_by = StringField(
        "Gjennomgått med (avdeling og lege ved regionsykehuset)", filters=TIDY_TEXT, validators=[Length(max=300)],
        description="Påkrevd når henvisningen ikke kommer fra regionsykehuset: pasientens situasjon skal være "
                    "gjennomgått med aktuell avdeling ved regionsykehuset.")
    regional_review_on = NorwegianDateField("Dato for gjennomgangen med regionsykehuset", [Optional()])
    # Medisinske opplysninger
    icd10 = StringField("Hoveddiagnose (ICD-10)", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn ICD-10-kode."), Length(max=8), icd10_code],
        description="F.eks. C34.9.", render_kw={"autocomplete": "off"})
    condition = TextAreaField("Alvorlig, livsforkortende tilstand", filters=TIDY_TEXT, validators=[
        DataRequired(message="Beskriv den alvorlige, livsforkortende tilstanden."), Length(max=10000)])
    treatments_tried = TextAreaField("Etablert behandling som er forsøkt, og effekten av den", filters=TIDY_TEXT,
                                     validators=[DataRequired(message="Beskriv etablert behandling som er forsøkt, "
                                                                      "og effekten av den."), Length(max=10000)])
    question = TextAreaField("Spørsmål til ekspertpanelet", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn spørsmålet til ekspertpanelet."), Length(max=10000)])
    complete_on = NorwegianDateField("Dato henvisningen var komplett", [Optional()],
                                     description="Svarfristen på 14 dager regnes fra denne datoen. "
                                                 "Står feltet tomt, brukes henvisningsdatoen.")
    submit = SubmitField("Registrer henvisning")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        trusts = [(trust.name, f"{trust.name} ({REGIONS[trust.region]}"
                               f"{', regionsykehus' if trust.is_regional_hospital else ''})")
                  for trust in services.health_trusts()]
        self.referring_trust.choices = choices(trusts, blank="Velg helseforetak")
        self.home_trust.choices = choices(trusts, blank="Samme som henvisende helseforetak")

    def validate_referring_trust(self, field) -> None:
        if not field.data:
            raise ValidationError("Velg henvisende helseforetak.")

    def to_command(self) -> NewReferral:
        return command_from(self, NewReferral)


class MemberFieldsMixin:
    name = StringField("Navn", filters=TIDY_TEXT, validators=[DataRequired(message="Fyll inn navn."), Length(max=200)])
    specialty = StringField("Fagområde", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn fagområde."), Length(max=200)])
    hospital = StringField("Universitetssykehus", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn universitetssykehus."), Length(max=200)])
    appointing_region = SelectField("Oppnevnt av (regionalt helseforetak)",
                                    choices=choices(REGIONS.items(), blank="Velg region"))
    term_start = NorwegianDateField("Oppnevnt fra", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    term_end = NorwegianDateField("Oppnevnt til", [Optional()], description="La stå tomt hvis perioden ikke er satt.")
    active = BooleanField("Aktivt medlem", default=True)
    user_id = SelectField("Pålogging", coerce=int,
                          description="Brukeren (rollen «Medlem av ekspertpanelet») får tilgang til sakene "
                                      "medlemmet settes på.")

    def validate_appointing_region(self, field) -> None:
        if field.data not in REGIONS:
            raise ValidationError("Velg regionen som oppnevnte medlemmet.")

    def validate_term_end(self, field) -> None:
        if field.data and self.term_start.data and field.data < self.term_start.data:
            raise ValidationError("Oppnevningen kan ikke slutte før den begynner.")

    def to_command(self) -> MemberDetails:
        return command_from(self, MemberDetails, user_id=self.user_id.data or None)   # 0: "Ingen pålogging"


class NewMemberForm(MemberFieldsMixin, FlaskForm):
    submit = SubmitField("Registrer medlem")


class EditMemberForm(MemberFieldsMixin, VersionedForm):
    submit = SubmitField("Lagre endringer")


class AssignMemberForm(FlaskForm):
    member_id = SelectField("Medlem", coerce=int, validate_choice=False)
    submit = SubmitField("Sett på saken")

    def validate_member_id(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Velg et aktivt medlem som ikke allerede er med på saken.")


class ExpertForm(FlaskForm):
    name = StringField("Navn", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn ekspertens navn."), Length(max=200)])
    specialty = StringField("Fagområde", filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn fagområde."), Length(max=200)])
    hospital = StringField("Sykehus eller institusjon", filters=TIDY_TEXT, validators=[Length(max=200)])
    submit = SubmitField("Legg til ekspert")

    def to_command(self) -> NewExpert:
        return command_from(self, NewExpert)
