"""Meetings, agendas and the forums' decisions end to end through the test client, with Beslutningsforum's
surgical-robot decision (17.03.2025, Sak 031-2025, amended 28.04.2025) as the fixture."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditEvent
from app.extensions import db
from app.methods import services
from app.methods.commands import StatusChange
from app.methods.models import (
    AgendaItem,
    Commission,
    CommissionReport,
    DecisionOutcome,
    FollowUpAssignment,
    Forum,
    ForumDecision,
    Meeting,
    MethodStatus,
    OrderingDecision,
    OrderingKind,
    PriceNote,
    SubmissionKind,
)
from tests.factories import agenda_item, follow_up, forum_decision, new_meeting, new_method, ordering_decision
from tests.methods.links import link

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

S1_POINTS = "\n".join((
    "1. Robotassistert kirurgi kan fortsatt brukes til kirurgisk behandling av kreft i prostata, rektum "
    "eller livmor.",
    "2. Det er nødvendig at sykehus som bruker robotassistert kirurgi har et tilstrekkelig pasientvolum innen "
    "prostatakirurgi, rektumkirurgi og/eller hysterektomi grunnet kreftsykdom.",
    "3. Bruk av robotassistert kirurgi på andre områder enn prostata, rektum eller livmor bør begrenses til "
    "universitetssykehus.",
    "4. Fagdirektørene i de regionale helseforetakene bes følge opp beslutningen som del av oppdraget med "
    "revurdering av behandlingsmetoder.",
    "5. Fagdirektørene oppnevner en interregional arbeidsgruppe som skal utarbeide en strategisk plan. "
    "Arbeidsgruppen rapporterer til interregionalt fagdirektørmøte.",
))
S1_AMENDED_POINTS = "\n".join((
    "1. Fagdirektørene i de regionale helseforetakene oppnevner en interregional arbeidsgruppe som skal "
    "utarbeide et utkast til nasjonal strategisk tilnærming for bruk av kirurgiske operasjonsroboter.",
    "",
    "2. Anskaffelser av nye kirurgiske roboter utenfor universitetssykehusene bør inntil den strategiske "
    "tilnærmingen er besluttet, begrenses til sykehus som har et tilstrekkelig pasientvolum.",
    "3. Fagdirektørene bes følge opp beslutningen som del av oppdraget med revurdering av behandlingsmetoder, "
    "samt følge med på komplikasjonsraten.",
))
S1_PREAMBLE = ("Det er behov for en nasjonal strategisk tilnærming for bruk av eksisterende kirurgiske "
               "operasjonsroboter i spesialisthelsetjenesten i Norge.")
S1_MEMBERS = """Regional fagdirektør Helse Midt-Norge RHF – leder
Kirurg, gastrokirurgi – medlem
Kirurg, urologi – medlem
Traumekirurg – foreslått av Nasjonal kompetansetjeneste for traumatologi
Brukerrepresentant – utpekt fra et regionalt brukerutvalg
"""
S1_QUESTIONS = """1. evt behov for ytterligere metodevurderinger
2. samlet kapasitetsbehov
3. betydning for organisering
4. betydning for ressursbruk
5. påvirkning av breddekompetanse
6. påvirkning av vaktberedskap
"""
WORKING_GROUP = "Interregional arbeidsgruppe for kirurgiske operasjonsroboter"


# Helpers

def _count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def _register(app, user_id: int, reference: str = "ID2022_131",
              title: str = "Robotassistert kirurgi (prostatektomi, hysterektomi og rektumreseksjon)") -> str:
    with app.app_context():
        method = services.register_method(new_method(
            title, date(2022, 5, 2), reference=reference, submission_kind=SubmissionKind.REQUEST,
            organisation="Bestillerforum"), actor=db.session.get(User, user_id))
        db.session.commit()
        return method.reference


def _ready_for_decision(app, user_id: int, reference: str) -> None:
    """Bestillerforum commissioned FHI in 2022; the reports are cleared and the method is «Til beslutning»."""
    with app.app_context():
        actor = db.session.get(User, user_id)
        method = services.find_method(reference)
        meeting = db.session.scalar(select(Meeting).where(Meeting.forum == Forum.BESTILLERFORUM,
                                                          Meeting.meeting_date == date(2022, 6, 20)))
        meeting = meeting or services.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2022, 6, 20)),
                                                     actor=actor)
        item = services.add_agenda_item(meeting, agenda_item(method), actor=actor)
        services.record_ordering_decision(method, ordering_decision(item, OrderingKind.OTHER_COMMISSION, aspects=(),
                                                                    decided_on=date(2022, 6, 20)), actor=actor)
        services.change_status(method, StatusChange(MethodStatus.CLEARANCE, date(2025, 1, 10)), actor=actor)
        services.change_status(method, StatusChange(MethodStatus.FOR_DECISION, date(2025, 2, 1)), actor=actor)
        db.session.commit()


def _saved(client, url: str, data: dict, **kwargs) -> str:
    """POST a form that must save; the page it leads to is read, so its message is not left for later pages."""
    response = client.post(url, data=data, **kwargs)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get(response.headers["Location"]).status_code == 200
    return response.headers["Location"]


def _new_meeting(client, forum: str, day: str, **fields) -> int:
    location = _saved(client, "/metoder/moter/ny", {"forum": forum, "meeting_date": day, **fields})
    return int(location.split("#")[0].rstrip("/").rsplit("/", 1)[-1])


def _put_on_agenda(client, meeting_id: int, reference: str, number: str = "") -> None:
    _saved(client, f"/metoder/moter/{meeting_id}/saker/ny", {"references": reference, "number": number})


def _item_id(app, meeting_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)
                                 .order_by(AgendaItem.id.desc()))


def _decision_form(item_id, decided_on: str, points: str, amends_id="", **overrides) -> dict:
    return {"amends_id": str(amends_id), "decided_by": "beslutningsforum", "agenda_item_id": str(item_id),
            "decided_on": decided_on, "outcome": "introduced_with_conditions", "preamble": "",
            "points": points, "conditions": "", "valid_from": "", **overrides}


def _decision_ids(app, reference: str) -> list[int]:
    with app.app_context():
        method = services.find_method(reference)
        return [decision.id for decision in method.decisions]


def _field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    return html[start:end if end != -1 else len(html)]


@pytest.fixture
def secretary(make_user):
    return make_user("methods_secretariat", name="Siri Sekretær")


@pytest.fixture
def s1_decided(app, login, secretary):
    """ID2022_131 with Beslutningsforum's decision of 17.03.2025 (Sak 031-2025) recorded through the form."""
    client = login(secretary)
    reference = _register(app, secretary)
    _ready_for_decision(app, secretary, reference)
    meeting_id = _new_meeting(client, "beslutningsforum", "17.03.2025")
    _put_on_agenda(client, meeting_id, reference, number="31")
    _saved(client, f"/metoder/{reference}/beslutninger/ny",
           _decision_form(_item_id(app, meeting_id), "17.03.2025", S1_POINTS, preamble=S1_PREAMBLE))
    return client, reference


