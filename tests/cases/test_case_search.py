"""Free-text search in the case list (/saker): case number, title and the patient's name as registered, through
the search index the database keeps (migration d4e9b1c7a2f3) on every path that writes a case; within the user's
scope only."""
from sqlalchemy import update

from app.cases.lists import CASE_SEARCH
from app.cases.models import Case, CaseKind
from app.extensions import db


def _listed(client, text: str) -> str:
    return client.get("/saker", query_string={"q": text}).get_data(as_text=True)


def test_the_case_list_finds_by_number_title_and_patient_within_scope(app, login, make_user, make_case):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    west = make_user("abroad_caseworker", office="helse-vest")
    mine = make_case(east, title="Søknad om protonterapi", name="Åse Ødegård")
    other = make_case(west, home_region="helse-vest", title="Søknad om protonterapi", name="Vilde Vestland")
    with app.app_context():
        number = db.session.get(Case, mine).number
        other_number = db.session.get(Case, other).number
    client = login(east)
    assert f"/saker/{mine}\"" in _listed(client, "ØDEGÅRD") and f"/saker/{other}\"" not in _listed(client, "vestland")
    assert f"/saker/{mine}\"" in _listed(client, number)
    assert f"/saker/{other}\"" not in _listed(client, other_number)
    both = _listed(client, "protonterapi")
    assert f"/saker/{mine}\"" in both and f"/saker/{other}\"" not in both
    assert "Ingen saker å vise." in _listed(client, "protonterapi laser")


def test_the_index_follows_a_case_written_on_any_path(app, make_user, make_case):
    """Written past the services, as a correction or an import would: the database keeps the index."""
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    case_id = make_case(east, kind=CaseKind.ABROAD_APPLICATION, name="Nora Nordlys", title="Søknad – Nora Nordlys")
    with app.app_context():
        assert list(db.session.scalars(CASE_SEARCH.ids("nordlys"))) == [case_id]
        db.session.execute(update(Case).where(Case.id == case_id).values(patient_name="Nora Solbakken",
                                                                          title="Søknad – Nora Solbakken"))
        assert list(db.session.scalars(CASE_SEARCH.ids("solbakken"))) == [case_id]
        assert list(db.session.scalars(CASE_SEARCH.ids("nordlys"))) == []
        db.session.rollback()
