"""The public Nye Metoder pages (/nye-metoder): list with search, filters and paging in the URL,
the method page, the decision overview XLSX, and that nothing internal leaks into any of them."""
import csv
import io
import json
import re
import subprocess
import tempfile
import zipfile
from datetime import date, datetime, timedelta

import feedparser
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.auth.models import User
from app.cases.interface import attach_document, get_case
from app.cases.models import Case
from app.extensions import db
from app.methods import meeting_papers, public, services
from app.methods.commands import NewInput, NewPriceNote, NewReport, StatusChange
from app.methods.models import (
    CommissionReport,
    DecisionOutcome,
    Forum,
    Meeting,
    MeetingPaperKind,
    MethodStatus,
    MethodType,
    OrderingKind,
    SubmissionKind,
    SuitabilityAssessment,
)
from tests.exports import FORMULA_LIKE, as_read_back, formulas_in
from tests.factories import (
    agenda_item,
    forum_decision,
    new_meeting,
    new_method,
    ordering_decision,
)
from tests.methods.links import link

HEADERS = ["ID-nr", "Virkestoff", "Handelsenavn", "Bruksområde (indikasjon)", "Metodetype", "Fagområde",
           "Dato siste beslutning", "Gjeldende beslutning Kortversjon", "Gjeldende beslutning (Hele)"]

REFERENCES = re.compile(r'<td><a href="/nye-metoder/(ID\d{4}_\d{3}[A-Z]?)">')

PRICE_NOTE = "Konfidensiell pris 123456 kroner per pakning"
COMMENT = "Intern kommentar: vent med denne til neste møte"
CONTACT_PERSON = "Ola Kontaktperson Nordmann"
DEPARTMENT = "Avdeling for hemmelige forslag"
STATUS_COMMENT = "Intern statuskommentar om prisforhandling"
INPUT_SUMMARY = "Innspillet nevner pasienten Per Pasientsen"
SECRETARY_NAME = "Sekretær Siri Saksbehandler"
EXPERT_NAME = "Fagekspert Frida Foreslått"
DRAFT_TEXT = "Utkast: egnethetsvurdering ikke ferdig"
PUBLISHED_SUMMARY = "Pembrolizumab gir lengre hendelsesfri overlevelse"
PUBLIC_REPORT = "Offentlig versjon av metodevurderingen uten priser"
UNPUBLISHED_REPORT = "Metodevurdering med sladdet pris 98765 kroner"
MINUTES = "Beslutningsforum behandlet pembrolizumab og en prosedyre."


@pytest.fixture
def secretary_id(make_user):
    return make_user("methods_secretariat", name=SECRETARY_NAME)


def _register(actor, title, received_on=date(2024, 3, 4), **fields):
    fields.setdefault("method_type", MethodType.DRUG)
    return services.register_method(new_method(title, received_on, **fields), actor=actor)


def _meeting(forum, day, actor):
    existing = db.session.scalar(select(Meeting).where(Meeting.forum == forum, Meeting.meeting_date == day))
    return existing or services.create_meeting(new_meeting(forum, day), actor=actor)


def _bring_to_decision(method, actor, ordered_on=date(2024, 5, 27)):
    item = services.add_agenda_item(_meeting(Forum.BESTILLERFORUM, ordered_on, actor), agenda_item(method),
                                    actor=actor)
    services.record_ordering_decision(method, ordering_decision(item, decided_on=ordered_on), actor=actor)
    services.change_status(method, StatusChange(MethodStatus.CLEARANCE, date(2025, 1, 10), comment=STATUS_COMMENT),
                           actor=actor)
    services.change_status(method, StatusChange(MethodStatus.FOR_DECISION, date(2025, 2, 1)), actor=actor)


def _decide(method, actor, on=date(2025, 3, 17), outcome=DecisionOutcome.INTRODUCED, points=("Metoden innføres.",),
            conditions=None, amends=None):
    item = services.add_agenda_item(_meeting(Forum.BESLUTNINGSFORUM, on, actor), agenda_item(method), actor=actor)
    return services.record_forum_decision(method, forum_decision(item, on, outcome, points=points,
                                                                 conditions=conditions, amends=amends), actor=actor)


