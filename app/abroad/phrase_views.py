"""The office's standard phrases for letters: the caseworkers of an office list, add and edit their own office's
phrases (another office's phrase answers 404, as an unknown one). The decision form inserts them."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.abroad import services
from app.abroad.forms import NewPhraseForm, PhraseForm
from app.abroad.models import StandardPhrase
from app.abroad.views import bp
from app.core.regions import unit_name
from app.core.roles import Role
from app.extensions import db
from app.forms import form_status, submitted
from app.security import role_required


@bp.route("/standardtekster", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def phrases():
    form = NewPhraseForm()
    if submitted(form, lambda: services.add_phrase(current_user.office, form.to_command(), actor=current_user),
                 check=lambda command: services.check_phrase(current_user.office, command)):
        flash("Standardteksten er lagret.", "success")
        return redirect(url_for("abroad.phrases"))
    return render_template("abroad/phrases.html", form=form, phrases=services.office_phrases(current_user.office),
                           office=unit_name(current_user.office)), form_status(form)


@bp.route("/standardtekster/<int:phrase_id>", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def edit_phrase(phrase_id: int):
    phrase = db.session.get(StandardPhrase, phrase_id)
    if phrase is None or phrase.office != current_user.office:
        abort(404)
    form = PhraseForm(obj=phrase)
    if submitted(form, lambda: services.update_phrase(
            phrase, form.to_command(), expected_version=form.version.data, actor=current_user),
            check=lambda command: services.check_phrase(phrase.office, command, phrase.id)):
        flash("Standardteksten er endret.", "success")
        return redirect(url_for("abroad.phrases"))
    if form.conflict:
        db.session.refresh(phrase)
        form.adopt_version(phrase.version)
    return render_template("abroad/phrase_form.html", form=form, phrase=phrase), form_status(form)
