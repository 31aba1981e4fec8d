"""panel: a treatment item can be withdrawn with a reason (withdrawn_at, withdrawn_by_id, withdrawn_reason)

Revision ID: e5b2c8d4a9f1
Revises: c3a1e7f05b2d
Create Date: 2026-12-04 10:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5b2c8d4a9f1'
down_revision = 'c3a1e7f05b2d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panel_treatment_items') as batch:
        batch.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch.create_foreign_key('fk_panel_treatment_items_withdrawn_by_id_users', 'users', ['withdrawn_by_id'],
                                 ['id'])


def downgrade():
    with op.batch_alter_table('panel_treatment_items') as batch:
        batch.drop_constraint('fk_panel_treatment_items_withdrawn_by_id_users', type_='foreignkey')
        batch.drop_column('withdrawn_reason')
        batch.drop_column('withdrawn_by_id')
        batch.drop_column('withdrawn_at')
