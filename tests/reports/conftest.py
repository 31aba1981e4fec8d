import pytest

from app.extensions import db, rq
from tests.reports.s3_2020 import insert_s3_2020


@pytest.fixture(autouse=True)
def _empty_queue(app):
    """Orders live in the (in-process) Redis, which outlives the per-test rollback: start each test empty."""
    with app.app_context():
        rq.get_queue("pdf").connection.flushall()
    yield


@pytest.fixture
def s3_2020(app_ctx):
    """The synthetic case-level data behind the treatment-abroad annual report 2020."""
    data = insert_s3_2020()
    yield data
    db.session.rollback()
