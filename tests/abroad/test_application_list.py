"""The application list on the list engine (app.listing): sortable headers, bad input answered with a message
and the list, the capped count, paging both ways in any order, the export's columns and a statement count
that does not grow with the rows."""
import csv
import io
import re
from datetime import date, timedelta
from html import unescape

import pytest

from app.abroad import services
from app.abroad.models import Stream
from app.auth.models import User
from app.extensions import db
from app.listing import TOTAL_CAP
from tests.factories import abroad_application
from tests.test_query_counts import Statements

FIRST = date(2025, 1, 1)


def _register(app, worker_id: int, count: int, *, start: int = 0) -> None:
    with app.app_context():
        actor = db.session.get(User, worker_id)
        for number in range(start, start + count):
            services.register_application(abroad_application(
                national_id=None, patient_name=f"Pasient {number:02d}", birth_date=date(1970, 1, 1),
                municipality=None, home_region="helse-nord" if number % 5 == 0 else "helse-sor-ost",
                stream=Stream.PGD if number % 2 else Stream.APPLICATION,
                received_on=FIRST + timedelta(days=number), reference=f"LEG-{number:02d}", applicant=None,
                referring_doctor=None, referring_hospital=None, requested_treatment="PGD", requested_where=None,
                icd10="Z31.4"), actor=actor)
        db.session.commit()


def _names(page: str) -> list[str]:
    return re.findall(r"<td>(Pasient \d\d)", page)


def _link(page: str, rel: str) -> str:
    return unescape(page.split(f'rel="{rel}"')[0].rsplit('href="', 1)[1].split('"')[0])


def _header(page: str, label: str) -> str:
    """The <th> of a column, and the link in it."""
    return re.search(rf'<th scope="col"[^>]*>(?:(?!</th>).)*{label}(?:(?!</th>).)*</th>', page, re.S).group(0)


def test_a_sortable_header_sorts_both_ways_and_keeps_the_filters(app, worker, worker_id):
    _register(app, worker_id, 12)
    page = worker.get("/utland/soknader?stream=application").get_data(as_text=True)
    received = _header(page, "Mottatt")
    assert 'aria-sort="descending"' in received and "sort=mottatt" in received and "stream=application" in received
    assert _names(page) == [f"Pasient {number:02d}" for number in (10, 8, 6, 4, 2, 0)]
    oldest_first = worker.get(unescape(received.split('href="')[1].split('"')[0])).get_data(as_text=True)
    assert _names(oldest_first) == [f"Pasient {number:02d}" for number in (0, 2, 4, 6, 8, 10)]
    assert 'aria-sort="ascending"' in _header(oldest_first, "Mottatt")
    by_name = worker.get("/utland/soknader?sort=-pasient").get_data(as_text=True)
    assert _names(by_name) == [f"Pasient {number:02d}" for number in range(11, -1, -1)]
    assert 'aria-sort="descending"' in _header(by_name, "Pasient") and "aria-sort" not in _header(by_name, "Mottatt")
    assert "aria-sort" not in _header(page, "Saksnummer") and "<a " not in _header(page, "Saksnummer")


def test_paging_follows_the_sort_forward_and_back(app, worker, worker_id):
    _register(app, worker_id, 55)
    first = worker.get("/utland/soknader?sort=pasient").get_data(as_text=True)
    assert _names(first)[:2] == ["Pasient 00", "Pasient 01"] and len(_names(first)) == 50
    assert "Første side" not in first
    second = worker.get(_link(first, "next")).get_data(as_text=True)
    assert _names(second) == [f"Pasient {number:02d}" for number in range(50, 55)]
    assert 'rel="next"' not in second
    back = worker.get(_link(second, "prev")).get_data(as_text=True)
    assert _names(back) == _names(first)


