"""core: list events name their patients in audit_event_patients

A list request is logged as one `list` event; the patients it showed go into audit_event_patients, the index
that finds the event in a patient's log. Append-only like audit_events. The per-case list rows logged before
stay as they are (their readers handle both shapes).

Revision ID: a3d296071796
Revises: e5b2c8d4a9f1
Create Date: 2026-12-07 02:21:23.301545

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d296071796'
down_revision = 'e5b2c8d4a9f1'
branch_labels = None
depends_on = None

TABLE = "audit_event_patients"


def upgrade():
    op.create_table(TABLE,
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['audit_events.id'], name=op.f('fk_audit_event_patients_event_id_audit_events')),
    sa.PrimaryKeyConstraint('event_id', 'case_id', name=op.f('pk_audit_event_patients'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_patients_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_patients_patient_id'), ['patient_id'], unique=False)
    _append_only()


def _append_only():
    """Like the audit log itself: the database refuses UPDATE, DELETE and TRUNCATE."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{TABLE} is append-only';
            END $$;
        """)
        op.execute(f"""
            CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
        """)
        op.execute(f"""
            CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();
        """)
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE}
                BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END;
            """)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_append_only()")
    else:
        op.execute(f"DROP TRIGGER {TABLE}_no_update")
        op.execute(f"DROP TRIGGER {TABLE}_no_delete")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_patients_patient_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_patients_case_id'))
    op.drop_table(TABLE)