@pytest.fixture
def s1_amended(app, s1_decided):
    """…and the amendment of 28.04.2025, recorded through the form as a change of the current decision."""
    client, reference = s1_decided
    meeting_id = _new_meeting(client, "beslutningsforum", "28.04.2025")
    [first] = _decision_ids(app, reference)
    with app.app_context():
        march_item = db.session.get(ForumDecision, first).agenda_item_id
    _saved(client, f"/metoder/moter/{meeting_id}/saker/gjenoppta", {"again-earlier_id": str(march_item)})
    _saved(client, f"/metoder/{reference}/beslutninger/ny?endrer={first}",
           _decision_form(_item_id(app, meeting_id), "28.04.2025", S1_AMENDED_POINTS, amends_id=first))
    return client, reference


# Meetings and agendas

def test_meetings_are_listed_newest_first_filtered_by_forum_and_paged(app, login, make_user, secretary):
    client = login(secretary)
    bestiller = _new_meeting(client, "bestillerforum", "21.11.2024", proposal_deadline="12.09.2024",
                             input_deadline="08.11.2024")
    _new_meeting(client, "beslutningsforum", "17.03.2025")
    _new_meeting(client, "bestillerforum", "23.01.2025")
    html = login(make_user("bestillerforum")).get("/metoder/moter").get_data(as_text=True)
    assert html.index("23.01.2025") < html.index("21.11.2024") and html.index("17.03.2025") < html.index("23.01.2025")
    filtered = client.get("/metoder/moter?forum=beslutningsforum").get_data(as_text=True)
    assert "17.03.2025" in filtered and "23.01.2025" not in filtered and "1 møte." in filtered
    page = client.get(f"/metoder/moter/{bestiller}").get_data(as_text=True)
    assert "Bestillerforum 21.11.2024" in page and "12.09.2024" in page and "08.11.2024" in page

    with app.app_context():
        actor = db.session.get(User, secretary)
        for day in range(1, 26):
            services.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2023, 1, day),
                                                        confirm_weekend=True), actor=actor)
        db.session.commit()
    first = client.get("/metoder/moter").get_data(as_text=True)
    second = client.get(link(first, "next")).get_data(as_text=True)
    assert "28 møter." in first and "04.01.2023" in first and "03.01.2023" not in first
    assert "03.01.2023" in second and "01.01.2023" in second and "21.11.2024" not in second
    assert link(second, "next") is None


