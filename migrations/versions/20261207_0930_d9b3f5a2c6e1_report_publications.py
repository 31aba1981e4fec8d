"""published reports (report_publications): a report's tables as published, its PDF and XLSX, who published it
and when, and the correction note of a later version

Revision ID: d9b3f5a2c6e1
Revises: c4e8a1f7d2b3
Create Date: 2026-12-07 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd9b3f5a2c6e1'
down_revision = 'c4e8a1f7d2b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=40), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('threshold', sa.Integer(), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('xlsx', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name='fk_report_publications_published_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_report_publications'),
        sa.UniqueConstraint('kind', 'year', 'region', 'version', name='uq_report_publications_kind_year_region_version'),
    )


def downgrade():
    op.drop_table('report_publications')
