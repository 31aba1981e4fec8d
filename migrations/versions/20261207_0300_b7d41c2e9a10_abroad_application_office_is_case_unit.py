"""abroad: an application's office is its case's unit, enforced by a composite foreign key

The application list's access rule reads the office on the application row (so its count and page use the
(office, received_on, id) index without joining cases); the key (case_id, office) -> cases (id, unit) makes
the database keep the two equal. Rows that disagree are first set to their case's unit.

Revision ID: b7d41c2e9a10
Revises: a3d296071796
Create Date: 2026-12-07 03:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d41c2e9a10'
down_revision = 'a3d296071796'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE abroad_applications SET office = (SELECT unit FROM cases WHERE cases.id = "
               "abroad_applications.case_id) WHERE office <> (SELECT unit FROM cases WHERE cases.id = "
               "abroad_applications.case_id)")
    op.create_index('ux_cases_id_unit', 'cases', ['id', 'unit'], unique=True)
    with op.batch_alter_table('abroad_applications', schema=None) as batch_op:
        batch_op.create_foreign_key('fk_abroad_applications_case_office', 'cases', ['case_id', 'office'],
                                    ['id', 'unit'], onupdate='CASCADE')


def downgrade():
    with op.batch_alter_table('abroad_applications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_abroad_applications_case_office', type_='foreignkey')
    op.drop_index('ux_cases_id_unit', table_name='cases')
