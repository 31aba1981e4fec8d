"""The migration of the appeal outcomes keeps the decision each existing appeal complained of, and gives an appeal
dismissed as late before it an office outcome and a date, so Table 6 counts the dismissal."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from tests.migrations import MIGRATIONS, demo_database

REVISION, BEFORE = "a7c31e9d5b42", "a7c3e9f1b5d2"


@pytest.mark.slow
def test_existing_appeals_keep_their_decision_and_a_late_dismissal_gets_its_outcome(tmp_path, demo_rows):
    with demo_database(f"sqlite:///{tmp_path / 'demo.db'}", demo_rows, tmp_path / "documents"):
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert db.session.execute(text("SELECT count(*) FROM abroad_appeals WHERE status = 'dismissed_late' "
                                       "AND office_outcome IS NULL")).scalar() > 0
        db.session.remove()
        upgrade(directory=MIGRATIONS, revision=REVISION)
        mismatched = db.session.execute(text(
            "SELECT count(*) FROM abroad_appeals p JOIN abroad_applications a ON a.id = p.application_id "
            "WHERE p.appealed_decision != a.decision OR p.appealed_decided_on != a.decided_on")).scalar()
        assert mismatched == 0
        dismissed = db.session.execute(text(
            "SELECT office_outcome, office_decided_on = received_on FROM abroad_appeals "
            "WHERE status = 'dismissed_late'")).all()
        assert dismissed and all(row == ("dismissed_late", 1) for row in dismissed)
