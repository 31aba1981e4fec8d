"""One linear migration history that builds exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.db import not_database_kept
from app.extensions import db
from config import BASE_DIR
from tests.migrations import MIGRATIONS, demo_database


def test_the_migrated_schema_matches_the_models(app_ctx):
    context = MigrationContext.configure(db.session.connection(), opts={"include_name": not_database_kept})
    assert compare_metadata(context, db.metadata) == []


def _alembic_config() -> Config:
    config = Config(str(BASE_DIR / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS)
    return config


def test_the_history_has_one_head():
    assert len(ScriptDirectory.from_config(_alembic_config()).get_heads()) == 1


@pytest.mark.slow
def test_the_history_runs_down_and_up_on_a_database_full_of_demo_data(tmp_path, demo_rows):
    """SQLite batch migrations copy a table and drop the old one, which fails while other rows refer to it:
    the whole history must still go down to its first revision and up again with the demo data in place."""
    import sqlite3

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, select

    from app.auth.models import User
    from app.cases.models import Case

    script = ScriptDirectory.from_config(_alembic_config())
    first = next(iter(script.walk_revisions(base="base", head="heads")))
    while first.down_revision is not None:
        first = script.get_revision(first.down_revision)
    with demo_database(f"sqlite:///{tmp_path / 'demo.db'}", demo_rows, tmp_path / "documents"):
        users = db.session.scalar(select(func.count()).select_from(User))
        db.session.remove()   # the migrations take their own connection

        downgrade(directory=MIGRATIONS, revision=first.revision)
        upgrade(directory=MIGRATIONS)

        assert db.session.scalar(select(func.count()).select_from(User)) == users
        assert db.session.scalar(select(func.count()).select_from(Case)) > 0     # the core's cases stayed
    with sqlite3.connect(tmp_path / "demo.db") as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
