"""The appeal list (/utland/klager and the API's /abroad/appeals) on the list engine: sortable headers that keep
the filters, bad filter values and cursors shown as messages with the whole list, paging by the links, the
office's access rule and the audit row naming the patients shown."""
import re
from dataclasses import replace
from datetime import date

import pytest

from app.abroad import api as api_views
from app.abroad import services, views
from app.abroad.lists import APPEALS
from app.abroad.models import Decision
from app.auth import services as account_services
from app.auth.models import User
from app.extensions import db
from tests.audit import list_requests
from tests.factories import abroad_appeal, abroad_application, abroad_decision
from tests.lists import aria_sort, header_href, messages, paging_href, statements_sent

TODAY = date(2026, 11, 20)
PATIENT = re.compile(r"<td>(Klager [A-Za-zÆØÅæøå]+)</td>")


@pytest.fixture
def worker_id(make_user):
    return make_user("abroad_caseworker", office="helse-sor-ost")


@pytest.fixture
def appeals(app, worker_id):
    """Three appeals at Helse Sør-Øst's office (Berit's after the deadline); their case ids by name."""
    def appeal(actor, name: str, received_on: date, region: str = "helse-sor-ost") -> int:
        application = services.register_application(abroad_application(
            national_id=None, patient_name=name, birth_date=date(1970, 1, 1), municipality=None, home_region=region),
            actor=actor, today=TODAY)
        services.decide(application, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20),
                                                     reasoning="Tilbudet i Norge er faglig forsvarlig."),
                        actor=actor, letter=b"%PDF-1.7 avslag", today=TODAY)
        return services.register_appeal(application, abroad_appeal(received_on=received_on), actor=actor,
                                        today=TODAY).case_id

    with app.app_context():
        actor = db.session.get(User, worker_id)
        cases = {name: appeal(actor, name, received_on) for name, received_on in [
            ("Klager Anna", date(2026, 10, 5)), ("Klager Berit", date(2026, 11, 2)),
            ("Klager Cecilie", date(2026, 10, 1))]}
        db.session.commit()
    return cases


def _names(html: str) -> list[str]:
    return PATIENT.findall(html)


def test_the_list_shows_the_offices_appeals_newest_first_and_logs_the_patients(app, login, make_user, worker_id,
                                                                               appeals):
    page = login(worker_id).get("/utland/klager").get_data(as_text=True)
    assert "3 klager." in page and "Klager, nyeste først" in page
    assert _names(page) == ["Klager Berit", "Klager Anna", "Klager Cecilie"]
    assert "For sent" in page   # Berit's came after the deadline
    with app.app_context():
        assert list_requests(worker_id) == [("abroad_appeals", sorted(appeals.values()))]
    west = login(make_user("abroad_caseworker", office="helse-vest")).get("/utland/klager").get_data(as_text=True)
    assert "0 klager." in west and _names(west) == []


def test_a_sortable_header_sorts_both_ways_and_keeps_the_filters(login, worker_id, appeals):
    client = login(worker_id)
    page = client.get("/utland/klager?status=received").get_data(as_text=True)
    assert aria_sort(page, "Kom inn") == "descending"
    by_name = header_href(page, "Pasient")
    assert "status=received" in by_name and "sort=pasient" in by_name
    ascending = client.get(by_name).get_data(as_text=True)
    assert _names(ascending) == ["Klager Anna", "Klager Berit", "Klager Cecilie"]
    assert aria_sort(ascending, "Pasient") == "ascending" and "sortert etter pasient (stigende)" in ascending
    descending = client.get(header_href(ascending, "Pasient")).get_data(as_text=True)
    assert _names(descending) == ["Klager Cecilie", "Klager Berit", "Klager Anna"]
    assert aria_sort(descending, "Pasient") == "descending"
    late_by_deadline = client.get(header_href(client.get("/utland/klager?late=y").get_data(as_text=True),
                                              "Klagefrist")).get_data(as_text=True)
    assert _names(late_by_deadline) == ["Klager Berit"]


