"""auth: pending second login steps, failed attempts, activation links, server-side factor setup

Revision ID: c3a7e5d1f2b4
Revises: 10452de113b1
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a7e5d1f2b4'
down_revision = '10452de113b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pending_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_url', sa.String(length=2000), nullable=True),
    sa.Column('setup_secret', sa.String(length=64), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_logins_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_logins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_pending_logins_token_hash'))
    )
    op.create_index(op.f('ix_pending_logins_user_id'), 'pending_logins', ['user_id'], unique=False)
    op.create_index(op.f('ix_pending_logins_created_at'), 'pending_logins', ['created_at'], unique=False)

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index(op.f('ix_login_failures_at'), 'login_failures', ['at'], unique=False)
    op.create_index('ix_login_failures_account_at', 'login_failures', ['account', 'at'], unique=False)
    op.create_index('ix_login_failures_address_at', 'login_failures', ['address', 'at'], unique=False)

    op.create_table('account_activations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_activations_user_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_account_activations_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_activations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_activations_token_hash'))
    )
    op.create_index(op.f('ix_account_activations_user_id'), 'account_activations', ['user_id'], unique=False)
    op.create_index(op.f('ix_account_activations_created_by_id'), 'account_activations', ['created_by_id'],
                    unique=False)

    # Plain ADD COLUMNs, which SQLite does in place (batch mode would copy user_sessions).
    op.add_column('user_sessions', sa.Column('totp_setup_secret', sa.String(length=64), nullable=True))
    op.add_column('user_sessions', sa.Column('totp_setup_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('user_sessions', 'totp_setup_at')   # in place too (SQLite 3.35+)
    op.drop_column('user_sessions', 'totp_setup_secret')
    op.drop_index(op.f('ix_account_activations_created_by_id'), table_name='account_activations')
    op.drop_index(op.f('ix_account_activations_user_id'), table_name='account_activations')
    op.drop_table('account_activations')
    op.drop_index('ix_login_failures_address_at', table_name='login_failures')
    op.drop_index('ix_login_failures_account_at', table_name='login_failures')
    op.drop_index(op.f('ix_login_failures_at'), table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_index(op.f('ix_pending_logins_created_at'), table_name='pending_logins')
    op.drop_index(op.f('ix_pending_logins_user_id'), table_name='pending_logins')
    op.drop_table('pending_logins')
