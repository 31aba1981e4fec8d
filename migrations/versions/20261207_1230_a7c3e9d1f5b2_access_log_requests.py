"""cases: the archive class of the patients' requests for their access log (innsyn i logg)

Revision ID: a7c3e9d1f5b2
Revises: a9c2e4f6b8d1
Create Date: 2026-12-07 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "a7c3e9d1f5b2"
down_revision = "a9c2e4f6b8d1"
branch_labels = None
depends_on = None

ARCHIVE_CLASSES = sa.table("case_archive_classes", sa.column("kind", sa.String), sa.column("code", sa.String),
                           sa.column("title", sa.String), sa.column("disposal", sa.String),
                           sa.column("retention_years", sa.Integer), sa.column("disposal_authority", sa.String))


def upgrade():
    # The case kind is stored as text (a non-native enum without a CHECK constraint): only its class is new.
    # Kept as long as the abroad cases by default; the trust's archive plan confirms it (docs/archive.md).
    op.bulk_insert(ARCHIVE_CLASSES, [
        {"kind": "access_log_request", "code": "PV-01", "title": "Innsyn i logg (pasientjournalloven § 18)",
         "disposal": "K", "retention_years": 10,
         "disposal_authority": "Helseforetakets bevarings- og kassasjonsplan (arkivforskrifta § 15)"}])


def downgrade():
    op.execute("DELETE FROM case_archive_classes WHERE kind = 'access_log_request'")
