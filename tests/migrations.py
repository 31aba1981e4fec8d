"""A database at the newest revision with the demo data in it, for the tests that run the migration history down
and up again over real rows (a migration that moves data is only tested where there is data to move)."""
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from config import BASE_DIR, TestConfig
from tests.conftest import restore_demo

MIGRATIONS = str(BASE_DIR / "migrations")


@contextmanager
def demo_database(url: str, demo_rows: dict[str, list[dict]], documents: Path) -> Iterator[Flask]:
    """An app on `url`, migrated to the head with the demo's rows committed, inside its app context. The session
    is closed before the test runs, because the migrations the test calls take a connection of their own; the
    engine is disposed afterwards so the database (an SQLite file or a scratch database) can be dropped."""
    class DemoConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        DOCUMENT_DIR = str(documents)

    app = create_app(DemoConfig)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        restore_demo(db.session.connection(), demo_rows)
        db.session.commit()
        db.session.remove()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