@pytest.fixture
def methods(app, secretary_id):
    """Three methods: a decided drug (amended decision, with confidential data around it and a published
    suitability assessment), a device under assessment and a procedure just received (its assessment a draft),
    in different years and areas."""
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        drug = _register(actor, "Pembrolizumab til behandling av tidlig trippel negativ brystkreft",
                         generic_name="Pembrolizumab", atc_code="L01FF02", product_names="Keytruda",
                         manufacturers="MSD",
                         indication="Tidlig trippel negativ brystkreft", subject_areas=["Kreftsykdommer"],
                         submission_kind=SubmissionKind.ALERT, organisation="Sykehusinnkjøp HF",
                         department=DEPARTMENT, contact_person=CONTACT_PERSON)
        services.add_input(drug, NewInput(sender="Kreftforeningen", received_on=date(2024, 4, 1),
                                          summary=INPUT_SUMMARY), actor=actor)
        db.session.add(SuitabilityAssessment(method_id=drug.id, author_body="DMP", summary=PUBLISHED_SUMMARY,
                                             suggested_experts=EXPERT_NAME))
        _bring_to_decision(drug, actor)
        drug_case = get_case(drug.case_id)
        public_file = attach_document(drug_case, title="Rapport", filename="rapport.txt",
                                      content=PUBLIC_REPORT.encode(), actor=actor)
        internal_file = attach_document(drug_case, title="Rapport med priser", filename="priser.txt",
                                        content=UNPUBLISHED_REPORT.encode(), actor=actor)
        services.add_report(drug.commissions[0], NewReport(title="Metodevurdering av pembrolizumab",
                                                           delivered_on=date(2024, 12, 2), document_id=public_file.id,
                                                           published=True), actor=actor)
        services.add_report(drug.commissions[0], NewReport(title="Metodevurdering med priser",
                                                           delivered_on=date(2024, 12, 2),
                                                           document_id=internal_file.id), actor=actor)
        services.add_price_note(drug, NewPriceNote(received_on=date(2025, 1, 5), content=PRICE_NOTE), actor=actor)
        services.add_comment(drug, text=COMMENT, actor=actor)
        first = _decide(drug, actor, outcome=DecisionOutcome.NOT_INTRODUCED, points=["Metoden innføres ikke nå."])
        _decide(drug, actor, on=date(2025, 4, 28), outcome=DecisionOutcome.INTRODUCED_WITH_CONDITIONS,
                points=["Metoden innføres.", "Bruk er begrenset til universitetssykehus."],
                conditions="Pris i tråd med avtale", amends=first)

        device = _register(actor, "Kontinuerlig glukosemåling ved type 2-diabetes", received_on=date(2025, 2, 3),
                           method_type=MethodType.DEVICE, subject_areas=["Endokrinologi"], generic_name="CGM")
        item = services.add_agenda_item(_meeting(Forum.BESTILLERFORUM, date(2025, 3, 24), actor), agenda_item(device),
                                        actor=actor)
        services.record_ordering_decision(device, ordering_decision(item, OrderingKind.SIMPLIFIED, aspects=(),
                                                                    decided_on=date(2025, 3, 24)), actor=actor)

        procedure = _register(actor, "Endoskopisk ryggkirurgisk prosedyre", received_on=date(2023, 9, 1),
                              method_type=MethodType.PROCEDURE, subject_areas=["Nevrologi"],
                              indication="Lumbal spinal stenose")
        db.session.add(SuitabilityAssessment(method_id=procedure.id, author_body="FHI", summary=DRAFT_TEXT))
        _file_papers(actor, procedure)
        db.session.commit()
        references = {"drug": drug.reference, "device": device.reference, "procedure": procedure.reference}
        references["case_number"] = db.session.get(Case, drug.case_id).number
        references["meetings"] = {(meeting.forum, meeting.meeting_date): meeting.id
                                  for meeting in db.session.scalars(select(Meeting))}
        return references


def _file_papers(actor, procedure):
    """Beslutningsforum 17.03.2025 (the drug's first decision, and the procedure, whose assessment is a draft):
    notice and minutes filed and published; Bestillerforum 24.03.2025: the notice filed, not published. The
    filed PDF stands in for the internal copy (the public one is rendered when asked for)."""
    deciding = _meeting(Forum.BESLUTNINGSFORUM, date(2025, 3, 17), actor)
    services.add_agenda_item(deciding, agenda_item(procedure), actor=actor)
    services.update_minutes(deciding, minutes=MINUTES, expected_version=deciding.version, actor=actor)
    for kind in MeetingPaperKind:
        meeting_papers.file_paper(deciding, kind, pdf=b"%PDF-1.4\n%%EOF\n", published=True, actor=actor)
    ordering = _meeting(Forum.BESTILLERFORUM, date(2025, 3, 24), actor)
    meeting_papers.file_paper(ordering, MeetingPaperKind.NOTICE, pdf=b"%PDF-1.4\n%%EOF\n", published=False,
                              actor=actor)


