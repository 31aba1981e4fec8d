"""cases: the archive class of access requests (innsynskrav) from the public journal

Revision ID: a7d2e9c41b58
Revises: 5b2d7e9c1a40
Create Date: 2026-12-07 12:30:00

The new case kind «access_request» needs no schema change (case kinds are stored as text); its class in the simple
class scheme is added with the disposal default an archive plan usually gives requests for access (kept for
5 years), to be confirmed against the trust's own plan (docs/archive.md).
"""
import sqlalchemy as sa
from alembic import op

revision = "a7d2e9c41b58"
down_revision = "5b2d7e9c1a40"
branch_labels = None
depends_on = None

ARCHIVE_PLAN = "Helseforetakets bevarings- og kassasjonsplan (arkivforskrifta § 15)"
ARCHIVE_CLASSES = sa.table(
    "case_archive_classes", sa.column("kind", sa.String), sa.column("code", sa.String), sa.column("title", sa.String),
    sa.column("disposal", sa.String), sa.column("retention_years", sa.Integer),
    sa.column("disposal_authority", sa.String))


def upgrade():
    op.bulk_insert(ARCHIVE_CLASSES, [
        {"kind": "access_request", "code": "IK-01", "title": "Innsynskrav (offentleglova)", "disposal": "K",
         "retention_years": 5, "disposal_authority": ARCHIVE_PLAN}])


def downgrade():
    op.execute("DELETE FROM case_archive_classes WHERE kind = 'access_request'")
