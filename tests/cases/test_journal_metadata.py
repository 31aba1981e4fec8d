"""The journal metadata a Noark extraction needs (issue 20 item 2): journalstatus (M053), the correspondence
party's type, address and screening, and the archive classes with their disposal decision."""
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases import services
from app.cases.models import (
    ArchiveClass,
    CaseKind,
    CaseStatus,
    DisposalDecision,
    JournalEntryType,
    JournalStatus,
    PartyType,
)
from app.core.audit import AuditEvent
from app.demo import synthetic_national_id
from app.errors import InvalidInput
from app.extensions import db


@pytest.fixture
def caseworker(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))


@pytest.fixture
def case(caseworker):
    patient = services.register_patient(national_id=synthetic_national_id(date(1980, 5, 17)), name="Kari Nordmann",
                                        birth_date=None, municipality="Oslo", home_region="helse-sor-ost",
                                        actor=caseworker)
    return services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann", patient=patient,
                              actor=caseworker)


def _post(case, actor, entry_type, **fields):
    return services.add_journal_entry(case, entry_type=entry_type, title="Brev", actor=actor, **fields)


def test_every_post_gets_its_journal_status_and_a_closed_case_archives_them(case, caseworker):
    incoming = _post(case, caseworker, JournalEntryType.INCOMING, party_name="Oslo universitetssykehus")
    outgoing = _post(case, caseworker, JournalEntryType.OUTGOING, party_name="Oslo universitetssykehus")
    note = _post(case, caseworker, JournalEntryType.NOTE)
    assert [incoming.journal_status, outgoing.journal_status, note.journal_status] == [
        JournalStatus.REGISTERED, JournalStatus.DISPATCHED, JournalStatus.FINISHED]

    services.change_status(case, CaseStatus.CLOSED, expected_version=case.version, comment=None, actor=caseworker)
    assert {entry.journal_status for entry in case.journal_entries} == {JournalStatus.ARCHIVED}
    changed = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "journal_entry",
                                                          AuditEvent.object_id == str(incoming.id))).all()
    assert changed[-1].changes["journal_status"] == ["J", "A"]


def test_the_party_type_follows_the_post_unless_given_and_the_address_is_kept(case, caseworker):
    incoming = _post(case, caseworker, JournalEntryType.INCOMING, party_name="Oslo universitetssykehus",
                     party_address=services.PartyAddress(" Postboks 4950 Nydalen ", "0424", "Oslo"))
    copy = _post(case, caseworker, JournalEntryType.OUTGOING, party_name="Fastlege Per Hansen",
                 party_type=PartyType.COPY_RECIPIENT)
    assert (incoming.party_type, incoming.party_street, incoming.party_postal_code, incoming.party_postal_place) == (
        PartyType.SENDER, "Postboks 4950 Nydalen", "0424", "Oslo")
    assert copy.party_type is PartyType.COPY_RECIPIENT
    assert _post(case, caseworker, JournalEntryType.NOTE).party_type is None


def test_a_half_address_or_an_address_without_a_name_is_refused_with_its_field(case, caseworker):
    with pytest.raises(InvalidInput, match="postnummer") as refused:
        _post(case, caseworker, JournalEntryType.INCOMING, party_name="Oslo universitetssykehus",
              party_address=services.PartyAddress("Postboks 4950 Nydalen", "04", "Oslo"))
    assert refused.value.field == "party_postal_code"
    with pytest.raises(InvalidInput, match="navnet") as refused:
        _post(case, caseworker, JournalEntryType.NOTE, party_address=services.PartyAddress("Gata 1", "0424", "Oslo"))
    assert refused.value.field == "party_name"


def test_the_patient_as_party_of_a_screened_case_is_screened_and_another_party_only_when_asked(case, caseworker):
    assert case.is_screened
    patient = _post(case, caseworker, JournalEntryType.OUTGOING, party_name="kari nordmann")
    hospital = _post(case, caseworker, JournalEntryType.OUTGOING, party_name="Oslo universitetssykehus")
    asked = _post(case, caseworker, JournalEntryType.INCOMING, party_name="Ola Nordmann", party_screened=True)
    assert (patient.party_screened, hospital.party_screened, asked.party_screened) == (True, False, True)


def test_each_case_kind_has_an_archive_class_with_a_disposal_decision(app_ctx):
    classes = {archive_class.kind: archive_class for archive_class in db.session.scalars(select(ArchiveClass))}
    assert set(classes) == set(CaseKind)
    assert classes[CaseKind.METHOD].disposal is DisposalDecision.KEEP
    application = classes[CaseKind.ABROAD_APPLICATION]
    assert application.disposal is DisposalDecision.DISPOSE and application.retention_years == 10