def _xlsx(client, query=""):
    response = client.get(f"/nye-metoder/beslutninger.xlsx{query}")
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(response.data))


def _pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext reads it, lines joined by spaces (a long value may wrap)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        text = subprocess.run(["pdftotext", "-layout", file.name, "-"], capture_output=True, check=True).stdout
    return " ".join(text.decode("utf-8").split())


def _xml_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def test_the_list_answers_anonymous_visitors_without_the_internal_menu(client, methods):
    response = client.get("/nye-metoder/")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert methods["drug"] in page and methods["device"] in page and methods["procedure"] in page
    assert f'href="/nye-metoder/{methods["drug"]}"' in page          # links go to the public page
    assert "/metoder/" not in page                                    # nothing links into the internal module
    assert "Hovedmeny" not in page and "Logg ut" not in page
    assert 'href="/nye-metoder/beslutninger.xlsx"' in page


def test_the_method_page_answers_anonymous_visitors_with_what_is_published(client, methods):
    response = client.get(f"/nye-metoder/{methods['drug']}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for published in ("Pembrolizumab", "Keytruda", "MSD", "Tidlig trippel negativ brystkreft", "Legemidler",
                      "Kreftsykdommer", "Metodevarsel fra Sykehusinnkjøp HF, mottatt 04.03.2024",
                      "01.04.2024: Kreftforeningen",
                          "Egnethetsvurdering utført av Direktoratet for medisinske produkter (DMP)",
                      "27.05.2024: Fullstendig metodevurdering", "Metodevurdering med priser, levert 02.12.2024",
                      'download>Metodevurdering av pembrolizumab</a>, levert 02.12.2024',
                      "Beslutningsforum 17.03.2025: <a href=",
                      '<td><time datetime="2025-01-10">10.01.2025</time></td><td>Til klarering i Bestillerforum</td>',
                      "Innføres med vilkår/begrensninger", "28.04.2025", "Bruk er begrenset til universitetssykehus.",
                      "Pris i tråd med avtale", "Erstattet", "Metoden innføres ikke nå.",
                      "<dt>ATC-kode</dt><dd>L01FF02</dd>",
                      '<dt>Sist oppdatert</dt><dd><time datetime="2025-04-28">28.04.2025</time></dd>',
                      "publisert 27.05.2024",
                      f'href="/nye-metoder/{methods["drug"]}/egnethetsvurdering.pdf"',
                      f'href="/nye-metoder/{methods["drug"]}/endringer.atom"'):
        assert published in page, published
    assert page.index("Bruk er begrenset") < page.index("Erstattet") < page.index("Metoden innføres ikke nå.")
    assert "/metoder/" not in page and "/saker/" not in page


def test_a_draft_assessment_is_announced_but_neither_shown_nor_served(client, methods):
    page = client.get(f"/nye-metoder/{methods['procedure']}").get_data(as_text=True)

    assert "Egnethetsvurderingen publiseres når metoden behandles i Bestillerforum." in page
    assert "egnethetsvurdering.pdf" not in page
    for reference in (methods["procedure"], methods["device"], "ID2099_999"):   # a draft, none, no method
        assert client.get(f"/nye-metoder/{reference}/egnethetsvurdering.pdf").status_code == 404


