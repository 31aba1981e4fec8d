"""The public journal (issue 20 item 3): the page, its CSV and offentligJournal.xml show the public posts with the
patient's name masked and screened parties hidden behind their legal basis, never a name, a screened title, an
internal note or a price note (the canaries); the extraction takes the same posts; an access request registers a
case with a deadline in the owning unit's queue."""
import csv
import dataclasses
import html
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from app.archive import public_views
from app.archive.deposit import write_deposit
from app.archive.extraction import Period
from app.archive.lists import PUBLIC_JOURNAL
from app.auth.models import User
from app.cases import services
from app.cases.models import Case, CaseKind, Deadline, JournalEntryType
from app.cases.workdays import add_working_days
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db, limiter
from app.methods import services as method_services
from app.methods.commands import NewPriceNote
from tests.factories import new_method

SCHEMA = Path(__file__).resolve().parents[2] / "app" / "archive" / "schemas" / "offentligJournal.xsd"
PATIENT = "Kari Nordmann"
NATIONAL_ID = "17058012345"
SCREENED_TITLE = f"Søknad om protonbehandling i Tyskland – {PATIENT}"
NOTE_CANARY = "Intern vurdering: kanarifugl-notat"
PRICE_CANARY = "Kanarifugl-pris 123 456 kr per pakning"
PARTY_CANARY = "Kanarifuglveien legesenter ved Fastlege Ola Kanari"
BASIS = "Unntatt offentlighet, offl. § 13 jf. fvl. § 13 første ledd nr. 1"
ALL_TIME = {"fra": "01.01.2000"}


@pytest.fixture
def journal(app, make_user, make_case):
    """A screened abroad case with an application from the patient, a screened party, a letter to a hospital
    and an internal note; a method case with its incoming proposal and a price note; a post journaled a month ago."""
    caseworker_id = make_user(Role.ABROAD_CASEWORKER, "helse-sor-ost")
    secretary_id = make_user(Role.METHODS_SECRETARIAT)
    case_id = make_case(caseworker_id, title=SCREENED_TITLE, name=PATIENT)
    with app.app_context():
        caseworker, secretary = db.session.get(User, caseworker_id), db.session.get(User, secretary_id)
        case = db.session.get(Case, case_id)
        today = date.today()
        application = services.add_journal_entry(
            case, entry_type=JournalEntryType.INCOMING, title=f"Søknad fra {PATIENT}", party_name=PATIENT,
            journal_date=today, actor=caseworker)
        referral = services.add_journal_entry(
            case, entry_type=JournalEntryType.INCOMING, title="Henvisning", party_name=PARTY_CANARY,
            party_screened=True, journal_date=today, actor=caseworker)
        letter = services.add_journal_entry(
            case, entry_type=JournalEntryType.OUTGOING, title="Forespørsel om behandlingstilbud",
            party_name="Universitätsklinikum Essen", journal_date=today, actor=caseworker)
        services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title=NOTE_CANARY, journal_date=today,
                                   actor=caseworker)
        old = services.add_journal_entry(case, entry_type=JournalEntryType.OUTGOING, title="Kvittering",
                                         party_name="Oslo universitetssykehus", journal_date=today - timedelta(days=30),
                                         actor=caseworker)
        method = method_services.register_method(new_method("Kanarimab til behandling av lungekreft"), actor=secretary)
        method_services.add_price_note(method, NewPriceNote(received_on=today, content=PRICE_CANARY), actor=secretary)
        services.add_journal_entry(db.session.get(Case, method.case_id), entry_type=JournalEntryType.INCOMING,
                                   title="Forslag: Kanarimab til behandling av lungekreft",
                                   party_name="Sykehuset Telemark", journal_date=today, actor=secretary)
        db.session.commit()
        return {"case": case.number, "application": application.registration_number,
                "referral": referral.registration_number, "letter": letter.registration_number,
                "old": old.registration_number, "caseworker": caseworker_id, "secretary": secretary_id}


