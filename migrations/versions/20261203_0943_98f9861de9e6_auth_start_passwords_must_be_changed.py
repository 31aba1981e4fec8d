"""auth: start passwords must be changed

Revision ID: 98f9861de9e6
Revises: 5092f5a904ee
Create Date: 2026-12-03 09:43:14.749051

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '98f9861de9e6'
down_revision = '5092f5a904ee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
