"""abroad: an application of the wrong scheme is forwarded (forvaltningsloven § 4), not refused

`forwarded_to` names the scheme (Helfo's EEA refund, S2, folketrygdloven § 5-24, treatment travel, or another
body named in `forwarded_to_name`), `forwarded_on` the date and `forwarding_reason` why; the letter is the
application's `letter_document_id`. No existing application was forwarded (the status did not exist), so no row
needs a value.

Revision ID: ec3c14f495ab
Revises: bee2dceba95d
Create Date: 2026-12-07 09:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "ec3c14f495ab"
down_revision = "bee2dceba95d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("abroad_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forwarded_to", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("forwarded_to_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("forwarded_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("forwarding_reason", sa.Text(), nullable=True))


def downgrade():
    # Column by column in place: a batch copy of abroad_applications on SQLite would lose the search index's
    # triggers (c81f0a3d5e27).
    for name in ("forwarding_reason", "forwarded_on", "forwarded_to_name", "forwarded_to"):
        op.drop_column("abroad_applications", name)
