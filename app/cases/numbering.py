"""Per-year sequence numbers without gaps or duplicates, also under concurrent registration.

The counter row is incremented with UPDATE ... RETURNING in the caller's transaction: the row
lock serialises concurrent writers, and a rollback gives the number back.
"""
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.cases.models import SequenceCounter
from app.extensions import db


def _ensure_counter(name: str, year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(SequenceCounter).values(name=name, year=year, last_value=0)
                       .on_conflict_do_nothing(index_elements=["name", "year"]))


def next_number(name: str, year: int) -> int:
    _ensure_counter(name, year)
    return db.session.execute(
        update(SequenceCounter)
        .where(SequenceCounter.name == name, SequenceCounter.year == year)
        .values(last_value=SequenceCounter.last_value + 1)
        .returning(SequenceCounter.last_value)
    ).scalar_one()


def reserve_number(name: str, year: int, value: int) -> None:
    """Make sure the counter never hands out `value` again (for numbers taken from imports)."""
    _ensure_counter(name, year)
    db.session.execute(update(SequenceCounter)
                       .where(SequenceCounter.name == name, SequenceCounter.year == year,
                              SequenceCounter.last_value < value)
                       .values(last_value=value))
