"""cases: the patient as registered on each case, and the data-quality list of discrepancies

A case keeps the patient's name, birth date, home municipality and home region as they were registered with
it (the person's row is shared by every case with the same national ID). Existing cases take their facts from
their patient's row. A registration whose facts disagree with the person's row is listed in
case_patient_discrepancies.

Revision ID: 10452de113b1
Revises: 98f9861de9e6
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '10452de113b1'
down_revision = '98f9861de9e6'
branch_labels = None
depends_on = None

FACTS = (('patient_name', 'name'), ('patient_birth_date', 'birth_date'),
         ('patient_municipality', 'municipality'), ('patient_home_region', 'home_region'))


def upgrade():
    # Plain ADD COLUMN, which SQLite does in place (batch mode would copy the table that others refer to).
    op.add_column('cases', sa.Column('patient_name', sa.String(length=200), nullable=True))
    op.add_column('cases', sa.Column('patient_birth_date', sa.Date(), nullable=True))
    op.add_column('cases', sa.Column('patient_municipality', sa.String(length=100), nullable=True))
    op.add_column('cases', sa.Column('patient_home_region', sa.String(length=32), nullable=True))
    for column, source in FACTS:
        op.execute(f"UPDATE cases SET {column} = (SELECT case_patients.{source} FROM case_patients "
                   "WHERE case_patients.id = cases.patient_id) WHERE patient_id IS NOT NULL")
    op.create_table('case_patient_discrepancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_patient_discrepancies_case_id_cases')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'],
                            name=op.f('fk_case_patient_discrepancies_checked_by_id_users')),
    sa.ForeignKeyConstraint(['patient_id'], ['case_patients.id'],
                            name=op.f('fk_case_patient_discrepancies_patient_id_case_patients')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'],
                            name=op.f('fk_case_patient_discrepancies_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_patient_discrepancies')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_patient_discrepancies_case_id'))
    )
    with op.batch_alter_table('case_patient_discrepancies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_patient_discrepancies_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_patient_discrepancies_registered_at'), ['registered_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('case_patient_discrepancies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_patient_discrepancies_registered_at'))
        batch_op.drop_index(batch_op.f('ix_case_patient_discrepancies_patient_id'))
    op.drop_table('case_patient_discrepancies')
    for column in ('patient_home_region', 'patient_municipality', 'patient_birth_date', 'patient_name'):
        op.drop_column('cases', column)   # in place too (SQLite 3.35+)
