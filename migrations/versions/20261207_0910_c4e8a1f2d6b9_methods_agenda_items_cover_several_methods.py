"""methods: an agenda item covers one or more methods and may be taken up again under its number; the meetings'
filed papers

Revision ID: c4e8a1f2d6b9
Revises: c4e8a2f6d1b3
Create Date: 2026-12-07 09:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f2d6b9"
down_revision = "c4e8a2f6d1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "method_meeting_papers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("innkalling", "protokoll", name="meetingpaperkind", native_enum=False, length=32),
                  nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("document_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["filed_by_id"], ["users.id"], name=op.f("fk_method_meeting_papers_filed_by_id_users")),
        sa.ForeignKeyConstraint(["meeting_id"], ["method_meetings.id"],
                                name=op.f("fk_method_meeting_papers_meeting_id_method_meetings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_method_meeting_papers")),
    )
    with op.batch_alter_table("method_meeting_papers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_method_meeting_papers_meeting_id"), ["meeting_id"], unique=False)
    op.create_table(
        "method_agenda_item_methods",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("method_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["method_agenda_items.id"], ondelete="CASCADE",
                                name=op.f("fk_method_agenda_item_methods_agenda_item_id_method_agenda_items")),
        sa.ForeignKeyConstraint(["method_id"], ["method_methods.id"],
                                name=op.f("fk_method_agenda_item_methods_method_id_method_methods")),
        sa.PrimaryKeyConstraint("agenda_item_id", "method_id", name=op.f("pk_method_agenda_item_methods")),
    )
    with op.batch_alter_table("method_agenda_item_methods", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_method_agenda_item_methods_method_id"), ["method_id"], unique=False)
    # Every existing item covered the one method it named.
    op.execute("INSERT INTO method_agenda_item_methods (agenda_item_id, method_id) "
               "SELECT id, method_id FROM method_agenda_items")

    with op.batch_alter_table("method_agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resumes_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_method_agenda_items_resumes_id_method_agenda_items"),
                                    "method_agenda_items", ["resumes_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_method_agenda_items_resumes_id"), ["resumes_id"], unique=False)
        batch_op.drop_constraint("uq_method_agenda_items_forum_year_number", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_method_agenda_items_meeting_id_number"),
                                          ["meeting_id", "number"])
        batch_op.drop_index("ix_method_agenda_items_method_id")
        batch_op.drop_constraint("fk_method_agenda_items_method_id_method_methods", type_="foreignkey")
        batch_op.drop_column("method_id")
    op.create_index("uq_method_agenda_items_forum_year_number", "method_agenda_items", ["forum", "year", "number"],
                    unique=True, sqlite_where=sa.text("resumes_id IS NULL"),
                    postgresql_where=sa.text("resumes_id IS NULL"))

    with op.batch_alter_table("method_ordering_decisions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_method_ordering_decisions_agenda_item_id", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_method_ordering_decisions_agenda_item_id_method_id"),
                                          ["agenda_item_id", "method_id"])


def downgrade():
    """One method per item again: an item's further methods, and an item taken up again, get an item of their
    own under the forum's next free number that year, and their decisions follow them."""
    connection = op.get_bind()
    with op.batch_alter_table("method_agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method_id", sa.Integer(), nullable=True))
    items = connection.execute(sa.text(
        "SELECT id, meeting_id, forum, year, number, title, resumes_id FROM method_agenda_items ORDER BY id")).all()
    links = connection.execute(sa.text(
        "SELECT agenda_item_id, method_id FROM method_agenda_item_methods ORDER BY agenda_item_id, method_id")).all()
    methods_of = {}
    for item_id, method_id in links:
        methods_of.setdefault(item_id, []).append(method_id)
    highest = {}
    for item in items:
        key = (item.forum, item.year)
        highest[key] = max(highest.get(key, 0), item.number)
    for item in items:
        methods = methods_of.get(item.id, [])
        if not methods:
            continue
        number = item.number
        if item.resumes_id is not None:
            highest[(item.forum, item.year)] += 1
            number = highest[(item.forum, item.year)]
        connection.execute(sa.text("UPDATE method_agenda_items SET method_id = :method, number = :number "
                                   "WHERE id = :id"), {"method": methods[0], "number": number, "id": item.id})
        for method_id in methods[1:]:
            highest[(item.forum, item.year)] += 1
            new_id = connection.execute(sa.text(
                "INSERT INTO method_agenda_items (meeting_id, method_id, forum, year, number, title) "
                "VALUES (:meeting, :method, :forum, :year, :number, :title) RETURNING id"),
                {"meeting": item.meeting_id, "method": method_id, "forum": item.forum, "year": item.year,
                 "number": highest[(item.forum, item.year)], "title": item.title}).scalar_one()
            for table in ("method_ordering_decisions", "method_forum_decisions"):
                connection.execute(sa.text(f"UPDATE {table} SET agenda_item_id = :new "
                                           "WHERE agenda_item_id = :old AND method_id = :method"),
                                   {"new": new_id, "old": item.id, "method": method_id})
    connection.execute(sa.text("DELETE FROM method_agenda_items WHERE method_id IS NULL"))

    with op.batch_alter_table("method_ordering_decisions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_method_ordering_decisions_agenda_item_id_method_id", type_="unique")
        batch_op.create_unique_constraint("uq_method_ordering_decisions_agenda_item_id", ["agenda_item_id"])
    op.drop_index("uq_method_agenda_items_forum_year_number", table_name="method_agenda_items")
    with op.batch_alter_table("method_agenda_items", schema=None) as batch_op:
        batch_op.alter_column("method_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key("fk_method_agenda_items_method_id_method_methods", "method_methods",
                                    ["method_id"], ["id"])
        batch_op.create_index("ix_method_agenda_items_method_id", ["method_id"], unique=False)
        batch_op.drop_constraint("uq_method_agenda_items_meeting_id_number", type_="unique")
        batch_op.create_unique_constraint("uq_method_agenda_items_forum_year_number", ["forum", "year", "number"])
        batch_op.drop_index("ix_method_agenda_items_resumes_id")
        batch_op.drop_constraint("fk_method_agenda_items_resumes_id_method_agenda_items", type_="foreignkey")
        batch_op.drop_column("resumes_id")
    with op.batch_alter_table("method_agenda_item_methods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_method_agenda_item_methods_method_id"))
    op.drop_table("method_agenda_item_methods")
    with op.batch_alter_table("method_meeting_papers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_method_meeting_papers_meeting_id"))
    op.drop_table("method_meeting_papers")