def test_the_published_assessment_is_a_pdf_without_the_suggested_experts(client, methods):
    response = client.get(f"/nye-metoder/{methods['drug']}/egnethetsvurdering.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = _pdf_text(response.data)
    assert "Egnethetsvurdering" in text and PUBLISHED_SUMMARY in text and "Keytruda" in text
    assert "Forslag til fageksperter" not in text and EXPERT_NAME not in text
    metadata = PdfReader(io.BytesIO(response.data)).metadata
    assert metadata.title == "Egnethetsvurdering ID2024_001 Pembrolizumab til behandling av tidlig trippel negativ " \
        "brystkreft"


def test_the_decision_overview_is_an_xlsx_with_the_published_columns(client, methods):
    response, workbook = _xlsx(client)

    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width and sheet.column_dimensions["I"].width
    assert len(rows) == 2                                             # only the decided method
    reference, generic, product, indication, kind, area, decided_on, short, full = rows[1]
    assert (reference, generic, product, indication, kind, area) == (
        methods["drug"], "Pembrolizumab", "Keytruda", "Tidlig trippel negativ brystkreft", "Legemidler",
        "Kreftsykdommer")
    assert isinstance(decided_on, (datetime, date)) and decided_on.date() == date(2025, 4, 28)
    assert sheet["G2"].number_format == "DD.MM.YYYY"
    assert short == "Innføres med vilkår/begrensninger"               # the amended, current decision
    assert full.split("\n")[:2] == ["Metoden innføres.", "Bruk er begrenset til universitetssykehus."]
    assert "Pris i tråd med avtale" in full
    assert "innføres ikke" not in full


FILTERS = [   # (query string, the methods the filtered list shows, those it hides)
    ("q=keytruda", {"drug"}, {"device", "procedure"}),
    ("q=glukosem", {"device"}, {"drug", "procedure"}),
    ("method_type=utstyr", {"device"}, {"drug", "procedure"}),
    ("subject_area=Nevrologi", {"procedure"}, {"drug", "device"}),
    ("status=assessment", {"device"}, {"drug", "procedure"}),
    ("status=decided", {"drug"}, {"device", "procedure"}),
    ("year=2023", {"procedure"}, {"drug", "device"}),
    ("method_type=legemidler&subject_area=Kreftsykdommer&year=2024", {"drug"}, {"device", "procedure"}),
    ("atc=L01", {"drug"}, {"device", "procedure"}),
    ("atc=l01ff+02", {"drug"}, {"device", "procedure"}),
    ("atc=L02", set(), {"drug", "device", "procedure"}),
    ("indication=spinal+stenose", {"procedure"}, {"drug", "device"}),
    ("decision=introduced_with_conditions", {"drug"}, {"device", "procedure"}),
    ("decision=not_introduced", set(), {"drug", "device", "procedure"}),     # amended: no longer current
]


@pytest.mark.parametrize(("query", "shown", "hidden"), FILTERS)
def test_search_and_filters_work_through_the_url(client, methods, query, shown, hidden):
    page = client.get(f"/nye-metoder/?{query}").get_data(as_text=True)

    assert all(methods[name] in page for name in shown)
    assert not any(methods[name] in page for name in hidden)
    assert f"{len(shown)} metode" in page if shown else "0 metoder" in page


def test_unknown_filter_values_are_ignored_with_a_message(client, methods):
    response = client.get("/nye-metoder/?method_type=tull&subject_area=Tull&status=x&year=abc&page=zz"
                          "&decision=ja&atc=L1FF02")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 metoder" in page
    for message in ("«tull» er ikke en gyldig verdi for metodetype", "«Tull» er ikke en gyldig verdi for fagområde",
                    "«x» er ikke en gyldig verdi for status", "«abc» er ikke en gyldig verdi for år for forslaget",
                    "«ja» er ikke en gyldig verdi for beslutning",
                    "«L1FF02» er ikke en gyldig ATC-kode. Skriv for eksempel L01 eller L01FF02."):
        assert message in page, message
    api = client.get("/api/v1/methods?decision=ja&atc=L1FF02").json           # the API says the same
    assert api["total"] == 3 and len(api["messages"]) == 2 and "ATC-kode" in api["messages"][1]


def test_the_api_filters_as_the_page_does(client, methods):
    for query, shown in (("atc=L01", [methods["drug"]]), ("indication=stenose", [methods["procedure"]]),
                         ("decision=introduced_with_conditions&year=2024", [methods["drug"]])):
        assert [item["reference"] for item in client.get(f"/api/v1/methods?{query}").json["items"]] == shown


def test_the_xlsx_link_and_the_xlsx_keep_the_filters(client, methods):
    page = client.get("/nye-metoder/?method_type=utstyr").get_data(as_text=True)
    assert 'href="/nye-metoder/beslutninger.xlsx?method_type=utstyr"' in page

    _response, filtered_out = _xlsx(client, "?method_type=utstyr")
    assert list(filtered_out.active.iter_rows(values_only=True)) == [tuple(HEADERS)]
    _response, filtered_in = _xlsx(client, "?subject_area=Kreftsykdommer&q=pembro")
    assert [row[0] for row in filtered_in.active.iter_rows(min_row=2, values_only=True)] == [methods["drug"]]


def test_the_list_pages_by_fifty_and_keeps_the_filters(app, client, secretary_id):
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        for number in range(55):
            _register(actor, f"Masseregistrert metode {number}", subject_areas=["Hud"])
        _register(actor, "Metode utenfor filteret", subject_areas=["Øyesykdommer"])
        db.session.commit()

    first = client.get("/nye-metoder/?subject_area=Hud").get_data(as_text=True)
    next_url = link(first, "next")
    assert next_url.startswith("/nye-metoder/?subject_area=Hud&etter=")
    second = client.get(next_url).get_data(as_text=True)
    back = client.get(link(second, "prev")).get_data(as_text=True)

    assert "55 metoder" in first
    assert first.count("Masseregistrert metode") == 50 and second.count("Masseregistrert metode") == 5
    assert link(first, "prev") is None and link(second, "next") is None
    assert REFERENCES.findall(back) == REFERENCES.findall(first)
    assert "Metode utenfor filteret" not in first + second


def test_the_decision_overview_is_also_a_csv_with_the_same_rows(client, methods):
    response = client.get("/nye-metoder/beslutninger.csv?q=pembro")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADERS and len(rows) == 2
    assert rows[1][:8] == [methods["drug"], "Pembrolizumab", "Keytruda", "Tidlig trippel negativ brystkreft",
                           "Legemidler", "Kreftsykdommer", "28.04.2025", "Innføres med vilkår/begrensninger"]
    assert rows[1][8].startswith("Metoden innføres.\nBruk er begrenset") and "Vilkår: Pris i tråd" in rows[1][8]
    assert client.get("/nye-metoder/beslutninger.pdf").status_code == 404


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")                  # well-formed XML
    assert feed.version == "atom10"
    return response, feed


def _assert_valid_atom(feed) -> None:
    """What RFC 4287 requires of a feed and each entry: an id, a title and an updated date, unique ids, a
    self link, and an author for the feed."""
    assert feed.feed.id and feed.feed.title and feed.feed.updated_parsed and feed.feed.author
    assert any(link.rel == "self" for link in feed.feed.links)
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids))
    for entry in feed.entries:
        assert entry.title and entry.updated_parsed and entry.link and entry.summary is not None


