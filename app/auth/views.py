from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import mfa, services, throttle
from app.auth.forms import (
    ActivationForm,
    ApiTokenForm,
    ChangePasswordForm,
    LoginForm,
    RemoveTwoFactorForm,
    StartTwoFactorForm,
    TwoFactorForm,
)
from app.auth.models import ApiToken, UserSession
from app.errors import InvalidInput
from app.extensions import db
from app.forms import CsrfOnlyForm, saved, show_error
from app.security import safe_next_url

bp = Blueprint("auth", __name__, template_folder="templates")

LOGIN_FAILED = "Feil e-postadresse eller passord."
PENDING = "mfa_pending"          # the one-time token of a correct password waiting for its second factor


# What a user with a start password may still do: choose their own, log out, keep the session alive.
# An admin-made account gets an activation link instead (no start password); older accounts that still
# have one keep this rule.
START_PASSWORD_ENDPOINTS = {"auth.change_password", "auth.logout", "auth.extend_session", "static"}


@bp.before_app_request
def start_password_must_be_changed():
    """An account an admin made opens only the password page until the user has chosen their own."""
    if (getattr(current_user, "must_change_password", False) and current_user.api_token_id is None
            and request.endpoint not in START_PASSWORD_ENDPOINTS):
        flash("Velg ditt eget passord før du fortsetter. Startpassordet fra administratoren kan ikke brukes videre.",
              "info")
        return redirect(url_for("auth.change_password"))
    return None


def _attempt(email: str | None):
    """Count a login attempt; a locked-out account or address gets the 429 page (the same for every address
    typed, so it says nothing about which accounts exist)."""
    try:
        return throttle.begin(email)
    except throttle.TooManyAttempts:
        abort(429)


def _json_body_is_a_form() -> bool:
    """Flask-WTF reads a JSON body as the form's fields: it must be an object of text values, as a form is."""
    body = request.get_json(silent=True)
    return isinstance(body, dict) and all(isinstance(value, str) for value in body.values())


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.dashboard"))
    if request.method == "POST" and request.is_json and not _json_body_is_a_form():
        abort(400)
    form = LoginForm()   # form fields or a JSON body: the same fields, the same account bucket
    if form.validate_on_submit():
        attempt = _attempt(form.email.data)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(LOGIN_FAILED, "error")
        else:
            throttle.clear(attempt)
            next_url = safe_next_url(request.args.get("next"))
            if user.totp_secret or current_app.config["TOTP_REQUIRED"]:
                token = services.start_pending_login(user, next_url)
                db.session.commit()
                session.clear()
                session[PENDING] = token
                return redirect(url_for("auth.second_factor"))
            return _logged_in(user, next_url)
    return render_template("auth/login.html", form=form)


def _logged_in(user, next_url: str | None):
    session.clear()  # no session fixation: the pre-login session is dropped
    services.start_session(user)
    db.session.commit()
    login_user(user)
    return redirect(next_url or url_for("cases.dashboard"))


def _start_over():
    session.pop(PENDING, None)
    flash(services.LOGIN_AGAIN, "error")
    return redirect(url_for("auth.login"))


@bp.route("/login/kode", methods=["GET", "POST"])
def second_factor():
    """The second step after a correct password: the code from the app, or first setting the app up. The
    cookie names only a one-time token; the pending login itself is on the server."""
    pending = services.pending_login(session.get(PENDING))
    if pending is None:
        return _start_over()
    user, setup_secret = pending.user, pending.setup_secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        attempt = _attempt(user.email)
        try:
            services.finish_pending_login(pending, form.code.data)
        except services.LoginExpired:
            db.session.rollback()
            return _start_over()
        except InvalidInput as error:
            db.session.rollback()
            show_error(form, error)
        else:
            throttle.clear(attempt)
            return _logged_in(user, pending.next_url)
    return render_template("auth/two_factor.html", form=form,
                           setup=_setup(user, setup_secret) if setup_secret else None,
                           action=url_for("auth.second_factor"))


