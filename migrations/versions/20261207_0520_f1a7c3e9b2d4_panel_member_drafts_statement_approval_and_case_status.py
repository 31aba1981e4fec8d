"""panel members' drafts and comments (panel_contributions), the secretariat's approval of a statement and the
participants it names; the core case status follows each module's status (data migration for existing rows)

Revision ID: f1a7c3e9b2d4
Revises: e5a7c3d91b24
Create Date: 2026-12-07 05:00:00

"""
from datetime import datetime, timezone, UTC

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1a7c3e9b2d4'
down_revision = 'e5a7c3d91b24'
branch_labels = None
depends_on = None

# The core case status (saksstatus: R Opprettet, B Under behandling, F Ferdig fra saksbehandler, A Avsluttet) that
# each module status gives, as the models' `case_status` properties say. Existing cases move forward only
# (R → B → F → A); a discarded case (U) is left alone. Each move is kept in the case's status history.
FOLLOWS = (
    ('method_methods', {
        'B': ('open_for_input', 'suitability', 'awaiting_ordering', 'assessment', 'price_negotiation', 'clearance',
              'for_decision', 'reassessment'),
        'F': ('decided', 'not_commissioned'),
        'A': ('closed',)}),
    ('panel_referrals', {'B': ('under_assessment',), 'F': ('statement_sent',), 'A': ('closed',)}),
    ('abroad_applications', {'B': ('in_preparation', 'referred'),
                             'F': ('granted', 'denied', 'withdrawn', 'completed')}),
    ('abroad_appeals', {'B': ('forwarded',),
                        'F': ('dismissed_late', 'reversed_by_office', 'upheld_by_board', 'reversed_by_board')}),
)
ORDER = ('R', 'B', 'F', 'A')
COMMENT = 'Statusen følger modulens status'


def _follow_module_statuses():
    now = datetime.now(UTC)
    for table, targets in FOLLOWS:
        for target, module_statuses in targets.items():
            earlier = ORDER[:ORDER.index(target)]
            params = {'target': target, 'now': now, 'comment': COMMENT,
                      **{f'e{index}': value for index, value in enumerate(earlier)},
                      **{f'm{index}': value for index, value in enumerate(module_statuses)}}
            where = (f"status IN ({', '.join(f':e{index}' for index in range(len(earlier)))}) AND id IN "
                     f"(SELECT case_id FROM {table} WHERE status IN "
                     f"({', '.join(f':m{index}' for index in range(len(module_statuses)))}))")
            op.get_bind().execute(sa.text(
                "INSERT INTO case_status_changes (case_id, at, by_id, from_status, to_status, comment) "
                f"SELECT id, :now, NULL, status, :target, :comment FROM cases WHERE {where}"), params)
            op.get_bind().execute(sa.text(f"UPDATE cases SET status = :target WHERE {where}"), params)


def _name_participants_of_sent_statements():
    """A statement sent before this kept no names: it gets the members and experts on its referral now."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT s.id, p.expert_name, p.expert_specialty, p.expert_hospital, m.name, m.specialty, m.hospital "
        "FROM panel_statements s JOIN panel_participants p ON p.referral_id = s.referral_id "
        "LEFT JOIN panel_members m ON m.id = p.member_id ORDER BY s.id, p.id")).all()
    names = {}
    for statement_id, expert, expert_specialty, expert_hospital, member, specialty, hospital in rows:
        parts = (expert, expert_specialty, expert_hospital) if member is None else (member, specialty, hospital)
        names.setdefault(statement_id, []).append(', '.join(part for part in parts if part))
    statements = sa.table('panel_statements', sa.column('id', sa.Integer), sa.column('participants', sa.JSON))
    for statement_id, participants in names.items():
        bind.execute(statements.update().where(statements.c.id == statement_id).values(participants=participants))


def upgrade():
    op.create_table(
        'panel_contributions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.Column('question', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('findings', sa.Text(), nullable=True),
        sa.Column('advice', sa.Text(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('adopted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['referral_id'], ['panel_referrals.id'],
                                name='fk_panel_contributions_referral_id_panel_referrals'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name='fk_panel_contributions_author_id_users'),
        sa.ForeignKeyConstraint(['adopted_by_id'], ['users.id'], name='fk_panel_contributions_adopted_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_panel_contributions'),
    )
    op.create_index('ix_panel_contributions_referral_id', 'panel_contributions', ['referral_id'])
    with op.batch_alter_table('panel_referrals') as batch:
        batch.add_column(sa.Column('statement_approved_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('statement_approved_by_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_panel_referrals_statement_approved_by_id_users', 'users',
                                 ['statement_approved_by_id'], ['id'])
    with op.batch_alter_table('panel_statements') as batch:
        batch.add_column(sa.Column('participants', sa.JSON(), nullable=True))
    _name_participants_of_sent_statements()
    _follow_module_statuses()


def downgrade():
    # The case statuses set by the upgrade stay (they are true of the cases); only the new columns go.
    with op.batch_alter_table('panel_statements') as batch:
        batch.drop_column('participants')
    with op.batch_alter_table('panel_referrals') as batch:
        batch.drop_constraint('fk_panel_referrals_statement_approved_by_id_users', type_='foreignkey')
        batch.drop_column('statement_approved_by_id')
        batch.drop_column('statement_approved_at')
    op.drop_index('ix_panel_contributions_referral_id', table_name='panel_contributions')
    op.drop_table('panel_contributions')
