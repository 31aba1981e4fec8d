"""`flask users ...`: create, deactivate and list accounts."""
import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import services
from app.auth.models import User
from app.core.regions import ABROAD_OFFICES
from app.core.roles import Role
from app.errors import DomainError, InvalidInput
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--office", type=click.Choice(list(ABROAD_OFFICES)), help="Required for abroad_caseworker.")
@click.option("--password", help="Only for the first admin, who has nobody to send a link: set this password.")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Where users reach Helsesak, for the activation link.")
def create_user(email: str, name: str, role: str, office: str | None, password: str | None, base_url: str) -> None:
    """Create a user account; without --password, print its one-time activation link for the user (the person
    running the command never knows the user's password)."""
    try:
        user = services.create_user(email=email, name=name, role=Role(role), office=office, password=password)
        token = None if password else services.issue_activation(user, actor=None)
    except (InvalidInput, DomainError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Opprettet {user.email} ({user.role.value}{', ' + user.office if user.office else ''}).")
    if token:
        with current_app.test_request_context(base_url=base_url):
            link = url_for("auth.activate", token=token, _external=True)
        click.echo(f"Send denne engangslenken til brukeren (gyldig i {services.ACTIVATION_HOURS} timer): {link}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Deactivate an account and end all its sessions."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"Fant ingen bruker med e-postadressen {email}.")
    services.set_active(user, False)
    db.session.commit()
    click.echo(f"Deaktiverte {user.email}.")


@users_cli.command("deactivate-dormant")
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Deactivate accounts with no login for this many days.")
@click.option("--dry-run", is_flag=True, help="Only list the accounts.")
def deactivate_dormant(days: int, dry_run: bool) -> None:
    """Deactivate accounts nobody has used for a while (Normen: access only while there is a need)."""
    dormant = services.dormant_users(days)
    for user in dormant:
        click.echo(f"{'Ville deaktivert' if dry_run else 'Deaktiverte'} {user.email} ({user.role.value})")
        if not dry_run:
            services.set_active(user, False)
    db.session.commit()
    click.echo(f"{len(dormant)} kontoer uten innlogging på {days} dager.")


@users_cli.command("list")
def list_users() -> None:
    """List all accounts."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "aktiv" if user.active else "deaktivert"
        click.echo(f"{user.email:40} {user.role.value:20} {user.office or '-':18} {state:10} {user.name}")
