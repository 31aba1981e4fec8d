"""Forms of the treatment-abroad pages. They check the input and tidy it (filters: stripped text, no text as
None, codes in upper case), and `to_command()` hands it to the service as one value (commands.py); the JSON API
uses the same forms. The rules (dates in order, the Nye Metoder check, exchange rates, appeal steps) live in
services.py and are shown at the field they concern."""
from datetime import date

import pycountry
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from app.abroad.commands import (
    AppealWithdrawal,
    ApplicationCorrection,
    BoardDecision,
    CostReversal,
    ExperimentalBasis,
    LateAppealAssessment,
    NewAppeal,
    NewApplication,
    NewCost,
    NewDecision,
    OpinionCorrection,
    OpinionReceived,
    OpinionRequest,
    PartDecision,
    PhraseText,
    Reconsideration,
    TreatmentPlan,
)
from app.abroad.models import (
    RECONSIDERATION_OUTCOMES,
    BoardOutcome,
    CostCategory,
    Decision,
    DecisionItem,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.abroad.services import LEGAL_BASIS, country_name
from app.cases.interface import PatientAddressMixin, PatientFieldsMixin, icd10_code
from app.forms import TIDY_TEXT, NorwegianDateField, UploadField, VersionedForm, choices, command_from, draft_command

DATE_MESSAGE = "Fyll inn en dato (dd.mm.åååå)."
LONG_TEXT = 20_000
YES_NO = {"ja": "Ja", "nei": "Nei"}
FILE_HELP = ("Valgfri. PDF, bilde (png, jpg), Word, Excel, ODT eller ren tekst. Journalføres som inngående "
             "dokument i saken.")


def _enum_choices(enum, blank: str | None = None):
    return choices(((member.value, member.label) for member in enum), blank=blank)


def _required_choice(message: str):
    def check(form, field) -> None:
        if field.data not in {choice.value for choice in field.choices if choice.value}:
            raise ValidationError(message)
    return check


def _upper(value: str | None) -> str | None:
    """A code as stored (a Nye Metoder ID such as ID2024_090, a currency), whatever case it was typed in."""
    return value.upper() if value else value


CODE = [*TIDY_TEXT, _upper]


def country_choices():
    countries = sorted(((country.alpha_2, country_name(country.alpha_2)) for country in pycountry.countries),
                       key=lambda pair: pair[1])
    return choices(countries, blank="Velg land")


class ApplicationFactsForm(FlaskForm):
    """The registered facts of an application: typed at registration, and corrected later in the same fields."""

    stream = RadioField("Type sak", choices=_enum_choices(Stream), default=Stream.APPLICATION.value,
                        validate_choice=False, validators=[_required_choice("Velg type sak.")],
                        description="Partikkelterapi og nordiske legemiddelprotokoller besluttes av andre; "
                                    "kontoret administrerer reise og kostnader.")
    received_on = NorwegianDateField("Mottatt", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    reference = StringField("Ekstern referanse", filters=TIDY_TEXT, validators=[Length(max=40)],
                            description="Valgfri. Referansen i et tidligere system; må være unik.")
    applicant = StringField("Søker", filters=TIDY_TEXT, validators=[Length(max=200)],
                            description="Hvem som søkte: sykehuslege, fastlege, pasienten eller fullmektig.")
    referring_doctor = StringField("Henvisende lege", filters=TIDY_TEXT, validators=[Length(max=200)])
    referring_hospital = StringField("Henvisende sykehus", filters=TIDY_TEXT, validators=[Length(max=200)])
    requested_treatment = TextAreaField("Behandlingen det søkes om", filters=TIDY_TEXT,
                                        validators=[Length(max=LONG_TEXT)],
                                        description="Påkrevd for søknader og PGD.")
    requested_where = StringField("Ønsket behandlingssted", filters=TIDY_TEXT, validators=[Length(max=200)])
    treatment_class = SelectField("Behandlingens status", choices=_enum_choices(TreatmentClass),
                                  default=TreatmentClass.ESTABLISHED.value,
                                  description="Ordningen dekker som hovedregel ikke utprøvende behandling.")
    icd10 = StringField("Hoveddiagnose (ICD-10)", filters=TIDY_TEXT,
                        validators=[DataRequired(message="Fyll inn ICD-10-kode."), Length(max=8), icd10_code],
                        description="F.eks. O43.0.", render_kw={"autocomplete": "off"})
    method_reference = StringField("Metode i Nye Metoder", validators=[Length(max=20)], filters=CODE,
                                   description="Valgfri. ID-en til metoden søknaden gjelder, f.eks. ID2024_090.")


def _reason_field(what: str) -> TextAreaField:
    return TextAreaField("Begrunnelse", filters=TIDY_TEXT, validators=[
        DataRequired(message=f"Skriv hvorfor {what}."), Length(max=LONG_TEXT)],
        description="Påkrevd. Vises i sakens historikk sammen med gammel og ny verdi.")


class ApplicationForm(PatientFieldsMixin, PatientAddressMixin, ApplicationFactsForm):
    confirm_duplicate = BooleanField("Registrer likevel: dette er en annen søknad enn den som er nevnt",
                                     description="Vises når pasienten har en søknad med samme diagnose mottatt "
                                                 "innen 30 dager.")
    submit = SubmitField("Registrer søknad")
    command_class = NewApplication

    def to_command(self) -> NewApplication:
        return command_from(self, NewApplication, national_id=self.national_id.data or None,
                            municipality=self.municipality.data or None, stream=Stream(self.stream.data),
                            treatment_class=TreatmentClass(self.treatment_class.data))


class ApplicationCorrectionForm(ApplicationFactsForm, VersionedForm):
    reason = _reason_field("opplysningene rettes")
    confirm_duplicate = BooleanField("Lagre likevel: dette er en annen søknad enn den som er nevnt",
                                     description="Vises når rettet diagnose eller mottatt-dato gir en søknad med "
                                                 "samme diagnose mottatt innen 30 dager.")
    submit = SubmitField("Lagre rettingen")
    command_class = ApplicationCorrection

    def fill_from(self, application) -> None:
        """The stored facts, as the form shows them before the user corrects them."""
        self.process(obj=application)
        self.stream.data = application.stream.value
        self.treatment_class.data = application.treatment_class.value

    def to_command(self) -> ApplicationCorrection:
        return command_from(self, ApplicationCorrection, stream=Stream(self.stream.data),
                            treatment_class=TreatmentClass(self.treatment_class.data))


class OpinionRequestForm(FlaskForm):
    requested_from = StringField("Fagmiljø", filters=TIDY_TEXT, validators=[
        DataRequired(message="Oppgi hvilket fagmiljø som skal uttale seg."), Length(max=300)],
        description="Avdeling og sykehus, f.eks. Fostermedisin, Oslo universitetssykehus.")
    question = TextAreaField("Hva skal vurderes", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv hva fagmiljøet skal vurdere."), Length(max=LONG_TEXT)])
    requested_on = NorwegianDateField("Sendt", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    due_on = NorwegianDateField("Svarfrist", [DataRequired(message=DATE_MESSAGE)],
                                description="Faller fristen på en helgedag, flyttes den til neste virkedag.")
    submit = SubmitField("Send forespørsel")
    command_class = OpinionRequest

    def to_command(self) -> OpinionRequest:
        return command_from(self, OpinionRequest)


class OpinionReceivedForm(FlaskForm):
    received_on = NorwegianDateField("Mottatt", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    conclusion = TextAreaField("Fagmiljøets konklusjon", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv fagmiljøets konklusjon."), Length(max=LONG_TEXT)])
    file = UploadField("Uttalelsen som fil", description=FILE_HELP)
    submit = SubmitField("Registrer uttalelsen")
    command_class = OpinionReceived

    def to_command(self) -> OpinionReceived:
        return command_from(self, OpinionReceived)


class OpinionCorrectionForm(VersionedForm):
    requested_from = StringField("Fagmiljø", filters=TIDY_TEXT, validators=[
        DataRequired(message="Oppgi hvilket fagmiljø som skal uttale seg."), Length(max=300)])
    question = TextAreaField("Hva skal vurderes", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv hva fagmiljøet skal vurdere."), Length(max=LONG_TEXT)])
    received_on = NorwegianDateField("Mottatt", [Optional()], description="Bare for en mottatt uttalelse.")
    conclusion = TextAreaField("Fagmiljøets konklusjon", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                               description="Bare for en mottatt uttalelse.")
    reason = _reason_field("opplysningene rettes")
    submit = SubmitField("Lagre rettingen")
    command_class = OpinionCorrection

    def to_command(self) -> OpinionCorrection:
        return command_from(self, OpinionCorrection)


PART_CHOICES = {"": "Ikke vurdert for seg", "granted": "Innvilget", "refused": "Avslått"}


class DecisionForm(FlaskForm):
    """The decision; for a partial grant, each item of what was asked (DecisionItem) granted or refused with its
    reason (fields `part_<item>` and `reason_<item>`, added below), and the hospital granted instead of the one
    asked for."""

    decision = RadioField("Vedtak", choices=_enum_choices(Decision), validate_choice=False,
                          validators=[_required_choice("Velg vedtak.")])
    decided_on = NorwegianDateField("Vedtaksdato", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    legal_basis = StringField("Hjemmel", filters=TIDY_TEXT, validators=[Length(max=300)], default=LEGAL_BASIS,
                              description="Påkrevd ved innvilgelse og avslag.")
    reasoning = TextAreaField("Begrunnelse", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                              render_kw={"rows": 8},
                              description="Står i vedtaksbrevet. Påkrevd ved innvilgelse og avslag.")
    submit = SubmitField("Fatt vedtak")
    command_class = NewDecision

    def parts(self, *, draft: bool = False) -> tuple[PartDecision, ...]:
        """The items decided one by one (those not left as «Ikke vurdert for seg»); in a draft, not those the form
        refused."""
        chosen = []
        for item in DecisionItem:
            choice, reason = self[f"part_{item.value}"], self[f"reason_{item.value}"]
            if choice.data not in ("granted", "refused") or (draft and choice.errors):
                continue
            hospital = item is DecisionItem.HOSPITAL and choice.data == "refused"
            chosen.append(PartDecision(
                item=item, granted=choice.data == "granted", reason=None if draft and reason.errors else reason.data,
                instead_hospital=self.instead_hospital.data if hospital else None,
                instead_country=self.instead_country.data or None if hospital else None))
        return tuple(chosen)

    def to_command(self) -> NewDecision:
        return command_from(self, NewDecision, decision=Decision(self.decision.data), parts=self.parts())

    def draft_command(self) -> NewDecision:
        return draft_command(self, NewDecision, parts=self.parts(draft=True))


for _item in DecisionItem:
    setattr(DecisionForm, f"part_{_item.value}", RadioField(
        f"Delvis innvilget: {_item.label.lower()}", choices=choices(PART_CHOICES.items()), default="",
        validate_choice=False, validators=[Optional(), _required_choice("Velg innvilget eller avslått.")],
        description="Bare ved «Delvis innvilget»: hva som innvilges og avslås av det det er søkt om."
        if _item is DecisionItem.TREATMENT else None))
    setattr(DecisionForm, f"reason_{_item.value}", TextAreaField(
        f"Grunn til avslag: {_item.label.lower()}", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
        render_kw={"rows": 3}, description="Står i vedtaksbrevet."))
DecisionForm.instead_hospital = StringField(
    "Sykehus som innvilges i stedet", filters=TIDY_TEXT, validators=[Length(max=200)],
    render_kw={"list": "sykehusregister", "autocomplete": "off"},
    description="Når behandlingsstedet det er søkt om avslås: sykehuset fra sykehusregisteret som innvilges.")
DecisionForm.instead_country = StringField(
    "Landet sykehuset ligger i", filters=CODE, validators=[Length(max=2)],
    description="Landkode med to bokstaver, f.eks. SE. Kan stå tomt når sykehusregisteret kjenner landet.")


class ExperimentalBasisForm(VersionedForm):
    """The trial or the exception a grant of experimental treatment rests on."""

    trial_registry_id = StringField("Studiens registernummer", filters=TIDY_TEXT, validators=[Length(max=40)],
                                    description="For behandling i klinisk studie: ClinicalTrials.gov (NCT06719037), "
                                                "EudraCT (2020-001234-12) eller EU CT (2023-500001-12-00).")
    exception_grounds = TextAreaField("Grunnlag for unntaket", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)],
                                      description="For behandling utenfor klinisk studie: hvorfor unntaket for svært "
                                                  "sjeldne tilstander (prioriteringsforskriften § 3) gjelder.")
    submit = SubmitField("Lagre")

    def to_command(self) -> ExperimentalBasis:
        return command_from(self, ExperimentalBasis)


class TreatmentPlanForm(VersionedForm):
    hospital = StringField("Behandlende sykehus", filters=TIDY_TEXT, validators=[
        DataRequired(message="Oppgi sykehuset som skal behandle pasienten."), Length(max=200)],
        render_kw={"list": "sykehusregister", "autocomplete": "off"},
        description="Velg fra sykehusregisteret: skriv for å søke.")
    country = SelectField("Land", validators=[_required_choice("Velg landet sykehuset ligger i.")],
                          validate_choice=False)
    planned_start = NorwegianDateField("Planlagt start", [Optional()])
    planned_end = NorwegianDateField("Planlagt slutt", [Optional()])
    travel_arrangements = TextAreaField("Reise", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)])
    stay_arrangements = TextAreaField("Opphold", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)])
    companion = StringField("Ledsager", filters=TIDY_TEXT, validators=[Length(max=300)])
    submit = SubmitField("Lagre behandlingsplan")
    command_class = TreatmentPlan

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()

    def validate_planned_end(self, field) -> None:
        if field.data and self.planned_start.data and field.data < self.planned_start.data:
            raise ValidationError("Planlagt slutt kan ikke være før planlagt start.")

    def to_command(self) -> TreatmentPlan:
        return command_from(self, TreatmentPlan)


class CostForm(FlaskForm):
    entry_date = NorwegianDateField("Dato", [DataRequired(message=DATE_MESSAGE)], default=date.today,
                                    description="Kostnaden telles i statistikken for året til denne datoen.")
    category = SelectField("Kategori", choices=_enum_choices(CostCategory))
    amount = StringField("Beløp", filters=TIDY_TEXT, validators=[DataRequired(message="Fyll inn beløpet.")],
                         render_kw={"inputmode": "decimal"}, description="Bruk komma eller punktum for øre.")
    currency = StringField("Valuta", default="NOK", filters=CODE, validators=[Length(max=3)],
                           description="ISO 4217-kode, f.eks. NOK, DKK, SEK, EUR.")
    exchange_rate = StringField("Valutakurs til NOK", filters=TIDY_TEXT, render_kw={"inputmode": "decimal"},
                                description="Påkrevd for annen valuta enn NOK: NOK per enhet valuta.")
    invoice_reference = StringField("Fakturareferanse", filters=TIDY_TEXT, validators=[Length(max=100)])
    file = UploadField("Fakturaen som fil", description=FILE_HELP)
    submit = SubmitField("Før kostnad")
    command_class = NewCost

    def to_command(self) -> NewCost:
        return command_from(self, NewCost, category=CostCategory(self.category.data))


class CostReversalForm(FlaskForm):
    reason = _reason_field("kostnaden tilbakeføres")
    submit = SubmitField("Tilbakefør kostnaden")

    def to_command(self) -> CostReversal:
        return command_from(self, CostReversal)


class CompleteTreatmentForm(VersionedForm):
    submit = SubmitField("Merk behandlingen som avsluttet")


class AppealForm(FlaskForm):
    received_on = NorwegianDateField("Klagen kom inn", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    notified_on = NorwegianDateField("Pasienten mottok vedtaket", [DataRequired(message=DATE_MESSAGE)],
                                     description="Klagefristen på fire uker regnes fra denne datoen.")
    grounds = TextAreaField("Klagen gjelder", filters=TIDY_TEXT, validators=[Length(max=LONG_TEXT)])
    file = UploadField("Klagebrevet som fil", description=FILE_HELP)
    submit = SubmitField("Registrer klage")
    command_class = NewAppeal

    def to_command(self) -> NewAppeal:
        return command_from(self, NewAppeal)


class LateAppealForm(FlaskForm):
    consider = RadioField("Skal klagen behandles likevel?", choices=choices(YES_NO.items()), validate_choice=False,
                          validators=[_required_choice("Velg om klagen skal behandles.")],
                          description="Forvaltningsloven § 31: parten kan ikke lastes for forsinkelsen, eller "
                                      "særlige grunner tilsier at klagen blir prøvd.")
    assessment = TextAreaField("Vurdering", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv vurderingen etter forvaltningsloven § 31."), Length(max=LONG_TEXT)],
        description="Avvises klagen, står vurderingen som begrunnelse i vedtaksbrevet.")
    decided_on = NorwegianDateField("Dato for avvisningsvedtaket", [Optional()], default=date.today,
                                    description="Brukes når klagen avvises: vedtaket om å avvise klagen er et eget "
                                                "vedtak, med eget brev og klageadgang.")
    submit = SubmitField("Lagre vurderingen")

    def to_command(self) -> LateAppealAssessment:
        return command_from(self, LateAppealAssessment, consider=self.consider.data == "ja")

    def draft_command(self) -> LateAppealAssessment:
        return draft_command(self, LateAppealAssessment,
                             consider=None if self.consider.errors else self.consider.data == "ja")


class ReconsiderationForm(FlaskForm):
    outcome = RadioField("Kontorets behandling", choices=_enum_choices(RECONSIDERATION_OUTCOMES),
                         validate_choice=False,
                         validators=[_required_choice("Velg utfallet av kontorets behandling.")])
    decided_on = NorwegianDateField("Dato", [DataRequired(message=DATE_MESSAGE)], default=date.today,
                                    description="Datoen vedtaket ble omgjort (vedtaksbrevet), eller klagen ble "
                                                "oversendt.")
    reasoning = TextAreaField("Kontorets vurdering", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv kontorets vurdering av klagen."), Length(max=LONG_TEXT)], render_kw={"rows": 6})
    submit = SubmitField("Lagre kontorets behandling")
    command_class = Reconsideration

    def to_command(self) -> Reconsideration:
        return command_from(self, Reconsideration, outcome=OfficeOutcome(self.outcome.data))


class BoardDecisionForm(FlaskForm):
    outcome = RadioField("Nemndas avgjørelse", choices=_enum_choices(BoardOutcome), validate_choice=False,
                         validators=[_required_choice("Velg nemndas avgjørelse.")])
    decided_on = NorwegianDateField("Dato for avgjørelsen", [DataRequired(message=DATE_MESSAGE)], default=date.today)
    board_reference = StringField("Nemndas referanse", filters=TIDY_TEXT, validators=[Length(max=40)])
    summary = TextAreaField("Hva nemnda endret, eller hvorfor den opphevet eller avviste", filters=TIDY_TEXT,
                            validators=[Length(max=LONG_TEXT)], render_kw={"rows": 4},
                            description="Må fylles ut ved delvis omgjøring (hva som ble endret) og ved opphevelse "
                                        "(hva kontoret skal vurdere på nytt).")
    new_decision_due_on = NorwegianDateField("Frist for kontorets nye vedtak", [Optional()],
                                             description="Må fylles ut når nemnda opphever vedtaket og sender saken "
                                                         "tilbake: søknaden åpnes igjen for nytt vedtak.")
    submit = SubmitField("Registrer avgjørelsen")
    command_class = BoardDecision

    def to_command(self) -> BoardDecision:
        return command_from(self, BoardDecision, outcome=BoardOutcome(self.outcome.data))


class AppealWithdrawalForm(FlaskForm):
    withdrawn_on = NorwegianDateField("Klagen ble trukket", [DataRequired(message=DATE_MESSAGE)], default=date.today,
                                      description="Datoen pasienten trakk klagen (eller nemnda meldte det).")
    file = UploadField("Brevet om at klagen trekkes, som fil", description=FILE_HELP)
    submit = SubmitField("Registrer at klagen er trukket")
    command_class = AppealWithdrawal

    def to_command(self) -> AppealWithdrawal:
        return command_from(self, AppealWithdrawal)


class NewPhraseForm(FlaskForm):
    """A standard phrase of the caseworker's office."""

    title = StringField("Tittel", filters=TIDY_TEXT, validators=[
        DataRequired(message="Gi standardteksten en tittel."), Length(max=100)])
    text = TextAreaField("Tekst", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv standardteksten."), Length(max=LONG_TEXT)], render_kw={"rows": 6},
        description="Settes inn i begrunnelsen i vedtaksskjemaet, der den kan tilpasses saken.")
    submit = SubmitField("Lagre standardteksten")
    command_class = PhraseText

    def to_command(self) -> PhraseText:
        return command_from(self, PhraseText)


class PhraseForm(NewPhraseForm, VersionedForm):
    """A standard phrase changed, at the version the form was opened with."""
