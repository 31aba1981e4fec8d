"""Case numbers under concurrent registration: separate connections, real commits."""
import threading

import pytest
from sqlalchemy import delete

from app.cases.models import SequenceCounter
from app.cases.numbering import next_number
from app.extensions import db

YEAR = 2999  # a year no other test uses; its counter row is removed afterwards


@pytest.mark.real_commits
def test_concurrent_registrations_get_distinct_numbers_without_gaps(app):
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def register_many():
        try:
            start.wait()
            for _ in range(10):
                with app.app_context():
                    number = next_number("case", YEAR)
                    db.session.commit()
                with lock:
                    numbers.append(number)
        except BaseException as error:  # reported below; a thread's exception would vanish
            errors.append(error)

    threads = [threading.Thread(target=register_many) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        assert sorted(numbers) == list(range(1, 61))
    finally:
        with app.app_context():
            db.session.execute(delete(SequenceCounter).where(SequenceCounter.year == YEAR))
            db.session.commit()
