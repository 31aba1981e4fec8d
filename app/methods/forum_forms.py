"""Forms for the forums: meetings and their agendas, Bestillerforum's ordering decisions, the
commissioned reports, price notes, Beslutningsforum's decisions and their follow-up assignments.

Choices that depend on the method (its agenda items, its current decision) are set by the view.
"""
import re
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.forms import TIDY_TEXT, NorwegianDateField, VersionedForm, choices, draft_command
from app.methods.commands import (
    NewAgendaItem,
    NewFollowUp,
    NewForumDecision,
    NewMeeting,
    NewOrderingDecision,
    NewPriceNote,
    NewReport,
)
from app.methods.forms import CheckboxesField
from app.methods.models import DecidedBy, DecisionOutcome, Forum, MeetingPaperKind, OrderingKind
from app.methods.services import ASPECTS

MEMBER_SEPARATOR = re.compile(r"\s+[–—-]\s+")
WHOLE_ITEM_LABEL = "Samme beslutning for alle metodene i saken"


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a textarea, trimmed, with list markers («1.», «•», «-») removed."""
    result = []
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(?:\d{1,2}[.)]|[•\-–*])\s+", "", line).strip()
        if line:
            result.append(line)
    return result


def members_from_text(text: str | None) -> list[dict]:
    """«Navn – rolle» lines as [{"name": ..., "role": ...}]; a line without a spaced dash is a name only."""
    members = []
    for line in lines(text):
        parts = MEMBER_SEPARATOR.split(line, maxsplit=1)
        members.append({"name": parts[0].strip(), "role": parts[1].strip() if len(parts) > 1 else ""})
    return members


class MeetingForm(FlaskForm):
    forum = SelectField("Forum", choices=choices((forum.value, forum.label) for forum in Forum))
    meeting_date = NorwegianDateField("Møtedato", [DataRequired(message="Fyll inn møtedato (dd.mm.åååå).")])
    proposal_deadline = NorwegianDateField("Frist for forslag", [Optional()],
                                           description="Frist for å sende inn utfylt forslagsskjema.")
    input_deadline = NorwegianDateField("Frist for innspill", [Optional()],
                                        description="Frist for innspill til forslag og metodevarsler.")
    minutes = TextAreaField("Referat", validators=[Length(max=100_000)],
                            description="Kan også skrives etter møtet.", filters=TIDY_TEXT)
    confirm_weekend = BooleanField("Opprett likevel: møtet holdes på en lørdag eller søndag")
    submit = SubmitField("Opprett møte")
    command_class = NewMeeting

    def to_command(self) -> NewMeeting:
        return NewMeeting(forum=Forum(self.forum.data), meeting_date=self.meeting_date.data,
                          proposal_deadline=self.proposal_deadline.data, input_deadline=self.input_deadline.data,
                          minutes=self.minutes.data, confirm_weekend=bool(self.confirm_weekend.data))


class MinutesForm(VersionedForm):
    minutes = TextAreaField("Referat", validators=[Length(max=100_000)])
    submit = SubmitField("Lagre referat")


class AgendaItemForm(FlaskForm):
    references = CheckboxesField(
        "Metoder", validate_choice=False, render_kw={"data-filterable": "Søk etter metode-ID eller navn"},
        description="Velg metoden eller metodene saken gjelder. Bare metoder mottatt innen møtedatoen kan velges.")
    number = StringField("Saksnummer", validators=[
        Optional(), Regexp(r"^\d{1,3}$", message="Skriv saksnummeret som et tall, f.eks. 31.")],
        description="Tomt gir neste ledige nummer i forumet dette året.")
    title = StringField("Sakstittel", validators=[Length(max=300)],
                        description="Tomt gir metodenes ID og tittel.", filters=TIDY_TEXT)
    submit = SubmitField("Sett på sakslisten")

    def to_command(self) -> NewAgendaItem:
        return NewAgendaItem(references=tuple(self.references.data or ()),
                             number=int(self.number.data) if self.number.data else None, title=self.title.data)

    def draft_command(self) -> NewAgendaItem:
        """What the refused form holds, for the service's checks (app.forms.submitted)."""
        return NewAgendaItem(references=() if self.references.errors else tuple(self.references.data or ()),
                             number=int(self.number.data) if self.number.data and not self.number.errors else None)


