from sqlalchemy import func, select

from app.auth.models import User
from app.cases.documents import read_version
from app.cases.models import Case, CaseKind, DocumentVersion
from app.demo import DEMO_USERS
from app.extensions import db
from tests.pdf import pdf_text


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


def test_the_demo_letters_are_the_real_rendered_letters(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        texts = [pdf_text(read_version(version)) for version in db.session.scalars(select(DocumentVersion))]
    assert len(texts) == 5                 # four decision letters and one forwarding letter
    assert sum("Du kan klage på vedtaket" in text for text in texts) == 4
    assert sum("Klagenemnda for behandling i utlandet" in text and "Oversendelse" in text for text in texts) == 1
