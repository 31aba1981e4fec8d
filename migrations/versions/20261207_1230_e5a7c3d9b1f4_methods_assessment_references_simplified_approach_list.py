"""methods: the suitability assessment's numbered reference list; the simplified approach (the sub-type of ordering
recommendation 3) becomes one of the form's listed values

Existing free-text sub-types are mapped by their words (kostnad/budsjett and effekt/sikkerhet); a text that names
neither is kept, word for word, at the end of the recommendation's comment («Forenklet metodisk tilnærming
(fritekst før listen): …») and reported in the migration's log, so nothing typed is lost.

Revision ID: e5a7c3d9b1f4
Revises: a7c31e9d5b42
Create Date: 2026-12-07 12:30:00
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = "e5a7c3d9b1f4"
down_revision = "a7c31e9d5b42"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
LABELS = {"effekt_sikkerhet": "Effekt og sikkerhet", "kostnader": "Kostnader og budsjettkonsekvenser",
          "effekt_sikkerhet_kostnader": "Effekt, sikkerhet og kostnader"}
KEPT_LEAD = "Forenklet metodisk tilnærming (fritekst før listen): "


def listed_value(text: str) -> str | None:
    """The listed sub-type a free text names, or None."""
    words = text.casefold()
    costs = "kostnad" in words or "budsjett" in words or "økonomi" in words
    effect = "effekt" in words or "sikkerhet" in words
    if costs and effect:
        return "effekt_sikkerhet_kostnader"
    return "kostnader" if costs else "effekt_sikkerhet" if effect else None


def upgrade():
    op.create_table(
        "method_assessment_references",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["method_suitability_assessments.id"],
                                name=op.f("fk_method_assessment_references_assessment_id_method_suitability_assessments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_method_assessment_references")),
    )
    with op.batch_alter_table("method_assessment_references", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_method_assessment_references_assessment_id"), ["assessment_id"],
                              unique=False)

    with op.batch_alter_table("method_suitability_assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("simplified_approach_listed", sa.Enum(
            *LABELS, name="simplifiedapproach", native_enum=False, length=32), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, simplified_approach, recommendation_comment FROM method_suitability_assessments "
        "WHERE simplified_approach IS NOT NULL AND simplified_approach <> ''")).all()
    for row in rows:
        value = listed_value(row.simplified_approach)
        if value is not None:
            connection.execute(sa.text("UPDATE method_suitability_assessments SET simplified_approach_listed = :value "
                                       "WHERE id = :id"), {"value": value, "id": row.id})
            continue
        kept = f"{KEPT_LEAD}{row.simplified_approach}"
        comment = f"{row.recommendation_comment}\n{kept}" if row.recommendation_comment else kept
        connection.execute(sa.text("UPDATE method_suitability_assessments SET recommendation_comment = :comment "
                                   "WHERE id = :id"), {"comment": comment, "id": row.id})
        log.warning("Suitability assessment %s: simplified approach %r matches no listed value; kept in the "
                    "recommendation's comment.", row.id, row.simplified_approach)
    with op.batch_alter_table("method_suitability_assessments", schema=None) as batch_op:
        batch_op.drop_column("simplified_approach")
        batch_op.alter_column("simplified_approach_listed", new_column_name="simplified_approach",
                              existing_type=sa.String(length=32), existing_nullable=True)


def downgrade():
    """The listed value's label becomes the free text again (a text kept in the comment stays there)."""
    with op.batch_alter_table("method_suitability_assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("simplified_approach_text", sa.String(length=100), nullable=True))
    connection = op.get_bind()
    for value, label in LABELS.items():
        connection.execute(sa.text("UPDATE method_suitability_assessments SET simplified_approach_text = :label "
                                   "WHERE simplified_approach = :value"), {"label": label, "value": value})
    with op.batch_alter_table("method_suitability_assessments", schema=None) as batch_op:
        batch_op.drop_column("simplified_approach")
        batch_op.alter_column("simplified_approach_text", new_column_name="simplified_approach",
                              existing_type=sa.String(length=100), existing_nullable=True)
    with op.batch_alter_table("method_assessment_references", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_method_assessment_references_assessment_id"))
    op.drop_table("method_assessment_references")
