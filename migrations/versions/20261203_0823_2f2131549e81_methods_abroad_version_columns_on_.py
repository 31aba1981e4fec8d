"""methods, abroad: version columns on ongoing trials and medical opinions

Both rows are changed after they are created (a trial is edited on the assessment page, an opinion is
recorded as received), so they get optimistic locking like every other mutable record. Existing rows
start at version 1 (the server default).

Revision ID: 2f2131549e81
Revises: a240be850135
Create Date: 2026-12-03 08:23:08.726694

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2f2131549e81'
down_revision = 'a240be850135'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('abroad_medical_opinions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('method_ongoing_trials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('method_ongoing_trials', schema=None) as batch_op:
        batch_op.drop_column('version')

    with op.batch_alter_table('abroad_medical_opinions', schema=None) as batch_op:
        batch_op.drop_column('version')