def _setup(user, secret: str) -> dict:
    uri = mfa.provisioning_uri(user, secret)
    return {"qr": mfa.qr_code(uri), "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))}


@bp.route("/konto/tofaktor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Set up, replace or turn off one's own second factor. Each starts with the current password (and the
    current code when there is one): a stolen session alone changes nothing."""
    secret = services.totp_setup_secret(current_user)
    if secret is not None:   # re-authenticated: the new app's first code turns it on
        return render_template("auth/two_factor.html", form=TwoFactorForm(formdata=None),
                               setup=_setup(current_user, secret), action=url_for("auth.confirm_two_factor"),
                               replacing=current_user.totp_secret is not None)
    form = StartTwoFactorForm().without_code(current_user)
    if form.validate_on_submit() and saved(form, lambda: services.start_totp_setup(
            current_user, password=form.current_password.data, code=form.code_data)):
        return redirect(url_for("auth.two_factor"))
    remove_form = None
    if current_user.totp_secret and not current_app.config["TOTP_REQUIRED"]:
        remove_form = RemoveTwoFactorForm(formdata=None, prefix="remove").without_code(current_user)
    return render_template("auth/two_factor.html", start_form=form, remove_form=remove_form,
                           enabled=current_user.totp_secret is not None)


@bp.post("/konto/tofaktor/bekreft")
@login_required
def confirm_two_factor():
    secret = services.totp_setup_secret(current_user)
    if secret is None:
        flash("Oppsettet er utløpt eller ikke startet. Start på nytt med passordet ditt.", "error")
        return redirect(url_for("auth.two_factor"))
    replacing = current_user.totp_secret is not None
    form = TwoFactorForm()
    if form.validate_on_submit() and saved(form, lambda: services.finish_totp_setup(current_user,
                                                                                    code=form.code.data)):
        flash(("Den nye appen er tatt i bruk. Den gamle gir ikke lenger tilgang." if replacing else
               "Tofaktorinnlogging er slått på. Neste gang du logger inn, spør Helsesak om en kode.")
              + " Andre innlogginger på kontoen er avsluttet.", "success")
        return redirect(url_for("auth.two_factor"))
    return render_template("auth/two_factor.html", form=form, setup=_setup(current_user, secret),
                           action=url_for("auth.confirm_two_factor"), replacing=replacing)


@bp.post("/konto/tofaktor/avbryt")
@login_required
def cancel_two_factor():
    """Leave a started setup; the app in use (if any) stays."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    current_user.current_session.totp_setup_secret = None
    current_user.current_session.totp_setup_at = None
    db.session.commit()
    return redirect(url_for("auth.two_factor"))


@bp.post("/konto/tofaktor/sla-av")
@login_required
def remove_two_factor():
    form = RemoveTwoFactorForm(prefix="remove").without_code(current_user)
    if form.validate_on_submit() and saved(form, lambda: services.remove_two_factor(
            current_user, password=form.current_password.data, code=form.code_data)):
        flash("Tofaktorinnlogging er slått av. Andre innlogginger på kontoen er avsluttet.", "success")
        return redirect(url_for("auth.two_factor"))
    return render_template("auth/two_factor.html", start_form=StartTwoFactorForm(formdata=None).without_code(
        current_user), remove_form=form, enabled=current_user.totp_secret is not None)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_session(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Du er logget ut.", "success")
    response = redirect(url_for("auth.login"))
    # Pages with personal data are not cached (no-store); this also empties what the browser kept for the site.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/konto/forleng")
@login_required
def extend_session():
    """«Forbli innlogget» in the idle warning. Loading the session for this request already restarted
    the idle time (load_session_user); the absolute lifetime is not extended."""
    return "", 204


@bp.route("/konto/passord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current_password=form.current_password.data,
                                     new_password=form.new_password.data)
        except InvalidInput as error:
            db.session.rollback()
            show_error(form, error, aliases={"password": "new_password"})
        else:
            db.session.commit()
            flash("Passordet er byttet. Andre innlogginger på kontoen er avsluttet, og alle API-nøklene dine er "
                  "trukket tilbake.", "success")
            return redirect(url_for("cases.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/konto/api-nokler", methods=["GET", "POST"])
@login_required
def api_tokens():
    """The user's personal API tokens: make one (shown once), see when each was last used, revoke."""
    form = ApiTokenForm().without_code(current_user)
    created: list[str] = []

    def create() -> None:
        created.append(services.issue_api_token(current_user, name=form.name.data, days=form.days.data,
                                                password=form.current_password.data, code=form.code_data)[1])

    if form.validate_on_submit() and saved(form, create):
        flash("Nøkkelen er laget. Kopier den nå – den vises ikke igjen.", "success")
        form = ApiTokenForm(formdata=None).without_code(current_user)
    return render_template("auth/api_tokens.html", form=form, tokens=services.api_tokens_of(current_user),
                           new_token=created[0] if created else None, revoke_form=CsrfOnlyForm())


@bp.post("/konto/api-nokler/<int:token_id>/trekk-tilbake")
@login_required
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id or not CsrfOnlyForm().validate_on_submit():
        abort(404)
    services.revoke_api_token(token, actor=current_user)
    db.session.commit()
    flash(f"Nøkkelen «{token.name}» er trukket tilbake.", "success")
    return redirect(url_for("auth.api_tokens"))



@bp.get("/konto/innlogginger")
@login_required
def sessions():
    """Where the account is logged in now: this browser and any other, each of which can be ended."""
    return render_template("auth/sessions.html", sessions=services.live_sessions_of(current_user),
                           current_id=current_user.current_session.id)


@bp.post("/konto/innlogginger/<int:session_id>/avslutt")
@login_required
def end_own_session(session_id: int):
    session_row = db.session.get(UserSession, session_id)
    if session_row is None or session_row.user_id != current_user.id or session_row.ended_at is not None \
            or session_row.id == current_user.current_session.id:
        abort(404)
    services.end_own_session(current_user, session_row)
    db.session.commit()
    flash("Innloggingen er avsluttet.", "success")
    return redirect(url_for("auth.sessions"))


@bp.post("/konto/innlogginger/avslutt-andre")
@login_required
def end_other_sessions():
    services.end_all_sessions(current_user, "ended_by_user", keep=current_user.current_session)
    db.session.commit()
    flash("Alle andre innlogginger er avsluttet. Denne nettleseren er fortsatt logget inn.", "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/aktiver/<token>", methods=["GET", "POST"])
def activate(token: str):
    """A new account's one-time link: the user chooses their password (no login needed), then logs in."""
    if services.activation_for(token) is None:
        return render_template("errors/error.html", title="Lenken virker ikke",
                               message="Aktiveringslenken er ugyldig, allerede brukt eller utløpt. Be "
                                       "administratoren om en ny."), 404
    form = ActivationForm()
    if form.validate_on_submit() and saved(form, lambda: services.activate_account(token,
                                                                                   password=form.password.data)):
        flash("Passordet er lagret, og kontoen er klar. Logg inn med e-postadressen din og det nye passordet.",
              "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/activate.html", form=form)
