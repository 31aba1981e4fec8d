"""cases: a trigram search index over the cases (case number, title, the patient's name as registered)

The case list's free-text search reads `case_search`, kept by the database itself on every path that writes a
case (as `abroad_application_search` is, migration c81f0a3d5e27): on PostgreSQL a table (record_id = the case's
id, search_text) with a pg_trgm GIN index, on SQLite an FTS5 table with the trigram tokenizer (rowid = the
case's id), both filled by triggers on cases. A later batch migration that rebuilds `cases` on SQLite drops its
triggers and must create them again (tests/cases/test_case_search.py fails when they are missing).

Revision ID: d4e9b1c7a2f3
Revises: c81f0a3d5e27
Create Date: 2026-12-07 04:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd4e9b1c7a2f3'
down_revision = 'c81f0a3d5e27'
branch_labels = None
depends_on = None

SQLITE_TEXT = "{row}.number || ' ' || {row}.title || ' ' || coalesce({row}.patient_name, '')"

SQLITE = [
    "CREATE VIRTUAL TABLE case_search USING fts5(search_text, tokenize = 'trigram')",
    f"""CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
        INSERT INTO case_search (rowid, search_text) VALUES (NEW.id, {SQLITE_TEXT.format(row='NEW')});
    END""",
    f"""CREATE TRIGGER case_search_update AFTER UPDATE OF number, title, patient_name ON cases BEGIN
        UPDATE case_search SET search_text = {SQLITE_TEXT.format(row='NEW')} WHERE rowid = NEW.id;
    END""",
    """CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_search WHERE rowid = OLD.id;
    END""",
    f"INSERT INTO case_search (rowid, search_text) SELECT c.id, {SQLITE_TEXT.format(row='c')} FROM cases c",
]

POSTGRESQL_TEXT = "concat_ws(' ', {row}.number, {row}.title, {row}.patient_name)"

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE case_search (
        record_id integer PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        search_text text NOT NULL)""",
    "CREATE INDEX ix_case_search_trgm ON case_search USING gin (search_text gin_trgm_ops)",
    f"""CREATE FUNCTION case_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO case_search (record_id, search_text) VALUES (NEW.id, {POSTGRESQL_TEXT.format(row='NEW')})
        ON CONFLICT (record_id) DO UPDATE SET search_text = EXCLUDED.search_text;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER case_search_sync AFTER INSERT OR UPDATE OF number, title, patient_name ON cases
        FOR EACH ROW EXECUTE FUNCTION case_search_sync()""",
    f"INSERT INTO case_search (record_id, search_text) SELECT c.id, {POSTGRESQL_TEXT.format(row='c')} FROM cases c",
]


def upgrade():
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER case_search_sync ON cases")
        op.execute("DROP FUNCTION case_search_sync()")
    else:
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER case_search_{trigger}")
    op.execute("DROP TABLE case_search")
