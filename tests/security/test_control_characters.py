"""A NUL or another control character in a query, a form or a JSON body is a 400 on every path, before a view
or the database sees it (PostgreSQL refuses NUL in text and answered 500)."""
import pytest

from app.cases.models import SavedFilter
from app.extensions import db


@pytest.fixture
def secretariat(login, make_user):
    return login(make_user("methods_secretariat"))


@pytest.mark.parametrize("value", ["\x00", "ID2024\x00_090", "a\x07b", "\x1b[31m"])
def test_a_control_character_in_a_query_is_a_400(secretariat, value):
    response = secretariat.get("/metoder/", query_string={"q": value})
    assert response.status_code == 400
    assert "ugyldig tegn" in response.get_data(as_text=True)


def test_a_nul_in_a_form_is_a_400_and_nothing_is_saved(app, secretariat):
    response = secretariat.post("/filtre", data={"name": "\x00", "endpoint": "cases.list_all", "query": ""})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.query(SavedFilter).count() == 0


def test_a_nul_in_a_json_body_or_a_repeated_parameter_is_a_400(client, secretariat):
    posted = client.post("/api/v1/abroad/applications", json={"patient_name": ["Kari", "\x00"]})
    assert posted.status_code == 400 and "ugyldig tegn" in posted.get_json()["message"]
    response = secretariat.get("/metoder/?q=robot&q=%00")
    assert response.status_code == 400


def test_tabs_line_breaks_and_norwegian_letters_are_text(secretariat):
    assert secretariat.get("/metoder/", query_string={"q": "blåbær\tøl\r\nÆ"}).status_code == 200
