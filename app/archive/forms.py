"""The public journal's access request form (innsynskrav); the case core checks it again
(app.cases.interface.check_access_request) and registers it."""
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.cases.interface import ACCESS_REQUEST_LIMITS, AccessRequest
from app.forms import TIDY_TEXT


class AccessRequestForm(FlaskForm):
    posts = TextAreaField(
        "Journalposter", [DataRequired(message="Skriv journalpostnummeret (f.eks. 2026/12-3) eller saksnummeret "
                                               "du vil se.")],
        description="Journalpostnummer (f.eks. 2026/12-3) eller saksnummer (2026/12) for alle journalpostene i "
                    "saken. Skill flere med komma.", filters=TIDY_TEXT)
    name = StringField("Navn", [DataRequired(message="Fyll inn navnet ditt."),
                                Length(max=ACCESS_REQUEST_LIMITS["name"],
                                       message=f"Navnet kan være høyst {ACCESS_REQUEST_LIMITS['name']} tegn.")],
                       filters=TIDY_TEXT, render_kw={"autocomplete": "name"})
    email = EmailField("E-postadresse", [DataRequired(message="Fyll inn e-postadressen din.")],
                       description="Svaret sendes hit.", filters=TIDY_TEXT, render_kw={"autocomplete": "email"})
    message = TextAreaField("Melding (valgfritt)",
                            [Length(max=ACCESS_REQUEST_LIMITS["message"],
                                    message=f"Meldingen kan være høyst {ACCESS_REQUEST_LIMITS['message']} tegn.")],
                            description="For eksempel om du ønsker dokumentene i et bestemt format.",
                            filters=TIDY_TEXT)
    submit = SubmitField("Send innsynskrav")

    def __init__(self, unit: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.unit = unit   # the unit whose journal the request concerns (from the link), not a field

    def command(self) -> AccessRequest:
        return AccessRequest(unit=self.unit, name=self.name.data, email=self.email.data, posts=self.posts.data,
                             message=self.message.data)

    def draft_command(self) -> AccessRequest:
        """What the form accepted, for the core's checks on a refused form (app.forms.show_draft_errors)."""
        return AccessRequest(**{name: None if self[name].errors else self[name].data
                                for name in ("name", "email", "posts", "message")}, unit=self.unit)
