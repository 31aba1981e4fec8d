"""Free-text search in the application list: case number, patient name, reference, ICD-10 code and treatment,
through the search index the database keeps (migration c81f0a3d5e27) on every path that writes an
application or its case; within the user's scope only."""
from datetime import date

import pytest
from sqlalchemy import update

from app.abroad import services
from app.abroad.lists import APPLICATION_SEARCH
from app.auth.models import User
from app.cases.models import Case
from app.extensions import db
from tests.factories import abroad_application


@pytest.fixture
def registered(app, make_user):
    """Two applications at Helse Sør-Øst and one at Helse Vest; returns the users and the case numbers."""
    east, west = make_user("abroad_caseworker", office="helse-sor-ost"), make_user("abroad_caseworker",
                                                                                   office="helse-vest")
    with app.app_context():
        numbers = {}
        for actor_id, name, region, reference, icd10, treatment in (
                (east, "Åse Ødegård", "helse-sor-ost", "LEG-100_A", "C34.9", "Protonterapi av lungesvulst"),
                (east, "Nora Nordlys", "helse-nord", "LEG-200", "O43.0", "Fetoskopisk laserbehandling"),
                (west, "Vilde Vestland", "helse-vest", "LEG-300", "C34.1", "Protonterapi av lungesvulst")):
            application = services.register_application(abroad_application(
                national_id=None, patient_name=name, birth_date=date(1970, 1, 1), municipality=None,
                home_region=region, reference=reference, icd10=icd10, requested_treatment=treatment),
                actor=db.session.get(User, actor_id))
            numbers[name] = db.session.get(Case, application.case_id).number
        db.session.commit()
    return east, west, numbers


def _found(client, text: str) -> set[str]:
    page = client.get("/utland/soknader", query_string={"q": text}).get_data(as_text=True)
    return {name for name in ("Åse Ødegård", "Nora Nordlys", "Vilde Vestland") if name in page}


@pytest.mark.parametrize(("text", "expected"), [
    ("ødegård", {"Åse Ødegård"}),            # a name, in any case, with Norwegian letters
    ("NORA nordlys", {"Nora Nordlys"}),       # every word must occur
    ("LEG-200", {"Nora Nordlys"}),            # the external reference
    ("100_a", {"Åse Ødegård"}),               # LIKE's wildcards are searched as themselves
    ("o43", {"Nora Nordlys"}),                # the ICD-10 code
    ("protonterapi", {"Åse Ødegård"}),        # the treatment (the Helse Vest application is out of scope)
    ("C3", {"Åse Ødegård"}),                  # a word shorter than the index's trigrams
    ("%", set()),
    ("laser lunge", set()),
])
def test_search_finds_by_every_field_within_the_users_scope(login, registered, text, expected):
    east, _west, _numbers = registered
    assert _found(login(east), text) == expected


def test_search_finds_a_case_number(login, registered):
    east, west, numbers = registered
    assert _found(login(east), numbers["Nora Nordlys"]) == {"Nora Nordlys"}
    assert _found(login(west), numbers["Nora Nordlys"]) == set()


def test_the_index_follows_a_change_of_the_case_or_the_application_on_any_path(app, registered):
    """Written past the services, as a correction or an import would: the database keeps the index."""
    with app.app_context():
        from app.abroad.models import Application
        application = db.session.scalar(db.select(Application).where(Application.reference == "LEG-200"))
        db.session.execute(update(Case).where(Case.id == application.case_id).values(patient_name="Nora Solbakken"))
        db.session.execute(update(Application).where(Application.id == application.id).values(
            requested_treatment="Kirurgi ved medfødt hjertefeil", reference="LEG-201"))
        assert set(db.session.scalars(APPLICATION_SEARCH.ids("solbakken hjertefeil leg-201"))) == {application.id}
        assert list(db.session.scalars(APPLICATION_SEARCH.ids("nordlys"))) == []
        assert list(db.session.scalars(APPLICATION_SEARCH.ids("fetoskopisk"))) == []
        db.session.delete(application)
        db.session.flush()
        assert list(db.session.scalars(APPLICATION_SEARCH.ids("solbakken"))) == []
        db.session.rollback()
