"""Forms for the working groups: the group (its methods, mandate, approval, basis document and report
questions), a member, and the report's answers (one field per question or sub-question of the group's mandate).

The method choices and the basis document's choices are set by the view."""
import re

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import TIDY_TEXT, NorwegianDateField, VersionedForm, choices, draft_command
from app.methods.commands import NewMember, ReportAnswers, ReportQuestion, WorkingGroupDetails
from app.methods.forms import CheckboxesField
from app.methods.models import MemberRole, NominatingBody
from app.methods.working_groups import APPROVING_BODY, answer_field, answer_slots

NUMBERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
SUB_MARKER = re.compile(r"^\s*(?:[o•\-–*]\s+)?")


def questions_from_text(text: str | None) -> tuple[ReportQuestion, ...]:
    """«1. Title» lines as questions and the lines under each (with or without «o», «-» or «•») as its
    sub-questions. A sub-question above the first numbered line becomes a question without a title, which the
    service refuses."""
    questions: list[tuple[str, list[str]]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        if NUMBERED.match(line):
            questions.append((NUMBERED.sub("", line).strip(), []))
        else:
            if not questions:
                questions.append(("", []))
            questions[-1][1].append(SUB_MARKER.sub("", line, count=1).strip())
    return tuple(ReportQuestion(title, tuple(subs)) for title, subs in questions)


def questions_as_text(questions: list[dict]) -> str:
    """The stored questions as the form's text («1. Title», then «- Sub-question» lines)."""
    return "\n".join(f"{number}. {question['title']}" + "".join(f"\n- {sub}" for sub in question["sub_questions"])
                     for number, question in enumerate(questions, start=1))


class WorkingGroupForm(FlaskForm):
    title = StringField("Navn", validators=[DataRequired(message="Fyll inn arbeidsgruppens navn."),
                                            Length(max=300)], filters=TIDY_TEXT,
                        description="F.eks. Interregional arbeidsgruppe for kirurgiske operasjonsroboter.")
    references = CheckboxesField("Metoder", validate_choice=False,
                                 render_kw={"data-filterable": "Søk etter metode-ID eller navn"},
                                 description="Metoden eller metodene arbeidsgruppen dekker.")
    mandate = TextAreaField("Mandat", validators=[Length(max=50_000)], filters=TIDY_TEXT)
    reports_to = StringField("Rapporterer til", default=APPROVING_BODY, filters=TIDY_TEXT, validators=[
        DataRequired(message="Fyll inn hvem arbeidsgruppen rapporterer til."), Length(max=300)])
    secretariat = StringField("Sekretariat", validators=[Length(max=300)], filters=TIDY_TEXT,
                              description="F.eks. Helse Sør-Øst RHF, under ledelse av prosjektdirektøren.")
    approved_on = NorwegianDateField(f"Sammensetning og mandat godkjent i {APPROVING_BODY}", [Optional()],
                                     description="Tomt til møtet har godkjent dem.")
    due_on = NorwegianDateField("Frist for rapporten", [Optional()])
    basis_document_lead = StringField("Grunnlagsdokumentet utarbeides under ledelse av",
                                      validators=[Length(max=300)], filters=TIDY_TEXT)
    basis_document_id = SelectField("Grunnlagsdokument", validate_choice=False,
                                    description="Et dokument på saken til en av metodene.")
    questions = TextAreaField("Spørsmål rapporten skal besvare", validators=[Length(max=50_000)],
                              render_kw={"rows": 12},
                              description="Ett nummerert spørsmål per linje («1. Effekter på kvalitet og "
                                          "pasientsikkerhet»), med underspørsmålene på linjene under, hvert med "
                                          "«-» foran.")
    submit = SubmitField("Lagre arbeidsgruppe")

    def to_command(self) -> WorkingGroupDetails:
        return WorkingGroupDetails(
            title=self.title.data, references=tuple(self.references.data or ()), reports_to=self.reports_to.data,
            mandate=self.mandate.data, secretariat=self.secretariat.data, due_on=self.due_on.data,
            approved_on=self.approved_on.data, basis_document_lead=self.basis_document_lead.data,
            basis_document_id=_document_id(self), questions=questions_from_text(self.questions.data))

    def draft_command(self) -> WorkingGroupDetails:
        """What the refused form holds, for the service's checks (app.forms.submitted)."""
        return draft_command(self, WorkingGroupDetails, references=tuple(self.references.data or ()),
                             basis_document_id=_document_id(self),
                             questions=None if self.questions.errors else questions_from_text(self.questions.data))


def _document_id(form: WorkingGroupForm) -> int | None:
    field = form.basis_document_id if "basis_document_id" in form else None
    return int(field.data) if field is not None and field.data and str(field.data).isdigit() else None


class EditWorkingGroupForm(WorkingGroupForm, VersionedForm):
    @staticmethod
    def stored(group) -> dict:
        """The stored group as the form's data (a field the request leaves out keeps it)."""
        return {"version": group.version, "title": group.title, "mandate": group.mandate,
                "reports_to": group.reports_to, "secretariat": group.secretariat, "approved_on": group.approved_on,
                "due_on": group.due_on, "basis_document_lead": group.basis_document_lead,
                "basis_document_id": str(group.basis_document_id or ""),
                "references": [method.reference for method in group.methods],
                "questions": questions_as_text(group.report_questions)}


class MemberForm(FlaskForm):
    name = StringField("Navn", validators=[DataRequired(message="Fyll inn navnet."), Length(max=200)],
                       filters=TIDY_TEXT)
    position = StringField("Stilling og arbeidssted", validators=[Length(max=300)], filters=TIDY_TEXT,
                           description="F.eks. Regional fagdirektør, Helse Midt-Norge RHF.")
    role = SelectField("Rolle", choices=choices((role.value, role.label) for role in MemberRole))
    nominated_by = SelectField("Foreslått av", choices=choices(((body.value, body.label) for body in NominatingBody),
                                                               blank="Ikke oppgitt"))
    nominating_organisation = StringField("Organisasjon som foreslo", validators=[Length(max=200)],
                                          filters=TIDY_TEXT, description="F.eks. Norsk kirurgisk forening.")
    submit = SubmitField("Legg til")
    command_class = NewMember

    def to_command(self) -> NewMember:
        return NewMember(name=self.name.data, role=MemberRole(self.role.data), position=self.position.data,
                         nominated_by=NominatingBody(self.nominated_by.data) if self.nominated_by.data else None,
                         nominating_organisation=self.nominating_organisation.data)


class WorkingGroupReportForm(VersionedForm):
    """The report: built for a group by `for_group()`, with one answer field per slot of its questions."""

    delivered_on = NorwegianDateField("Rapporten levert", [Optional()],
                                      description="Tomt mens rapporten er under arbeid. Levert krever svar på "
                                                  "alle spørsmålene.")
    submit = SubmitField("Lagre rapport")
    command_class = ReportAnswers

    @classmethod
    def class_for(cls, group) -> type["WorkingGroupReportForm"]:
        """The form class for `group`'s questions, starting from its stored report."""
        fields = {answer_field(key): TextAreaField(sub or question, validators=[Length(max=20_000)],
                                                   description=f"Spørsmål {key}")
                  for key, question, sub in answer_slots(group.report_questions)}
        return type("WorkingGroupReport", (cls,), fields)

    @staticmethod
    def stored(group) -> dict:
        """The stored report as the form's data (a field the request leaves out keeps it)."""
        return {"version": group.version, "delivered_on": group.report_delivered_on,
                **{answer_field(key): answer for key, answer in group.report_answers.items()}}

    @classmethod
    def for_group(cls, group) -> "WorkingGroupReportForm":
        return cls.class_for(group)(data=cls.stored(group))

    def answers(self) -> tuple[tuple[str, str], ...]:
        return tuple((name.removeprefix("answer_").replace("_", "."), field.data or "")
                     for name, field in self._fields.items() if name.startswith("answer_"))

    def to_command(self) -> ReportAnswers:
        return ReportAnswers(answers=self.answers(), delivered_on=self.delivered_on.data)

    def draft_command(self) -> ReportAnswers:
        return ReportAnswers(answers=self.answers(),
                             delivered_on=None if self.delivered_on.errors else self.delivered_on.data)
