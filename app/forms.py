"""Helpers shared by every module's forms."""
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from app.errors import DomainError, InvalidInput


def show_error(form: FlaskForm, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a refused rule next to the field it concerns, or at the top of the form."""
    name = getattr(error, "field", None) if isinstance(error, InvalidInput) else None
    name = (aliases or {}).get(name, name)
    if name and name in form:
        form[name].errors = [*form[name].errors, str(error)]
    else:
        form.form_errors.append(str(error))


class CsrfOnlyForm(FlaskForm):
    """A bare POST (a button) that still needs its CSRF token checked."""


class VersionedForm(FlaskForm):
    """A form that edits a versioned object: the version it was opened at travels with it."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(message="Skjemaet mangler versjon.")])

    conflict = False  # set when a save failed because someone else saved first

    def adopt_version(self, version: int) -> None:
        """Base the next save on `version` (after the user has seen the stored one)."""
        self.version.raw_data = None
        self.version.data = version
