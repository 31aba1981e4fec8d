import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import mfa, services
from app.auth.forms import ApiTokenForm, ChangePasswordForm, LoginForm, TwoFactorForm
from app.auth.models import ApiToken, User, UserSession
from app.errors import InvalidInput
from app.extensions import db, limiter
from app.forms import CsrfOnlyForm, saved, show_error
from app.security import safe_next_url

bp = Blueprint("auth", __name__, template_folder="templates")

LOGIN_FAILED = "Feil e-postadresse eller passord."
PENDING = "mfa_pending"          # a correct password waiting for its second factor
PENDING_SECONDS = 300
SETUP_SECRET = "mfa_setup_secret"


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


# What a user with a start password may still do: choose their own, log out, keep the session alive.
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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(LOGIN_FAILED, "error")
        elif user.totp_secret or current_app.config["TOTP_REQUIRED"]:
            session.clear()
            session[PENDING] = {"user_id": user.id, "at": time.time(), "next": safe_next_url(request.args.get("next")),
                                "secret": None if user.totp_secret else mfa.new_secret()}
            return redirect(url_for("auth.second_factor"))
        else:
            return _logged_in(user, safe_next_url(request.args.get("next")))
    return render_template("auth/login.html", form=form)


def _logged_in(user, next_url: str | None):
    session.clear()  # no session fixation: the pre-login session is dropped
    services.start_session(user)
    db.session.commit()
    login_user(user)
    return redirect(next_url or url_for("cases.dashboard"))


def _pending_key() -> str:
    return f"mfa:{(session.get(PENDING) or {}).get('user_id')}"


@bp.route("/login/kode", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_pending_key)
def second_factor():
    """The second step after a correct password: the code from the app, or first setting the app up."""
    pending = session.get(PENDING)
    user = db.session.get(User, pending["user_id"]) if pending else None
    if user is None or not user.active or time.time() - pending["at"] > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash("Innloggingen må starte på nytt.", "error")
        return redirect(url_for("auth.login"))
    form = TwoFactorForm()
    secret = pending["secret"]
    if form.validate_on_submit():
        try:
            if secret:
                mfa.enable(user, secret=secret, code=form.code.data)
            else:
                mfa.check_code(user, form.code.data)
        except InvalidInput as error:
            db.session.rollback()
            show_error(form, error)
        else:
            return _logged_in(user, pending.get("next"))
    return render_template("auth/two_factor.html", form=form, setup=_setup(user, secret) if secret else None,
                           action=url_for("auth.second_factor"))


def _setup(user, secret: str) -> dict:
    uri = mfa.provisioning_uri(user, secret)
    return {"qr": mfa.qr_code(uri), "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))}


@bp.route("/konto/tofaktor", methods=["GET", "POST"])
@login_required
def two_factor():
    """Turn on two-factor login for one's own account (required for everyone in production)."""
    if current_user.totp_secret:
        return render_template("auth/two_factor.html", form=None, setup=None, enabled=True)
    secret = session.get(SETUP_SECRET) or mfa.new_secret()
    session[SETUP_SECRET] = secret
    form = TwoFactorForm()
    if form.validate_on_submit():
        try:
            mfa.enable(current_user, secret=secret, code=form.code.data)
        except InvalidInput as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            session.pop(SETUP_SECRET, None)
            flash("Tofaktorinnlogging er slått på. Neste gang du logger inn, spør Helsesak om en kode.", "success")
            return redirect(url_for("auth.two_factor"))
    return render_template("auth/two_factor.html", form=form, setup=_setup(current_user, secret),
                           action=url_for("auth.two_factor"))


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
            flash("Passordet er byttet. Andre innlogginger på kontoen er avsluttet.", "success")
            return redirect(url_for("cases.dashboard"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/konto/api-nokler", methods=["GET", "POST"])
@login_required
def api_tokens():
    """The user's personal API tokens: make one (shown once), see when each was last used, revoke."""
    form = ApiTokenForm()
    created: list[str] = []

    def create() -> None:
        created.append(services.create_api_token(current_user, name=form.name.data, days=form.days.data)[1])

    if form.validate_on_submit() and saved(form, create):
        flash("Nøkkelen er laget. Kopier den nå – den vises ikke igjen.", "success")
        form = ApiTokenForm(formdata=None)
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
