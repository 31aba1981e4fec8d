"""The demo's access request: a journalist asks to see the newest public post of Helse Sør-Øst's office, so the
office's work queue shows an «Innsynskrav» with its deadline."""

from app.cases.interface import AccessRequest, JournalEntry, public_journal_entries, register_access_request
from app.extensions import db
from app.modules import DemoSeed

DEMO_UNIT = "helse-sor-ost"


def load_archive_demo(seed: DemoSeed) -> int:
    newest = db.session.scalars(public_journal_entries(unit=DEMO_UNIT, end=seed.today)
                                .order_by(JournalEntry.journal_date.desc(), JournalEntry.id.desc()).limit(1)).first()
    if newest is None:
        return 0
    register_access_request(AccessRequest(
        unit=DEMO_UNIT, name="Jens Journalist", email="jens.journalist@avis.example", posts=newest.case.number,
        message="Jeg ber om innsyn i alle dokumentene i saken, gjerne som PDF."), today=seed.today)
    return 1
