"""abroad: the register of foreign hospitals, and the plans' hospitals mapped to it

`abroad_hospitals` is the register (name, country, city, the offices' agreements); `abroad_hospital_names` maps
each spelling (normalised) to a hospital, with the office's review; `abroad_applications.hospital_id` is the
plan's hospital. The register starts with the hospitals S3 names (§ 3.3, § 3.7; reviewed).

Data migration: every distinct hospital name of the existing applications (demo data, imports) is normalised as
app/abroad/hospitals.py did when this was written (case, Latin accents, punctuation and spacing do not count), and
mapped to the hospital of that normalised name; a name the register does not know becomes a hospital of its own
(its most used spelling and country). These mappings are not reviewed: the office reviews and merges them on the
register page. Every application with a hospital gets its `hospital_id`.

Revision ID: 78a5bd3966b3
Revises: ec3c14f495ab
Create Date: 2026-12-07 09:20:00
"""
import unicodedata
from collections import Counter
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "78a5bd3966b3"
down_revision = "ec3c14f495ab"
branch_labels = None
depends_on = None

FK = "fk_abroad_applications_hospital_id_abroad_hospitals"
SEED = [   # S3 § 3.3 and § 3.7: the hospitals the offices use most
    ("Karolinska Universitetssjukhuset", "SE", "Stockholm"),
    ("Rigshospitalet", "DK", "København"),
    ("Sahlgrenska Universitetssjukhuset", "SE", "Göteborg"),
    ("Skandionkliniken", "SE", "Uppsala"),
    ("Great Ormond Street Hospital for Children", "GB", "London"),
    ("Universitätsklinikum Hamburg-Eppendorf", "DE", "Hamburg"),
]


def _normalise(name: str) -> str:
    """As app/abroad/hospitals.normalise on 7 December 2026 (frozen here, so the migration stays as it ran)."""
    letters = []
    for char in name.casefold():
        if char in "æøåäö":
            letters.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)[0]
        letters.append(base if base.isalnum() else " ")
    return " ".join("".join(letters).split())


def upgrade():
    op.create_table(
        "abroad_hospitals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("agreements", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abroad_hospitals")),
        sa.UniqueConstraint("name", name=op.f("uq_abroad_hospitals_name")),
    )
    op.create_table(
        "abroad_hospital_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("normalised", sa.String(length=200), nullable=False),
        sa.Column("spelling", sa.String(length=200), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["hospital_id"], ["abroad_hospitals.id"],
                                name=op.f("fk_abroad_hospital_names_hospital_id_abroad_hospitals")),
        sa.ForeignKeyConstraint(["reviewed_by_id"], ["users.id"],
                                name=op.f("fk_abroad_hospital_names_reviewed_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abroad_hospital_names")),
        sa.UniqueConstraint("normalised", name=op.f("uq_abroad_hospital_names_normalised")),
    )
    with op.batch_alter_table("abroad_hospital_names", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_abroad_hospital_names_hospital_id"), ["hospital_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # In place: a batch copy of abroad_applications would lose the search index's triggers (c81f0a3d5e27).
        op.execute(f"ALTER TABLE abroad_applications ADD COLUMN hospital_id INTEGER CONSTRAINT {FK} "
                   "REFERENCES abroad_hospitals (id)")
    else:
        op.add_column("abroad_applications", sa.Column("hospital_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "abroad_applications", "abroad_hospitals", ["hospital_id"], ["id"])
    op.create_index("ix_abroad_applications_hospital_id", "abroad_applications", ["hospital_id"], unique=False)
    _map_existing_names()


def _map_existing_names():
    bind = op.get_bind()
    now = datetime.now(UTC)
    hospitals = sa.table("abroad_hospitals", sa.column("id", sa.Integer), sa.column("name", sa.String),
                         sa.column("country", sa.String), sa.column("city", sa.String),
                         sa.column("created_at", sa.DateTime(timezone=True)), sa.column("version", sa.Integer))
    names = sa.table("abroad_hospital_names", sa.column("normalised", sa.String), sa.column("spelling", sa.String),
                     sa.column("hospital_id", sa.Integer), sa.column("reviewed_at", sa.DateTime(timezone=True)))
    applications = sa.table("abroad_applications", sa.column("hospital", sa.String),
                            sa.column("country", sa.String), sa.column("hospital_id", sa.Integer))

    def add(name: str, country: str | None, city: str | None, reviewed) -> int:
        bind.execute(hospitals.insert().values(name=name, country=country, city=city, created_at=now, version=1))
        hospital_id = bind.execute(sa.select(hospitals.c.id).where(hospitals.c.name == name)).scalar_one()
        bind.execute(names.insert().values(normalised=_normalise(name), spelling=name, hospital_id=hospital_id,
                                           reviewed_at=reviewed))
        return hospital_id

    known = {_normalise(name): add(name, country, city, now) for name, country, city in SEED}
    seen: dict[str, Counter] = {}
    countries: dict[str, Counter] = {}
    for spelling, country, count in bind.execute(
            sa.select(applications.c.hospital, applications.c.country, sa.func.count())
            .where(applications.c.hospital.is_not(None))
            .group_by(applications.c.hospital, applications.c.country)):
        key = _normalise(spelling)
        if key:
            seen.setdefault(key, Counter())[spelling] += count
            countries.setdefault(key, Counter())[country] += count
    taken = {name for name, *_ in SEED}
    for key, spellings in sorted(seen.items()):
        if key not in known:
            name = spellings.most_common(1)[0][0].strip()
            name = name if name not in taken else f"{name} ({key})"
            taken.add(name)
            country = next((code for code, _ in countries[key].most_common() if code), None)
            known[key] = add(name, country, None, None)
        for spelling in spellings:
            bind.execute(applications.update().where(applications.c.hospital == spelling)
                         .values(hospital_id=known[key]))


def downgrade():
    op.drop_index("ix_abroad_applications_hospital_id", table_name="abroad_applications")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE abroad_applications DROP COLUMN hospital_id")
    else:
        op.drop_constraint(FK, "abroad_applications", type_="foreignkey")
        op.drop_column("abroad_applications", "hospital_id")
    with op.batch_alter_table("abroad_hospital_names", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_abroad_hospital_names_hospital_id"))
    op.drop_table("abroad_hospital_names")
    op.drop_table("abroad_hospitals")
