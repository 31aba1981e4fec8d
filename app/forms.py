"""Helpers shared by every module's forms."""
import dataclasses
import enum
import typing
from collections.abc import Callable
from typing import NamedTuple

from flask import flash, redirect
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import DateField, IntegerField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput, TextInput

from app.core.checks import REVIEW_NOTE_MAX
from app.errors import Conflict, DomainError, EditConflict, InvalidInput, InvalidInputs
from app.extensions import db


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs, optionally led by an empty choice."""
    options = [SelectChoice(value, label) for value, label in pairs]
    return [SelectChoice("", blank), *options] if blank is not None else options


def strip_or_none(value):
    """A WTForms filter: text without surrounding blanks, and None for a blank field, so a form's
    `to_command()` hands the service clean values."""
    return (value.strip() or None) if isinstance(value, str) else value


TIDY_TEXT = (strip_or_none,)   # `filters=TIDY_TEXT` on every free-text field


def command_from(form: FlaskForm, command_class, **values):
    """A form's command: each field of `command_class` the form has, by name, and `values` for the rest (the
    ones converted to a number or an enum, or not on the form)."""
    named = {field.name: form[field.name].data for field in dataclasses.fields(command_class)
             if field.name not in values and field.name in form}
    return command_class(**named, **values)


CONCURRENT_SAVE = "Noen andre lagret samtidig. Ingenting er lagret – prøv igjen."


def saved(form: FlaskForm, action) -> bool:
    """Run a service call and commit once. A refused rule or a conflict rolls everything back and
    is shown on the form (nothing is half-saved, what the user typed stays). `form.collided` tells the
    view to answer 409: the save lost to someone else's (a stale version, the same step or row saved at the
    same moment); `form.conflict` in addition that it was a stale version (the view shows the stored one)."""
    try:
        action()
        db.session.commit()
    except (StaleDataError, EditConflict) as error:
        db.session.rollback()
        form.conflict = form.collided = True
        show_error(form, error if isinstance(error, EditConflict) else EditConflict())
        return False
    except DomainError as error:
        db.session.rollback()
        form.collided = isinstance(error, Conflict)
        show_error(form, error)
        return False
    except IntegrityError:
        # Someone saved the same number or row at the same moment; nothing of this save is kept.
        db.session.rollback()
        form.collided = True
        form.form_errors.append(CONCURRENT_SAVE)
        return False
    return True


def draft_command(form: FlaskForm, command_class, **values):
    """The command from what a refused form holds: each field the form accepted, and None for one it refused
    or does not have (an enum field's value converted when it is one of the enum's); `values` for the ones the
    form converts otherwise. The service's checks run on it, leaving out what is None, so the form shows their
    errors together with its own. A form whose command is not flat builds it in its own `draft_command()`."""
    hints = typing.get_type_hints(command_class)
    for field in dataclasses.fields(command_class):
        if field.name in values:
            continue
        value = form[field.name].data if field.name in form and not form[field.name].errors else None
        kind = hints[field.name]
        if value is not None and isinstance(kind, type) and issubclass(kind, enum.Enum):
            value = next((member for member in kind if member.value == value), None)
        values[field.name] = value
    return command_class(**values)


def submitted(form: FlaskForm, action, check=None) -> bool:
    """`form.validate_on_submit()` and then `saved(form, action)`, in one round: when the form refuses a field,
    the service's checks still run (show_draft_errors), so a second submit reveals nothing new."""
    if not form.is_submitted():
        return False
    if form.validate():
        return saved(form, action)
    if check is not None:
        show_draft_errors(form, check)
    return False


def show_draft_errors(form: FlaskForm, check) -> None:
    """A form its field checks refused: `check(draft)` (the service's checks on `draft_command`, writing
    nothing) runs too, and what it refuses on the fields the form accepted is shown with the form's own."""
    try:
        check(form.draft_command() if hasattr(form, "draft_command") else draft_command(form, form.command_class))
    except DomainError as error:
        refused = {name for name, field in form._fields.items() if field.errors}
        for each in error.errors if isinstance(error, InvalidInputs) else [error]:
            if getattr(each, "field", None) not in refused:
                show_error(form, each)


def flash_errors(form: FlaskForm, prefix: str = "") -> None:
    """A refused button form's messages, shown on the page it returns to (each after `prefix`, where that page
    lists many records and must say which one was refused). `form.errors` holds the form's own errors too
    (under the key None), so each message is flashed once."""
    for messages in form.errors.values():
        for message in messages:
            flash(prefix + message, "error")