def test_the_site_wide_feed_lists_the_newest_changes_of_every_method(client, methods):
    response, feed = _feed(client, "/nye-metoder/endringer.atom")

    _assert_valid_atom(feed)
    assert feed.feed.title == "Endringer i Nye Metoder" and feed.feed.link == "http://localhost/nye-metoder/"
    titles = [entry.title for entry in feed.entries]
    assert titles[0] == f"{methods['drug']}: Endret beslutning – Innføres med vilkår/begrensninger"
    assert feed.entries[0].updated.startswith("2025-04-28")
    assert "Bruk er begrenset til universitetssykehus." in feed.entries[0].summary
    assert f"{methods['drug']}: Rapport levert" in titles
    assert f"{methods['procedure']}: Forslag mottatt" in titles and f"{methods['device']}: Forslag mottatt" in titles
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    page = client.get("/nye-metoder/").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml" title="Endringer i Nye Metoder" ' \
           'href="/nye-metoder/endringer.atom">' in page
    assert response.data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_the_site_wide_feed_is_capped_at_its_newest_changes(app, client, secretary_id):
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        for number in range(public.FEED_LENGTH + 5):
            _register(actor, f"Metode {number}", received_on=date(2020, 1, 1) + timedelta(days=number))
        db.session.commit()

    _response, feed = _feed(client, "/nye-metoder/endringer.atom")

    assert len(feed.entries) == public.FEED_LENGTH
    assert feed.entries[-1].updated.startswith(f"{date(2020, 1, 6):%Y-%m-%d}")


def test_a_methods_feed_holds_its_changes_only(client, methods):
    _response, feed = _feed(client, f"/nye-metoder/{methods['device']}/endringer.atom")

    _assert_valid_atom(feed)
    assert feed.feed.title == f"Endringer for {methods['device']} Kontinuerlig glukosemåling ved type 2-diabetes"
    assert {entry.link for entry in feed.entries} == {f"http://localhost/nye-metoder/{methods['device']}"}
    assert [entry.title.split(": ", 1)[1] for entry in feed.entries][-1] == "Forslag mottatt"
    assert client.get("/nye-metoder/ID2099_999/endringer.atom").status_code == 404


