"""Declarative base with a naming convention (stable constraint names for Alembic batch mode)."""
import enum
import re
import sqlite3
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Engine, Enum, MetaData, event
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry
from sqlalchemy.sql.functions import FunctionElement

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest value an INTEGER column holds on PostgreSQL (int4); ids and numbers from a URL above it are refused
# before they reach the database driver (SQLite's limit is 2**63 - 1, PostgreSQL's int8 the same).
MAX_INTEGER = 2**31 - 1


# Tables the migrations make and the database keeps by its own triggers (the lists' search indexes, whose shape
# differs between PostgreSQL and SQLite): no model describes them, so autogenerate and the schema check skip them.
DATABASE_KEPT_TABLES = frozenset({"abroad_application_search", "case_search"})


def not_database_kept(name, type_, _parent_names) -> bool:
    """Alembic's include_name hook: leave out DATABASE_KEPT_TABLES (and SQLite's FTS5 shadow tables of them)."""
    return not (type_ == "table" and any(name == kept or name.startswith(f"{kept}_")
                                         for kept in DATABASE_KEPT_TABLES))


def utcnow() -> datetime:
    return datetime.now(UTC)


class LabelledEnum(enum.Enum):
    """An enum whose every member carries its bokmål label: `OPEN = "open", "Åpen"`. The value is the first item
    alone, so what the database stores (type_annotation_map below) and every comparison stay as they were; a
    member declared without a label fails when its class is defined."""

    label: str

    def __new__(cls, value: str, label: str):
        member = object.__new__(cls)
        member._value_ = value
        member.label = label
        return member


class Base(DeclarativeBase):
    # A registry, not a class attribute: Flask-SQLAlchemy subclasses the base and rejects a
    # per-base type_annotation_map (pallets-eco/flask-sqlalchemy#1361).
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: DateTime(timezone=True),
            enum.Enum: Enum(enum.Enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
        },
    )


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps `version`, so a stale write fails."""

    version: Mapped[int] = mapped_column(nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.version}


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record) -> None:
    """SQLite as an embedded default for a small office: write-ahead logging (readers never wait for the
    writer), foreign keys enforced, and SQLAlchemy emitting BEGIN itself (pysqlite's own transaction handling
    breaks SAVEPOINTs). The busy timeout is the driver's `timeout` (sqlite_engine_options)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")   # kept in the file; an in-memory database answers "memory"
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        dbapi_connection.create_function("similarity", 2, trigram_similarity, deterministic=True)


def _trigrams(text: str) -> set[str]:
    return {f"  {word} "[at:at + 3] for word in re.findall(r"\w+", text.casefold()) for at in range(len(word) + 1)}


def trigram_similarity(first: str | None, second: str | None) -> float:
    """PostgreSQL pg_trgm's similarity() for SQLite (registered on every connection): the share of trigrams the
    two texts have in common, each word lower-cased and padded as pg_trgm pads it, 0 when either has none."""
    if first is None or second is None:
        return 0.0
    ours, theirs = _trigrams(first), _trigrams(second)
    if not ours or not theirs:
        return 0.0
    return len(ours & theirs) / len(ours | theirs)


def sqlite_engine_options(config) -> dict:
    """Engine options with SQLITE_BUSY_TIMEOUT_SECONDS as the driver's busy timeout: how long a request waits
    for another one's write lock before it answers 503 «Prøv igjen om litt»."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        options["connect_args"] = {"timeout": config["SQLITE_BUSY_TIMEOUT_SECONDS"],
                                   **options.get("connect_args", {})}
    return options


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """Every transaction takes the write lock when it starts (BEGIN IMMEDIATE). Nearly every request writes
    (at least its audit row) after reading; a deferred transaction that tries to upgrade its read lock
    while another connection writes gets SQLITE_BUSY at once, without the busy timeout, because waiting
    could deadlock. Taking the lock first makes concurrent requests queue instead of failing."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class likely(FunctionElement):  # noqa: N801  (SQLite's function of the name)
    """A condition true for most rows, said so to SQLite's query planner (its likely()). Without statistics SQLite
    takes an equality on any index for a selective one: for a condition that matches most of a table it then reads
    all the matches through that index and sorts them, where reading an ordered index and stopping after a page
    would do. Elsewhere the condition as it is (PostgreSQL keeps statistics and judges for itself)."""

    type = Boolean()
    inherit_cache = True
    name = "likely"


@compiles(likely)
def _plain_condition(element, compiler, **kw) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(likely, "sqlite")
def _sqlite_likely(element, compiler, **kw) -> str:
    return compiler.visit_function(element, **kw)
