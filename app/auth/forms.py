from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange


class LoginForm(FlaskForm):
    email = EmailField("E-postadresse", validators=[DataRequired(message="Fyll inn e-postadressen din.")],
                       render_kw={"autocomplete": "username"})
    # The same bound as for new passwords: a longer one cannot be right, and hashing megabytes costs the server.
    password = PasswordField("Passord", validators=[DataRequired(message="Fyll inn passordet ditt."),
                                                    Length(max=256, message="Passordet kan ha høyst 256 tegn.")],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Logg inn")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Nåværende passord",
                                     validators=[DataRequired(message="Fyll inn nåværende passord.")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("Nytt passord", validators=[
        DataRequired(message="Fyll inn et nytt passord."),
        Length(max=256, message="Passordet kan ha høyst 256 tegn.")], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Gjenta nytt passord", validators=[
        EqualTo("new_password", message="Passordene er ikke like.")], render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Bytt passord")


def _current_password():
    return PasswordField("Nåværende passord", validators=[
        DataRequired(message="Fyll inn passordet ditt."), Length(max=256, message="Passordet kan ha høyst 256 tegn.")],
        render_kw={"autocomplete": "current-password"})


def _current_code():
    return StringField("Engangskode fra appen du bruker nå", validators=[
        DataRequired(message="Skriv inn koden fra autentiseringsappen."), Length(max=10)],
        description="Seks siffer fra autentiseringsappen.",
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})


class Reauthentication:
    """A form that asks for the current password, and the current code when the user has a second factor,
    before changing how one logs in or making an API token (ASVS 7.5.1)."""

    def without_code(self, user):
        """No code field for a user without a second factor."""
        if not user.totp_secret:
            del self.code
        return self

    @property
    def code_data(self) -> str | None:
        return self.code.data if "code" in self else None


class StartTwoFactorForm(Reauthentication, FlaskForm):
    current_password = _current_password()
    code = _current_code()
    submit = SubmitField("Fortsett")


class RemoveTwoFactorForm(Reauthentication, FlaskForm):
    current_password = _current_password()
    code = _current_code()
    submit = SubmitField("Slå av tofaktorinnlogging")


class ApiTokenForm(Reauthentication, FlaskForm):
    name = StringField("Navn på nøkkelen", validators=[
        DataRequired(message="Gi nøkkelen et navn, f.eks. hva den skal brukes til."), Length(max=100)],
        description="F.eks. «Statistikkuttrekk» – så du kjenner den igjen.")
    days = IntegerField("Gyldig i antall dager", default=30, validators=[
        InputRequired(message="Oppgi hvor mange dager nøkkelen skal gjelde."),
        NumberRange(min=1, max=90, message="En nøkkel kan gjelde i 1 til 90 dager.")])
    current_password = _current_password()
    code = _current_code()
    submit = SubmitField("Lag nøkkel")


class ActivationForm(FlaskForm):
    password = PasswordField("Velg passord", validators=[
        DataRequired(message="Fyll inn et passord."), Length(max=256, message="Passordet kan ha høyst 256 tegn.")],
        description="Minst 12 tegn. En setning av flere ord er både sikker og lett å huske.",
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Gjenta passordet", validators=[EqualTo("password", message="Passordene er ikke like.")],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Lagre passord")


class TwoFactorForm(FlaskForm):
    code = StringField("Engangskode", validators=[DataRequired(message="Skriv inn koden fra autentiseringsappen."),
                                                  Length(max=10)],
                       description="Seks siffer fra autentiseringsappen (f.eks. Microsoft Authenticator).",
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"})
    submit = SubmitField("Fortsett")