def _assert_no_canary(text: str) -> None:
    for canary in (PATIENT, "Nordmann", SCREENED_TITLE, NOTE_CANARY, PRICE_CANARY, PARTY_CANARY, "Ola Kanari"):
        assert canary not in text, canary


def test_the_page_shows_public_posts_with_masked_names_and_the_legal_basis(client, journal):
    page = client.get("/offentlig-journal/", query_string={"enhet": "helse-sor-ost"}).get_data(as_text=True)
    _assert_no_canary(page)
    assert journal["application"] in page and journal["referral"] in page and journal["letter"] in page
    assert "Søknad fra ******" in page and "Søknad om protonbehandling i Tyskland – ******" in page
    assert "Universitätsklinikum Essen" in page and BASIS in page
    assert journal["old"] not in page   # the default period is the last week
    assert journal["old"] in client.get("/offentlig-journal/", query_string=ALL_TIME).get_data(as_text=True)


def test_the_unit_filter_shows_only_that_units_journal(client, journal):
    page = client.get("/offentlig-journal/", query_string={"enhet": "nye-metoder", **ALL_TIME}).get_data(as_text=True)
    assert "Kanarimab" in page
    assert journal["application"] not in page
    _assert_no_canary(page)


def test_the_journal_pages_through_every_post(client, journal, monkeypatch):
    monkeypatch.setattr(public_views, "PUBLIC_JOURNAL", dataclasses.replace(PUBLIC_JOURNAL, per_page=2))
    seen, url = [], "/offentlig-journal/?enhet=helse-sor-ost&fra=01.01.2000"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += re.findall(r"<td>(\d{4}/\d+-\d+)<br>", page)
        following = re.search(r'href="([^"]+)" rel="next"', page)
        url = html.unescape(following[1]) if following else None
    assert sorted(seen) == sorted([journal["application"], journal["referral"], journal["letter"], journal["old"]])


