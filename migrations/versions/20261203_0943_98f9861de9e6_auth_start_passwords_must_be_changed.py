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
    # A plain ADD COLUMN, which SQLite does in place: batch mode would copy the table, and dropping the old
    # `users` fails on a database whose rows other tables refer to.
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('users', 'must_change_password')   # in place too (SQLite 3.35+)
