"""`flask users create|deactivate|list`."""
import re

from sqlalchemy import select

from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from tests.conftest import PASSWORD


def test_create_list_and_deactivate_users(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", "--email", "Siri@Test.example", "--name", "Siri Saksbehandler",
                                  "--role", "abroad_caseworker", "--office", "helse-vest",
                                  "--password", "et-langt-passord-1"])
    assert created.exit_code == 0, created.output
    assert "Opprettet siri@test.example (abroad_caseworker, helse-vest)" in created.output

    listed = runner.invoke(args=["users", "list"])
    assert "siri@test.example" in listed.output and "aktiv" in listed.output

    deactivated = runner.invoke(args=["users", "deactivate", "siri@test.example"])
    assert deactivated.exit_code == 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "siri@test.example"))
        assert (user.role, user.office, user.active) == (Role.ABROAD_CASEWORKER, "helse-vest", False)


def test_without_a_password_the_command_prints_an_activation_link_and_the_account_waits_for_it(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "a@test.example", "--name", "A", "--role", "analyst",
              "--base-url", "https://helsesak.example.no"])
    assert result.exit_code == 0, result.output
    link = re.search(r"https://helsesak\.example\.no(/aktiver/\S+)", result.output)
    assert link, result.output
    client = app.test_client()
    assert client.post("/login", data={"email": "a@test.example", "password": ""}).status_code != 302
    assert client.post(link.group(1), data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    assert client.post("/login", data={"email": "a@test.example", "password": PASSWORD}).status_code == 302


def test_caseworker_without_office_is_refused_in_bokmal(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "b@test.example", "--name", "B", "--role", "abroad_caseworker",
        "--password", "et-langt-passord-1"])
    assert result.exit_code != 0
    assert "må høre til et utenlandskontor" in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "b@test.example")) is None


def test_short_password_is_refused(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "c@test.example", "--name", "C", "--role", "analyst", "--password", "kort"])
    assert result.exit_code != 0 and "minst 12 tegn" in result.output
