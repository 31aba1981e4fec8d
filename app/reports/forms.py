"""The order form: year, region (when the report can be made per region) and the kind's free texts."""
from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from app.forms import TIDY_TEXT, choices
from app.reports.orders import NOTE_MAX_LENGTH
from app.reports.registry import ReportKind, region_choices


class ReportOrderForm(FlaskForm):
    year = SelectField("År", validate_choice=False, validators=[InputRequired(message="Velg et år.")])
    region = SelectField("Område", validate_choice=False)
    submit = SubmitField("Lag rapporten")

    note_names: tuple[str, ...] = ()

    # Bokmål messages instead of WTForms' "Not a valid choice"; the service checks access again.
    def validate_year(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError("Velg et år i listen.")

    def validate_region(self, field) -> None:
        if (field.data or "") not in {choice.value for choice in field.choices}:
            raise ValidationError("Velg et område i listen.")

    def notes(self) -> dict:
        return {name: self[name].data for name in self.note_names}

    def chosen_region(self) -> str | None:
        return (self.region.data or None) if "region" in self else None


def order_form(kind: ReportKind, user, *, year: int | None = None, region: str | None = None,
               today: date | None = None, **kwargs) -> ReportOrderForm:
    """A form for `kind`, with the years it covers (newest first, last year chosen) and the user's regions."""
    today = today or date.today()

    class KindForm(ReportOrderForm):
        pass

    for note in kind.notes:
        setattr(KindForm, note.name, TextAreaField(note.label, description=note.hint or None, validators=[
            Length(max=NOTE_MAX_LENGTH, message=f"Skriv høyst {NOTE_MAX_LENGTH} tegn.")]))
    KindForm.note_names = tuple(note.name for note in kind.notes)
    regions = region_choices(user, kind)
    default_region = region if region is not None else regions[0][0]
    form = KindForm(year=str(year or today.year - 1), region=default_region, **kwargs)
    form.year.choices = choices((str(value), str(value)) for value in range(today.year, kind.first_year - 1, -1))
    form.region.choices = choices(regions)
    if not kind.regional:
        del form.region          # the report covers the whole country: nothing to choose
    return form


class PublishForm(FlaskForm):
    """Publish a finished report; a correction of a published one says what it corrects."""

    note = TextAreaField("Hva er rettet", filters=TIDY_TEXT, validators=[Length(max=NOTE_MAX_LENGTH)],
                         render_kw={"rows": 3},
                         description="Påkrevd når rapporten er publisert før: den nye versjonen er en rettelse.")
    submit = SubmitField("Publiser rapporten")
