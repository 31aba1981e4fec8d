"""The Nye Metoder lists on the list engine: the internal method list, the public one, the API's and the
meetings. Newest first as the IDs read (an imported ID's letter suffix after the plain one, also across a page
boundary), sortable headers that keep the filters, bad input answered with a message, paging by the links, and
no audit rows for lists without personal data."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from app.methods import services
from app.methods.commands import StatusChange
from app.methods.models import DecisionOutcome, Forum, MethodStatus, MethodType
from tests.conftest import amend_decision, decide_method
from tests.exports import csv_rows
from tests.factories import agenda_item, new_meeting, new_method
from tests.methods.links import aria_sort, header_link, link

INTERNAL = re.compile(r'<td><a href="/metoder/(ID\d{4}_\d{3}[A-Z]?)">')
PUBLIC = re.compile(r'<td><a href="/nye-metoder/(ID\d{4}_\d{3}[A-Z]?)">')
MEETING_DATES = re.compile(r'<td><a href="/metoder/moter/\d+">(\d\d\.\d\d\.\d{4})</a>')
MEETING_ROWS = re.compile(r'<td><a href="/metoder/moter/\d+">(\d\d\.\d\d\.\d{4})</a></td>\s*<td>[^<]*</td>\s*'
                          r'<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>(\d+)</td>\s*<td>(Ja|Nei)</td>')
BAD_CURSOR = "Lenken til neste eller forrige side er ugyldig eller utløpt. Listen vises fra begynnelsen."


@pytest.fixture
def secretary_id(make_user):
    return make_user("methods_secretariat")


@pytest.fixture
def reader(login, make_user):
    return login(make_user("bestillerforum"))


def _register(app, secretary_id, *specs):
    """Methods from (reference or None, title, method type), registered in the order given."""
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        references = [services.register_method(new_method(title, date(2024, 3, 4), reference=reference,
                                                          method_type=method_type), actor=actor).reference
                      for reference, title, method_type in specs]
        db.session.commit()
        return references


@pytest.fixture
def imported(app, secretary_id):
    """Imported IDs registered out of order: the ids do not follow the IDs."""
    return _register(app, secretary_id,
                     ("ID2019_004B", "Beta", MethodType.DRUG), ("ID2024_001", "Delta", MethodType.DEVICE),
                     ("ID2019_004", "Alfa", MethodType.PROCEDURE), ("ID2025_102", "Gamma", MethodType.DRUG),
                     ("ID2019_004A", "Epsilon", MethodType.PROCEDURE), ("ID2018_950", "Zeta", MethodType.DRUG))


NEWEST_FIRST = ["ID2025_102", "ID2024_001", "ID2019_004", "ID2019_004A", "ID2019_004B", "ID2018_950"]


def test_the_lists_show_newest_first_with_a_letter_suffix_after_the_plain_id(client, reader, imported):
    assert INTERNAL.findall(reader.get("/metoder/").get_data(as_text=True)) == NEWEST_FIRST
    assert PUBLIC.findall(client.get("/nye-metoder/").get_data(as_text=True)) == NEWEST_FIRST
    assert [item["reference"] for item in client.get("/api/v1/methods").json["items"]] == NEWEST_FIRST
    ascending = reader.get(header_link(reader.get("/metoder/").get_data(as_text=True), "ID")).get_data(as_text=True)
    assert INTERNAL.findall(ascending) == NEWEST_FIRST[::-1] and aria_sort(ascending, "ID") == "ascending"


def test_paging_crosses_a_letter_suffix_in_the_ids_order_and_back(app, reader, secretary_id):
    """49 newer methods, then ID2020_050 ends the first page and its A and B open the second."""
    _register(app, secretary_id, ("ID2020_050B", "Siste B", MethodType.DRUG),
              ("ID2020_050A", "Siste A", MethodType.DRUG),
              *((f"ID2021_{number:03d}", f"Nyere {number}", MethodType.DRUG) for number in range(1, 50)),
              ("ID2020_050", "Siste", MethodType.DRUG))

    first = reader.get("/metoder/").get_data(as_text=True)
    second = reader.get(link(first, "next")).get_data(as_text=True)
    back = reader.get(link(second, "prev")).get_data(as_text=True)

    assert "52 metoder." in first and link(first, "prev") is None
    assert INTERNAL.findall(first)[-2:] == ["ID2021_001", "ID2020_050"]
    assert INTERNAL.findall(second) == ["ID2020_050A", "ID2020_050B"] and link(second, "next") is None
    assert INTERNAL.findall(back) == INTERNAL.findall(first)


def test_a_sortable_header_sorts_both_ways_and_keeps_the_filters(reader, imported):
    page = reader.get("/metoder/?method_type=legemidler").get_data(as_text=True)
    assert aria_sort(page, "ID") == "descending" and aria_sort(page, "Tittel") is None

    by_title = reader.get(header_link(page, "Tittel")).get_data(as_text=True)
    reversed_title = reader.get(header_link(by_title, "Tittel")).get_data(as_text=True)

    assert header_link(page, "Tittel") == "/metoder/?method_type=legemidler&sort=tittel"
    assert INTERNAL.findall(by_title) == ["ID2019_004B", "ID2025_102", "ID2018_950"]    # Beta, Gamma, Zeta
    assert aria_sort(by_title, "Tittel") == "ascending" and aria_sort(reversed_title, "Tittel") == "descending"
    assert INTERNAL.findall(reversed_title) == ["ID2018_950", "ID2025_102", "ID2019_004B"]
    assert 'value="legemidler" selected' in reversed_title


def test_status_sorts_in_the_order_a_method_passes_the_stages(app, reader, imported, secretary_id):
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        for reference, status in (("ID2024_001", MethodStatus.SUITABILITY), ("ID2018_950", MethodStatus.CLOSED)):
            services.change_status(services.find_method(reference), StatusChange(status, date(2025, 1, 6)),
                                   actor=actor)
        db.session.commit()

    by_status = INTERNAL.findall(reader.get("/metoder/?sort=status").get_data(as_text=True))
    backwards = INTERNAL.findall(reader.get("/metoder/?sort=-status").get_data(as_text=True))

    # «Forslag mottatt» (four, by id), «Egnethetsvurdering pågår», «Avsluttet»: not by label or stored value.
    assert by_status[4:] == ["ID2024_001", "ID2018_950"] and backwards[:2] == ["ID2018_950", "ID2024_001"]


def test_an_unknown_filter_value_or_sort_gives_a_message_and_the_whole_list(reader, client, imported):
    page = reader.get("/metoder/?status=tull&method_type=legemidler&sort=pris").get_data(as_text=True)
    public = client.get("/nye-metoder/?year=1850").get_data(as_text=True)
    api = client.get("/api/v1/methods?status=tull").json

    assert "«tull» er ikke en gyldig verdi for status. Listen vises uten dette filteret." in page
    assert "Listen kan ikke sorteres slik. Den vises i vanlig rekkefølge." in page
    assert INTERNAL.findall(page) == ["ID2025_102", "ID2019_004B", "ID2018_950"]        # the type filter holds
    assert "«1850» er ikke en gyldig verdi for år" in public and PUBLIC.findall(public) == NEWEST_FIRST
    assert api["messages"] == ["«tull» er ikke en gyldig verdi for status. Listen vises uten dette filteret."]
    assert len(api["items"]) == api["total"] == 6


@pytest.mark.parametrize("cursor", ["tull", "-id~1", "tittel~Alfa~1", "-id~abc~1", "-id~2024000100~x"])
def test_a_malformed_cursor_gives_a_message_and_the_first_page(reader, client, imported, cursor):
    internal = reader.get("/metoder/", query_string={"etter": cursor}).get_data(as_text=True)
    public = client.get("/nye-metoder/", query_string={"foer": cursor}).get_data(as_text=True)

    assert BAD_CURSOR in internal and INTERNAL.findall(internal) == NEWEST_FIRST
    assert BAD_CURSOR in public and PUBLIC.findall(public) == NEWEST_FIRST


def test_the_export_keeps_its_columns_and_follows_the_sort(reader, imported):
    rows = csv_rows(reader.get("/metoder/eksport.csv?sort=tittel&method_type=prosedyrer"))

    assert rows[0] == ["ID", "Tittel", "Metodetype", "Fagområder", "Status", "Gjeldende beslutning",
                       "Beslutningsdato"]
    assert [row[:2] for row in rows[1:]] == [["ID2019_004", "Alfa"], ["ID2019_004A", "Epsilon"]]


def test_the_public_list_sorts_keeps_its_filters_and_logs_nothing(app, client, imported):
    page = client.get("/nye-metoder/?year=2019").get_data(as_text=True)
    by_title = client.get(header_link(page, "Tittel")).get_data(as_text=True)
    xlsx = client.get(f"/nye-metoder/beslutninger.xlsx?{header_link(by_title, 'Tittel').split('?')[1]}")

    assert PUBLIC.findall(page) == ["ID2019_004", "ID2019_004A", "ID2019_004B"]
    assert header_link(page, "Tittel") == "/nye-metoder/?year=2019&sort=tittel"
    assert PUBLIC.findall(by_title) == ["ID2019_004", "ID2019_004B", "ID2019_004A"]   # Alfa, Beta, Epsilon
    assert 'href="/nye-metoder/beslutninger.xlsx?year=2019&amp;sort=tittel"' in by_title
    assert xlsx.status_code == 200
    assert "/metoder/" not in by_title and "eksport." not in by_title
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_((AuditAction.LIST, AuditAction.EXPORT)))) == 0


def test_the_api_pages_by_the_next_cursor(app, client, secretary_id):
    _register(app, secretary_id, *((None, f"API-metode {number}", MethodType.DRUG) for number in range(53)))

    first = client.get("/api/v1/methods?q=API-metode").json
    second = client.get("/api/v1/methods", query_string={"q": "API-metode", "etter": first["next_cursor"]}).json

    assert first["total"] == second["total"] == 53 and not first["total_capped"]
    assert len(first["items"]) == 50 and len(second["items"]) == 3 and second["next_cursor"] is None
    references = [item["reference"] for item in first["items"] + second["items"]]
    assert len(set(references)) == 53 and references == sorted(references, reverse=True)
    assert not {"case_id", "case_number", "price_notes", "comments"} & set(first["items"][0])


def _shown_decisions(page: str, prefix: str) -> dict[str, str]:
    """Each method's current-decision cell on a list page, by its ID."""
    return dict(re.findall(rf'<td><a href="{prefix}(ID\d{{4}}_\d{{3}})">.*?</td>\s*<td>[^<]*</td>\s*<td>[^<]*</td>'
                           rf'\s*<td>[^<]*</td>\s*<td>([^<]*)</td>', page, re.S))


