"""methods: inter-regional working groups (S1) covering one or more methods, their members and report

Revision ID: 5737d59bb1a8
Revises: a7d2e9c41b58
Create Date: 2026-12-07 12:18:16

New tables only: no existing rows to migrate (the follow-up assignments stay as they are).
"""
import sqlalchemy as sa
from alembic import op

revision = '5737d59bb1a8'
down_revision = 'a7d2e9c41b58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('method_working_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('mandate', sa.Text(), nullable=True),
    sa.Column('reports_to', sa.String(length=300), nullable=False),
    sa.Column('secretariat', sa.String(length=300), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('basis_document_lead', sa.String(length=300), nullable=True),
    sa.Column('basis_document_id', sa.Integer(), nullable=True),
    sa.Column('report_questions', sa.JSON(), nullable=False),
    sa.Column('report_answers', sa.JSON(), nullable=False),
    sa.Column('report_delivered_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['basis_document_id'], ['case_documents.id'], name=op.f('fk_method_working_groups_basis_document_id_case_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_method_working_groups'))
    )
    op.create_table('method_working_group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('working_group_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=300), nullable=True),
    sa.Column('role', sa.Enum('leder', 'medlem', 'referansegruppe', 'ressursgruppe', name='memberrole', native_enum=False, length=32), nullable=False),
    sa.Column('nominated_by', sa.Enum('rhf', 'hf', 'fagmiljo', 'kompetansetjeneste', 'brukerorganisasjon', 'tillitsvalgte', 'annet', name='nominatingbody', native_enum=False, length=32), nullable=True),
    sa.Column('nominating_organisation', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['working_group_id'], ['method_working_groups.id'], name=op.f('fk_method_working_group_members_working_group_id_method_working_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_method_working_group_members'))
    )
    with op.batch_alter_table('method_working_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_method_working_group_members_working_group_id'), ['working_group_id'], unique=False)

    op.create_table('method_working_group_methods',
    sa.Column('working_group_id', sa.Integer(), nullable=False),
    sa.Column('method_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['method_id'], ['method_methods.id'], name=op.f('fk_method_working_group_methods_method_id_method_methods')),
    sa.ForeignKeyConstraint(['working_group_id'], ['method_working_groups.id'], name=op.f('fk_method_working_group_methods_working_group_id_method_working_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('working_group_id', 'method_id', name=op.f('pk_method_working_group_methods'))
    )
    with op.batch_alter_table('method_working_group_methods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_method_working_group_methods_method_id'), ['method_id'], unique=False)



def downgrade():
    with op.batch_alter_table('method_working_group_methods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_method_working_group_methods_method_id'))

    op.drop_table('method_working_group_methods')
    with op.batch_alter_table('method_working_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_method_working_group_members_working_group_id'))

    op.drop_table('method_working_group_members')
    op.drop_table('method_working_groups')
