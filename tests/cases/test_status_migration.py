"""The migration that makes the core case status follow the modules' moves the existing cases forward (and keeps
the move in their status history); a discarded case is left alone."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app.extensions import db
from tests.migrations import MIGRATIONS, demo_database

REVISION, BEFORE = "f1a7c3e9b2d4", "d4e9b1c7a2f3"


@pytest.mark.slow
def test_existing_cases_move_to_their_modules_status(tmp_path, demo_rows):
    with demo_database(f"sqlite:///{tmp_path / 'demo.db'}", demo_rows, tmp_path / "documents"):
        # As before the revision: every case «Opprettet» whatever its module says, one discarded.
        discarded = db.session.execute(text("SELECT MIN(id) FROM cases WHERE kind = 'method'")).scalar()
        db.session.execute(text("UPDATE cases SET status = 'R'"))
        db.session.execute(text("UPDATE cases SET status = 'U' WHERE id = :id"), {"id": discarded})
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        upgrade(directory=MIGRATIONS, revision=REVISION)

        def statuses(sql: str) -> set[str]:
            return set(db.session.execute(text(f"SELECT c.status FROM cases c WHERE c.id IN ({sql})")).scalars())

        assert statuses("SELECT case_id FROM method_methods WHERE status = 'decided' AND case_id != "
                        f"{discarded}") == {"F"}
        assert statuses(f"SELECT {discarded}") == {"U"}
        assert statuses("SELECT case_id FROM method_methods WHERE status = 'received'") <= {"R"}
        assert statuses("SELECT case_id FROM abroad_applications WHERE status IN ('granted', 'denied')") == {"F"}
        assert statuses("SELECT case_id FROM abroad_appeals WHERE status = 'forwarded'") == {"B"}
        assert statuses("SELECT case_id FROM panel_referrals WHERE status = 'under_assessment'") <= {"B"}
        moved = db.session.execute(text(
            "SELECT from_status, to_status, comment, by_id FROM case_status_changes "
            "WHERE comment = 'Statusen følger modulens status'")).all()
        assert moved and all(row.from_status == "R" and row.to_status in ("B", "F", "A") and row.by_id is None
                             for row in moved)