class TakeUpAgainForm(FlaskForm):
    earlier_id = SelectField("Sak fra et tidligere møte", coerce=int, validate_choice=False,
                             description="Saken beholder nummeret, tittelen og metodene sine.")
    submit = SubmitField("Ta opp saken igjen")


class OrderingDecisionForm(FlaskForm):
    agenda_item_id = SelectField("Sak i Bestillerforum", coerce=int)
    kind = SelectField("Beslutning", choices=choices((kind.value, kind.label) for kind in OrderingKind))
    assessing_body = StringField("Utføres av", validators=[Length(max=100)],
                                 description="F.eks. FHI eller DMP. Må fylles inn når noe bestilles.",
                                 filters=TIDY_TEXT)
    aspects = CheckboxesField("Aspekter", choices=choices(ASPECTS.items()))
    due_on = NorwegianDateField("Leveringsfrist", [Optional()])
    decided_on = NorwegianDateField("Beslutningsdato", [Optional()], description="Tomt gir møtedatoen.")
    reasoning = TextAreaField("Begrunnelse / beskrivelse av oppdraget", validators=[Length(max=20_000)],
                              filters=TIDY_TEXT)
    whole_item = BooleanField(WHOLE_ITEM_LABEL)
    submit = SubmitField("Registrer beslutning")
    command_class = NewOrderingDecision

    def to_command(self) -> NewOrderingDecision:
        return NewOrderingDecision(
            agenda_item_id=self.agenda_item_id.data, kind=OrderingKind(self.kind.data),
            decided_on=self.decided_on.data, assessing_body=self.assessing_body.data,
            aspects=tuple(self.aspects.data or ()), due_on=self.due_on.data, reasoning=self.reasoning.data,
            whole_item=bool(self.whole_item.data))


class ReportForm(FlaskForm):
    title = StringField("Tittel", validators=[DataRequired(message="Fyll inn rapportens tittel."), Length(max=300)],
                        description="F.eks. ID2022_131_Robotassistert prostatektomi ved prostatakreft.",
                        filters=TIDY_TEXT)
    delivered_on = NorwegianDateField("Levert", [DataRequired(message="Fyll inn leveransedato (dd.mm.åååå).")],
                                      default=date.today)
    file = FileField("Rapport (valgfritt)", description="Lagres som dokument på metodens sak.")
    published = BooleanField("Filen publiseres på de offentlige sidene",
                             description="Bare når filen er den offentlige versjonen, uten konfidensielle priser.")
    submit = SubmitField("Registrer rapport")
    command_class = NewReport

    def to_command(self, document_id: int | None = None) -> NewReport:
        """`document_id`: the uploaded file, once the view has stored it on the method's case."""
        return NewReport(title=self.title.data, delivered_on=self.delivered_on.data, document_id=document_id,
                         published=bool(self.published.data))


class PriceNoteForm(FlaskForm):
    received_on = NorwegianDateField("Mottatt", [DataRequired(message="Fyll inn mottatt-dato (dd.mm.åååå).")],
                                     default=date.today)
    content = TextAreaField("Prisnotat", validators=[DataRequired(message="Fyll inn prisnotatet."),
                                                     Length(max=50_000)],
                            description="Unntatt offentlighet (offl. § 13 jf. fvl. § 13 første ledd nr. 2). "
                                        "Bare sekretariatet ser prisnotatet.", filters=TIDY_TEXT)
    submit = SubmitField("Registrer prisnotat")

    def to_command(self) -> NewPriceNote:
        return NewPriceNote(received_on=self.received_on.data, content=self.content.data)


