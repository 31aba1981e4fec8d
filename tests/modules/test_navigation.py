"""The main menu (built from the modules' registrations): each role sees its links in a fixed order, every
link it is shown opens for it and marks itself as the current page, and no link leads to a page that
refuses the role."""
import re

import pytest

from app.core.roles import Role

MENU = {
    Role.ADMIN: ["Oversikt", "Saker", "Nye Metoder", "Brukere", "Logg", "Innsyn i logg", "Datakvalitet", "Arkiv"],
    Role.METHODS_SECRETARIAT: ["Oversikt", "Saker", "Arbeidskø", "Nye Metoder", "Rapporter"],
    Role.BESTILLERFORUM: ["Oversikt", "Saker", "Nye Metoder"],
    Role.PANEL_SECRETARIAT: ["Oversikt", "Saker", "Arbeidskø", "Nye Metoder", "Ekspertpanelet", "Rapporter"],
    Role.PANEL_MEMBER: ["Oversikt", "Saker", "Nye Metoder", "Ekspertpanelet"],
    Role.ABROAD_CASEWORKER: ["Oversikt", "Saker", "Nye Metoder", "Behandling i utlandet", "Rapporter"],
    Role.ANALYST: ["Oversikt", "Rapporter"],
}


def _menu(html: str) -> list[tuple[str, str, bool]]:
    """(href, label, marked as the current page) of each link in the main menu."""
    nav = re.search(r'<nav aria-label="Hovedmeny">(.*?)</nav>', html, re.S)
    assert nav, "no main menu on the page"
    return [(href, label, "aria-current" in attributes)
            for href, attributes, label in re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav.group(1))]


def test_every_role_has_its_menu():
    assert set(MENU) == set(Role)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_sees_its_links_in_order(login, make_user, role):
    page = login(make_user(role)).get("/").get_data(as_text=True)
    assert [label for _href, label, _current in _menu(page)] == MENU[role]


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_link_shown_opens_for_the_role_and_is_marked_current_there(login, make_user, role):
    client = login(make_user(role))
    links = _menu(client.get("/").get_data(as_text=True))
    for href, label, _current in links:
        response = client.get(href)
        assert response.status_code == 200, f"{role.value} is shown «{label}» ({href}) but gets {response.status_code}"
        current = [text for _href, text, marked in _menu(response.get_data(as_text=True)) if marked]
        assert current == [label], f"{href} marks {current} as the current page"
