"""Case pages end to end through the test client: forms, conflicts, documents, deadlines."""
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.cases import services
from app.cases.models import Case, CaseKind, CaseStatus, Deadline, Document, JournalEntry, JournalEntryType
from app.core.audit import AuditEvent
from app.errors import InvalidInputs
from app.extensions import db
from tests.audit import list_requests

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_two_browsers_saving_the_same_case_the_second_gets_a_conflict(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    first, second = login(user), login(make_user("abroad_caseworker", "helse-sor-ost"))
    assert 'name="version" type="hidden" value="1"' in first.get(f"/saker/{case_id}/endre").get_data(as_text=True)
    second.get(f"/saker/{case_id}/endre")

    saved = first.post(f"/saker/{case_id}/endre", data={"title": "Første – Kari Nordmann", "responsible_id": user,
                                                         "reason": "Skrivefeil", "version": 1})
    conflict = second.post(f"/saker/{case_id}/endre", data={"title": "Andre – Kari Nordmann", "responsible_id": user,
                                                            "reason": "Skrivefeil", "version": 1})

    assert saved.status_code == 302
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Saken er endret av en annen bruker" in html
    assert "Første – Kari Nordmann" in html  # the stored version
    assert 'value="Andre – Kari Nordmann"' in html  # what this user typed
    with app.app_context():
        assert db.session.get(Case, case_id).title == "Første – Kari Nordmann"
    resaved = second.post(f"/saker/{case_id}/endre", data={"title": "Andre – Kari Nordmann", "responsible_id": user,
                                                            "reason": "Skrivefeil", "version": 2})
    assert resaved.status_code == 302


def test_discarding_a_case_needs_a_reason(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    refused = client.post(f"/saker/{case_id}/status", data={"status": "U", "comment": "", "version": 1})
    assert 'id="comment-error"' in refused.get_data(as_text=True)
    done = client.post(f"/saker/{case_id}/status", data={"status": "U", "comment": "Dobbeltregistrert", "version": 1})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).status is CaseStatus.DISCARDED
    assert f"/saker/{case_id}" not in client.get("/saker").get_data(as_text=True)
    assert f"/saker/{case_id}" in client.get("/saker?status=U").get_data(as_text=True)


def test_journal_entry_with_a_document(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    response = client.post(f"/saker/{case_id}/journal/ny", content_type="multipart/form-data", data={
        "entry_type": "I", "title": "Søknad fra pasient", "party_name": "Kari Nordmann",
        "journal_date": "03.11.2026", "document_date": "01.11.2026", "file": (io.BytesIO(PDF), "søknad.pdf")})
    assert response.status_code == 302
    with app.app_context():
        entry = db.session.scalars(select(JournalEntry).where(JournalEntry.case_id == case_id)).one()
        assert (entry.journal_date, entry.document_date, entry.number_in_case) == (
            date(2026, 11, 3), date(2026, 11, 1), 1)
        assert entry.documents[0].current_version.filename == "søknad.pdf"
    page = client.get(f"/saker/{case_id}").get_data(as_text=True)
    assert "03.11.2026" in page and "Søknad fra pasient" in page


def test_the_journal_form_registers_the_party_type_address_and_screening(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    response = client.post(f"/saker/{case_id}/journal/ny", data={
        "entry_type": "U", "title": "Kopi av vedtak", "party_name": "Ola Nordmann", "party_type": "EK",
        "party_street": "Storgata 1", "party_postal_code": "0155", "party_postal_place": "Oslo",
        "party_screened": "y", "journal_date": "03.11.2026"})
    assert response.status_code == 302
    refused = client.post(f"/saker/{case_id}/journal/ny", data={
        "entry_type": "U", "title": "Brev", "party_name": "Ola Nordmann", "party_street": "Storgata 1",
        "party_postal_code": "155", "party_postal_place": "Oslo", "journal_date": "03.11.2026"})
    assert 'id="party_postal_code-error"' in refused.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalars(select(JournalEntry).where(JournalEntry.case_id == case_id)).one()
        assert (entry.party_type.value, entry.party_street, entry.party_postal_code, entry.party_screened,
                entry.journal_status.value) == ("EK", "Storgata 1", "0155", True, "E")
    page = client.get(f"/saker/{case_id}").get_data(as_text=True)
    assert "Ola Nordmann (kopimottaker, skjermet)" in page and "<td>Ekspedert</td>" in page


def test_journal_dates_out_of_order_are_refused(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    response = login(user).post(f"/saker/{case_id}/journal/ny", data={
        "entry_type": "X", "title": "Notat", "journal_date": "01.11.2026", "document_date": "02.11.2026"})
    assert 'id="document_date-error"' in response.get_data(as_text=True)
    assert _count(app, JournalEntry) == 0


def test_a_journal_entry_shows_every_error_in_one_round(app, login, make_user, make_case):
    """The form's own check (no title) and the service's rule (an incoming post names its sender) together; the
    service refuses both at once on every path."""
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    response = login(user).post(f"/saker/{case_id}/journal/ny", data={
        "entry_type": "I", "title": "", "party_name": "", "journal_date": "01.11.2026", "document_date": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and 'id="party_name-error"' in html
    with app.app_context(), pytest.raises(InvalidInputs) as refused:
        services.add_journal_entry(db.session.get(Case, case_id), entry_type=JournalEntryType.INCOMING,
                                   title="Søknad", journal_date=date(2026, 11, 1), document_date=date(2026, 11, 2),
                                   party_name=" ", actor=db.session.get(User, user))
    assert set(refused.value.by_field()) == {"document_date", "party_name"}
    assert _count(app, JournalEntry) == 0


def test_upload_checks_the_content_not_just_the_name(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    response = client.post(f"/saker/{case_id}/dokumenter/ny", content_type="multipart/form-data", data={
        "title": "Epikrise", "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "epikrise.pdf")})
    assert "stemmer ikke med filtypen .pdf" in response.get_data(as_text=True)
    response = client.post(f"/saker/{case_id}/dokumenter/ny", content_type="multipart/form-data", data={
        "title": "Program", "file": (io.BytesIO(b"MZ\x90\x00"), "program.exe")})
    assert "Filtypen er ikke tillatt" in response.get_data(as_text=True)
    assert _count(app, Document) == 0


def test_new_versions_keep_the_old_ones_and_downloads_are_audited(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    client.post(f"/saker/{case_id}/dokumenter/ny", content_type="multipart/form-data",
                data={"title": "Røntgen", "file": (io.BytesIO(PNG), "bilde.png")})
    with app.app_context():
        document_id = db.session.scalars(select(Document.id)).one()
    client.post(f"/saker/{case_id}/dokumenter/{document_id}/ny-versjon", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PDF), "bilde-v2.pdf")})

    first = client.get(f"/saker/{case_id}/dokumenter/{document_id}/versjoner/1")
    second = client.get(f"/saker/{case_id}/dokumenter/{document_id}/versjoner/2")

    assert (first.data, first.mimetype) == (PNG, "image/png")
    assert (second.data, second.mimetype) == (PDF, "application/pdf")
    assert first.headers["Cache-Control"] == "no-store"
    assert "attachment" in second.headers["Content-Disposition"]
    assert client.get(f"/saker/{case_id}/dokumenter/{document_id}/versjoner/3").status_code == 404
    assert _count(app, AuditEvent, AuditEvent.action == "download", AuditEvent.case_id == case_id) == 2


def test_deadline_on_a_holiday_moves_to_the_next_working_day(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    response = client.post(f"/saker/{case_id}/frister/ny", data={
        "kind": "svarfrist", "due_date": "17.05.2030", "responsible_id": user, "description": "Svar fra OUS"})
    assert response.status_code == 302
    with app.app_context():
        deadline = db.session.scalars(select(Deadline)).one()
        assert deadline.due_date == date(2030, 5, 20)  # Friday 17 May is a holiday; then a weekend
    client.post(f"/saker/{case_id}/frister/{deadline.id}/utfort", data={"version": 1})
    with app.app_context():
        assert db.session.get(Deadline, deadline.id).done_at is not None


def test_deadline_in_the_past_is_refused(login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    response = login(user).post(f"/saker/{case_id}/frister/ny", data={
        "kind": "svarfrist", "due_date": "01.01.2020", "responsible_id": user})
    assert 'id="due_date-error"' in response.get_data(as_text=True)


def test_dashboard_shows_my_cases_and_lists_are_audited(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    page = login(user).get("/").get_data(as_text=True)
    assert "Mine saker" in page and f"/saker/{case_id}" in page
    with app.app_context():
        assert list_requests(user) == [("dashboard", [case_id])]


def test_case_list_filters_and_pages_through_the_url(login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    for number in range(3):
        make_case(user, title=f"Søknad {number} – Kari Nordmann")
    client = login(user)
    assert client.get("/saker?q=Søknad 1").get_data(as_text=True).count("Søknad 1 – Kari") == 1
    filtered = client.get("/saker?type=panel_referral").get_data(as_text=True)
    assert "0 saker." in filtered
    assert "3 saker." in client.get("/saker?type=abroad_application&sort=tittel").get_data(as_text=True)


def test_journal_printout_is_rendered_and_filed_as_a_pdf(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    client.post(f"/saker/{case_id}/journal/ny", data={"entry_type": "X", "title": "Notat om æøå",
                                                      "journal_date": "03.11.2026"})
    assert client.post(f"/saker/{case_id}/journalutskrift").status_code == 302
    with app.app_context():
        document = db.session.scalars(select(Document).where(Document.case_id == case_id)).one()
        assert document.title.startswith("Journalutskrift")
        assert document.current_version.mime_type == "application/pdf"


def test_panel_secretariat_gives_a_member_access_once(app, login, make_user, make_case):
    secretary = make_user("panel_secretariat")
    member = make_user("panel_member", name="Pia Panelmedlem")
    case_id = make_case(secretary, kind=CaseKind.PANEL_REFERRAL, title="Henvisning – Kari Nordmann")
    client = login(secretary)
    assert "Pia Panelmedlem" in client.get(f"/saker/{case_id}/tilgang").get_data(as_text=True)
    assert client.post(f"/saker/{case_id}/tilgang", data={"user_id": member}).status_code == 302
    page = client.get(f"/saker/{case_id}/tilgang").get_data(as_text=True)
    assert "har allerede tilgang" in page and "<select" not in page
    assert login(member).get(f"/saker/{case_id}").status_code == 200


def test_status_conflict_answers_409_and_offers_a_fresh_version(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    client.post(f"/saker/{case_id}/status", data={"status": "B", "comment": "", "version": 1})
    stale = client.post(f"/saker/{case_id}/status", data={"status": "F", "comment": "", "version": 1})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "endret av en annen bruker" in html and 'name="version" type="hidden" value="2"' in html
    assert client.post(f"/saker/{case_id}/status", data={"status": "F", "version": 2}).status_code == 302


def test_a_deadline_moved_off_a_holiday_says_why(login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    client.post(f"/saker/{case_id}/frister/ny", data={"kind": "svarfrist", "due_date": "25.12.2030",
                                                      "responsible_id": user})
    page = client.get(f"/saker/{case_id}").get_data(as_text=True)
    assert "25.12.2030 er Første juledag, så fristen er flyttet til 27.12.2030." in page


def test_a_change_of_the_case_with_a_reason_is_shown_in_the_history(app, login, make_user, make_case):
    user = make_user(name="Siri Saksbehandler")
    case_id = make_case(user)
    client = login(user)
    saved = client.post(f"/saker/{case_id}/endre", data={
        "title": "Søknad om behandling i utlandet – Kari Nordmann (TTTS)", "responsible_id": user, "version": 1,
        "reason": "Tittelen manglet diagnosen."})
    assert saved.status_code == 302
    page = client.get(f"/saker/{case_id}").get_data(as_text=True)
    history = page[page.index('id="endringer"'):]
    assert "Sakstittel" in history and "Tittelen manglet diagnosen." in history
    assert "Søknad om behandling i utlandet – Kari Nordmann (TTTS)" in history and "Siri Saksbehandler" in history
