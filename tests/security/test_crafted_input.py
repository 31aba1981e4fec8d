"""Crafted input answered in bokmål, never with a 500: numbers out of range in a list's URL (page, year, ids,
cursors), a NUL character anywhere (PostgreSQL cannot hold one), and control characters in the `next` target
of the login."""
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.cases.models import Case
from app.extensions import db
from app.security import safe_next_url
from tests.conftest import PASSWORD

HUGE = str(10**30)


@pytest.fixture
def caseworker(app, make_user, login):
    return login(make_user("abroad_caseworker", office="helse-sor-ost"))


@pytest.mark.parametrize(("url", "message"), [
    ("/utland/soknader?q=%00", "NUL-tegnet"),
])
def test_a_number_out_of_range_or_a_nul_in_a_list_url_is_a_400_in_bokmal(client, caseworker, url, message):
    browser = client if url.startswith("/nye-metoder/") else caseworker
    response = browser.get(url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True) and "Ugyldig forespørsel" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [f"/nye-metoder/?page={HUGE}", "/nye-metoder/?page=-1", f"/metoder/?page={HUGE}",
                                 f"/metoder/moter?page={HUGE}"])
def test_the_method_lists_page_by_cursor_and_read_no_page_number(client, caseworker, url):
    browser = client if url.startswith("/nye-metoder/") else caseworker
    assert browser.get(url).status_code == 200


@pytest.mark.parametrize("url", [f"/nye-metoder/?etter=-id~{HUGE}~1", f"/metoder/?foer=-id~1~-{HUGE}",
                                 f"/metoder/moter?etter=-motedato~2026-01-01~{HUGE}",
                                 f"/api/v1/methods?etter=-id~1~{HUGE}"])
def test_a_method_list_cursor_out_of_range_gives_the_list_with_a_message(client, caseworker, url):
    browser = client if url.startswith(("/nye-metoder/", "/api/")) else caseworker
    response = browser.get(url)
    assert response.status_code == 200
    assert "Lenken til neste eller forrige side er ugyldig" in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "message"), [
    (f"/utland/soknader?year={HUGE}", "er ikke en gyldig verdi for år mottatt"),
    ("/utland/klager?year=0", "«0» er ikke en gyldig verdi for år klagen kom inn"),
    (f"/utland/soknader?etter=-mottatt~2026-01-01~{HUGE}", "Lenken til neste eller forrige side er ugyldig"),
    (f"/utland/klager?foer=-kom_inn~2026-01-01~-{HUGE}", "Lenken til neste eller forrige side er ugyldig"),
])
def test_a_number_out_of_range_in_a_list_on_the_list_engine_is_shown_as_a_message_with_the_list(caseworker, url,
                                                                                                 message):
    """A list on app.listing answers a value it cannot use with a message and the list without it (issue 16),
    where the old lists answered 400."""
    response = caseworker.get(url)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True) and "Ugyldig forespørsel" not in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["1e9", "abc", "²", " ", "99999-01-01~1", "2026-01-01~1e9"])
def test_a_page_year_or_cursor_that_is_no_number_is_ignored_like_an_unknown_filter(client, caseworker, value):
    assert client.get("/nye-metoder/", query_string={"page": value, "year": value}).status_code == 200
    assert caseworker.get("/utland/soknader", query_string={"year": value, "etter": value}).status_code == 200
    assert caseworker.get("/saker", query_string={"page": value, "etter": value, "foer": value}).status_code == 200


def test_a_list_on_the_engine_answers_a_huge_page_id_or_cursor_with_a_message_not_a_400(caseworker, login,
                                                                                         make_user):
    """The case list no longer reads a page number; the audit log's ids and its cursor are checked by the list
    engine, which shows the list without what it cannot use."""
    assert caseworker.get(f"/saker?page={HUGE}").status_code == 200
    page = caseworker.get(f"/saker?etter=-saksnummer~2026~{HUGE}~1").get_data(as_text=True)
    assert "Lenken til neste eller forrige side er ugyldig" in page
    admin = login(make_user("admin"))
    page = admin.get(f"/admin/logg?sak={HUGE}&pasient=-1").get_data(as_text=True)
    assert "Sak (intern id) må være et helt tall" in page and "Pasient (intern id) må være et helt tall" in page


def test_the_api_answers_out_of_range_values_and_cursors_with_a_message_and_a_nul_with_400(app, make_user):
    from app.auth import services as account_services

    with app.app_context():
        user = db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    # The list engine shows the list without a value it cannot use and says so in `messages` (issue 16).
    for query in ({"year": HUGE}, {"etter": f"-mottatt~2026-01-01~-{HUGE}"}):
        response = api.get("/api/v1/abroad/applications", query_string=query, headers=headers)
        assert response.status_code == 200 and response.get_json()["messages"], query
    response = api.get("/api/v1/abroad/applications", query_string={"q": "\x00"}, headers=headers)
    assert response.status_code == 400 and response.get_json()["message"]
    posted = api.post("/api/v1/abroad/applications", json={"patient_name": "Kari\x00Nordmann"}, headers=headers)
    assert posted.status_code == 400 and "NUL-tegnet" in posted.get_json()["message"]


def test_a_nul_in_a_form_post_is_refused_and_saves_nothing(app, caseworker):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Case))
    response = caseworker.post("/utland/soknader/ny", data={
        "patient_name": "Kari\x00Nordmann", "birth_date": "17.05.1980", "home_region": "helse-sor-ost",
        "stream": "application", "received_on": "01.10.2026", "requested_treatment": "Behandling",
        "treatment_class": "established", "icd10": "C34.9"})
    assert response.status_code == 400 and "NUL-tegnet" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == before


@pytest.mark.parametrize("target", ["/saker\r\nSet-Cookie: x=1", "/\t/evil.example", "/\n/evil.example",
                                    "/saker\x7f"])
def test_a_control_character_in_next_is_never_followed(client, make_user, target):
    make_user("analyst", email="kari@test.example")
    response = client.post("/login", query_string={"next": target},
                           data={"email": "kari@test.example", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/saker\r\n", "/\t/evil.example", "/ok\x00", "\n//evil.example"])
def test_safe_next_url_refuses_control_characters(target):
    assert safe_next_url(target) is None
    assert safe_next_url("/saker?q=a b") == "/saker?q=a b"