def test_the_pages_show_the_current_decision_not_the_amended_one_as_the_export_does(
        app, login, secretary_id, method_with_outcome):
    with app.app_context():
        amended = method_with_outcome(DecisionOutcome.INTRODUCED, reference="ID2024_090")
        amend_decision(amended, DecisionOutcome.NOT_INTRODUCED, db.session.get(User, secretary_id),
                       on=date(2025, 10, 27))
        decide_method(method_with_outcome(None, reference="ID2024_091"), DecisionOutcome.INTRODUCED,
                      db.session.get(User, secretary_id), on=date(2025, 8, 25))
        method_with_outcome(None, reference="ID2024_092")
        db.session.commit()
    client = login(secretary_id)

    expected = {"ID2024_090": "Innføres ikke (27.10.2025)", "ID2024_091": "Innføres (25.08.2025)", "ID2024_092": "–"}
    assert _shown_decisions(client.get("/metoder/").get_data(as_text=True), "/metoder/") == expected
    assert _shown_decisions(client.get("/nye-metoder/").get_data(as_text=True), "/nye-metoder/") == expected
    exported = {row[0]: row[5:7] for row in csv_rows(client.get("/metoder/eksport.csv"))[1:]}
    assert exported == {"ID2024_090": ["Innføres ikke", "27.10.2025"], "ID2024_091": ["Innføres", "25.08.2025"],
                        "ID2024_092": ["", ""]}


