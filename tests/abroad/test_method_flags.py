"""A Beslutningsforum decision that changes under an application flags it while the treatment may still change
(open, or granted and not completed), says what changed and links the public decision; the caseworker marks it
reviewed with a note that goes into the journal (issue 18, rule 6)."""
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import services
from app.abroad.models import ApplicationStatus
from app.auth.models import User
from app.cases.models import JournalEntry, JournalEntryType
from app.core.audit import AuditEvent
from app.errors import InvalidInput
from app.extensions import db
from app.methods.models import DecisionOutcome
from tests.conftest import amend_decision
from tests.factories import abroad_decision

TODAY = date(2026, 11, 20)


@pytest.fixture
def flagged(register, caseworker, method_with_outcome, make_user):
    """Three applications about ID2024_090 (open, granted, completed) and then Beslutningsforum's amendment of its
    decision from «Innføres» to «Innføres ikke»."""
    method = method_with_outcome(DecisionOutcome.INTRODUCED, reference="ID2024_090")
    other = {"national_id": None, "birth_date": date(1970, 1, 1), "municipality": None, "home_region": "helse-sor-ost"}
    waiting = register(method_reference=method.reference)
    granted = register(method_reference=method.reference, patient_name="Gro Innvilget", **other)
    services.decide(granted, abroad_decision(decided_on=date(2026, 9, 11), legal_basis="x", reasoning="y"),
                    actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    completed = register(method_reference=method.reference, patient_name="Cato Ferdig", **other)
    completed.status = ApplicationStatus.COMPLETED
    amend_decision(method, DecisionOutcome.NOT_INTRODUCED, db.session.get(User, make_user("methods_secretariat")),
                   on=date(2026, 10, 26))
    return waiting, granted, completed


def test_a_changed_decision_flags_open_and_granted_applications_saying_what_changed(flagged):
    waiting, granted, completed = flagged
    assert "ID2024_090" in waiting.flag and "26.10.2026" in waiting.flag
    assert "Innføres ikke (endret fra «Innføres» 16.06.2025)" in waiting.flag
    assert "Behandlingen er innvilget og ikke avsluttet" in granted.flag
    assert completed.flag is None


def test_reviewing_the_flag_needs_a_note_and_journals_it(flagged, caseworker):
    granted = flagged[1]
    flag = granted.flag
    with pytest.raises(InvalidInput) as refused:
        services.review_method_flag(granted, "  ", actor=caseworker)
    assert refused.value.field == "note" and granted.flag == flag
    services.review_method_flag(granted, "Sykehuset tilbyr fortsatt behandlingen; vedtaket står.", actor=caseworker)
    assert granted.flag is None and granted.flagged_at is None
    note = db.session.scalars(select(JournalEntry).where(JournalEntry.case_id == granted.case_id)
                              .order_by(JournalEntry.id.desc())).first()
    assert note.entry_type is JournalEntryType.NOTE
    assert note.title == "Ny beslutning i Nye Metoder vurdert: Sykehuset tilbyr fortsatt behandlingen; vedtaket står."
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "abroad_application",
                                                        AuditEvent.object_id == str(granted.id))
                               .order_by(AuditEvent.id.desc())).first()
    assert audit.changes["flag"] == [flag, None]
    with pytest.raises(InvalidInput, match="har ikke noe flagg"):
        services.review_method_flag(granted, "Igjen.", actor=caseworker)


def test_the_page_links_the_public_decision_and_the_review_form_keeps_a_blank_note_out(login, flagged, worker_id):
    waiting = flagged[0]
    case_id = waiting.case_id
    db.session.commit()
    client = login(worker_id)
    page = client.get(f"/utland/soknader/{case_id}").get_data(as_text=True)
    assert 'href="/nye-metoder/ID2024_090#beslutning"' in page and "Merk som vurdert" in page
    form = client.get(f"/utland/soknader/{case_id}/ny-beslutning")
    assert form.status_code == 200 and "endret fra «Innføres»" in form.get_data(as_text=True)
    blank = client.post(f"/utland/soknader/{case_id}/ny-beslutning", data={"note": " "})
    assert blank.status_code == 200 and "Skriv hva som ble vurdert og bestemt." in blank.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id).flag is not None
    done = client.post(f"/utland/soknader/{case_id}/ny-beslutning", data={"note": "Avventer ny uttalelse."})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(waiting), waiting.id).flag is None