def test_the_api_gives_a_method_as_its_page_and_the_feeds_changes(client, methods):
    method = client.get(f"/api/v1/methods/{methods['drug']}").json

    assert method["atc_code"] == "L01FF02" and method["last_updated"] == "2025-04-28"
    assert method["assessment"] == {
        "author_body": "DMP", "published_on": "2024-05-27",
        "pdf_url": f"http://localhost/nye-metoder/{methods['drug']}/egnethetsvurdering.pdf"}
    assert [stage["status"] for stage in method["stages"]][:3] == ["received", "awaiting_ordering", "assessment"]
    published_report, internal_report = method["commissions"][0]["reports"]
    assert published_report["title"] == "Metodevurdering av pembrolizumab"
    assert published_report["file_url"].startswith(f"http://localhost/nye-metoder/{methods['drug']}/rapporter/")
    assert internal_report == {"title": "Metodevurdering med priser", "delivered_on": "2024-12-02", "file_url": None}
    assert method["submissions"] == [{"kind": "metodevarsel", "kind_label": "Metodevarsel",
                                      "organisation": "Sykehusinnkjøp HF", "received_on": "2024-03-04"}]
    meeting_id = methods["meetings"][(Forum.BESLUTNINGSFORUM, date(2025, 3, 17))]
    assert [(paper["meeting"], paper["kind"], paper["pdf_url"]) for paper in method["meeting_papers"]] == [
        ("Beslutningsforum 17.03.2025", kind, f"http://localhost/nye-metoder/moter/{meeting_id}/{kind}.pdf")
        for kind in ("innkalling", "protokoll")]
    assert [decision["outcome"] for decision in method["decisions"]] == ["not_introduced",
                                                                         "introduced_with_conditions"]
    assert client.get(f"/api/v1/methods/{methods['procedure']}").json["assessment"] is None   # a draft
    _response, feed = _feed(client, f"/nye-metoder/{methods['drug']}/endringer.atom")
    changes = client.get(f"/api/v1/methods/{methods['drug']}/changes").json["items"]
    assert [change["title"] for change in changes] == [entry.title for entry in feed.entries]
    everything = client.get("/api/v1/methods/changes").json["items"]
    assert [change["key"] for change in everything] == [
        entry.id.rsplit("#", 1)[1] for entry in _feed(client, "/nye-metoder/endringer.atom")[1].entries]


def test_nothing_internal_reaches_the_public_pages_documents_feeds_or_api(client, methods):
    """The canary: every confidential or personal value planted around the methods is searched for in every
    public page, file, feed and API answer (the PDF's text as pdftotext reads it)."""
    pages = "".join(client.get(url).get_data(as_text=True) for url in (
        "/nye-metoder/", f"/nye-metoder/{methods['drug']}", f"/nye-metoder/{methods['procedure']}",
        f"/nye-metoder/?q={methods['drug']}"))
    response, _workbook = _xlsx(client)
    xml = _xml_text(response.data)
    csv_text = client.get("/nye-metoder/beslutninger.csv").data.decode("utf-8-sig")
    feeds = "".join(client.get(url).get_data(as_text=True) for url in (
        "/nye-metoder/endringer.atom", *(f"/nye-metoder/{methods[name]}/endringer.atom"
                                         for name in ("drug", "device", "procedure"))))
    feeds += "".join(client.get(f"/nye-metoder/endringer.atom?{query}").get_data(as_text=True)
                     for query, _shown, _hidden in FILTERS)
    deciding = methods["meetings"][(Forum.BESLUTNINGSFORUM, date(2025, 3, 17))]
    pdf = _pdf_text(client.get(f"/nye-metoder/{methods['drug']}/egnethetsvurdering.pdf").data)
    papers = " ".join(_pdf_text(client.get(f"/nye-metoder/moter/{deciding}/{kind}.pdf").data)
                      for kind in ("innkalling", "protokoll"))
    files = "".join(client.get(url).get_data(as_text=True) for url in _report_links(client, methods["drug"]))
    api_urls = ["/api/v1/methods", "/api/v1/methods/changes", "/api/v1/methods/changes?method_type=legemidler", *(
        f"/api/v1/methods/{methods[name]}{suffix}" for name in ("drug", "procedure") for suffix in ("", "/changes"))]
    # The JSON as text with its non-ASCII letters as they are (the API may escape them as \\u00e6).
    api = "".join(json.dumps(client.get(url).json, ensure_ascii=False) for url in api_urls)
    published = {"pages": pages, "xlsx": xml, "csv": csv_text, "feeds": feeds, "pdf": pdf, "api": api,
                 "papers": papers, "report files": files}

    for where, text in published.items():                                 # the right data was searched
        assert methods["drug"] in text or "Pembrolizumab" in text or PUBLIC_REPORT in text, where
    assert PUBLISHED_SUMMARY in pdf and PUBLISHED_SUMMARY in papers and MINUTES in papers
    assert "Rapport levert" in feeds and files == PUBLIC_REPORT
    for secret in (PRICE_NOTE, "123456", COMMENT, CONTACT_PERSON, DEPARTMENT, STATUS_COMMENT, INPUT_SUMMARY,
                   "Per Pasientsen", EXPERT_NAME, "Forslag til fageksperter", DRAFT_TEXT, SECRETARY_NAME,
                   UNPUBLISHED_REPORT, "98765", methods["case_number"], "methods_secretariat"):
        for where, text in published.items():
            assert secret not in text, (secret, where)


