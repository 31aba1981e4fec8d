from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField("E-postadresse", validators=[DataRequired(message="Fyll inn e-postadressen din.")],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Passord", validators=[DataRequired(message="Fyll inn passordet ditt.")],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField("Logg inn")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Nåværende passord", validators=[DataRequired(message="Fyll inn nåværende passord.")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("Nytt passord", validators=[
        DataRequired(message="Fyll inn et nytt passord."),
        Length(max=256, message="Passordet kan ha høyst 256 tegn.")], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Gjenta nytt passord", validators=[
        EqualTo("new_password", message="Passordene er ikke like.")], render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Bytt passord")
