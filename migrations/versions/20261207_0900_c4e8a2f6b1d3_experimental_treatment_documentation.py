"""abroad, panel: what experimental treatment rests on (the trial or the exception on an application; evidence of
effect and the trust's requirements on a panel item)

Revision ID: c4e8a2f6b1d3
Revises: b7d2e4f6a8c1
Create Date: 2026-12-07 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4e8a2f6b1d3"
down_revision = "b7d2e4f6a8c1"
branch_labels = None
depends_on = None

PANEL_TEXT_COLUMNS = ("evidence_of_effect", "funding", "consent", "treatment_plan", "knowledge_generation")


# Plain ADD/DROP COLUMN (SQLite 3.35 and newer has both), not a batch: a batch copies abroad_applications into a
# new table, and SQLite then refuses the rename under the search index's triggers on it.
def upgrade():
    op.add_column("abroad_applications", sa.Column("trial_registry_id", sa.String(length=32), nullable=True))
    op.add_column("abroad_applications", sa.Column("exception_grounds", sa.Text(), nullable=True))
    op.add_column("panel_treatment_items", sa.Column("trust_decided_by", sa.String(length=200), nullable=True))
    for column in PANEL_TEXT_COLUMNS:
        op.add_column("panel_treatment_items", sa.Column(column, sa.Text(), nullable=True))


def downgrade():
    for column in reversed(PANEL_TEXT_COLUMNS):
        op.drop_column("panel_treatment_items", column)
    op.drop_column("panel_treatment_items", "trust_decided_by")
    op.drop_column("abroad_applications", "exception_grounds")
    op.drop_column("abroad_applications", "trial_registry_id")
