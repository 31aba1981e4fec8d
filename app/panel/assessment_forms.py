"""Forms of the panel's assessment: the four mandate questions (findings and advice), a treatment item,
the advisory statement, the treating doctor's feedback, a principled question and the referral's ending. The rules
live in services.py; a refused value is shown at its field with the service's bokmål message."""
from datetime import date

from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from app.forms import TIDY_TEXT, NorwegianDateField, choices, command_from, draft_command
from app.panel.commands import (
    AnswerText,
    EndReferral,
    ItemWithdrawal,
    NewContribution,
    NewFeedback,
    NewItem,
    NewPrincipledQuestion,
    NewStatement,
)
from app.panel.models import QUESTIONS, Advice, Classification, ContributionKind, Outcome, ReferralStatus, RefusalGround
from app.panel.services import ENDINGS, FOLLOWED

LONG_TEXT = 20_000


class AnswersForm(FlaskForm):
    """The four questions on one page: findings_N, advice_N and the hidden version_N of each answer
    (0 for an answer not saved yet), so each answer is locked on its own."""

    submit = SubmitField("Lagre vurderingen")

    conflict = False  # set by app.forms.saved when someone else saved an answer first

    def findings(self, question: int):
        return self[f"findings_{question}"]

    def advice(self, question: int):
        return self[f"advice_{question}"]

    def version(self, question: int):
        return self[f"version_{question}"]

    def adopt_version(self, question: int, version: int) -> None:
        """Base the next save of `question` on `version` (after the user has seen the stored text)."""
        field = self.version(question)
        field.raw_data = None
        field.data = version

    def to_command(self, question: int) -> AnswerText:
        return AnswerText(question=question, findings=self.findings(question).data, advice=self.advice(question).data)


def _labelled(text: str, question: int) -> Markup:
    # "Funn" on the page; "Funn, spørsmål 1" for a screen reader and in the error summary.
    return Markup('{}<span class="visually-hidden">, spørsmål {}</span>').format(text, question)


for _question in QUESTIONS:
    setattr(AnswersForm, f"findings_{_question}", TextAreaField(
        _labelled("Funn", _question), filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)], render_kw={"rows": 6}))
    setattr(AnswersForm, f"advice_{_question}", TextAreaField(
        _labelled("Råd", _question), filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)], render_kw={"rows": 4}))
    setattr(AnswersForm, f"version_{_question}", IntegerField(
        widget=HiddenInput(), validators=[InputRequired(message="Skjemaet mangler versjon.")]))