def test_meeting_deadline_after_the_meeting_is_refused_at_the_field(app, login, secretary):
    response = login(secretary).post("/metoder/moter/ny", data={
        "forum": "bestillerforum", "meeting_date": "21.11.2024", "proposal_deadline": "22.11.2024"})
    assert response.status_code == 200
    assert _field_error(response.get_data(as_text=True), "proposal_deadline").endswith(
        "Fristen må være før møtedatoen.")
    assert _count(app, Meeting) == 0


def test_agenda_item_number_31_reads_sak_031_2025_with_a_link_to_the_method(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    meeting_id = _new_meeting(client, "beslutningsforum", "17.03.2025")
    _put_on_agenda(client, meeting_id, reference, number="31")
    page = client.get(f"/metoder/moter/{meeting_id}").get_data(as_text=True)
    assert "Sak 031-2025" in page and f'href="/metoder/{reference}"' in page

    unknown = client.post(f"/metoder/moter/{meeting_id}/saker/ny", data={"references": "ID2022_999"})
    assert "Fant ingen metode med ID ID2022_999." in _field_error(unknown.get_data(as_text=True), "references")
    none = client.post(f"/metoder/moter/{meeting_id}/saker/ny", data={"number": "32"})
    assert "Velg minst én metode." in _field_error(none.get_data(as_text=True), "references")
    other = _register(app, secretary, "ID2022_132", "Robotassistert hysterektomi")
    taken = client.post(f"/metoder/moter/{meeting_id}/saker/ny", data={"references": other, "number": "31"})
    assert "Sak 031-2025 finnes allerede i Beslutningsforum." in _field_error(taken.get_data(as_text=True), "number")
    twice = client.post(f"/metoder/moter/{meeting_id}/saker/ny", data={"references": reference})
    assert f"{reference} står allerede på sakslisten til møtet." in _field_error(
        twice.get_data(as_text=True), "references")
    both = client.post(f"/metoder/moter/{meeting_id}/saker/ny", data={"references": "ID2022_999", "number": "31"})
    assert _errors(both.get_data(as_text=True)) == {"references", "number"}   # in one round
    assert _count(app, AgendaItem) == 1


def test_minutes_are_saved_and_a_stale_save_is_refused(app, login, secretary):
    client = login(secretary)
    other = login(secretary)
    meeting_id = _new_meeting(client, "beslutningsforum", "17.03.2025")
    url = f"/metoder/moter/{meeting_id}/referat"
    assert 'name="version" type="hidden" value="1"' in client.get(url).get_data(as_text=True)
    assert other.post(url, data={"minutes": "Sak 031-2025 ble behandlet.", "version": "1"}).status_code == 302
    stale = client.post(url, data={"minutes": "Mitt utkast", "version": "1"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "endret av en annen bruker" in html
    assert "Sak 031-2025 ble behandlet." in html and "Mitt utkast" in html  # stored version beside what was typed
    assert "Sak 031-2025 ble behandlet." in client.get(f"/metoder/moter/{meeting_id}").get_data(as_text=True)
    assert client.post(url, data={"minutes": "Mitt utkast", "version": "2"}).status_code == 302


# Bestillerforum, commissions and reports

def test_ordering_decision_through_the_form_commissions_an_assessment(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    meeting_id = _new_meeting(client, "bestillerforum", "20.06.2022")
    _put_on_agenda(client, meeting_id, reference)
    item_id = _item_id(app, meeting_id)
    form = client.get(f"/metoder/{reference}/bestilling/ny").get_data(as_text=True)
    assert "Sak 001-2022 – Bestillerforum 20.06.2022" in form

    data = {"agenda_item_id": str(item_id), "kind": "full_hta", "assessing_body": "FHI", "decided_on": "",
            "due_on": "", "reasoning": "Robotassistert prostatektomi, hysterektomi og rektumreseksjon."}
    refused = client.post(f"/metoder/{reference}/bestilling/ny", data=data)
    assert "Velg minst ett aspekt" in _field_error(refused.get_data(as_text=True), "aspects")
    assert _count(app, OrderingDecision) == 0

    response = client.post(f"/metoder/{reference}/bestilling/ny",
                           data={**data, "aspects": ["effekt", "sikkerhet", "helseokonomi"]})
    assert response.status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(OrderingDecision))
        assert decision.decided_on == date(2022, 6, 20)  # an empty date is the meeting's date
        assert services.find_method(reference).status is MethodStatus.ASSESSMENT
    section = _section(client.get(f"/metoder/{reference}").get_data(as_text=True), "bestillerforum")
    assert "Sak 001-2022" in section and "20.06.2022" in section and "Fullstendig metodevurdering" in section
    assert "Effekt, Sikkerhet, Helseøkonomi" in section
    meeting_page = client.get(f"/metoder/moter/{meeting_id}").get_data(as_text=True)
    assert "Fullstendig metodevurdering (FHI), 20.06.2022" in meeting_page
    # The decided item is no longer offered.
    assert "har ingen sak i Bestillerforum uten beslutning" in client.get(
        f"/metoder/{reference}/bestilling/ny").get_data(as_text=True)


def test_a_report_registered_unpublished_is_published_later_and_only_once(app, login, make_user, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    _ready_for_decision(app, secretary, reference)
    with app.app_context():
        commission_id = db.session.scalar(select(Commission.id).where(
            Commission.method_id == services.find_method(reference).id))
    client.post(f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/ny", data={
        "title": "Metodevurdering med priser", "delivered_on": "15.12.2024", "file": (io.BytesIO(PDF), "rapport.pdf")},
        content_type="multipart/form-data")
    client.post(f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/ny", data={
        "title": "Notat uten fil", "delivered_on": "16.12.2024"})
    with app.app_context():
        report_id, bare_id = db.session.scalars(select(CommissionReport.id).order_by(CommissionReport.id)).all()
    publish = f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/{report_id}/publiser"
    assert client.get(f"/nye-metoder/{reference}/rapporter/{report_id}").status_code == 404   # not yet public
    assert "Publiser filen" in _section(client.get(f"/metoder/{reference}").get_data(as_text=True), "oppdrag")
    reader = login(make_user("bestillerforum"))
    assert reader.post(publish).status_code == 403                          # a reader, not the secretariat
    assert "Publiser filen" not in reader.get(f"/metoder/{reference}").get_data(as_text=True)

    page = client.post(publish, follow_redirects=True).get_data(as_text=True)
    assert "Filen til «Metodevurdering med priser» er publisert på metodens offentlige side." in page
    assert client.get(f"/nye-metoder/{reference}/rapporter/{report_id}").data == PDF
    again = client.post(publish, follow_redirects=True).get_data(as_text=True)
    assert "Filen er allerede publisert." in again
    no_file = f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/{bare_id}/publiser"
    assert "Rapporten har ingen fil å publisere." in client.post(no_file, follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        logged = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "method_report", AuditEvent.object_id == str(report_id)).order_by(AuditEvent.id))
        assert [event.changes.get("published") for event in logged] == [[None, False], [False, True]]


def test_report_upload_is_stored_on_the_case_and_linked_from_the_method_page(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    other = _register(app, secretary, reference="ID2022_132", title="Robotassistert hysterektomi")
    _ready_for_decision(app, secretary, reference)
    with app.app_context():
        commission_id = db.session.scalar(select(Commission.id).where(
            Commission.method_id == services.find_method(reference).id))
        case_id = services.find_method(reference).case_id
    title = "ID2022_131_Robotassistert prostatektomi ved prostatakreft"
    response = client.post(f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/ny", data={
        "title": title, "delivered_on": "15.12.2024", "file": (io.BytesIO(PDF), "rapport.pdf"), "published": "y"},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        report = db.session.scalar(select(CommissionReport))
        assert report.document_id is not None and report.published
    link = f"/saker/{case_id}/dokumenter/{report.document_id}/versjoner/1"
    section = _section(client.get(f"/metoder/{reference}").get_data(as_text=True), "oppdrag")
    assert f'<a href="{link}">{title}</a>' in section and "15.12.2024 (filen er publisert)" in section
    assert client.get(f"/nye-metoder/{reference}/rapporter/{report.id}").data == PDF   # served on the public page
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    # A commission of another method is not found under this one.
    assert client.get(f"/metoder/{other}/oppdrag/{commission_id}/rapporter/ny").status_code == 404


# Beslutningsforum: the surgical-robot decision and its amendment

def test_s1_decision_and_its_amendment_show_the_current_decision_and_the_history(app, s1_amended):
    client, reference = s1_amended
    first, amended = _decision_ids(app, reference)
    with app.app_context():
        assert db.session.get(ForumDecision, amended).supersedes_id == first
        assert len(db.session.get(ForumDecision, first).points) == 5
        assert services.find_method(reference).current_decision.id == amended
    section = _section(client.get(f"/metoder/{reference}").get_data(as_text=True), "beslutningsforum")
    current, history = section.split("Tidligere beslutninger")
    assert "Gjeldende beslutning: Innføres med vilkår/begrensninger" in current
    assert "Beslutning 17.03.2025 (Sak 031-2025), endret 28.04.2025" in current
    assert current.count("<li>") == 3 and "utkast til nasjonal strategisk tilnærming" in current
    assert "Robotassistert kirurgi kan fortsatt brukes" not in current
    assert "Beslutning 17.03.2025 (Sak 031-2025) – Erstattet av beslutningen 28.04.2025" in history
    assert history.count("<li>") == 5 and "Robotassistert kirurgi kan fortsatt brukes" in history
    assert S1_PREAMBLE in history
    assert f"/metoder/{reference}/beslutninger/ny?endrer={amended}" in current
    with app.app_context():
        first_meeting = db.session.get(ForumDecision, first).agenda_item.meeting_id
    meeting_page = client.get(f"/metoder/moter/{first_meeting}").get_data(as_text=True)
    assert "Sak 031-2025" in meeting_page and "Innføres med vilkår/begrensninger, 17.03.2025" in meeting_page


def test_amendment_form_preselects_the_current_decision(app, s1_decided):
    client, reference = s1_decided
    [first] = _decision_ids(app, reference)
    html = client.get(f"/metoder/{reference}/beslutninger/ny?endrer={first}").get_data(as_text=True)
    assert "Beslutningen som endres" in html
    assert f'<option selected value="{first}">Beslutning 17.03.2025 (Sak 031-2025)</option>' in html


def test_a_second_decision_that_does_not_amend_is_refused_at_the_field(app, s1_decided):
    client, reference = s1_decided
    meeting_id = _new_meeting(client, "beslutningsforum", "28.04.2025")
    _put_on_agenda(client, meeting_id, reference)
    response = client.post(f"/metoder/{reference}/beslutninger/ny",
                           data=_decision_form(_item_id(app, meeting_id), "28.04.2025", S1_AMENDED_POINTS))
    assert response.status_code == 200
    message = _field_error(response.get_data(as_text=True), "amends_id")
    assert f"{reference} har allerede en gjeldende beslutning (17.03.2025)" in message
    assert "Registrer den nye som en endring av den." in message
    assert _count(app, ForumDecision) == 1


def test_a_decision_dated_before_its_meeting_is_refused(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    _ready_for_decision(app, secretary, reference)
    meeting_id = _new_meeting(client, "beslutningsforum", "17.03.2025")
    _put_on_agenda(client, meeting_id, reference, number="31")
    response = client.post(f"/metoder/{reference}/beslutninger/ny",
                           data=_decision_form(_item_id(app, meeting_id), "16.03.2025", S1_POINTS))
    assert response.status_code == 200
    assert "Beslutningsdatoen kan ikke være før møtet (17.03.2025)." in _field_error(
        response.get_data(as_text=True), "decided_on")
    assert _count(app, ForumDecision) == 0


def test_the_working_group_is_overdue_on_the_method_page_and_the_dashboard(app, login, make_user, s1_amended):
    client, reference = s1_amended
    _, amended = _decision_ids(app, reference)
    response = client.post(f"/metoder/{reference}/beslutninger/{amended}/oppfolging/ny", data={
        "title": WORKING_GROUP, "owner": "Fagdirektørene i de regionale helseforetakene", "members": S1_MEMBERS,
        "mandate_questions": S1_QUESTIONS, "secretariat": "Helse Sør-Øst RHF",
        "reporting_line": "Interregionalt fagdirektørmøte", "due_on": "01.11.2025"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assignment = db.session.scalar(select(FollowUpAssignment))
        assert assignment.members[0] == {"name": "Regional fagdirektør Helse Midt-Norge RHF", "role": "leder"}
        assert len(assignment.mandate_questions) == 6 and assignment.mandate_questions[0].startswith("evt behov")

    current = _section(client.get(f"/metoder/{reference}").get_data(as_text=True),
                       "beslutningsforum").split("Tidligere beslutninger")[0]
    assert WORKING_GROUP in current and '<span class="badge badge-overdue">Forfalt</span>' in current
    for text in ("01.11.2025", "Helse Sør-Øst RHF", "Interregionalt fagdirektørmøte",
                 "Regional fagdirektør Helse Midt-Norge RHF – leder", "<li>samlet kapasitetsbehov</li>"):
        assert text in current

    # The follow-up is the methods secretariat's work: on their dashboards, on no other role's.
    for user in (client, login(make_user("methods_secretariat"))):
        overdue = _section(user.get("/").get_data(as_text=True), "frister")
        assert f"{reference}: {WORKING_GROUP}" in overdue and "Forfalt" in overdue
    for role in ("bestillerforum", "panel_secretariat", "panel_member", "abroad_caseworker", "admin"):
        assert WORKING_GROUP not in login(make_user(role)).get("/").get_data(as_text=True), role


def test_a_decision_of_another_method_is_not_found(app, s1_decided, secretary):
    client, reference = s1_decided
    [decision] = _decision_ids(app, reference)
    other = _register(app, secretary, reference="ID2022_133", title="Robotassistert rektumreseksjon")
    assert client.get(f"/metoder/{other}/beslutninger/{decision}/oppfolging/ny").status_code == 404
    assert client.get(f"/metoder/{other}/beslutninger/ny?endrer={decision}").status_code == 404


# Price notes and access

def test_price_notes_are_shown_to_the_secretariat_only(app, login, make_user, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    content = "Konfidensiell enhetspris avtalt med leverandør: 1 234 567 kr per robot."
    response = client.post(f"/metoder/{reference}/prisnotat/ny", data={"received_on": "03.02.2025",
                                                                       "content": content})
    assert response.status_code == 302
    assert content in _section(client.get(f"/metoder/{reference}").get_data(as_text=True), "prisnotat")

    member = login(make_user("bestillerforum"))
    page = member.get(f"/metoder/{reference}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert content not in html and 'id="prisnotat"' not in html and "1 234 567" not in html
    assert member.get(f"/metoder/{reference}/prisnotat/ny").status_code == 403
    assert member.post(f"/metoder/{reference}/prisnotat/ny", data={"received_on": "03.02.2025",
                                                                   "content": "x"}).status_code == 403
    assert _count(app, PriceNote) == 1


def _write_routes(app, secretary, client) -> tuple[list[str], list[str]]:
    reference = _register(app, secretary)
    _ready_for_decision(app, secretary, reference)
    meeting_id = _new_meeting(client, "beslutningsforum", "17.03.2025")
    _put_on_agenda(client, meeting_id, reference, number="31")
    client.post(f"/metoder/{reference}/beslutninger/ny",
                data=_decision_form(_item_id(app, meeting_id), "17.03.2025", S1_POINTS))
    [decision] = _decision_ids(app, reference)
    with app.app_context():
        commission_id = db.session.scalar(select(Commission.id))
    meeting_routes = ["/metoder/moter/ny", f"/metoder/moter/{meeting_id}/referat",
                      f"/metoder/moter/{meeting_id}/saker/ny"]
    method_routes = [f"/metoder/{reference}/bestilling/ny",
                     f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/ny",
                     f"/metoder/{reference}/prisnotat/ny", f"/metoder/{reference}/beslutninger/ny",
                     f"/metoder/{reference}/beslutninger/{decision}/oppfolging/ny"]
    return meeting_routes, method_routes


def test_bestillerforum_reads_but_gets_403_on_every_write_route(app, login, make_user, secretary):
    meeting_routes, method_routes = _write_routes(app, secretary, login(secretary))
    member = login(make_user("bestillerforum"))
    for url in meeting_routes + method_routes:
        assert member.get(url).status_code == 403, url
        assert member.post(url, data={}).status_code == 403, url
    assert member.get("/metoder/moter").status_code == 200
    assert member.get(meeting_routes[1].removesuffix("/referat")).status_code == 200
    assert _count(app, ForumDecision) == 1 and _count(app, Meeting) == 2


def test_analyst_sees_no_meetings_and_no_methods(app, login, make_user, secretary):
    meeting_routes, method_routes = _write_routes(app, secretary, login(secretary))
    analyst = login(make_user("analyst"))
    assert analyst.get("/metoder/moter").status_code == 403
    assert analyst.get(meeting_routes[1].removesuffix("/referat")).status_code == 403
    for url in meeting_routes:
        assert analyst.get(url).status_code == 403, url
    for url in method_routes:
        assert analyst.get(url).status_code == 404, url
        assert analyst.post(url, data={}).status_code == 404, url


def test_closing_a_follow_up_clears_it_from_the_dashboard(app, login, make_user):
    secretary_id = make_user("methods_secretariat")
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        method = services.register_method(new_method("Robotassistert kirurgi", date(2022, 9, 1),
                                                     organisation="Bestillerforum"), actor=secretary)
        meeting = services.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, date(2025, 4, 28)), actor=secretary)
        for status in (MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE,
                       MethodStatus.FOR_DECISION):
            services.change_status(method, StatusChange(status, date(2025, 1, 1)), actor=secretary)
        decision = services.record_forum_decision(method, forum_decision(
            services.add_agenda_item(meeting, agenda_item(method), actor=secretary), date(2025, 4, 28),
            DecisionOutcome.INTRODUCED_WITH_CONDITIONS, points=["Arbeidsgruppe oppnevnes."]), actor=secretary)
        assignment = services.add_follow_up(decision, follow_up(owner="Fagdirektørene"), actor=secretary)
        db.session.commit()
        reference, assignment_id = method.reference, assignment.id
    client = login(secretary_id)
    assert "Interregional arbeidsgruppe" in client.get("/").get_data(as_text=True)
    response = client.post(f"/metoder/{reference}/oppfolging/{assignment_id}/status",
                           data={"status": "delivered", "version": 1})
    assert response.status_code == 302
    assert "Interregional arbeidsgruppe" not in client.get("/").get_data(as_text=True)
    page = client.get(f"/metoder/{reference}").get_data(as_text=True)
    assert "Levert" in page and "Forfalt" not in page
    again = client.post(f"/metoder/{reference}/oppfolging/{assignment_id}/status",
                        data={"status": "cancelled", "version": 2}, follow_redirects=True)
    assert "allerede avsluttet" in again.get_data(as_text=True)


# Agendas: methods chosen from a list, items taken up again or removed, weekend meetings

def test_the_agenda_form_offers_the_methods_received_by_the_meeting_date(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    with app.app_context():
        later = services.register_method(new_method(received_on=date(2025, 3, 3)),
                                         actor=db.session.get(User, secretary)).reference
        db.session.commit()
    meeting_id = _new_meeting(client, "bestillerforum", "20.06.2022")
    html = client.get(f"/metoder/moter/{meeting_id}/saker/ny").get_data(as_text=True)
    assert 'data-filterable="Søk etter metode-ID eller navn"' in html
    assert f'value="{reference}"' in html and f'value="{later}"' not in html
    refused = client.post(f"/metoder/moter/{meeting_id}/saker/ny", data={"references": later})
    assert f"{later} ble mottatt" in _field_error(refused.get_data(as_text=True), "references")
    assert _count(app, AgendaItem) == 0


def test_an_item_is_removed_from_the_agenda_before_the_meeting(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    meeting_id = _new_meeting(client, "bestillerforum", f"01.06.{date.today().year + 1}", confirm_weekend="y")
    _put_on_agenda(client, meeting_id, reference)
    item_id = _item_id(app, meeting_id)
    page = client.get(f"/metoder/moter/{meeting_id}").get_data(as_text=True)
    assert f"/metoder/moter/{meeting_id}/saker/{item_id}/fjern" in page
    _saved(client, f"/metoder/moter/{meeting_id}/saker/{item_id}/fjern", {})
    assert _count(app, AgendaItem) == 0
    assert client.post(f"/metoder/moter/{meeting_id}/saker/{item_id}/fjern").status_code == 404


def test_a_meeting_on_a_saturday_is_created_once_confirmed(app, login, secretary):
    client = login(secretary)
    asked = client.post("/metoder/moter/ny", data={"forum": "beslutningsforum", "meeting_date": "22.03.2025"})
    html = asked.get_data(as_text=True)
    assert "22.03.2025 er en lørdag." in _field_error(html, "confirm_weekend")
    assert _count(app, Meeting) == 0
    assert 'name="confirm_weekend"' not in client.get("/metoder/moter/ny").get_data(as_text=True)
    _new_meeting(client, "beslutningsforum", "22.03.2025", confirm_weekend="y")
    assert _count(app, Meeting) == 1


def test_the_amendment_is_taken_up_under_sak_031_and_starts_from_the_current_points(app, s1_amended):
    client, reference = s1_amended
    first, amended = _decision_ids(app, reference)
    with app.app_context():
        items = [db.session.get(ForumDecision, each).agenda_item for each in (first, amended)]
        assert [item.label for item in items] == ["Sak 031-2025", "Sak 031-2025"]
        assert items[1].resumes_id == items[0].id
        april = items[1].meeting_id
    assert "Tatt opp igjen fra Beslutningsforum 17.03.2025" in client.get(f"/metoder/moter/{april}").get_data(
        as_text=True)
    form = client.get(f"/metoder/{reference}/beslutninger/ny?endrer={amended}").get_data(as_text=True)
    textarea = re.search(r'<textarea[^>]*name="points"[^>]*>(.*?)</textarea>', form, re.S).group(1)
    assert "utkast til nasjonal strategisk tilnærming" in textarea and textarea.count("\n") >= 2


# Every form validates in one round: the form's own errors and the service's rules together, nothing saved.

def _errors(html: str) -> set[str]:
    return set(re.findall(r'id="([a-z0-9_]+)-error"', html))


def test_a_meeting_form_shows_every_error_in_one_round(app, login, secretary):
    client = login(secretary)
    _new_meeting(client, "bestillerforum", "21.11.2024")
    response = client.post("/metoder/moter/ny", data={
        "forum": "bestillerforum", "meeting_date": "21.11.2024", "proposal_deadline": "22.11.2024",
        "input_deadline": "01.11.2024"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _errors(html) == {"meeting_date", "proposal_deadline", "input_deadline"}
    assert "Bestillerforum har allerede et møte 21.11.2024." in html
    assert "Innspillsfristen kan ikke være før forslagsfristen." in html
    response = client.post("/metoder/moter/ny", data={
        "forum": "bestillerforum", "meeting_date": "30.02.2025", "proposal_deadline": "10.01.2025",
        "input_deadline": "05.01.2025"})
    assert _errors(response.get_data(as_text=True)) == {"meeting_date", "input_deadline"}
    assert _count(app, Meeting) == 1


def test_an_ordering_decision_shows_every_error_in_one_round(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    meeting_id = _new_meeting(client, "bestillerforum", "20.06.2022")
    _put_on_agenda(client, meeting_id, reference)
    response = client.post(f"/metoder/{reference}/bestilling/ny", data={
        "agenda_item_id": str(_item_id(app, meeting_id)), "kind": "full_hta", "assessing_body": "",
        "decided_on": "", "due_on": "01.06.2022", "reasoning": ""})
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == {"assessing_body", "aspects", "due_on"}
    assert _count(app, OrderingDecision) == 0


def test_a_follow_up_shows_every_error_in_one_round(app, s1_decided):
    client, reference = s1_decided
    [decision] = _decision_ids(app, reference)
    response = client.post(f"/metoder/{reference}/beslutninger/{decision}/oppfolging/ny", data={
        "title": "", "owner": "Fagdirektørene", "members": "", "mandate_questions": "", "secretariat": "",
        "reporting_line": "", "due_on": "01.01.2025"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _errors(html) == {"title", "due_on"} and "Fristen kan ikke være før beslutningen." in html
    assert _count(app, FollowUpAssignment) == 0


def test_a_report_shows_every_error_in_one_round(app, login, secretary):
    client = login(secretary)
    reference = _register(app, secretary)
    _ready_for_decision(app, secretary, reference)
    with app.app_context():
        commission_id = db.session.scalar(select(Commission.id))
    response = client.post(f"/metoder/{reference}/oppdrag/{commission_id}/rapporter/ny", data={
        "title": "", "delivered_on": "01.01.2022"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _errors(html) == {"title", "delivered_on"}
    assert "Leveransedatoen kan ikke være før oppdraget startet." in html
    assert _count(app, CommissionReport) == 0


def test_a_forum_decision_shows_every_error_in_one_round(app, s1_decided):
    """A second decision that does not amend the current one, without points, valid before it was made."""
    client, reference = s1_decided
    meeting_id = _new_meeting(client, "beslutningsforum", "28.04.2025")
    _put_on_agenda(client, meeting_id, reference)
    response = client.post(f"/metoder/{reference}/beslutninger/ny", data=_decision_form(
        _item_id(app, meeting_id), "28.04.2025", "", valid_from="01.04.2025"))
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == {"amends_id", "points", "valid_from"}
    assert _count(app, ForumDecision) == 1
