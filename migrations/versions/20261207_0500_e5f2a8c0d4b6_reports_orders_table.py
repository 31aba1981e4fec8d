"""reports: report orders are rows (report_orders), so a user's orders are a list like every other

Until now an order lived only in Redis (a counter and a list of the user's twenty latest ids). Orders placed
before this migration are still in Redis for at most a week and are not carried over: their pages keep working
until they expire, but they are not listed.

Revision ID: e5f2a8c0d4b6
Revises: d4e9b1c7a2f3
Create Date: 2026-12-07 05:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5f2a8c0d4b6'
down_revision = 'd4e9b1c7a2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_orders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=40), nullable=True),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('ordered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_orders_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_orders')),
    )
    op.create_index('ix_report_orders_user_ordered', 'report_orders', ['user_id', 'ordered_at'], unique=False)


def downgrade():
    op.drop_index('ix_report_orders_user_ordered', table_name='report_orders')
    op.drop_table('report_orders')
