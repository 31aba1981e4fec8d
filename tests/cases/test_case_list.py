"""The case list (/saker) on the list engine: sortable headers that keep the filters, the older sort values of
saved filters and bookmarks, bad input answered with a message and the whole list, and paging by the links."""
import html
import re
from dataclasses import replace

import pytest
from sqlalchemy import update

from app.cases import views
from app.cases.models import Case, CaseKind, CaseStatus
from app.extensions import db

TITLE = re.compile(r'<td><a href="/saker/\d+">[^<]+</a></td>\s*<td>([^<]+)</td>')


def _link(page: str, text: str) -> str:
    """The href of the link whose text starts with `text` (a header, «Neste», «Forrige»)."""
    found = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}(?=[<\s])', page)
    assert found, f"no link «{text}»"
    return html.unescape(found.group(1))


@pytest.fixture
def cases(make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    for title in ("Søknad B", "Søknad A", "Søknad C"):
        make_case(user, title=title)
    make_case(user, kind=CaseKind.ABROAD_APPEAL, title="Klage Z")
    return user


def test_a_header_sorts_both_ways_and_keeps_the_filters(login, cases):
    client = login(cases)
    page = client.get("/saker?type=abroad_application&q=S%C3%B8knad").get_data(as_text=True)
    assert TITLE.findall(page) == ["Søknad C", "Søknad A", "Søknad B"]   # newest first by default
    ascending_url = _link(page, "Tittel")
    assert "type=abroad_application" in ascending_url and "sort=tittel" in ascending_url

    ascending = client.get(ascending_url).get_data(as_text=True)
    assert TITLE.findall(ascending) == ["Søknad A", "Søknad B", "Søknad C"]
    assert 'aria-sort="ascending"' in ascending and "3 saker." in ascending
    descending = client.get(_link(ascending, "Tittel")).get_data(as_text=True)
    assert TITLE.findall(descending) == ["Søknad C", "Søknad B", "Søknad A"]
    assert 'aria-sort="descending"' in descending


@pytest.mark.parametrize(("sort", "titles"), [
    ("nyeste", ["Klage Z", "Søknad C", "Søknad A", "Søknad B"]),
    ("eldste", ["Søknad B", "Søknad A", "Søknad C", "Klage Z"]),
    ("tittel", ["Klage Z", "Søknad A", "Søknad B", "Søknad C"]),
])
def test_the_sorts_of_saved_filters_and_bookmarks_still_sort(login, cases, sort, titles):
    page = login(cases).get(f"/saker?sort={sort}").get_data(as_text=True)
    assert TITLE.findall(page) == titles
    assert "alert-warning" not in page


@pytest.mark.parametrize(("query", "message"), [
    ("status=nope", "«nope» er ikke en gyldig verdi for status"),
    ("type=nope", "«nope» er ikke en gyldig verdi for sakstype"),
    ("sort=nope", "Listen kan ikke sorteres slik"),
    ("etter=garbage", "Lenken til neste eller forrige side er ugyldig"),
    ("foer=-saksnummer~2026~x~1", "Lenken til neste eller forrige side er ugyldig"),
])
def test_bad_input_gives_a_message_and_the_whole_list(login, cases, query, message):
    response = login(cases).get(f"/saker?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html.unescape(page) and "4 saker." in page


def test_an_unknown_type_beside_a_known_one_keeps_the_known_one(login, cases):
    page = login(cases).get("/saker?type=nope&type=abroad_appeal").get_data(as_text=True)
    assert "«nope» er ikke en gyldig verdi for sakstype" in html.unescape(page)
    assert TITLE.findall(page) == ["Klage Z"]
    assert re.search(r'value="abroad_appeal" checked', page)


def test_discarded_cases_are_hidden_until_their_status_is_chosen(app, login, cases):
    with app.app_context():
        db.session.execute(update(Case).where(Case.title == "Klage Z").values(status=CaseStatus.DISCARDED))
        db.session.commit()
    client = login(cases)
    assert "Klage Z" not in client.get("/saker").get_data(as_text=True)
    assert TITLE.findall(client.get("/saker?status=U").get_data(as_text=True)) == ["Klage Z"]


def test_pages_forward_and_back_by_the_links(login, cases, monkeypatch):
    monkeypatch.setattr(views, "CASES", replace(views.CASES, per_page=3))
    client = login(cases)
    first = client.get("/saker?sort=tittel").get_data(as_text=True)
    assert TITLE.findall(first) == ["Klage Z", "Søknad A", "Søknad B"] and "Forrige" not in first
    second = client.get(_link(first, "Neste")).get_data(as_text=True)
    assert TITLE.findall(second) == ["Søknad C"] and "Neste" not in second
    assert "sort=tittel" in _link(second, "Forrige")
    back = client.get(_link(second, "Forrige")).get_data(as_text=True)
    assert TITLE.findall(back) == ["Klage Z", "Søknad A", "Søknad B"]


def test_the_dashboard_shows_my_newest_cases_and_links_to_all_when_there_are_more(login, cases, monkeypatch):
    monkeypatch.setattr(views, "DASHBOARD_CASES", 2)
    page = login(cases).get("/").get_data(as_text=True)
    assert TITLE.findall(page) == ["Klage Z", "Søknad C"]
    assert 'href="/saker?mine=1">Vis alle mine saker' in page


@pytest.mark.parametrize("role, office", [("abroad_caseworker", "helse-sor-ost"), ("methods_secretariat", None)])
def test_the_page_reads_the_case_numbers_index_in_order_for_an_office_and_an_index_of_its_kinds_otherwise(
        app, login, make_user, role, office):
    """An office's grant covers most cases: SQLite is told so (app.db.likely) and reads the case numbers in order,
    stopping after a page, instead of sorting every case of the office. A grant of a few kinds keeps the kind's
    index. PostgreSQL judges by its statistics."""
    import sqlalchemy as sa

    client = login(make_user(role, office))
    sent = []

    def record(_connection, _cursor, statement, parameters, *_args) -> None:
        sent.append((statement, parameters))

    with app.app_context():
        engine = db.engine   # the test's connection (conftest's rollback fixture): its statements are the app's
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/saker").status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    statement, parameters = next((statement, parameters) for statement, parameters in sent
                                 if "ORDER BY cases.year DESC, cases.sequence DESC" in statement)
    if engine.dialect.name != "sqlite":
        assert "likely(" not in statement
        return
    with app.app_context():
        plan = " ".join(row[-1] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {statement}", tuple(parameters)))
    if office:
        assert "SCAN cases USING INDEX" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
    else:
        assert "ix_cases_kind" in plan, plan