def test_an_unknown_filter_value_gives_a_message_and_the_whole_list(login, worker_id, appeals):
    page = login(worker_id).get("/utland/klager?status=tull&year=1066").get_data(as_text=True)
    assert messages(page) == [
        "«tull» er ikke en gyldig verdi for status. Listen vises uten dette filteret.",
        "«1066» er ikke en gyldig verdi for år klagen kom inn. Listen vises uten dette filteret."]
    assert len(_names(page)) == 3


def test_a_malformed_cursor_gives_a_message_and_the_first_page(login, worker_id, appeals):
    for cursor in ("tull", "-kom_inn~2026-13-01~1", "-pasient~Klager Anna~1"):
        page = login(worker_id).get("/utland/klager", query_string={"etter": cursor}).get_data(as_text=True)
        assert messages(page) == ["Lenken til neste eller forrige side er ugyldig eller utløpt. Listen vises fra "
                                  "begynnelsen."], cursor
        assert _names(page) == ["Klager Berit", "Klager Anna", "Klager Cecilie"]


def test_paging_forward_and_back_by_the_links_keeps_the_filter_and_the_sort(monkeypatch, login, worker_id, appeals):
    monkeypatch.setattr(views, "APPEALS", replace(APPEALS, per_page=2))
    client = login(worker_id)
    first = client.get("/utland/klager?year=2026&sort=kom_inn").get_data(as_text=True)
    assert _names(first) == ["Klager Cecilie", "Klager Anna"] and paging_href(first, "prev") is None
    second_url = paging_href(first, "next")
    assert "year=2026" in second_url and "sort=kom_inn" in second_url
    second = client.get(second_url).get_data(as_text=True)
    assert _names(second) == ["Klager Berit"] and paging_href(second, "next") is None
    back = client.get(paging_href(second, "prev")).get_data(as_text=True)
    assert _names(back) == ["Klager Cecilie", "Klager Anna"]


def test_the_page_and_the_api_send_as_many_statements_for_three_appeals_as_for_one(monkeypatch, app, login,
                                                                                  worker_id, appeals):
    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, worker_id), name="Test")
        db.session.commit()
    urls = {"/utland/klager": login(worker_id), "/api/v1/abroad/appeals": app.test_client()}
    headers = {"Authorization": f"Bearer {secret}"}
    three = {url: statements_sent(client, url, headers=headers) for url, client in urls.items()}
    monkeypatch.setattr(views, "APPEALS", replace(APPEALS, per_page=1))
    monkeypatch.setattr(api_views, "APPEALS", replace(APPEALS, per_page=1))
    # A full page of the API's objects asks once more, by its key columns only, whether rows follow: one statement.
    # The page reads plain columns, one row more than it shows: no statement more.
    more = {"/utland/klager": 0, "/api/v1/abroad/appeals": 1}
    assert {url: statements_sent(client, url, headers=headers) - more[url] for url, client in urls.items()} == three


def test_the_api_list_keeps_its_shape_filters_and_pages_by_the_cursor(monkeypatch, app, worker_id, appeals):
    with app.app_context():
        _token, secret = account_services.create_api_token(db.session.get(User, worker_id), name="Test")
        db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    listed = api.get("/api/v1/abroad/appeals", headers=headers).get_json()
    assert listed["total"] == 3 and listed["next_cursor"] is None and listed["messages"] == []
    assert [item["case_id"] for item in listed["items"]] == [appeals["Klager Berit"], appeals["Klager Anna"],
                                                              appeals["Klager Cecilie"]]
    assert set(listed["items"][0]) >= {"case_number", "application_case_id", "status", "late", "deadline_on"}
    late = api.get("/api/v1/abroad/appeals", query_string={"late": "y", "status": "tull"}, headers=headers).get_json()
    assert [item["case_id"] for item in late["items"]] == [appeals["Klager Berit"]] and len(late["messages"]) == 1
    monkeypatch.setattr(api_views, "APPEALS", replace(APPEALS, per_page=2))
    first = api.get("/api/v1/abroad/appeals", headers=headers).get_json()
    second = api.get("/api/v1/abroad/appeals", query_string={"etter": first["next_cursor"]}, headers=headers).get_json()
    assert [item["case_id"] for item in first["items"] + second["items"]] == [
        item["case_id"] for item in listed["items"]] and second["next_cursor"] is None
