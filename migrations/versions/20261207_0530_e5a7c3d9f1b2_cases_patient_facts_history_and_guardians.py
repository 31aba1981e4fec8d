"""cases: the patient's address on the case, the patient's history of facts (changes and corrections) and
guardians

A case keeps the patient as registered with it; it now keeps the postal address too (street, postal code,
postal place), blank on existing cases. `case_patient_facts` holds the changes (new facts from a date) and
corrections (old and new values) recorded through a case; `case_patient_guardians` the guardians, dated.
The address columns are added without rebuilding `cases` (plain ADD COLUMN of nullable columns), so the
search triggers of d4e9b1c7a2f3 stay in place on SQLite.

Revision ID: e5a7c3d9f1b2
Revises: f1a7c3e9b2d4
Create Date: 2026-12-07 05:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a7c3d9f1b2'
down_revision = 'f1a7c3e9b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('patient_street', sa.String(length=200), nullable=True))
    op.add_column('cases', sa.Column('patient_postal_code', sa.String(length=4), nullable=True))
    op.add_column('cases', sa.Column('patient_postal_place', sa.String(length=100), nullable=True))
    op.create_table(
        'case_patient_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('change', 'correction', name='factsentrykind', native_enum=False, length=32),
                  nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('street', sa.String(length=200), nullable=True),
        sa.Column('postal_code', sa.String(length=4), nullable=True),
        sa.Column('postal_place', sa.String(length=100), nullable=True),
        sa.Column('municipality', sa.String(length=100), nullable=True),
        sa.Column('home_region', sa.String(length=32), nullable=True),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('corrected_entry_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_patient_facts_case_id_cases')),
        sa.ForeignKeyConstraint(['corrected_entry_id'], ['case_patient_facts.id'],
                                name=op.f('fk_case_patient_facts_corrected_entry_id_case_patient_facts')),
        sa.ForeignKeyConstraint(['patient_id'], ['case_patients.id'],
                                name=op.f('fk_case_patient_facts_patient_id_case_patients')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'],
                                name=op.f('fk_case_patient_facts_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_patient_facts')),
    )
    op.create_index(op.f('ix_case_patient_facts_case_id'), 'case_patient_facts', ['case_id'])
    op.create_index(op.f('ix_case_patient_facts_patient_id'), 'case_patient_facts', ['patient_id'])
    op.create_table(
        'case_patient_guardians',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('street', sa.String(length=200), nullable=False),
        sa.Column('postal_code', sa.String(length=4), nullable=False),
        sa.Column('postal_place', sa.String(length=100), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_patient_guardians_case_id_cases')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_case_patient_guardians_created_by_id_users')),
        sa.ForeignKeyConstraint(['patient_id'], ['case_patients.id'],
                                name=op.f('fk_case_patient_guardians_patient_id_case_patients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_patient_guardians')),
    )
    op.create_index(op.f('ix_case_patient_guardians_case_id'), 'case_patient_guardians', ['case_id'])
    op.create_index(op.f('ix_case_patient_guardians_patient_id'), 'case_patient_guardians', ['patient_id'])


def downgrade():
    op.drop_index(op.f('ix_case_patient_guardians_patient_id'), table_name='case_patient_guardians')
    op.drop_index(op.f('ix_case_patient_guardians_case_id'), table_name='case_patient_guardians')
    op.drop_table('case_patient_guardians')
    op.drop_index(op.f('ix_case_patient_facts_patient_id'), table_name='case_patient_facts')
    op.drop_index(op.f('ix_case_patient_facts_case_id'), table_name='case_patient_facts')
    op.drop_table('case_patient_facts')
    op.drop_column('cases', 'patient_postal_place')
    op.drop_column('cases', 'patient_postal_code')
    op.drop_column('cases', 'patient_street')