def test_xlsx_text_is_never_a_formula(app, client, secretary_id):
    generic, product, indication, condition, point, _cr = FORMULA_LIKE
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        method = _register(actor, "Formelforsøk", generic_name=generic, product_names=product, indication=indication)
        other = _register(actor, "Kontrolltegn", generic_name="Navn\x07med kontrolltegn", product_names=_cr)
        for each in (method, other):
            _bring_to_decision(each, actor)
            _decide(each, actor, points=(point,), conditions=condition)
        db.session.commit()
        stored = {each.generic_name: (each.product_names, each.indication) for each in (method, other)}

    response, workbook = _xlsx(client)

    assert formulas_in(response.data) == []
    rows = {row[1].value: row for row in workbook.active.iter_rows(min_row=2)}
    written = rows[generic]
    assert [cell.value for cell in written[1:4]] == [generic, *stored[generic]]
    assert written[8].value.startswith(point.strip()) and condition in written[8].value   # points are stripped
    assert {cell.data_type for index, cell in enumerate(written) if index != 6 and cell.value is not None} == {"s"}
    assert written[6].is_date and written[6].number_format == "DD.MM.YYYY"   # the decision date stays a date
    controlled = rows["Navnmed kontrolltegn"]
    assert controlled[2].data_type == "s" and controlled[2].value == as_read_back(stored["Navn\x07med kontrolltegn"][0])


@pytest.mark.parametrize("reference", ["ID2099_999", "finnes-ikke", "ID2024_001%20A"])
def test_an_unknown_method_gives_404(client, methods, reference):
    response = client.get(f"/nye-metoder/{reference}")

    assert response.status_code == 404
    assert "Siden finnes ikke" in response.get_data(as_text=True)


def test_markup_in_a_method_stays_text_in_the_feeds(app, client, secretary_id):
    title = '<script>alert("x")</script> & <b>fet</b>'
    with app.app_context():
        method = _register(db.session.get(User, secretary_id), title)
        db.session.commit()
        reference = method.reference

    for url in ("/nye-metoder/endringer.atom", f"/nye-metoder/{reference}/endringer.atom"):
        response, feed = _feed(client, url)
        assert b"<script>" not in response.data and b"&lt;script&gt;" in response.data
        assert feed.entries[0].summary.startswith(title)                 # read back as the text it was


REPORT_LINK = re.compile(r'href="(/nye-metoder/ID\d{4}_\d{3}/rapporter/\d+)"')


def _report_links(client, reference) -> list[str]:
    return REPORT_LINK.findall(client.get(f"/nye-metoder/{reference}").get_data(as_text=True))


def _report_id(app, title) -> int:
    with app.app_context():
        return db.session.scalar(select(CommissionReport.id).where(CommissionReport.title == title))


def test_a_report_file_is_served_only_when_marked_published(app, client, methods):
    links = _report_links(client, methods["drug"])

    assert links == [f"/nye-metoder/{methods['drug']}/rapporter/{_report_id(app, 'Metodevurdering av pembrolizumab')}"]
    download = client.get(links[0])
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"].startswith("attachment;") and download.data == PUBLIC_REPORT.encode()
    internal = _report_id(app, "Metodevurdering med priser")
    for url in (f"/nye-metoder/{methods['drug']}/rapporter/{internal}",          # not published: unknown
                f"/nye-metoder/{methods['device']}/rapporter/{links[0].rsplit('/', 1)[1]}",   # another method's
                f"/nye-metoder/{methods['drug']}/rapporter/999999"):
        assert client.get(url).status_code == 404, url


