"""The view helpers in app.forms that every POST button answers through."""
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired

from app.errors import DomainError
from app.forms import button_pressed


class NoteForm(FlaskForm):
    class Meta:
        csrf = False

    note = StringField("Merknad", validators=[DataRequired(message="Skriv en merknad.")])


def _refused():
    raise DomainError("Saken er avsluttet.")


def test_a_refused_button_flashes_each_message_once_and_returns_to_its_page(app):
    with app.test_request_context("/", method="POST", data={"note": "ok"}):
        response = button_pressed(NoteForm(), _refused, "Lagret.", "/saker/1", refused_prefix="Sak 1: ")
        assert (response.status_code, response.location) == (302, "/saker/1")
        assert get_flashed_messages(with_categories=True) == [("error", "Sak 1: Saken er avsluttet.")]


def test_a_button_with_a_field_error_flashes_the_field_message_and_saves_nothing(app):
    calls = []
    with app.test_request_context("/", method="POST", data={"note": ""}):
        button_pressed(NoteForm(), lambda: calls.append("saved"), "Lagret.", "/saker/1")
        assert get_flashed_messages(with_categories=True) == [("error", "Skriv en merknad.")]
    assert calls == []


def test_a_pressed_button_flashes_what_was_done(app):
    with app.test_request_context("/", method="POST", data={"note": "ok"}):
        button_pressed(NoteForm(), lambda: None, lambda: "Merknad 7 er lagret.", "/saker/1")
        assert get_flashed_messages(with_categories=True) == [("success", "Merknad 7 er lagret.")]
