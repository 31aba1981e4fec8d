"""abroad: the documents behind a medical opinion, an appeal and a cost

The received specialist statement, the patient's appeal letter and the invoice behind a cost are filed as
incoming posts on the case; the record keeps the document's id. Existing records have none (NULL).

Revision ID: c3e8a1f5d7b2
Revises: c4e8a1f2d6b9
Create Date: 2026-12-07 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c3e8a1f5d7b2"
down_revision = "c4e8a1f2d6b9"
branch_labels = None
depends_on = None

COLUMNS = (("abroad_medical_opinions", "document_id"), ("abroad_appeals", "letter_document_id"),
           ("abroad_cost_entries", "invoice_document_id"))


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f"fk_{table}_{column}_case_documents"), "case_documents",
                                        [column], ["id"])


def downgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_case_documents"), type_="foreignkey")
            batch_op.drop_column(column)
