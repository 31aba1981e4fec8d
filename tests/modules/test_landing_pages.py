"""Each domain module has a landing page listing its cases within the user's scope."""
import pytest

from app.cases.models import CaseKind


@pytest.mark.parametrize(("url", "role", "office", "status"), [
    ("/utland/", "abroad_caseworker", "helse-vest", 200),
    ("/utland/", "panel_secretariat", None, 403),
    ("/ekspertpanelet/", "panel_secretariat", None, 200),
    ("/ekspertpanelet/", "panel_member", None, 200),
    ("/ekspertpanelet/", "abroad_caseworker", "helse-vest", 403),
    ("/metoder/", "bestillerforum", None, 200),
    ("/metoder/", "abroad_caseworker", "helse-vest", 200),
    ("/metoder/", "analyst", None, 403),
])
def test_landing_page_access(login, make_user, url, role, office, status):
    assert login(make_user(role, office)).get(url).status_code == status


def test_abroad_landing_lists_only_the_offices_own_cases(login, make_user, make_case):
    vest = make_user("abroad_caseworker", "helse-vest")
    own = make_case(vest, home_region="helse-vest", title="Søknad – Vigdis", name="Vigdis")
    other = make_case(make_user("abroad_caseworker", "helse-sor-ost"), home_region="helse-nord",
                      title="Søknad – Nils", name="Nils")
    page = login(vest).get("/utland/").get_data(as_text=True)
    assert f"/saker/{own}" in page and f"/saker/{other}" not in page
    assert "Registrer ny sak" in page


def test_methods_landing_shows_method_cases(login, make_user, make_case):
    secretary = make_user("methods_secretariat")
    make_case(secretary, kind=CaseKind.METHOD, title="ID2025_102 Endoskopisk ryggkirurgisk prosedyre")
    page = login(secretary).get("/metoder/").get_data(as_text=True)
    assert "ID2025_102 Endoskopisk ryggkirurgisk prosedyre" in page
