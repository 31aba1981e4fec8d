"""expert panel: the reference list of health trusts and regional hospitals (panel_health_trusts, with its data),
the referral's referring and home trust chosen from it (existing referrals matched by name), refusal, withdrawal and
closing of a referral (panel_referral_endings), and the statement's copies

Revision ID: c4e8a1f7d2b3
Revises: c3e8a1f5d7b2
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e8a1f7d2b3'
down_revision = 'c3e8a1f5d7b2'
branch_labels = None
depends_on = None

# The health trusts of each region and the hospitals with an agreement with the regional health authority; the
# region's regional hospital (S4 part III, «regionsykehus») is named in the third place.
TRUSTS = (
    ('Oslo universitetssykehus HF', 'helse-sor-ost', 'Oslo universitetssykehus'),
    ('Akershus universitetssykehus HF', 'helse-sor-ost', None),
    ('Sykehuset Østfold HF', 'helse-sor-ost', None),
    ('Sykehuset Innlandet HF', 'helse-sor-ost', None),
    ('Vestre Viken HF', 'helse-sor-ost', None),
    ('Sykehuset i Vestfold HF', 'helse-sor-ost', None),
    ('Sykehuset Telemark HF', 'helse-sor-ost', None),
    ('Sørlandet sykehus HF', 'helse-sor-ost', None),
    ('Sunnaas sykehus HF', 'helse-sor-ost', None),
    ('Lovisenberg Diakonale Sykehus', 'helse-sor-ost', None),
    ('Diakonhjemmet Sykehus', 'helse-sor-ost', None),
    ('Martina Hansens Hospital', 'helse-sor-ost', None),
    ('Helse Bergen HF', 'helse-vest', 'Haukeland universitetssjukehus'),
    ('Helse Stavanger HF', 'helse-vest', None),
    ('Helse Fonna HF', 'helse-vest', None),
    ('Helse Førde HF', 'helse-vest', None),
    ('Haraldsplass Diakonale Sykehus', 'helse-vest', None),
    ('St. Olavs hospital HF', 'helse-midt-norge', 'St. Olavs hospital'),
    ('Helse Møre og Romsdal HF', 'helse-midt-norge', None),
    ('Helse Nord-Trøndelag HF', 'helse-midt-norge', None),
    ('Universitetssykehuset Nord-Norge HF', 'helse-nord', 'Universitetssykehuset Nord-Norge'),
    ('Nordlandssykehuset HF', 'helse-nord', None),
    ('Helgelandssykehuset HF', 'helse-nord', None),
    ('Finnmarkssykehuset HF', 'helse-nord', None),
)


def _match_referrals():
    """An existing referral's trust, typed as free text, is matched by its name with or without «HF», or by the
    regional hospital's name (e.g. «Haukeland universitetssjukehus»); the home trust is taken to be the same.
    One not matched keeps its text and no trust (its letters then copy the trusts as typed)."""
    bind = op.get_bind()
    names = {}
    for trust_id, name, hospital in bind.execute(sa.text(
            'SELECT id, name, regional_hospital FROM panel_health_trusts')).all():
        for key in (name, name.removesuffix(' HF'), hospital):
            if key:
                names[key.casefold()] = trust_id
    for referral_id, typed in bind.execute(sa.text('SELECT id, referring_trust FROM panel_referrals')).all():
        trust_id = names.get((typed or '').strip().casefold())
        if trust_id is not None:
            bind.execute(sa.text('UPDATE panel_referrals SET referring_trust_id = :trust, home_trust_id = :trust '
                                 'WHERE id = :id'), {'trust': trust_id, 'id': referral_id})


def upgrade():
    trusts = op.create_table(
        'panel_health_trusts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('region', sa.String(length=32), nullable=False),
        sa.Column('regional_hospital', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id', name='pk_panel_health_trusts'),
        sa.UniqueConstraint('name', name='uq_panel_health_trusts_name'),
    )
    op.bulk_insert(trusts, [{'name': name, 'region': region, 'regional_hospital': hospital}
                            for name, region, hospital in TRUSTS])
    with op.batch_alter_table('panel_referrals') as batch:
        batch.add_column(sa.Column('referring_trust_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('home_trust_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_panel_referrals_referring_trust_id_panel_health_trusts', 'panel_health_trusts',
                                 ['referring_trust_id'], ['id'])
        batch.create_foreign_key('fk_panel_referrals_home_trust_id_panel_health_trusts', 'panel_health_trusts',
                                 ['home_trust_id'], ['id'])
    with op.batch_alter_table('panel_statements') as batch:
        batch.add_column(sa.Column('copies', sa.JSON(), nullable=True))
    op.create_table(
        'panel_referral_endings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('received', 'under_assessment', 'statement_sent', 'refused', 'withdrawn',
                                    'closed', name='referralstatus', native_enum=False, length=32), nullable=False),
        sa.Column('ground', sa.Enum('group_level', 'new_method', 'established_not_tried', name='refusalground',
                                    native_enum=False, length=32), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=False),
        sa.Column('recipients', sa.JSON(), nullable=False),
        sa.Column('copies', sa.JSON(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('journal_entry_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['referral_id'], ['panel_referrals.id'],
                                name='fk_panel_referral_endings_referral_id_panel_referrals'),
        sa.ForeignKeyConstraint(['document_id'], ['case_documents.id'],
                                name='fk_panel_referral_endings_document_id_case_documents'),
        sa.ForeignKeyConstraint(['journal_entry_id'], ['case_journal_entries.id'],
                                name='fk_panel_referral_endings_journal_entry_id_case_journal_entries'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name='fk_panel_referral_endings_created_by_id_users'),
        sa.PrimaryKeyConstraint('id', name='pk_panel_referral_endings'),
        sa.UniqueConstraint('referral_id', name='uq_panel_referral_endings_referral_id'),
    )
    _match_referrals()


def downgrade():
    # Before this revision a referral that ended otherwise than by a statement could only be «closed».
    op.execute("UPDATE panel_referrals SET status = 'closed' WHERE status IN ('refused', 'withdrawn')")
    op.drop_table('panel_referral_endings')
    with op.batch_alter_table('panel_statements') as batch:
        batch.drop_column('copies')
    with op.batch_alter_table('panel_referrals') as batch:
        batch.drop_constraint('fk_panel_referrals_home_trust_id_panel_health_trusts', type_='foreignkey')
        batch.drop_constraint('fk_panel_referrals_referring_trust_id_panel_health_trusts', type_='foreignkey')
        batch.drop_column('home_trust_id')
        batch.drop_column('referring_trust_id')
    op.drop_table('panel_health_trusts')
