"""abroad: Klagenemnda's other outcomes, withdrawn appeals and the office's decision letters on appeals

`abroad_appeals` gets `appealed_decision` and `appealed_decided_on` (the decision complained of, kept when
Klagenemnda quashes it and the office decides again), `office_letter_document_id` (the § 31 dismissal or the reversal letter the office files),
`board_summary` (what a partial reversal changed, why the board quashed or dismissed), `new_decision_deadline_id`
(a quashed decision's deadline for the office's new one) and `withdrawn_on`. The new statuses and outcomes are
plain strings (the enums are not native), so they need no change of type.

Data migration: every appeal's decision complained of is its application's decision now (no decision has been
quashed before this revision). An appeal dismissed as late before this revision has no office outcome; it gets
`office_outcome = 'dismissed_late'` and, since the assessment's date was not kept, the day the complaint came as
`office_decided_on` (the nearest date known), so the annual report counts the dismissal.

Revision ID: a7c31e9d5b42
Revises: a7c3e9f1b5d2
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a7c31e9d5b42"
down_revision = "a7c3e9f1b5d2"
branch_labels = None
depends_on = None

LETTER_FK = "fk_abroad_appeals_office_letter_document_id_case_documents"
DEADLINE_FK = "fk_abroad_appeals_new_decision_deadline_id_case_deadlines"


def upgrade():
    with op.batch_alter_table("abroad_appeals") as batch:
        batch.add_column(sa.Column("appealed_decision", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("appealed_decided_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("office_letter_document_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("board_summary", sa.Text(), nullable=True))
        batch.add_column(sa.Column("new_decision_deadline_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn_on", sa.Date(), nullable=True))
        batch.create_foreign_key(LETTER_FK, "case_documents", ["office_letter_document_id"], ["id"])
        batch.create_foreign_key(DEADLINE_FK, "case_deadlines", ["new_decision_deadline_id"], ["id"])
    op.execute("UPDATE abroad_appeals SET "
               "appealed_decision = (SELECT a.decision FROM abroad_applications a "
               "WHERE a.id = abroad_appeals.application_id), "
               "appealed_decided_on = (SELECT a.decided_on FROM abroad_applications a "
               "WHERE a.id = abroad_appeals.application_id)")
    op.execute("UPDATE abroad_appeals SET office_outcome = 'dismissed_late', office_decided_on = received_on "
               "WHERE status = 'dismissed_late' AND office_outcome IS NULL")
    with op.batch_alter_table("abroad_appeals") as batch:
        batch.alter_column("appealed_decision", existing_type=sa.String(length=32), nullable=False)
        batch.alter_column("appealed_decided_on", existing_type=sa.Date(), nullable=False)


def downgrade():
    op.execute("UPDATE abroad_appeals SET office_outcome = NULL, office_decided_on = NULL "
               "WHERE office_outcome = 'dismissed_late'")
    with op.batch_alter_table("abroad_appeals") as batch:
        batch.drop_constraint(DEADLINE_FK, type_="foreignkey")
        batch.drop_constraint(LETTER_FK, type_="foreignkey")
        batch.drop_column("withdrawn_on")
        batch.drop_column("new_decision_deadline_id")
        batch.drop_column("board_summary")
        batch.drop_column("office_letter_document_id")
        batch.drop_column("appealed_decided_on")
        batch.drop_column("appealed_decision")
