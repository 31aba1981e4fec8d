from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ChangePasswordForm, LoginForm
from app.errors import InvalidInput
from app.extensions import db, limiter
from app.forms import show_error
from app.security import safe_next_url

bp = Blueprint("auth", __name__, template_folder="templates")

LOGIN_FAILED = "Feil e-postadresse eller passord."


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


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
        else:
            session.clear()  # no session fixation: the pre-login session is dropped
            services.start_session(user)
            db.session.commit()
            login_user(user)
            return redirect(safe_next_url(request.args.get("next")) or url_for("cases.dashboard"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.end_session(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Du er logget ut.", "success")
    return redirect(url_for("auth.login"))


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