def _flash_done(done: str | Callable[[], str]) -> None:
    flash(done() if callable(done) else done, "success")


def button_pressed(form: FlaskForm, action, done: str | Callable[[], str], back_to: str,
                   refused_prefix: str = "") -> Response:
    """The answer to a POST button (a form with no page of its own): the form checked, `action` saved
    (`saved`), then back to `back_to` with `done` flashed, or with what was refused (flash_errors). `done` is a
    callable when the message names what only the action knows (a row it made, a choice it checked)."""
    if form.validate_on_submit() and saved(form, action):
        _flash_done(done)
    else:
        flash_errors(form, refused_prefix)
    return redirect(back_to)


def step_saved(form: FlaskForm, action, done: str | Callable[[], str], then: str, check=None) -> Response | None:
    """A form page's post (`submitted`): when it saved, `done` flashed and the redirect to `then`; None while the
    form is to be shown (not yet posted, or refused), so the view renders it."""
    if not submitted(form, action, check):
        return None
    _flash_done(done)
    return redirect(then)


def form_status(form: FlaskForm) -> int:
    """The status of a form page shown again: 409 when its save lost to someone else's, else 200."""
    return 409 if getattr(form, "collided", False) else 200


def show_error(form: FlaskForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a refused rule next to the field it concerns, or at the top of the form (each of them when several
    inputs were refused at once)."""
    if isinstance(error, InvalidInputs):
        for each in error.errors:
            show_error(form, each, aliases)
        return
    name = getattr(error, "field", None) if isinstance(error, InvalidInput) else None
    name = (aliases or {}).get(name, name)
    if name and name in form:
        form[name].errors = [*form[name].errors, str(error)]
    else:
        form.form_errors.append(str(error))


class CsrfOnlyForm(FlaskForm):
    """A bare POST (a button) whose only field is the CSRF token."""


class FlagReviewForm(FlaskForm):
    """A flag on a record looked at: what was assessed and decided becomes a note in the case's journal."""

    note = TextAreaField("Vurdering", filters=TIDY_TEXT, validators=[
        DataRequired(message="Skriv hva som ble vurdert og bestemt."), Length(max=REVIEW_NOTE_MAX)],
        description=f"Hva ble vurdert, og hva skal gjøres? Blir et notat i sakens journal "
                    f"(høyst {REVIEW_NOTE_MAX} tegn).")
    submit = SubmitField("Merk som vurdert")


class VersionedForm(FlaskForm):
    """A form that edits a versioned object: the version it was opened at travels with it."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(message="Skjemaet mangler versjon.")])

    conflict = False  # set when a save failed because someone else saved first

    def adopt_version(self, version: int) -> None:
        """Base the next save on `version` (after the user has seen the stored one)."""
        self.version.raw_data = None
        self.version.data = version


class NorwegianDateField(DateField):
    """A date typed as dd.mm.åååå (ISO dates accepted too). A text input, not type="date":
    browsers drop a value in any other form than yyyy-mm-dd and ignore the placeholder."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        kwargs.setdefault("format", ["%d.%m.%Y", "%Y-%m-%d"])
        kwargs.setdefault("render_kw", {"placeholder": "dd.mm.åååå", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d.%m.%Y") if self.data else ""

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Skriv en gyldig dato som dd.mm.åååå.") from None

    def validate(self, form, extra_validators=()) -> bool:
        valid = super().validate(form, extra_validators)
        if self.process_errors and any(value.strip() for value in self.raw_data or ()):
            # DataRequired replaces every error with "fill in a date"; something impossible was typed.
            # (An empty optional date is no error, also when the form is shown again for another reason.)
            self.errors = list(self.process_errors)
        return valid


class Upload(NamedTuple):
    """A file as uploaded: its name and its bytes. The case core checks both (type by content, size) when the file
    is filed."""

    filename: str
    content: bytes


class UploadField(FileField):
    """An optional file whose data is an Upload, read once (None when no file was chosen), so a form's command
    and the service's checks see the same bytes."""

    def process_formdata(self, valuelist) -> None:
        chosen = next((item for item in valuelist if isinstance(item, FileStorage) and item.filename), None)
        self.data = Upload(chosen.filename, chosen.read()) if chosen is not None else None