class ItemForm(FlaskForm):
    """A treatment considered under one of the questions."""

    question = SelectField("Spørsmål", choices=choices(
        ((str(number), f"{number}. {text}") for number, text in QUESTIONS.items()), blank="Velg spørsmål"),
        validators=[DataRequired(message="Velg hvilket spørsmål behandlingen hører til.")])
    treatment = StringField("Behandling", filters=TIDY_TEXT, validators=[DataRequired(message="Beskriv behandlingen."),
                                                                    Length(max=300)])
    classification = SelectField("Klassifisering", choices=choices(
        ((item.value, item.label) for item in Classification), blank="Velg klassifisering"),
        validators=[DataRequired(message="Velg klassifisering.")])
    advice = RadioField("Råd", choices=choices((item.value, item.label) for item in Advice),
                        validators=[DataRequired(message="Velg ekspertpanelets råd.")],
                        description="Ekspertpanelet kan ikke anbefale en behandling som er under vurdering i "
                                    "Nye Metoder, eller som Beslutningsforum har besluttet ikke å innføre, og heller "
                                    "ikke utprøvende behandling utenfor studie eller udokumentert behandling. Den kan "
                                    "omtales med henvisning til unntaksordningen.")
    method_reference = StringField("Metode i Nye Metoder", validators=[Length(max=16)], filters=TIDY_TEXT,
                                   description="ID-en til metoden behandlingen gjelder, f.eks. ID2024_090. "
                                               "Påkrevd når beskrivelsen nevner en metode i Nye Metoder (ID, "
                                               "virkestoff eller handelsnavn). Statusen kontrolleres når "
                                               "behandlingen lagres, og på nytt når uttalelsen sendes.")
    registry_id = StringField("Studienummer", filters=TIDY_TEXT, validators=[Length(max=40)],
                              description="Påkrevd for klinisk studie: ClinicalTrials.gov (NCT06719037), "
                                          "EudraCT (2020-001234-12) eller EU CT (2023-500001-12-00).")
    country = StringField("Land", filters=TIDY_TEXT, validators=[Length(max=100)],
                          description="Påkrevd for klinisk studie. Nordiske land merkes.")
    inclusion_criteria = TextAreaField("Inklusjonskriterier", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)])
    note = TextAreaField("Merknad", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)])
    evidence_of_effect = TextAreaField(
        "Dokumentasjon av effekt", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
        description="Påkrevd for off-label-bruk som ikke frarådes: studier, retningslinjer eller erfaring som "
                    "viser effekt.")
    trust_decided_by = StringField(
        "Beslutter i helseforetaket", filters=TIDY_TEXT, validators=[Length(max=200)],
        description="Påkrevd når rådet viser til utprøvende behandling utenfor studie (unntaksordningen): hvem "
                    "som beslutter, inntil fagdirektøren. Det samme gjelder de fire feltene under.")
    funding = TextAreaField("Finansiering", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                            description="Innenfor helseforetakets rammer; pasienten betaler ikke.")
    consent = TextAreaField("Informasjon og samtykke", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                            description="Kravene til informasjon og samtykke er skjerpet.")
    treatment_plan = TextAreaField("Behandlingsplan", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)])
    knowledge_generation = TextAreaField("Kunnskapsgenerering", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                                         description="Hva som samles inn og hvor det rapporteres.")
    submit = SubmitField("Lagre behandlingen")

    def to_command(self) -> NewItem:
        return command_from(self, NewItem, question=int(self.question.data),
                            classification=Classification(self.classification.data), advice=Advice(self.advice.data))

    def draft_command(self) -> NewItem:
        return draft_command(self, NewItem, question=_question_number(self.question))


def _question_number(field) -> int | None:
    """The question a refused form names, for the service's checks (None: refused or not chosen)."""
    return int(field.data) if field.data and not field.errors else None


class WithdrawItemForm(FlaskForm):
    reason = TextAreaField("Begrunnelse", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv hvorfor behandlingen trekkes tilbake."), Length(max=LONG_TEXT)],
        description="Vises ved behandlingen i saken. Behandlingen tas ikke med i uttalelsen; registrer en rettet "
                    "behandling etterpå om det trengs.", render_kw={"rows": 4})
    submit = SubmitField("Trekk tilbake behandlingen")

    def to_command(self) -> ItemWithdrawal:
        return command_from(self, ItemWithdrawal)


