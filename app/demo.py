"""`flask demo load`: demo users for every role and office, and a few cases in each unit.

Idempotent: users are created when missing, cases only into an empty database. Refused in
production configuration. Every patient is synthetic; the numbers pass the check-digit test.
"""
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from stdnum.no import fodselsnummer

from app.auth import services as account_services
from app.auth.models import User
from app.cases.models import Case
from app.core.roles import Role
from app.extensions import db
from app.modules import DemoSeed, registered_modules

demo_cli = AppGroup("demo", help="Demo data for development.")

DEMO_PASSWORD = "demo-passord-2026"

DEMO_USERS = [
    ("admin@helsesak.test", "Ada Administrator", Role.ADMIN, None),
    ("metoder@helsesak.test", "Mona Metode", Role.METHODS_SECRETARIAT, None),
    ("bestillerforum@helsesak.test", "Bjørn Bestiller", Role.BESTILLERFORUM, None),
    ("panel@helsesak.test", "Per Panelsekretær", Role.PANEL_SECRETARIAT, None),
    ("panelmedlem@helsesak.test", "Pia Panelmedlem", Role.PANEL_MEMBER, None),
    ("hso@helsesak.test", "Siri Sør-Øst", Role.ABROAD_CASEWORKER, "helse-sor-ost"),
    ("vest@helsesak.test", "Vidar Vest", Role.ABROAD_CASEWORKER, "helse-vest"),
    ("midt@helsesak.test", "Marit Midt", Role.ABROAD_CASEWORKER, "helse-midt-norge"),
    ("analytiker@helsesak.test", "Anders Analytiker", Role.ANALYST, None),
]


def synthetic_national_id(birth_date: date, individual: int = 100) -> str:
    """A fødselsnummer with valid check digits for `birth_date`: the first from `individual` (0–499) within the
    individual numbers of the birth year's century (000–499 for 1900–1999, 500–999 for 2000–2039)."""
    base = 500 if birth_date.year >= 2000 else 0
    for number in range(base + individual, base + 500):
        first9 = f"{birth_date:%d%m%y}{number:03d}"
        check1 = fodselsnummer.calc_check_digit1(first9)
        if check1 == "10" or len(check1) != 1:
            continue
        check2 = fodselsnummer.calc_check_digit2(first9 + check1)
        if len(check2) == 1:
            return first9 + check1 + check2
    raise ValueError(f"no valid number for {birth_date}")


def _ensure_users() -> dict[str, User]:
    users = {}
    for email, name, role, office in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = account_services.create_user(email=email, name=name, role=role, office=office,
                                                password=DEMO_PASSWORD)
        users[email] = user
    return users


def _load_cases(users: dict[str, User], today: date) -> int:
    """Each module's demo cases, in the order the app plugs the modules in."""
    seed = DemoSeed(users=users, national_id_for=synthetic_national_id, today=today)
    return sum(module.load_demo(seed) for module in registered_modules())


@demo_cli.command("load")
def load() -> None:
    """Create the demo users and, into an empty database, demo cases."""
    if not current_app.config.get("DEMO_DATA_ALLOWED", False):
        raise click.ClickException("Demodata kan ikke lastes i produksjonsoppsett.")
    users = _ensure_users()
    created = 0
    if not db.session.scalar(select(func.count(Case.id))):
        created = _load_cases(users, date.today())
    db.session.commit()
    click.echo(f"Demodata klar ({created} nye saker). Demobrukere, alle med passordet «{DEMO_PASSWORD}»:")
    for email, _name, role, office in DEMO_USERS:
        click.echo(f"  {email:32} {role.label}{' – ' + office if office else ''}")
