"""The public journal's list (app/archive/public_views.py), declared once for its page and its CSV (app.listing):
the posts the case core publishes (app.cases.interface.public_journal_entries), shown as PublicPost."""
from datetime import date, timedelta

from sqlalchemy.orm import contains_eager

from app.cases.interface import Case, JournalEntry, public_journal_entries, public_posts
from app.core.regions import UNITS
from app.listing import Choice, Column, Day, ListSpec

DEFAULT_DAYS = 7   # without a from-date the journal shows the last week


def default_start(today: date | None = None) -> date:
    return (today or date.today()) - timedelta(days=DEFAULT_DAYS)


def _screening_notice(post) -> str | None:
    return post.screening.notice if post.screening else None


PUBLIC_JOURNAL = ListSpec(
    name="public_journal",
    query=lambda _user: public_journal_entries().options(contains_eager(JournalEntry.case)),
    count_query=lambda _user: public_journal_entries(),
    tiebreak=JournalEntry.id,
    default_sort="-journaldato",
    per_page=50,
    filters=(
        Choice("enhet", "Enhet", lambda query, unit: query.where(Case.unit == unit),
               values=lambda: list(UNITS.items()), all_label="Alle enheter"),
        Day("fra", "Journaldato fra og med", lambda query, day: query.where(JournalEntry.journal_date >= day),
            otherwise=lambda query: query.where(JournalEntry.journal_date >= default_start())),
        Day("til", "Journaldato til og med", lambda query, day: query.where(JournalEntry.journal_date <= day)),
    ),
    columns=(
        Column("journaldato", "Journaldato", lambda post: post.journal_date, sort=JournalEntry.journal_date),
        Column("journalpost", "Journalpostnummer", lambda post: post.registration_number,
               sort=(Case.year, Case.sequence, JournalEntry.number_in_case)),
        Column("saksnummer", "Saksnummer", lambda post: post.case_number, on_page=False),
        Column("sak", "Sak", lambda post: post.case_title, on_page=False),
        Column("type", "Type", lambda post: post.entry_type.value, on_page=False),
        Column("tittel", "Tittel", lambda post: post.title),
        Column("parttype", "Avsender/mottaker (type)", lambda post: post.party_type, on_page=False),
        Column("part", "Avsender/mottaker", lambda post: post.party_name),
        Column("dokumentdato", "Dokumentdato", lambda post: post.document_date, on_page=False),
        Column("enhet", "Enhet", lambda post: post.unit_name, on_page=False),
        Column("skjerming", "Unntatt offentlighet", _screening_notice, on_page=False),
    ),
    present=public_posts,
)
