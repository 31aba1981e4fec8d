"""abroad: the offices' standard phrases for letters

Revision ID: b7d2e4f6a8c1
Revises: e5a7c3d9f1b2
Create Date: 2026-12-07 07:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b7d2e4f6a8c1"
down_revision = "e5a7c3d9f1b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "abroad_standard_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_abroad_standard_phrases_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abroad_standard_phrases")),
        sa.UniqueConstraint("office", "title", name=op.f("uq_abroad_standard_phrases_office_title")),
    )
    op.create_index(op.f("ix_abroad_standard_phrases_office"), "abroad_standard_phrases", ["office"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_abroad_standard_phrases_office"), table_name="abroad_standard_phrases")
    op.drop_table("abroad_standard_phrases")
