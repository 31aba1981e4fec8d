"""abroad: PGD is approved by another body: who approved, and its reference

S3 § 4.1 and § 5.2: PGD was approved by PGD-nemnda up to 30 June 2020, and from 1 July 2020 by Oslo
universitetssykehus or St. Olavs hospital; the office administers the treatment abroad. A PGD application's
`decision` and `decided_on` are from now on the approving body's, named in `approving_body` with its
`approval_reference`.

Existing PGD rows (demo data, imports): a decision dated up to 30.6.2020 was PGD-nemnda's, so the body is set.
A later one was one of the two hospitals, which the row does not tell: the body stays empty and the application
is flagged for the caseworker to register it. The decision, its date and the statistics stay as they were.

Revision ID: bee2dceba95d
Revises: d9b3f5a2c6e1
Create Date: 2026-12-07 09:00:00
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "bee2dceba95d"
down_revision = "d9b3f5a2c6e1"
branch_labels = None
depends_on = None

FLAG = ("PGD godkjennes av Oslo universitetssykehus eller St. Olavs hospital etter 30.06.2020. Registrer hvem "
        "som godkjente og instansens referanse («Registrer godkjenning» på søknaden).")


def upgrade():
    with op.batch_alter_table("abroad_applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approving_body", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("approval_reference", sa.String(length=60), nullable=True))
    applications = sa.table("abroad_applications", sa.column("stream", sa.String), sa.column("decision", sa.String),
                            sa.column("decided_on", sa.Date), sa.column("approving_body", sa.String),
                            sa.column("flag", sa.Text))
    decided_pgd = sa.and_(applications.c.stream == "pgd", applications.c.decision.in_(["granted", "denied"]))
    op.execute(applications.update()
               .where(decided_pgd, applications.c.decided_on <= sa.literal(date(2020, 6, 30), sa.Date))
               .values(approving_body="pgd_board"))
    op.execute(applications.update().where(decided_pgd, applications.c.approving_body.is_(None),
                                           applications.c.flag.is_(None))
               .values(flag=FLAG))


def downgrade():
    # Column by column in place: a batch copy of abroad_applications on SQLite would lose the search index's
    # triggers (c81f0a3d5e27).
    for name in ("approval_reference", "approving_body"):
        op.drop_column("abroad_applications", name)
