from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import TIDY_TEXT, NorwegianDateField, VersionedForm, choices
from app.methods.commands import MethodDetails, NewInput, NewMethod, NewSubmission, StatusChange
from app.methods.models import MethodStatus, MethodType, SubmissionKind
from app.methods.services import SUBJECT_AREAS, TAGS

REFERENCE_MESSAGE = "Bruk formen ID2025_102."


class CheckboxesField(SelectMultipleField):
    """Several choices as a group of checkboxes (rendered as a fieldset by the form macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MethodFieldsMixin:
    title = StringField("Tittel", validators=[DataRequired(message="Fyll inn metodens tittel."), Length(max=300)],
                        filters=TIDY_TEXT)
    method_type = SelectField("Metodetype", choices=choices((kind.value, kind.label) for kind in MethodType))
    subject_areas = CheckboxesField("Fagområde", choices=choices((area, area) for area in SUBJECT_AREAS))
    tags = CheckboxesField("Tagger/søkeord", choices=choices(TAGS.items()))
    generic_name = StringField("Generisk navn / virkestoff", validators=[Length(max=300)], filters=TIDY_TEXT)
    atc_code = StringField("ATC-kode", validators=[Length(max=20)], filters=TIDY_TEXT,
                           description="Bare for legemidler, f.eks. L01FF02.")
    product_names = StringField("Produktnavn (handelsnavn)", validators=[Length(max=2000)], filters=TIDY_TEXT)
    manufacturers = TextAreaField("Produsenter", validators=[Length(max=4000)], filters=TIDY_TEXT)
    indication = TextAreaField("Bruksområde (indikasjon)", validators=[Length(max=4000)], filters=TIDY_TEXT)

    def details(self) -> MethodDetails:
        return MethodDetails(
            title=self.title.data, method_type=MethodType(self.method_type.data),
            subject_areas=tuple(self.subject_areas.data or ()), tags=tuple(self.tags.data or ()),
            generic_name=self.generic_name.data, atc_code=self.atc_code.data, product_names=self.product_names.data,
            manufacturers=self.manufacturers.data, indication=self.indication.data)


class SubmissionFieldsMixin:
    kind = SelectField("Type innsending", choices=choices((kind.value, kind.label) for kind in SubmissionKind))
    organisation = StringField("Innsender (organisasjon)", validators=[
        DataRequired(message="Fyll inn hvem som sendte inn."), Length(max=200)], filters=TIDY_TEXT)
    department = StringField("Avdeling", validators=[Length(max=200)], filters=TIDY_TEXT)
    contact_person = StringField("Kontaktperson", validators=[Length(max=200)], filters=TIDY_TEXT)
    received_on = NorwegianDateField("Mottatt", [DataRequired(message="Fyll inn mottatt-dato (dd.mm.åååå).")],
                                     default=date.today)

    def submission(self) -> NewSubmission:
        return NewSubmission(kind=SubmissionKind(self.kind.data), organisation=self.organisation.data,
                             received_on=self.received_on.data, department=self.department.data,
                             contact_person=self.contact_person.data)


class NewMethodForm(MethodFieldsMixin, SubmissionFieldsMixin, FlaskForm):
    earlier_reference = StringField("Tidligere forslag om samme metode", validators=[
        Optional(), Regexp(r"^ID(19|20)\d{2}_\d{3} ?[A-Z]?$", message=REFERENCE_MESSAGE)],
        description="Metode-ID, f.eks. ID2018_084.", filters=TIDY_TEXT)
    confirm_duplicate = BooleanField("Registrer likevel: dette er en annen metode enn de som er vist",
                                     description="Vises når tittel, virkestoff eller produktnavn likner metoder "
                                                 "som er registrert fra før.")
    submit = SubmitField("Registrer metode")

    def to_command(self) -> NewMethod:
        return NewMethod(details=self.details(), submission=self.submission(),
                         earlier_reference=self.earlier_reference.data,
                         confirm_duplicate=bool(self.confirm_duplicate.data))

    def draft_command(self) -> NewMethod:
        """What the refused form holds, for the service's checks (app.forms.submitted): None for a refused field."""
        def accepted(field):
            return None if field.errors else field.data
        return NewMethod(details=MethodDetails(title=accepted(self.title), method_type=None,
                                               atc_code=accepted(self.atc_code)),
                         submission=NewSubmission(kind=None, organisation=accepted(self.organisation),
                                                  received_on=accepted(self.received_on)),
                         earlier_reference=accepted(self.earlier_reference),
                         confirm_duplicate=bool(self.confirm_duplicate.data))


class EditMethodForm(MethodFieldsMixin, VersionedForm):
    submit = SubmitField("Lagre endringer")

    def to_command(self) -> MethodDetails:
        return self.details()


class MethodStatusForm(FlaskForm):
    status = SelectField("Ny status")
    on = NorwegianDateField("Dato", [DataRequired(message="Fyll inn dato (dd.mm.åååå).")], default=date.today)
    comment = TextAreaField("Kommentar", validators=[Length(max=2000)], filters=TIDY_TEXT)
    submit = SubmitField("Endre status")

    def to_command(self) -> StatusChange:
        return StatusChange(MethodStatus(self.status.data), self.on.data, comment=self.comment.data)


class SubmissionForm(SubmissionFieldsMixin, FlaskForm):
    submit = SubmitField("Registrer innsending")

    def to_command(self) -> NewSubmission:
        return self.submission()


class InputForm(FlaskForm):
    sender = StringField("Avsender", validators=[DataRequired(message="Fyll inn avsender."), Length(max=200)],
                         filters=TIDY_TEXT)
    received_on = NorwegianDateField("Mottatt", [DataRequired(message="Fyll inn mottatt-dato (dd.mm.åååå).")],
                                     default=date.today)
    summary = TextAreaField("Sammendrag", validators=[Length(max=10000)], filters=TIDY_TEXT)
    submit = SubmitField("Registrer innspill")

    def to_command(self) -> NewInput:
        return NewInput(sender=self.sender.data, received_on=self.received_on.data, summary=self.summary.data)


class CommentForm(FlaskForm):
    text = TextAreaField("Kommentar", validators=[DataRequired(message="Skriv en kommentar."), Length(max=10000)])
    submit = SubmitField("Legg inn kommentar")
