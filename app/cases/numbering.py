"""Per-year sequence numbers without gaps or duplicates, also under concurrent registration.

The counter row is incremented with UPDATE ... RETURNING in the caller's transaction: the row
lock serialises concurrent writers, and a rollback gives the number back.
"""
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.cases.models import SequenceCounter
from app.extensions import db


def next_number(name: str, year: int) -> int:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(SequenceCounter).values(name=name, year=year, last_value=0)
                       .on_conflict_do_nothing(index_elements=["name", "year"]))
    return db.session.execute(
        update(SequenceCounter)
        .where(SequenceCounter.name == name, SequenceCounter.year == year)
        .values(last_value=SequenceCounter.last_value + 1)
        .returning(SequenceCounter.last_value)
    ).scalar_one()