class StatementForm(FlaskForm):
    sent_on = NorwegianDateField("Sendt", [DataRequired(message="Fyll inn sendt-dato (dd.mm.åååå).")],
                                 default=date.today)
    summary = TextAreaField("Ekspertpanelets samlede råd", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv ekspertpanelets samlede råd."), Length(max=LONG_TEXT)], render_kw={"rows": 8})
    outcome = SelectField("Utfall (for statistikken)", choices=choices(
        ((item.value, item.label) for item in Outcome), blank="Velg utfall"),
        validators=[DataRequired(message="Velg utfallet av vurderingen.")],
        description="Telles i årsrapporten til de regionale helseforetakene.")
    submit = SubmitField("Send uttalelsen")

    def to_command(self) -> NewStatement:
        return command_from(self, NewStatement, outcome=Outcome(self.outcome.data))

    def draft_command(self) -> NewStatement:
        return draft_command(self, NewStatement)


class FeedbackForm(FlaskForm):
    received_on = NorwegianDateField("Mottatt", [DataRequired(message="Fyll inn mottatt-dato (dd.mm.åååå).")],
                                     default=date.today)
    followed = RadioField("Ble rådet fulgt?", choices=choices(FOLLOWED.items()),
                          validators=[DataRequired(message="Velg om rådet ble fulgt.")])
    summary = TextAreaField("Tilbakemelding fra behandlende lege", filters=TIDY_TEXT, validators=[
        DataRequired(message="Oppsummer tilbakemeldingen."), Length(max=LONG_TEXT)],
        description="Hvordan rådet ble fulgt opp, og eventuelt hvorfor det ikke ble fulgt.")
    submit = SubmitField("Registrer tilbakemeldingen")
    command_class = NewFeedback

    def to_command(self) -> NewFeedback:
        return command_from(self, NewFeedback)


class PrincipledQuestionForm(FlaskForm):
    raised_on = NorwegianDateField("Dato", [DataRequired(message="Fyll inn dato (dd.mm.åååå).")],
                                   default=date.today)
    text = TextAreaField("Problemstilling", filters=TIDY_TEXT, validators=[
        DataRequired(message="Beskriv problemstillingen."), Length(max=LONG_TEXT)],
        description="En ny problemstilling som trenger prinsipiell avklaring. Listes i årsrapporten.")
    submit = SubmitField("Registrer problemstillingen")
    command_class = NewPrincipledQuestion

    def to_command(self) -> NewPrincipledQuestion:
        return command_from(self, NewPrincipledQuestion)


class ContributionForm(FlaskForm):
    """A participating member's draft of the findings and advice on one question, or a comment on it."""

    question = SelectField("Spørsmål", choices=choices(
        ((str(number), f"{number}. {text}") for number, text in QUESTIONS.items()), blank="Velg spørsmål"),
        validators=[DataRequired(message="Velg hvilket spørsmål bidraget gjelder.")])
    kind = RadioField("Type bidrag", choices=choices((kind.value, kind.label) for kind in ContributionKind),
                      default=ContributionKind.DRAFT.value,
                      validators=[DataRequired(message="Velg utkast eller kommentar.")],
                      description="Et utkast foreslår funn og råd; sekretariatet tar det inn i vurderingen. En "
                                  "kommentar vises for sekretariatet og de andre medlemmene på saken.")
    findings = TextAreaField("Funn (utkast)", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                             render_kw={"rows": 6})
    advice = TextAreaField("Råd (utkast)", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)], render_kw={"rows": 4})
    comment = TextAreaField("Kommentar", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)], render_kw={"rows": 4})
    submit = SubmitField("Lagre bidraget")

    def to_command(self) -> NewContribution:
        return command_from(self, NewContribution, question=int(self.question.data),
                            kind=ContributionKind(self.kind.data))

    def draft_command(self) -> NewContribution:
        return draft_command(self, NewContribution, question=_question_number(self.question))

ENDING_CHOICES = {ReferralStatus.REFUSED: "Avvis henvisningen – den er utenfor ekspertpanelets mandat",
                  ReferralStatus.WITHDRAWN: "Henvisningen er trukket (av henvisende lege eller pasienten)",
                  ReferralStatus.CLOSED: "Avslutt saken"}


class EndingForm(FlaskForm):
    """Refuse, record as withdrawn or close a referral; the service sets the status and files the letter."""

    command_class = EndReferral

    status = RadioField("Hva skjer med henvisningen", choices=choices(
        (status.value, ENDING_CHOICES[status]) for status in ENDINGS),
        validators=[DataRequired(message="Velg om henvisningen avvises, er trukket eller avsluttes.")])
    ground = SelectField(
        "Hvorfor er henvisningen utenfor mandatet", filters=TIDY_TEXT, validate_choice=False,
        choices=choices(((ground.value, ground.label) for ground in RefusalGround),
                        blank="Velg grunn (bare ved avvisning)"),
        description="Mandatet del I: alle aktuelle etablerte behandlingsformer skal være prøvd. Del IV: panelet "
                    "behandler ikke innføring av nye metoder eller behandlingsmetoder på gruppenivå.")
    reason = TextAreaField("Begrunnelse", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv begrunnelsen."), Length(max=LONG_TEXT)], render_kw={"rows": 6},
        description="Kommer med i brevet til pasienten og behandlende lege.")
    ended_on = NorwegianDateField("Dato", [DataRequired(message="Fyll inn dato (dd.mm.åååå).")], default=date.today)
    submit = SubmitField("Lagre og send brevet")

    def validate_ground(self, field) -> None:
        if field.data is not None and field.data not in {ground.value for ground in RefusalGround}:
            raise ValidationError("Velg en av grunnene i listen.")

    def to_command(self) -> EndReferral:
        return command_from(self, EndReferral, status=ReferralStatus(self.status.data),
                            ground=RefusalGround(self.ground.data) if self.ground.data else None)