def test_the_csv_export_holds_the_same_masked_posts(client, journal):
    response = client.get("/offentlig-journal/journal.csv", query_string=ALL_TIME)
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    _assert_no_canary(text)
    rows = {row["Journalpostnummer"]: row for row in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert rows[journal["referral"]]["Avsender/mottaker"] == "******"
    assert rows[journal["referral"]]["Unntatt offentlighet"] == BASIS
    assert rows[journal["letter"]]["Type"] == "U" and journal["old"] in rows


def test_the_xml_export_is_a_valid_public_journal_without_canaries(client, journal):
    response = client.get("/offentlig-journal/journal.xml", query_string={"enhet": "helse-sor-ost", **ALL_TIME})
    assert response.status_code == 200 and response.mimetype == "application/xml"
    _assert_no_canary(response.get_data(as_text=True))
    document = etree.fromstring(response.data)
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(document), schema.error_log
    posts = document.xpath("//*[local-name()='journalpost']/*[local-name()='registreringsID']/text()")
    assert sorted(posts) == sorted([journal["application"], journal["referral"], journal["letter"], journal["old"]])
    assert not document.xpath("//*[local-name()='tittel'][parent::*[local-name()='journalpost']]")


def test_an_xml_export_of_an_empty_period_says_so_on_the_page(client, journal):
    response = client.get("/offentlig-journal/journal.xml", query_string={"fra": "01.01.1990", "til": "31.12.1990"},
                          follow_redirects=True)
    assert "har ingen journalposter i perioden 01.01.1990–31.12.1990" in response.get_data(as_text=True)


def test_the_extractions_public_journal_holds_the_same_posts_as_the_page(app, client, journal, tmp_path):
    with app.app_context():
        write_deposit(Period(date(2000, 1, 1), date.today()), tmp_path / "uttrekk", made_at=utcnow(), via="test")
    public = (tmp_path / "uttrekk" / "offentligJournal.xml").read_text()
    running = (tmp_path / "uttrekk" / "loependeJournal.xml").read_text()
    _assert_no_canary(public)
    assert NOTE_CANARY in running   # the running journal keeps the note; the public one leaves it out
    exported = client.get("/offentlig-journal/journal.xml", query_string=ALL_TIME).get_data(as_text=True)
    ids = "//*[local-name()='journalpost']/*[local-name()='registreringsID']/text()"
    assert sorted(etree.fromstring(public.encode()).xpath(ids)) == sorted(
        etree.fromstring(exported.encode()).xpath(ids))


def test_an_access_request_registers_a_case_with_a_deadline_in_the_units_queue(app, client, login, make_user,
                                                                                journal):
    form = client.get("/offentlig-journal/innsyn", query_string={"enhet": "helse-sor-ost",
                                                                  "poster": journal["letter"]})
    assert journal["letter"] in form.get_data(as_text=True)
    response = client.post("/offentlig-journal/innsyn?enhet=helse-sor-ost", data={
        "enhet": "helse-sor-ost", "posts": f"{journal['letter']}, {journal['case']}", "name": "Journalist Jensen",
        "email": "jensen@avis.example", "message": "Helst som PDF."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/offentlig-journal/innsyn/kvittering")
    receipt = client.get("/offentlig-journal/innsyn/kvittering").get_data(as_text=True)
    assert "Innsynskravet er mottatt" in receipt
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.kind == CaseKind.ACCESS_REQUEST)).one()
        assert case.number in receipt and case.unit == "helse-sor-ost" and case.responsible_id is None
        [entry] = case.journal_entries
        assert entry.entry_type is JournalEntryType.INCOMING and entry.party_name == "Journalist Jensen"
        assert journal["application"] in entry.title and journal["letter"] in entry.title   # the whole case
        [document] = case.documents
        assert document.journal_entry_id == entry.id
        deadline = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
        assert deadline.due_date == add_working_days(date.today(), 3)
        number, case_id = case.number, case.id
    caseworker = login(journal["caseworker"])
    assert number in caseworker.get("/saker/arbeidsko").get_data(as_text=True)
    detail = caseworker.get(f"/saker/{case_id}").get_data(as_text=True)
    assert "Innsynskrav" in detail and "Journalist Jensen" in detail
    other_office = make_user(Role.ABROAD_CASEWORKER, "helse-vest")
    assert number not in login(other_office).get("/saker/arbeidsko").get_data(as_text=True)
    assert number not in login(journal["secretary"]).get("/saker/arbeidsko").get_data(as_text=True)
    # An access request is not itself published.
    assert "Journalist Jensen" not in client.get("/offentlig-journal/", query_string=ALL_TIME).get_data(as_text=True)


def test_an_access_request_with_bad_input_shows_every_error_and_registers_nothing(app, client, journal):
    response = client.post("/offentlig-journal/innsyn?enhet=helse-sor-ost", data={
        "posts": "2026/abc", "name": "", "email": "ikke-en-adresse"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Fyll inn navnet ditt." in page and "Skriv en gyldig e-postadresse" in page
    assert "«2026/abc» er ikke et journalpostnummer" in page
    # A post of another unit, or one that is not public (the note), is not in this unit's public journal.
    response = client.post("/offentlig-journal/innsyn?enhet=nye-metoder", data={
        "posts": journal["letter"], "name": "A", "email": "a@b.example"})
    assert f"{journal['letter']} finnes ikke i den offentlige journalen til Sekretariatet for Nye Metoder" in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Case.id).where(Case.kind == CaseKind.ACCESS_REQUEST)) is None


def test_access_requests_are_rate_limited(app, client, journal):
    with app.app_context():
        limiter.reset()
    answers = [client.post("/offentlig-journal/innsyn?enhet=helse-sor-ost", data={"posts": "x"}).status_code
               for _ in range(4)]
    assert answers == [200, 200, 200, 429]
