"""abroad: an appeal keeps its office (its case's unit), enforced by a composite foreign key

The appeal list's access rule reads the office on the appeal row, as the application list's does
(b7d41c2e9a10), so its count and page use the (office, received_on, id) index without joining cases. Existing
appeals get their case's unit.

Revision ID: a9c2e4f6b8d1
Revises: 5737d59bb1a8
Create Date: 2026-12-07 12:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a9c2e4f6b8d1'
down_revision = '5737d59bb1a8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('abroad_appeals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office', sa.String(length=32), nullable=True))
    op.execute("UPDATE abroad_appeals SET office = (SELECT unit FROM cases WHERE cases.id = abroad_appeals.case_id)")
    with op.batch_alter_table('abroad_appeals', schema=None) as batch_op:
        batch_op.alter_column('office', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_foreign_key('fk_abroad_appeals_case_office', 'cases', ['case_id', 'office'],
                                    ['id', 'unit'], onupdate='CASCADE')
        batch_op.create_index('ix_abroad_appeals_office_received', ['office', 'received_on', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # Every row was rewritten and the column is new: until autovacuum analyzes the table the planner guesses
        # that an office has a handful of appeals, and joins and sorts all of them for each page.
        op.execute('ANALYZE abroad_appeals')


def downgrade():
    with op.batch_alter_table('abroad_appeals', schema=None) as batch_op:
        batch_op.drop_index('ix_abroad_appeals_office_received')
        batch_op.drop_constraint('fk_abroad_appeals_case_office', type_='foreignkey')
        batch_op.drop_column('office')
