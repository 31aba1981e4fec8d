"""Each domain module has a landing page listing its cases within the user's scope."""
from datetime import date

import pytest

from app.auth.models import User
from app.extensions import db
from app.methods.services import register_method
from tests.factories import new_method


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


def test_methods_landing_lists_the_methods(app, login, make_user):
    secretary = make_user("methods_secretariat")
    with app.app_context():
        register_method(new_method("Endoskopisk ryggkirurgisk prosedyre", date(2025, 3, 3), reference="ID2025_102"),
                        actor=db.session.get(User, secretary))
        db.session.commit()
    page = login(secretary).get("/metoder/").get_data(as_text=True)
    assert "ID2025_102" in page and "Endoskopisk ryggkirurgisk prosedyre" in page and "Forslag mottatt" in page
