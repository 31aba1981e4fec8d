"""abroad: one appeal under way per decision (partial unique index on abroad_appeals)

Revision ID: c3a1e7f05b2d
Revises: c3a7e5d1f2b4
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a1e7f05b2d'
down_revision = 'c3a7e5d1f2b4'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('received', 'forwarded')")


def upgrade():
    # Before the index, two requests at the same moment could register two open appeals on one refusal. Which
    # of them stands is a decision for the office, not for a migration: list them and stop.
    duplicates = op.get_bind().execute(sa.text(
        "SELECT application_case.number, appeal_case.number "
        "FROM abroad_appeals appeal "
        "JOIN abroad_applications application ON application.id = appeal.application_id "
        "JOIN cases application_case ON application_case.id = application.case_id "
        "JOIN cases appeal_case ON appeal_case.id = appeal.case_id "
        "WHERE appeal.status IN ('received', 'forwarded') AND appeal.application_id IN ("
        "  SELECT application_id FROM abroad_appeals WHERE status IN ('received', 'forwarded') "
        "  GROUP BY application_id HAVING COUNT(*) > 1) "
        "ORDER BY application_case.number, appeal_case.number")).all()
    if duplicates:
        cases: dict[str, list[str]] = {}
        for application_number, appeal_number in duplicates:
            cases.setdefault(application_number, []).append(appeal_number)
        raise RuntimeError(
            "These refusals have more than one appeal under way (received or forwarded): "
            + "; ".join(f"application {number}: appeals {', '.join(appeals)}" for number, appeals in cases.items())
            + ". Decide which appeal stands and close the others (reconsider or record the board's decision) "
              "with the previous release, then upgrade again.")
    op.create_index('uq_abroad_appeals_open_application', 'abroad_appeals', ['application_id'], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    op.drop_index('uq_abroad_appeals_open_application', table_name='abroad_appeals')
