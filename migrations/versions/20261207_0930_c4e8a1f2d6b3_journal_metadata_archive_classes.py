"""cases: journalstatus, the correspondence party's type, address and screening, archive classes

Revision ID: c4e8a1f2d6b3
Revises: c4e8a2f6b1d3
Create Date: 2026-12-07 09:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f2d6b3"
down_revision = "c4e8a2f6b1d3"
branch_labels = None
depends_on = None

JOURNAL_STATUS = sa.Enum("J", "F", "G", "E", "A", "U", name="journalstatus", native_enum=False, length=32)
PARTY_TYPE = sa.Enum("EA", "EM", "EK", "IA", "IM", name="partytype", native_enum=False, length=32)
CASE_KIND = sa.Enum("method", "panel_referral", "abroad_application", "abroad_appeal", name="casekind",
                    native_enum=False, length=32)
DISPOSAL = sa.Enum("B", "K", "V", name="disposaldecision", native_enum=False, length=32)

ARCHIVE_PLAN = "Helseforetakets bevarings- og kassasjonsplan (arkivforskrifta § 15)"
# The class scheme's defaults: the trust's archive plan confirms or changes them (docs/archive.md).
CLASSES = [
    {"kind": "method", "code": "NM-01", "title": "Metodesaker, Nye Metoder", "disposal": "B",
     "retention_years": None, "disposal_authority": ARCHIVE_PLAN},
    {"kind": "panel_referral", "code": "EP-01", "title": "Henvisninger til ekspertpanelet", "disposal": "B",
     "retention_years": None, "disposal_authority": ARCHIVE_PLAN},
    {"kind": "abroad_application", "code": "BU-01", "title": "Søknader om behandling i utlandet", "disposal": "K",
     "retention_years": 10, "disposal_authority": ARCHIVE_PLAN},
    {"kind": "abroad_appeal", "code": "BU-02", "title": "Klager, behandling i utlandet", "disposal": "K",
     "retention_years": 10, "disposal_authority": ARCHIVE_PLAN},
]


def upgrade():
    archive_classes = op.create_table(
        "case_archive_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", CASE_KIND, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("disposal", DISPOSAL, nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=True),
        sa.Column("disposal_authority", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_archive_classes")),
        sa.UniqueConstraint("kind", name=op.f("uq_case_archive_classes_kind")),
        sa.UniqueConstraint("code", name=op.f("uq_case_archive_classes_code")),
    )
    op.bulk_insert(archive_classes, CLASSES)
    with op.batch_alter_table("case_journal_entries") as batch:
        batch.add_column(sa.Column("journal_status", JOURNAL_STATUS, nullable=True))
        batch.add_column(sa.Column("party_type", PARTY_TYPE, nullable=True))
        batch.add_column(sa.Column("party_street", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("party_postal_code", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("party_postal_place", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("party_screened", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Existing posts: a closed case's are archived, an outgoing letter was sent, a note without follow-up is
    # finished, the rest are registered (JournalStatus.on_registration and services.archive_posts).
    op.execute("""
        UPDATE case_journal_entries SET journal_status = CASE
            WHEN case_id IN (SELECT id FROM cases WHERE status = 'A') THEN 'A'
            WHEN entry_type = 'U' THEN 'E'
            WHEN entry_type = 'X' THEN 'F'
            ELSE 'J' END""")
    op.execute("""
        UPDATE case_journal_entries SET party_type = CASE entry_type
            WHEN 'I' THEN 'EA' WHEN 'U' THEN 'EM' ELSE 'IM' END
        WHERE party_name IS NOT NULL""")
    # A party naming the patient of a screened case is screened (offl. § 13 jf. fvl. § 13 første ledd nr. 1).
    op.execute("""
        UPDATE case_journal_entries SET party_screened = TRUE
        WHERE party_name IS NOT NULL AND EXISTS (
            SELECT 1 FROM cases WHERE cases.id = case_journal_entries.case_id AND cases.access_code IS NOT NULL
            AND lower(case_journal_entries.party_name) LIKE '%' || lower(cases.patient_name) || '%')""")
    with op.batch_alter_table("case_journal_entries") as batch:
        batch.alter_column("journal_status", existing_type=JOURNAL_STATUS, nullable=False)


def downgrade():
    with op.batch_alter_table("case_journal_entries") as batch:
        for column in ("party_screened", "party_postal_place", "party_postal_code", "party_street", "party_type",
                       "journal_status"):
            batch.drop_column(column)
    op.drop_table("case_archive_classes")
