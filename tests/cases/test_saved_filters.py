"""Saved filters: the rules (name, uniqueness, what of the URL is kept) and the pages (save from a list,
see and open it there and on the dashboard, delete one's own, never someone else's)."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.cases import saved_filters
from app.cases.models import CaseKind, SavedFilter
from app.errors import InvalidInput
from app.extensions import db
from tests.audit import list_requests

CASE_LINK = re.compile(r'href="/saker/(\d+)"')


def _case_ids(html: str) -> list[int]:
    """The cases a list page shows, in its order."""
    return [int(case_id) for case_id in CASE_LINK.findall(html)]


def _filter_count(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SavedFilter).where(SavedFilter.user_id == user_id))


# ---------- the rules ----------

@pytest.fixture
def user(app, app_ctx, make_user):
    user = db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))
    with app.test_request_context():   # saved_filters() builds URLs
        yield user


def test_the_filter_keeps_search_filters_and_sort_in_order_but_not_the_page(user):
    saved = saved_filters.save_filter(
        user, endpoint="cases.list_all", name="  Mine   søknader ",
        query_string="q=S%C3%B8knad&type=abroad_application&type=method&status=&sort=tittel&page=3")
    assert saved.name == "Mine søknader"
    assert saved.query == "q=S%C3%B8knad&type=abroad_application&type=method&sort=tittel"

    keyset = saved_filters.save_filter(user, endpoint="abroad.applications", name="PGD",
                                       query_string="stream=pgd&etter=2025-01-02~17&foer=2025-03-01~30")
    assert keyset.query == "stream=pgd"


@pytest.mark.parametrize(("name", "message"), [
    ("", "Gi filteret et navn."),
    ("   ", "Gi filteret et navn."),
    ("x" * 81, "Navnet kan ha høyst 80 tegn."),
])
def test_a_name_is_required_and_at_most_80_characters(user, name, message):
    with pytest.raises(InvalidInput) as refused:
        saved_filters.save_filter(user, endpoint="cases.list_all", name=name, query_string="mine=1")
    assert (str(refused.value), refused.value.field) == (message, "name")


def test_a_name_of_exactly_80_characters_is_kept(user):
    assert saved_filters.save_filter(user, endpoint="cases.list_all", name="x" * 80, query_string="").name == "x" * 80


def test_names_are_unique_per_user_and_list_whatever_the_case(user, make_user):
    saved_filters.save_filter(user, endpoint="cases.list_all", name="Åpne saker", query_string="status=B")
    with pytest.raises(InvalidInput) as refused:
        saved_filters.save_filter(user, endpoint="cases.list_all", name="åpne SAKER", query_string="status=R")
    assert refused.value.field == "name"
    assert str(refused.value) == ("Du har allerede et filter som heter «åpne SAKER» på denne listen. "
                                  "Velg et annet navn.")

    # The same name on another list, or another user's, is fine.
    saved_filters.save_filter(user, endpoint="abroad.applications", name="Åpne saker", query_string="status=open")
    colleague = db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))
    saved_filters.save_filter(colleague, endpoint="cases.list_all", name="Åpne saker", query_string="status=B")
    assert [saved.list_name for saved in saved_filters.saved_filters(user)] == ["Saker", "Søknader og henvisninger"]


def test_only_the_lists_with_saved_filters_take_one(user):
    for endpoint in ("cases.detail", "admin.audit_log", "nowhere"):
        with pytest.raises(InvalidInput, match="Filtre kan ikke lagres for denne siden."):
            saved_filters.save_filter(user, endpoint=endpoint, name="Feil", query_string="")
    with pytest.raises(InvalidInput, match="for langt"):
        saved_filters.save_filter(user, endpoint="cases.list_all", name="Langt", query_string="q=" + "a" * 2000)


def test_a_saved_filter_is_a_link_to_the_list_and_only_its_owner_finds_it(user, make_user):
    saved = saved_filters.save_filter(user, endpoint="panel.index", name="Over fristen", query_string="overdue=y")
    plain = saved_filters.save_filter(user, endpoint="methods.index", name="Alle metoder", query_string="")
    links = {link.name: link for link in saved_filters.saved_filters(user)}
    assert links["Over fristen"].url == "/ekspertpanelet/?overdue=y"
    assert links["Over fristen"].link == "http://localhost/ekspertpanelet/?overdue=y"
    assert links["Alle metoder"].url == "/metoder/"
    assert [link.name for link in saved_filters.saved_filters(user, "panel.index")] == ["Over fristen"]

    colleague = db.session.get(User, make_user("panel_secretariat"))
    assert saved_filters.own_filter(user, saved.id) is saved
    assert saved_filters.own_filter(colleague, saved.id) is None
    assert saved_filters.saved_filters(colleague) == []
    saved_filters.delete_filter(plain)
    db.session.flush()
    assert [link.name for link in saved_filters.saved_filters(user)] == ["Over fristen"]


# ---------- the pages ----------

def _save(client, name: str, endpoint: str, query: str):
    return client.post("/filtre", data={"lagre-name": name, "lagre-list_endpoint": endpoint,
                                        "lagre-list_query": query})


def test_a_saved_filter_reopens_the_identical_list(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    for number in range(4):
        make_case(user, title=f"Søknad {number} – Kari Nordmann")
    make_case(user, kind=CaseKind.ABROAD_APPEAL, title="Klage – Kari Nordmann")
    client = login(user)
    query = "q=S%C3%B8knad&type=abroad_application&sort=tittel&mine=1"
    shown = _case_ids(client.get(f"/saker?{query}").get_data(as_text=True))
    assert len(shown) == 4

    saved = _save(client, "Søknadene mine", "cases.list_all", query + "&page=1")
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/saker?{query}"

    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Filteret «Søknadene mine» er lagret." in page
    link = re.search(r'<a href="([^"]+)" class="saved-filter-name">Søknadene mine</a>', page).group(1)
    assert f'value="http://localhost/saker?{query.replace("&", "&amp;")}"' in page   # the link to share
    reopened = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert _case_ids(reopened) == shown

    dashboard = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/saker\?[^"]+" class="saved-filter-name">Søknadene mine</a> '
                     r'<span class="muted">Saker</span>', dashboard)
    # Opening a saved filter is a list view like any other: its request names the cases with a patient.
    with app.app_context():
        opened = list_requests(user, "case_list")
    assert opened[-1] == ("case_list", sorted(shown))


@pytest.mark.parametrize(("path", "endpoint", "role"), [
    ("/utland/soknader", "abroad.applications", "abroad_caseworker"),
    ("/utland/klager", "abroad.appeals", "abroad_caseworker"),
    ("/metoder/", "methods.index", "methods_secretariat"),
    ("/ekspertpanelet/", "panel.index", "panel_secretariat"),
    ("/saker", "cases.list_all", "panel_secretariat"),
])
def test_every_list_offers_to_save_its_filter_and_shows_the_saved_ones(login, make_user, path, endpoint, role):
    client = login(make_user(role))
    page = client.get(f"{path}?status=x&page=2").get_data(as_text=True)
    assert 'action="/filtre"' in page
    assert f'name="lagre-list_endpoint" type="hidden" value="{endpoint}"' in page
    assert 'name="lagre-list_query" type="hidden" value="status=x&amp;page=2"' in page
    assert "Du har ingen lagrede filtre for denne listen." in page

    saved = _save(client, "Mitt filter", endpoint, "status=x&page=2")
    assert urlsplit(saved.headers["Location"]).path == path
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert f'<a href="{path}?status=x" class="saved-filter-name">Mitt filter</a>' in page


def test_an_invalid_name_is_shown_by_the_field_and_nothing_is_saved(app, login, make_user):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    client = login(user)
    assert _save(client, "Åpne", "cases.list_all", "status=B").status_code == 302

    for name, message in [("", "Gi filteret et navn."), ("x" * 81, "Navnet kan ha høyst 80 tegn."),
                          ("åpne", "Du har allerede et filter som heter «åpne» på denne listen. Velg et annet navn.")]:
        response = _save(client, name, "cases.list_all", "status=R&sort=tittel")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<h1>Lagre filter</h1>" in html
        assert f'<a href="#lagre-name">Navn på filteret: {message}</a>' in html      # the error summary
        assert re.search(rf'<p class="field-error" id="lagre-name-error">.*{re.escape(message)}</p>', html)
        assert 'aria-invalid="true"' in html and 'aria-describedby="lagre-name-count lagre-name-error"' in html
        assert 'name="lagre-list_query" type="hidden" value="status=R&amp;sort=tittel"' in html   # kept
        assert 'href="/saker?status=R&amp;sort=tittel" class="button button-secondary">Avbryt' in html
    assert _filter_count(app, user) == 1


def test_a_forged_list_is_refused(app, login, make_user):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    response = _save(login(user), "Logg", "admin.audit_log", "")
    assert "Filtre kan ikke lagres for denne siden." in response.get_data(as_text=True)
    assert _filter_count(app, user) == 0


def test_users_delete_their_own_filters_and_no_one_elses(app, login, make_user):
    owner, other = make_user("panel_secretariat"), make_user("panel_secretariat")
    owner_client = login(owner)
    _save(owner_client, "Over fristen", "panel.index", "overdue=y")
    with app.app_context():
        filter_id = db.session.scalar(select(SavedFilter.id).where(SavedFilter.user_id == owner))

    assert login(other).post(f"/filtre/{filter_id}/slett").status_code == 404
    assert _filter_count(app, owner) == 1

    deleted = owner_client.post(f"/filtre/{filter_id}/slett", data={"next": "/ekspertpanelet/?overdue=y"})
    assert deleted.headers["Location"] == "/ekspertpanelet/?overdue=y"
    assert _filter_count(app, owner) == 0
    assert "Filteret «Over fristen» er slettet." in owner_client.get(deleted.headers["Location"]).get_data(
        as_text=True)
    assert owner_client.post(f"/filtre/{filter_id}/slett").status_code == 404


def test_delete_goes_back_to_the_list_and_never_off_site(app, login, make_user):
    owner = make_user("methods_secretariat")
    client = login(owner)
    _save(client, "Alle", "methods.index", "")
    with app.app_context():
        filter_id = db.session.scalar(select(SavedFilter.id).where(SavedFilter.user_id == owner))
    response = client.post(f"/filtre/{filter_id}/slett", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/metoder/"
