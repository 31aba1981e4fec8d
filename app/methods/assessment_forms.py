"""Forms of the suitability assessment (egnethetsvurdering) and of a row in its table of ongoing
clinical trials. Labels follow the form in seed S2; the rules live in assessment_services.py
(choices are not checked here, so a refused value gets the service's message in bokmål)."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import VersionedForm, choices
from app.methods.assessment_services import (
    APPROVALS,
    ASSESSMENT_FIELDS,
    AUTHOR_BODIES,
    FINANCING,
    RECOMMENDATIONS,
    TRIAL_FIELDS,
    USAGE_SCOPES,
    USAGE_STAGES,
    AssessmentChanges,
    TrialRow,
)
from app.methods.forms import CheckboxesField
from app.methods.services import ASPECTS

LONG_TEXT = 50_000
NUMBER = {"inputmode": "numeric"}


def _recommendation(value):
    """'1'…'3' as a number, '' as no recommendation; anything else is left for the service to refuse."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _text(label: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=LONG_TEXT)], description=description)


def _checkboxes(label: str, vocabulary: dict) -> CheckboxesField:
    return CheckboxesField(label, choices=choices(vocabulary.items()), validate_choice=False)



class CountField(StringField):
    """A count typed as text (the service parses it and explains a bad value), stored as an integer:
    the stored number is shown as text, also when a submission leaves the field out."""

    def process_data(self, value) -> None:
        self.data = str(value) if isinstance(value, int) else value

class AssessmentForm(VersionedForm):
    # 1. Status og oppsummering
    summary = _text("1.1 Oppsummering")
    pico_population = _text("Populasjon")
    pico_comparator = _text("Komparator")
    pico_intervention = _text("Intervensjon")
    pico_outcome = _text("Utfall")
    suggested_experts = _text("Forslag til fageksperter")
    approvals = _checkboxes("1.5 Status for godkjenning", APPROVALS)
    approval_comment = _text("Kommentar")
    financing = _checkboxes("1.6 Finansieringsansvar", FINANCING)
    usage_stage = _checkboxes("1.7 Status for bruk", USAGE_STAGES)
    usage_comment = _text("Kommentar")
    usage_scope = _checkboxes("Bruk og endring", USAGE_SCOPES)
    recommendation = RadioField(
        "1.8 Bestillingsanbefaling", coerce=_recommendation, validate_choice=False,
        choices=choices([*((number, f"{number}: {label}") for number, label in RECOMMENDATIONS.items()),
                         ("", "Ikke valgt ennå")]))
    recommended_aspects = _checkboxes("Aspekter som bør vurderes", ASPECTS)
    simplified_approach = StringField("Forenklet metodisk tilnærming", validators=[Length(max=100)],
                                      description="Bare ved anbefaling 3.")
    recommendation_comment = _text("Kommentar")
    # 2. Punktoppsummering
    points_method = _text("2.1 Om metoden", "Ett punkt per linje.")
    points_documentation = _text("2.2 Om dokumentasjonsgrunnlaget", "Ett punkt per linje.")
    points_health_economics = _text("2.3 Om helseøkonomi", "Ett punkt per linje.")
    points_recommendation = _text("2.4 Om bestillingsanbefaling", "Ett punkt per linje.")
    links = _text("Lenker", "Én adresse per linje, f.eks. til tidligere metodeside.")
    # 3. Beskrivelse av metoden (3.1)
    description_principle = _text("Status og prinsipp for metode")
    description_benefit = _text("Potensiell nytte")
    description_safety = _text("Sikkerhetsaspekter og risikoforhold")
    description_population = _text("Sykdomsbeskrivelse og pasientgrunnlag")
    description_current_treatment = _text("Dagens behandling")
    description_health_economics = _text("Helseøkonomi")
    # 4. Dokumentasjonsgrunnlag
    relevant_studies = _text("4.1 Relevante og sentrale kliniske studier")
    hta_national = _text("Metodevurdering – nasjonalt/lokalt")
    hta_international = _text("Metodevurdering / systematiske oversikt – internasjonalt")
    systematic_reviews_count = CountField("Antall systematiske oversikter", render_kw=NUMBER,
                                          validators=[Length(max=10)])
    method_alerts = _text("Metodevarsel")
    # Dokument
    author_body = SelectField("Utarbeidet av", choices=choices(AUTHOR_BODIES.items()), validate_choice=False)
    document_version = StringField("Dokumentversjon", validators=[
        DataRequired(message="Fyll inn dokumentversjon, f.eks. 1.0."), Length(max=20)])
    submit = SubmitField("Lagre egnethetsvurdering")

    def to_command(self) -> AssessmentChanges:
        """What the user entered, every field of the assessment (for assessment_services)."""
        return AssessmentChanges(**{name: self[name].data for name in ASSESSMENT_FIELDS})


class TrialForm(FlaskForm):
    """A row of 4.2 Pågående kliniske studier."""

    population = TextAreaField("Populasjon", validators=[
        DataRequired(message="Fyll inn populasjonen."), Length(max=5000)])
    participants = CountField("Antall deltakere (n)", render_kw=NUMBER, validators=[Length(max=10)])
    intervention = TextAreaField("Intervensjon", validators=[
        DataRequired(message="Fyll inn intervensjonen."), Length(max=5000)])
    control = TextAreaField("Kontrollgruppe", validators=[Length(max=5000)])
    main_outcome = TextAreaField("Hovedutfallsmål", validators=[Length(max=5000)])
    registry_id = StringField("Studienummer", validators=[DataRequired(message="Fyll inn studienummeret."),
                                                          Length(max=32)],
                              description="ClinicalTrials.gov (NCT06719037), EudraCT (2020-001234-12) "
                                          "eller EU CT (2023-500001-12-00).")
    country = StringField("Land", validators=[Length(max=100)])
    estimated_completion = StringField("Forventet ferdig", validators=[Length(max=20)],
                                       description="mm.åååå, f.eks. 09.2025, eller bare året.")
    recruitment_status = StringField("Status", validators=[Length(max=100)],
                                     description="F.eks. recruiting, active, not recruiting.")
    submit = SubmitField("Lagre studie")

    def to_command(self) -> TrialRow:
        return TrialRow(**{name: self[name].data for name in TRIAL_FIELDS})


class EditTrialForm(TrialForm, VersionedForm):
    """A stored trial row: the version it was opened at travels with it."""