class ForumDecisionForm(FlaskForm):
    amends_id = SelectField("Endrer beslutning")
    decided_by = SelectField("Besluttet av", choices=choices((who.value, who.label) for who in DecidedBy))
    agenda_item_id = SelectField("Sak i Beslutningsforum",
                                 description="Tom bare når fagdirektørene har besluttet uten sak i Beslutningsforum.")
    decided_on = NorwegianDateField("Beslutningsdato", [DataRequired(message="Fyll inn beslutningsdato (dd.mm.åååå).")])
    outcome = SelectField("Utfall", choices=choices((outcome.value, outcome.label) for outcome in DecisionOutcome))
    preamble = TextAreaField("Innledning", validators=[Length(max=20_000)],
                             description="Teksten før de nummererte punktene.", filters=TIDY_TEXT)
    points = TextAreaField("Beslutningspunkter", validators=[
        DataRequired(message="Fyll inn minst ett beslutningspunkt."), Length(max=50_000)],
        description="Ett punkt per linje. Nummereringen legges på automatisk.")
    conditions = TextAreaField("Vilkår", validators=[Length(max=20_000)], filters=TIDY_TEXT)
    valid_from = NorwegianDateField("Gyldig fra", [Optional()], description="Tomt gir beslutningsdatoen.")
    whole_item = BooleanField(WHOLE_ITEM_LABEL)
    submit = SubmitField("Registrer beslutning")

    def to_command(self) -> NewForumDecision:
        return NewForumDecision(
            decided_by=DecidedBy(self.decided_by.data), decided_on=self.decided_on.data,
            outcome=DecisionOutcome(self.outcome.data), points=tuple(lines(self.points.data)),
            agenda_item_id=_chosen_id(self.agenda_item_id), preamble=self.preamble.data,
            conditions=self.conditions.data, valid_from=self.valid_from.data, amends_id=_chosen_id(self.amends_id),
            whole_item=bool(self.whole_item.data))

    def draft_command(self) -> NewForumDecision:
        """What the refused form holds, for the service's checks (app.forms.submitted)."""
        return draft_command(self, NewForumDecision, points=None if self.points.errors else tuple(lines(
            self.points.data)), agenda_item_id=None if self.agenda_item_id.errors else _chosen_id(
            self.agenda_item_id), amends_id=None if self.amends_id.errors else _chosen_id(self.amends_id),
            whole_item=bool(self.whole_item.data))


def _chosen_id(field) -> int | None:
    """The id a select of records holds (blank: none chosen)."""
    return int(field.data) if field.data else None


class FollowUpForm(FlaskForm):
    title = StringField("Oppdrag", validators=[DataRequired(message="Fyll inn tittel på oppdraget."),
                                                Length(max=300)],
                        description="F.eks. Interregional arbeidsgruppe for kirurgiske operasjonsroboter.",
                        filters=TIDY_TEXT)
    owner = StringField("Ansvarlig", validators=[DataRequired(message="Fyll inn hvem som har oppdraget."),
                                                 Length(max=300)], filters=TIDY_TEXT)
    members = TextAreaField("Medlemmer", validators=[Length(max=20_000)],
                            description="Ett medlem per linje, som «Navn – rolle».")
    mandate_questions = TextAreaField("Mandat: spørsmål som skal besvares", validators=[Length(max=50_000)],
                                      description="Ett spørsmål per linje.")
    secretariat = StringField("Sekretariat", validators=[Length(max=300)], filters=TIDY_TEXT)
    reporting_line = StringField("Rapporterer til", validators=[Length(max=300)], filters=TIDY_TEXT)
    due_on = NorwegianDateField("Frist", [DataRequired(message="Fyll inn frist (dd.mm.åååå).")])
    submit = SubmitField("Registrer oppfølging")

    def draft_command(self) -> NewFollowUp:
        return draft_command(self, NewFollowUp, members=(), mandate_questions=())

    def to_command(self) -> NewFollowUp:
        return NewFollowUp(
            title=self.title.data, owner=self.owner.data, due_on=self.due_on.data,
            members=tuple(members_from_text(self.members.data)),
            mandate_questions=tuple(lines(self.mandate_questions.data)), secretariat=self.secretariat.data,
            reporting_line=self.reporting_line.data)


class CloseFollowUpForm(VersionedForm):
    status = SelectField("Avslutt oppdraget som", choices=choices([("delivered", "Levert"), ("cancelled", "Avlyst")]))
    submit = SubmitField("Avslutt oppdrag")


class FilePaperForm(FlaskForm):
    kind = SelectField("Dokument", choices=choices((kind.value, kind.label) for kind in MeetingPaperKind),
                       validate_choice=False)
    published = BooleanField("Publiseres på de offentlige sidene", default=True)
