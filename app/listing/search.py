"""Free-text search through an index the database keeps itself (app.listing.filters.Search applies it)."""
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy import column as sa_column
from sqlalchemy import literal_column as sa_literal_column
from sqlalchemy import table as sa_table

from app.extensions import db


@dataclass(frozen=True)
class SearchIndex:
    """A trigram index over the search text of a table's rows, kept current by the database's own triggers
    (made by the migration that made the index), so every path that writes the rows keeps it: on PostgreSQL a
    table (record_id, search_text) with a pg_trgm GIN index, on SQLite an FTS5 table with the trigram
    tokenizer whose rowid is the row's id. `ids(text)` selects the ids of the rows whose text holds every
    word of `text`, in any case."""

    table: str

    def ids(self, text: str) -> Select:
        words = text.split()
        if db.session.get_bind().dialect.name == "sqlite":
            fts = sa_table(self.table, sa_column("rowid"), sa_column("search_text"))
            long_words = [word for word in words if len(word) >= 3]
            query = select(fts.c.rowid)
            if long_words:  # the trigram index serves a word of three characters or more
                phrase = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
                query = query.where(sa_literal_column(self.table).op("MATCH")(phrase))
            return query.where(*(_contains(fts.c.search_text, word) for word in words if len(word) < 3))
        index = sa_table(self.table, sa_column("record_id"), sa_column("search_text"))
        return select(index.c.record_id).where(*(_contains(index.c.search_text, word) for word in words))


def _contains(column, word: str):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