@pytest.fixture
def meetings(app, secretary_id):
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        for forum, day in ((Forum.BESTILLERFORUM, date(2024, 11, 21)), (Forum.BESLUTNINGSFORUM, date(2025, 3, 17)),
                           (Forum.BESTILLERFORUM, date(2025, 1, 23)), (Forum.BESLUTNINGSFORUM, date(2024, 6, 3))):
            services.create_meeting(new_meeting(forum, day), actor=actor)
        db.session.commit()


def test_the_meeting_list_sorts_both_ways_keeps_the_forum_and_refuses_bad_input_politely(reader, meetings):
    page = reader.get("/metoder/moter?forum=beslutningsforum").get_data(as_text=True)
    oldest_first = reader.get(header_link(page, "Møtedato")).get_data(as_text=True)
    by_forum = reader.get("/metoder/moter?sort=forum").get_data(as_text=True)
    bad = reader.get("/metoder/moter?forum=styret&etter=tull").get_data(as_text=True)

    assert MEETING_DATES.findall(page) == ["17.03.2025", "03.06.2024"] and "Møter, nyeste først" in page
    assert header_link(page, "Møtedato") == "/metoder/moter?forum=beslutningsforum&sort=motedato"
    assert MEETING_DATES.findall(oldest_first) == ["03.06.2024", "17.03.2025"]
    assert "Møter, sortert etter møtedato (stigende)" in oldest_first
    assert MEETING_DATES.findall(by_forum) == ["21.11.2024", "23.01.2025", "17.03.2025", "03.06.2024"]
    assert "«styret» er ikke en gyldig verdi for forum" in bad and BAD_CURSOR in bad
    assert MEETING_DATES.findall(bad) == ["17.03.2025", "23.01.2025", "21.11.2024", "03.06.2024"]


def test_the_meeting_list_counts_the_agenda_items_and_says_whether_the_minutes_are_written(
        app, reader, secretary_id):
    with app.app_context():
        actor = db.session.get(User, secretary_id)
        methods = [services.register_method(new_method(f"Metode {number}", date(2024, 3, 4)), actor=actor)
                   for number in range(2)]
        with_agenda = services.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2025, 1, 23)), actor=actor)
        for method in methods:
            services.add_agenda_item(with_agenda, agenda_item(method), actor=actor)
        services.update_minutes(with_agenda, minutes="Sakene ble behandlet.", expected_version=with_agenda.version,
                                actor=actor)
        services.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2024, 11, 21)), actor=actor)
        db.session.commit()

    page = reader.get("/metoder/moter").get_data(as_text=True)

    assert MEETING_ROWS.findall(page) == [("23.01.2025", "2", "Ja"), ("21.11.2024", "0", "Nei")]
