"""abroad: a trigram search index over the applications (case number, patient name, reference, ICD-10, treatment)

The application list's free-text search reads `abroad_application_search`, kept by the database itself so that
every path that writes an application or its case (the services, the bulk import, a correction) keeps it
current:
- PostgreSQL: a table (record_id = the application's id, search_text) with a pg_trgm GIN index, filled by
  triggers on abroad_applications and on cases (number, patient_name);
- SQLite: an FTS5 table with the trigram tokenizer (rowid = the application's id), filled by the same triggers.
A later batch migration that rebuilds abroad_applications or cases on SQLite drops their triggers: it must
create them again (tests/abroad/test_application_search.py fails when they are missing).

Revision ID: c81f0a3d5e27
Revises: b7d41c2e9a10
Create Date: 2026-12-07 03:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c81f0a3d5e27'
down_revision = 'b7d41c2e9a10'
branch_labels = None
depends_on = None

SQLITE_TEXT = ("(SELECT coalesce(c.number, '') || ' ' || coalesce(c.patient_name, '') FROM cases c "
               "WHERE c.id = {row}.case_id) || ' ' || coalesce({row}.reference, '') || ' ' || {row}.icd10 || ' ' "
               "|| coalesce({row}.requested_treatment, '')")

SQLITE = [
    "CREATE VIRTUAL TABLE abroad_application_search USING fts5(search_text, tokenize = 'trigram')",
    f"""CREATE TRIGGER abroad_application_search_insert AFTER INSERT ON abroad_applications BEGIN
        INSERT INTO abroad_application_search (rowid, search_text) VALUES (NEW.id, {SQLITE_TEXT.format(row='NEW')});
    END""",
    f"""CREATE TRIGGER abroad_application_search_update
        AFTER UPDATE OF case_id, reference, icd10, requested_treatment ON abroad_applications BEGIN
        UPDATE abroad_application_search SET search_text = {SQLITE_TEXT.format(row='NEW')} WHERE rowid = NEW.id;
    END""",
    """CREATE TRIGGER abroad_application_search_delete AFTER DELETE ON abroad_applications BEGIN
        DELETE FROM abroad_application_search WHERE rowid = OLD.id;
    END""",
    f"""CREATE TRIGGER abroad_application_search_case AFTER UPDATE OF number, patient_name ON cases BEGIN
        UPDATE abroad_application_search SET search_text = (
            SELECT {SQLITE_TEXT.format(row='a')} FROM abroad_applications a WHERE a.id = abroad_application_search.rowid)
        WHERE rowid IN (SELECT id FROM abroad_applications WHERE case_id = NEW.id);
    END""",
    f"""INSERT INTO abroad_application_search (rowid, search_text)
        SELECT a.id, {SQLITE_TEXT.format(row='a')} FROM abroad_applications a""",
]

POSTGRESQL_TEXT = "concat_ws(' ', c.number, c.patient_name, {row}.reference, {row}.icd10, {row}.requested_treatment)"

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE abroad_application_search (
        record_id integer PRIMARY KEY REFERENCES abroad_applications (id) ON DELETE CASCADE,
        search_text text NOT NULL)""",
    "CREATE INDEX ix_abroad_application_search_trgm ON abroad_application_search USING gin (search_text gin_trgm_ops)",
    f"""CREATE FUNCTION abroad_application_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO abroad_application_search (record_id, search_text)
        SELECT NEW.id, {POSTGRESQL_TEXT.format(row='NEW')} FROM cases c WHERE c.id = NEW.case_id
        ON CONFLICT (record_id) DO UPDATE SET search_text = EXCLUDED.search_text;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER abroad_application_search_sync
        AFTER INSERT OR UPDATE OF case_id, reference, icd10, requested_treatment ON abroad_applications
        FOR EACH ROW EXECUTE FUNCTION abroad_application_search_sync()""",
    f"""CREATE FUNCTION abroad_application_search_case() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE abroad_application_search s SET search_text = {POSTGRESQL_TEXT.format(row='a')}
        FROM abroad_applications a JOIN cases c ON c.id = a.case_id
        WHERE a.case_id = NEW.id AND s.record_id = a.id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER abroad_application_search_case AFTER UPDATE OF number, patient_name ON cases
        FOR EACH ROW EXECUTE FUNCTION abroad_application_search_case()""",
    f"""INSERT INTO abroad_application_search (record_id, search_text)
        SELECT a.id, {POSTGRESQL_TEXT.format(row='a')} FROM abroad_applications a JOIN cases c ON c.id = a.case_id""",
]


def upgrade():
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER abroad_application_search_case ON cases")
        op.execute("DROP FUNCTION abroad_application_search_case()")
        op.execute("DROP TRIGGER abroad_application_search_sync ON abroad_applications")
        op.execute("DROP FUNCTION abroad_application_search_sync()")
        op.execute("DROP TABLE abroad_application_search")
    else:
        for trigger in ("insert", "update", "delete", "case"):
            op.execute(f"DROP TRIGGER abroad_application_search_{trigger}")
        op.execute("DROP TABLE abroad_application_search")