def test_the_published_meeting_papers_are_public_copies_without_names_or_drafts(app, client, methods):
    deciding = methods["meetings"][(Forum.BESLUTNINGSFORUM, date(2025, 3, 17))]
    for reference in (methods["drug"], methods["procedure"]):             # both were on the agenda
        page = client.get(f"/nye-metoder/{reference}").get_data(as_text=True)
        assert f'href="/nye-metoder/moter/{deciding}/innkalling.pdf" download>Innkalling og saksliste (PDF)' in page
        assert f'href="/nye-metoder/moter/{deciding}/protokoll.pdf" download>Protokoll (PDF)' in page
    assert "Ingen sakspapirer er publisert." in client.get(f"/nye-metoder/{methods['device']}").get_data(as_text=True)

    notice = client.get(f"/nye-metoder/moter/{deciding}/innkalling.pdf")
    assert notice.status_code == 200 and notice.mimetype == "application/pdf"
    assert notice.headers["Content-Disposition"].startswith("attachment;")
    assert PdfReader(io.BytesIO(notice.data)).metadata.title == "Innkalling og saksliste – Beslutningsforum 17.03.2025"
    text = _pdf_text(notice.data)
    assert "Innkalling til møte i Beslutningsforum 17.03.2025" in text and "Endoskopisk ryggkirurgisk" in text
    assert PUBLISHED_SUMMARY in text                                     # the drug's published assessment
    for secret in (EXPERT_NAME, "Forslag til fageksperter", DRAFT_TEXT, SECRETARY_NAME):
        assert secret not in text, secret
    with app.app_context():                                                # the internal copy holds them all
        internal = _pdf_text(meeting_papers.render_paper(db.session.get(Meeting, deciding), MeetingPaperKind.NOTICE,
                                                         printed_by=SECRETARY_NAME))
    assert EXPERT_NAME in internal and DRAFT_TEXT in internal and SECRETARY_NAME in internal
    minutes = _pdf_text(client.get(f"/nye-metoder/moter/{deciding}/protokoll.pdf").data)
    assert MINUTES in minutes and "Metoden innføres ikke nå." in minutes and SECRETARY_NAME not in minutes


def test_a_paper_not_published_or_not_filed_is_unknown(client, methods):
    ordering = methods["meetings"][(Forum.BESTILLERFORUM, date(2025, 3, 24))]   # its notice is filed, not published
    amending = methods["meetings"][(Forum.BESLUTNINGSFORUM, date(2025, 4, 28))]  # nothing filed
    for url in (f"/nye-metoder/moter/{ordering}/innkalling.pdf", f"/nye-metoder/moter/{amending}/innkalling.pdf",
                f"/nye-metoder/moter/{amending}/protokoll.pdf", "/nye-metoder/moter/999999/innkalling.pdf"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(("query", "shown", "hidden"), FILTERS)
def test_the_feed_follows_the_lists_filters(client, methods, query, shown, hidden):
    response, feed = _feed(client, f"/nye-metoder/endringer.atom?{query}")

    _assert_valid_atom(feed)
    followed = {entry.link.rsplit("/", 1)[1] for entry in feed.entries}
    assert followed == {methods[name] for name in shown}
    assert feed.feed.title.startswith("Endringer i Nye Metoder (") and feed.feed.link.endswith(f"/nye-metoder/?{query}")
    assert any(link.rel == "self" and link.href == f"http://localhost/nye-metoder/endringer.atom?{query}"
               for link in feed.feed.links)
    api = client.get(f"/api/v1/methods/changes?{query}").json["items"]      # the API follows the same filters
    assert [change["key"] for change in api] == [entry.id.rsplit("#", 1)[1] for entry in feed.entries]


def test_the_feeds_title_names_the_filters_and_ignores_what_the_list_cannot_use(client, methods):
    _response, feed = _feed(client, "/nye-metoder/endringer.atom?method_type=utstyr&atc=tull&decision=ja")
    assert feed.feed.title == "Endringer i Nye Metoder (Metodetype: Medisinsk utstyr, diagnostikk og tester)"
    assert {entry.link.rsplit("/", 1)[1] for entry in feed.entries} == {methods["device"]}

    _response, everything = _feed(client, "/nye-metoder/endringer.atom?year=tull&sort=tittel")
    assert everything.feed.title == "Endringer i Nye Metoder" and everything.feed.link == "http://localhost/nye-metoder/"


def test_the_list_links_to_the_feed_of_its_filter(client, methods):
    page = client.get("/nye-metoder/?method_type=utstyr&sort=tittel").get_data(as_text=True)

    assert '<link rel="alternate" type="application/atom+xml" title="Endringer i metodene i utvalget" ' \
           'href="/nye-metoder/endringer.atom?method_type=utstyr">' in page
    assert 'href="/nye-metoder/endringer.atom?method_type=utstyr" type="application/atom+xml">' \
           'nyhetsstrøm for metodene i utvalget (Atom)' in page
    unfiltered = client.get("/nye-metoder/").get_data(as_text=True)
    assert "metodene i utvalget" not in unfiltered
