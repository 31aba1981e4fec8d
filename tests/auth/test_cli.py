"""`flask users create|deactivate|list`."""
from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db


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


def test_password_is_prompted_for_when_not_given(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "a@test.example", "--name", "A", "--role", "analyst"],
        input="et-langt-passord-1\net-langt-passord-1\n")
    assert result.exit_code == 0, result.output


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
