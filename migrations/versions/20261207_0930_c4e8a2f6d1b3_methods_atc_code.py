"""methods: a drug's ATC code, for the public list's ATC filter

Revision ID: c4e8a2f6d1b3
Revises: c4e8a1f2d6b3
Create Date: 2026-12-07 09:30:00

Existing methods have no code recorded: the column starts empty (the secretariat fills it in on the method page).
"""
import sqlalchemy as sa
from alembic import op

revision = "c4e8a2f6d1b3"
down_revision = "c4e8a1f2d6b3"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("method_methods", sa.Column("atc_code", sa.String(length=7), nullable=True))
    op.create_index(op.f("ix_method_methods_atc_code"), "method_methods", ["atc_code"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_method_methods_atc_code"), table_name="method_methods")
    op.drop_column("method_methods", "atc_code")
