"""abroad: corrections: cost reversals (credits that name the entry they reverse) and notes on a decision

A cost is corrected by a reversal, never deleted: `reverses_id` names the entry reversed (unique: one reversal per
entry) and `reason` says why. A check constraint keeps negative amounts to reversals only. A fact a decision rests
on that is corrected after the decision gets a row in `abroad_decision_notes`.

The existing costs are all ordinary bookings above zero (the services and the import refused anything else), so
no row needs a value: `reverses_id` and `reason` stay empty for them.

Revision ID: e5a7c3d91b24
Revises: e5f2a8c0d4b6
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a7c3d91b24'
down_revision = 'e5f2a8c0d4b6'
branch_labels = None
depends_on = None

CHECK = ("(reverses_id IS NULL AND amount > 0 AND amount_nok > 0) OR "
         "(reverses_id IS NOT NULL AND amount < 0 AND amount_nok < 0)")


def upgrade():
    with op.batch_alter_table('abroad_cost_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_abroad_cost_entries_reverses_id_abroad_cost_entries'),
                                    'abroad_cost_entries', ['reverses_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_abroad_cost_entries_reverses_id'), ['reverses_id'])
        batch_op.create_check_constraint(op.f('ck_abroad_cost_entries_negative_only_as_reversal'), CHECK)

    op.create_table(
        'abroad_decision_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('old_value', sa.String(length=300), nullable=True),
        sa.Column('new_value', sa.String(length=300), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['abroad_applications.id'],
                                name=op.f('fk_abroad_decision_notes_application_id_abroad_applications')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_abroad_decision_notes_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_abroad_decision_notes')),
    )
    with op.batch_alter_table('abroad_decision_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_abroad_decision_notes_application_id'), ['application_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('abroad_decision_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_abroad_decision_notes_application_id'))
    op.drop_table('abroad_decision_notes')
    with op.batch_alter_table('abroad_cost_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_abroad_cost_entries_negative_only_as_reversal'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_abroad_cost_entries_reverses_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_abroad_cost_entries_reverses_id_abroad_cost_entries'),
                                 type_='foreignkey')
        batch_op.drop_column('reason')
        batch_op.drop_column('reverses_id')
