"""Forms of the suitability assessment (egnethetsvurdering) and of a row in its table of ongoing
clinical trials. The labels come from the assessment's layout (assessment_layout.py); the rules live in
assessment_services.py (choices are not checked here, so a refused value gets the service's message in bokmål)."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import VersionedForm, choices
from app.methods.assessment_layout import LABELS
from app.methods.assessment_services import (
    APPROVALS,
    ASSESSMENT_FIELDS,
    AUTHOR_BODIES,
    FINANCING,
    RECOMMENDATIONS,
    SIMPLIFIED_APPROACHES,
    TRIAL_FIELDS,
    USAGE_SCOPES,
    USAGE_STAGES,
    AssessmentChanges,
    ReferenceRow,
    TrialRow,
)
from app.methods.forms import CheckboxesField
from app.methods.models import SimplifiedApproach
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


def _approach(value) -> str:
    """The stored sub-type as the select's value ('' for none); the service refuses a value not on the list."""
    return value.value if isinstance(value, SimplifiedApproach) else (value or "")


def _text(name: str, description: str | None = None) -> TextAreaField:
    return TextAreaField(LABELS[name], validators=[Length(max=LONG_TEXT)], description=description)


def _checkboxes(name: str, vocabulary: dict) -> CheckboxesField:
    return CheckboxesField(LABELS[name], choices=choices(vocabulary.items()), validate_choice=False)


class CountField(StringField):
    """A count typed as text (the service parses it and explains a bad value), stored as an integer:
    the stored number is shown as text, also when a submission leaves the field out."""

    def process_data(self, value) -> None:
        self.data = str(value) if isinstance(value, int) else value


class AssessmentForm(VersionedForm):
    # 1. Status og oppsummering
    summary = _text("summary")
    pico_population = _text("pico_population")
    pico_comparator = _text("pico_comparator")
    pico_intervention = _text("pico_intervention")
    pico_outcome = _text("pico_outcome")
    suggested_experts = _text("suggested_experts")
    approvals = _checkboxes("approvals", APPROVALS)
    approval_comment = _text("approval_comment")
    financing = _checkboxes("financing", FINANCING)
    usage_stage = _checkboxes("usage_stage", USAGE_STAGES)
    usage_comment = _text("usage_comment")
    usage_scope = _checkboxes("usage_scope", USAGE_SCOPES)
    recommendation = RadioField(
        LABELS["recommendation"], coerce=_recommendation, validate_choice=False,
        choices=choices([*((number, f"{number}: {label}") for number, label in RECOMMENDATIONS.items()),
                         ("", "Ikke valgt ennå")]))
    recommended_aspects = _checkboxes("recommended_aspects", ASPECTS)
    simplified_approach = SelectField(
        LABELS["simplified_approach"], coerce=_approach, validate_choice=False, description="Bare ved anbefaling 3.",
        choices=choices([("", "Velg et element"), *SIMPLIFIED_APPROACHES.items()]))
    recommendation_comment = _text("recommendation_comment")
    # 2. Punktoppsummering
    points_method = _text("points_method", "Ett punkt per linje.")
    points_documentation = _text("points_documentation", "Ett punkt per linje.")
    points_health_economics = _text("points_health_economics", "Ett punkt per linje.")
    points_recommendation = _text("points_recommendation", "Ett punkt per linje.")
    links = _text("links", "Én adresse per linje, f.eks. til tidligere metodeside.")
    # 3. Beskrivelse av metoden (3.1)
    description_principle = _text("description_principle")
    description_benefit = _text("description_benefit")
    description_safety = _text("description_safety")
    description_population = _text("description_population")
    description_current_treatment = _text("description_current_treatment")
    description_health_economics = _text("description_health_economics")
    # 4. Dokumentasjonsgrunnlag
    relevant_studies = _text("relevant_studies")
    hta_national = _text("hta_national")
    hta_international = _text("hta_international")
    systematic_reviews_count = CountField(LABELS["systematic_reviews_count"], render_kw=NUMBER,
                                          validators=[Length(max=10)])
    method_alerts = _text("method_alerts")
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


class ReferenceForm(FlaskForm):
    """An entry of the assessment's reference list; new entries go at the end, so no citation changes."""

    citation = TextAreaField("Referanse", validators=[DataRequired(message="Skriv referansen (forfatter, tittel, "
                                                                           "kilde og år)."), Length(max=2000)],
                             description="F.eks. Golan DJ et al. Cost-effectiveness of endoscopic spine surgery: "
                                         "a systematic review. 2023.")
    url = StringField("Adresse eller DOI", validators=[Length(max=500)],
                      description="Valgfri. En adresse (https://…) eller en DOI (10.1186/s13018-023-03547-x).")
    submit = SubmitField("Lagre referanse")

    def to_command(self) -> ReferenceRow:
        return ReferenceRow(citation=self.citation.data, url=self.url.data)


class EditReferenceForm(ReferenceForm, VersionedForm):
    """A stored entry: the version it was opened at travels with it."""
