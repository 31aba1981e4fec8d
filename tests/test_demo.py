from sqlalchemy import func, select

from app.auth.models import User
from app.cases.models import Case, CaseKind
from app.demo import DEMO_USERS
from app.extensions import db


def test_demo_load_is_idempotent_and_covers_every_role_and_office(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "hso@helsesak.test" in first.output and "demo-passord-2026" in first.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == len(DEMO_USERS)
        units = set(db.session.scalars(select(Case.unit).where(Case.kind == CaseKind.ABROAD_APPLICATION)))
        assert units == {"helse-sor-ost", "helse-vest", "helse-midt-norge"}
        assert db.session.scalar(select(func.count(Case.id))) == 20
    assert "(0 nye saker)" in second.output
