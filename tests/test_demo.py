from datetime import date

from sqlalchemy import func, select

from app.abroad.demo_data import HISTORY_YEARS
from app.abroad.models import Appeal, Application, CostEntry
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
        cases = db.session.scalar(select(func.count(Case.id)))
    assert f"({cases} nye saker)" in first.output and "(0 nye saker)" in second.output


def test_the_demo_has_years_of_history_at_every_office_so_the_reports_show_figures(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    this_year = date.today().year
    with app.app_context():
        year = func.extract("year", Application.received_on)
        per_year = {int(each): (count, offices) for each, count, offices in db.session.execute(
            select(year, func.count(), func.count(Application.office.distinct())).group_by(year)).all()}
        outcomes = set(db.session.scalars(select(Appeal.status).distinct()))
        costs = db.session.scalar(select(func.count(CostEntry.id)))
    for year in range(this_year - HISTORY_YEARS, this_year):
        applications, offices = per_year[year]
        assert 100 <= applications <= 200 and offices == 3, (year, per_year[year])
    assert costs > 1000
    assert {"upheld_by_board", "reversed_by_board", "reversed_by_office"} <= {status.value for status in outcomes}


def test_the_demo_letters_are_the_real_rendered_letters(app):
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        texts = [pdf_text(read_version(version)) for version in db.session.scalars(select(DocumentVersion))]
    assert len(texts) == 5                 # four decision letters and one forwarding letter
    assert sum("Du kan klage på vedtaket" in text for text in texts) == 4
    assert sum("Klagenemnda for behandling i utlandet" in text and "Oversendelse" in text for text in texts) == 1
