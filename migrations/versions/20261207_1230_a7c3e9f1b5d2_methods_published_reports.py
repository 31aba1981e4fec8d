"""methods: a delivered report's file is published only when marked

`method_commission_reports.published`: the public pages serve the report's file (on the method's case) only when
it is true. Existing reports stay unpublished (false): nobody has yet said that their stored file is the public
version without confidential prices, so the secretariat marks them.

Revision ID: a7c3e9f1b5d2
Revises: a7c3e9d1f5b2
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a7c3e9f1b5d2"
down_revision = "a7c3e9d1f5b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("method_commission_reports") as batch_op:
        batch_op.add_column(sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("method_commission_reports") as batch_op:
        batch_op.drop_column("published")