@pytest.mark.parametrize(("query", "message"), [
    ("status=tull", "«tull» er ikke en gyldig verdi for status."),
    ("year=1850", "«1850» er ikke en gyldig verdi for år mottatt."),
    ("mine=kanskje", "«kanskje» er ikke en gyldig verdi for «Bare mine saker»."),
    ("sort=fodselsnummer", "Listen kan ikke sorteres slik."),
    ("etter=tull", "Lenken til neste eller forrige side er ugyldig eller utløpt."),
    ("etter=-mottatt~2025-99-01~3", "Lenken til neste eller forrige side er ugyldig eller utløpt."),
    ("etter=-mottatt~2025-01-01~99999999999999999999", "Lenken til neste eller forrige side er ugyldig"),
    ("sort=pasient&etter=-mottatt~2025-01-03~3", "Lenken til neste eller forrige side er ugyldig"),
    ("q=" + "x" * 101, "Søket kan være høyst 100 tegn."),
])
def test_bad_input_gives_a_message_and_the_list_without_it(app, worker, worker_id, query, message):
    _register(app, worker_id, 3)
    response = worker.get(f"/utland/soknader?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert len(_names(page)) == 3 and "3 søknader og henvisninger." in page


def test_the_count_stops_at_the_cap_and_says_over(app, worker, worker_id, monkeypatch):
    monkeypatch.setattr("app.listing.spec.TOTAL_CAP", 4)
    _register(app, worker_id, 6)
    page = worker.get("/utland/soknader").get_data(as_text=True)
    assert "Over 4 søknader og henvisninger." in page and "Last ned listen" in page
    assert "5 søknader" not in page and "6 søknader" not in page
    assert "3 søknader og henvisninger." in worker.get("/utland/soknader?stream=application").get_data(
        as_text=True)
    assert TOTAL_CAP == 1_000


def test_the_export_keeps_its_columns_and_the_lists_order(app, worker, worker_id):
    _register(app, worker_id, 4)
    content = worker.get("/utland/soknader/eksport.csv?sort=mottatt").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0] == ["Saksnummer", "Referanse", "Pasient", "Fødselsdato", "Hjemregion", "Type", "ICD-10",
                       "Kapittel", "Mottatt", "Barn", "Status", "Vedtak", "Vedtaksdato", "Land", "Sykehus",
                       "Kostnader NOK"]
    assert [row[2] for row in rows[1:]] == ["Pasient 00", "Pasient 01", "Pasient 02", "Pasient 03"]


def test_a_page_sends_as_many_statements_for_fifty_rows_as_for_one(app, worker, worker_id):
    _register(app, worker_id, 1)
    worker.get("/utland/soknader")  # the first request of a client loads what every request loads
    with Statements() as one:
        worker.get("/utland/soknader")
    _register(app, worker_id, 60, start=1)
    with Statements() as many:
        page = worker.get("/utland/soknader").get_data(as_text=True)
    assert len(_names(page)) == 50
    assert len(many.sent) == len(one.sent), many.repeated()


def test_the_database_keeps_an_applications_office_equal_to_its_cases_unit(app, worker_id):
    """The list's access rule reads the office on the application row: another office than the case's unit
    would show the application to the wrong office, so the database refuses it."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from app.abroad.models import Application
    _register(app, worker_id, 1)
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(update(Application).values(office="helse-vest"))
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("query", ["", "stream=application", "region=helse-nord&sort=pasient", "q=pasient 1"])
def test_the_page_and_the_export_list_the_same_rows_in_the_same_order(app, worker, worker_id, query):
    """The page reads plain columns (ListSpec.page_query), the export and the API whole entities: the same rows."""
    _register(app, worker_id, 12)
    page = worker.get(f"/utland/soknader?{query}").get_data(as_text=True)
    content = worker.get(f"/utland/soknader/eksport.csv?{query}").data.decode("utf-8-sig")
    exported = [row[2] for row in list(csv.reader(io.StringIO(content), delimiter=";"))[1:]]
    assert _names(page) == exported and exported
