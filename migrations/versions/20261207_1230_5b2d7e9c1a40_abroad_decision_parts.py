"""abroad: partial grants, itemised in `abroad_decision_parts`

A first-instance decision may now be «Delvis innvilget» (`abroad_applications.decision` = 'partial', a value of
the non-native enum's VARCHAR: no change to the column). Its parts are one row per item of what was asked (the
treatment, the hospital asked for, the companion, travel, stay): granted, or refused with the reason; a refused
hospital names the register's hospital granted instead.

No data migration: no existing decision is partial (the parts of earlier grants and refusals were not itemised).

Revision ID: 5b2d7e9c1a40
Revises: 78a5bd3966b3
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "5b2d7e9c1a40"
down_revision = "78a5bd3966b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "abroad_decision_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("instead_hospital_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("granted OR reason IS NOT NULL",
                           name=op.f("ck_abroad_decision_parts_refused_with_reason")),
        sa.CheckConstraint("instead_hospital_id IS NULL OR (item = 'hospital' AND NOT granted)",
                           name=op.f("ck_abroad_decision_parts_instead_only_for_refused_hospital")),
        sa.ForeignKeyConstraint(["application_id"], ["abroad_applications.id"],
                                name=op.f("fk_abroad_decision_parts_application_id_abroad_applications")),
        sa.ForeignKeyConstraint(["instead_hospital_id"], ["abroad_hospitals.id"],
                                name=op.f("fk_abroad_decision_parts_instead_hospital_id_abroad_hospitals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abroad_decision_parts")),
        sa.UniqueConstraint("application_id", "item", name=op.f("uq_abroad_decision_parts_application_id_item")),
    )
    with op.batch_alter_table("abroad_decision_parts") as batch_op:
        batch_op.create_index(batch_op.f("ix_abroad_decision_parts_application_id"), ["application_id"])


def downgrade():
    with op.batch_alter_table("abroad_decision_parts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_abroad_decision_parts_application_id"))
    op.drop_table("abroad_decision_parts")
