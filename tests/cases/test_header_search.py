"""The header search (/sok): each kind of text finds its own kind of hit, within the user's scope only; a national
ID is a logged look-up of that person, and a person outside the scope answers exactly as one not on file."""
from datetime import date

from sqlalchemy import select

from app.abroad import services as abroad_services
from app.auth.models import User
from app.cases.models import Case, JournalEntryType
from app.cases.services import add_journal_entry
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.extensions import db
from tests.audit import list_requests
from tests.factories import abroad_application

EAST_PATIENT = synthetic_national_id(date(1980, 5, 17), 101)
WEST_PATIENT = synthetic_national_id(date(1975, 2, 3), 102)
UNKNOWN = synthetic_national_id(date(1990, 7, 9), 103)


def _search(client, text: str) -> str:
    response = client.get("/sok", query_string={"q": text})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def _lookups(user_id: int) -> list[tuple[int | None, dict]]:
    return [(event.patient_id, event.changes) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.user_id == user_id, AuditEvent.action == AuditAction.LOOKUP)
        .order_by(AuditEvent.id))]


def test_a_national_id_finds_the_patients_cases_and_is_logged_as_a_look_up(app, login, make_user, make_case):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    west = make_user("abroad_caseworker", office="helse-vest")
    mine = make_case(east, name="Åse Ødegård", national_id=EAST_PATIENT)
    theirs = make_case(west, home_region="helse-vest", name="Vilde Vestland", national_id=WEST_PATIENT)
    client = login(east)

    found = _search(client, EAST_PATIENT[:6] + " " + EAST_PATIENT[6:])
    assert "Fødselsnummer" in found and f"/soknader/{mine}\"" in found
    outside = _search(client, WEST_PATIENT)
    unknown = _search(client, UNKNOWN)
    assert f"/soknader/{theirs}\"" not in outside
    # No existence oracle: the person on file at another office answers as one who is not on file.
    assert _main(outside).replace(WEST_PATIENT, "X") == _main(unknown).replace(UNKNOWN, "X")
    assert "Ingen treff" in unknown

    with app.app_context():
        patients = {db.session.get(Case, case_id).patient_id: case_id for case_id in (mine, theirs)}
        east_patient, west_patient = list(patients)
        assert _lookups(east) == [
            (east_patient, {"purpose": "søk", "in_scope": True}),
            (west_patient, {"purpose": "søk", "in_scope": False}),
            (None, {"purpose": "søk", "found": False}),
        ]
        # The page's hits are logged as a list: only the case it showed.
        assert [cases for _, cases in list_requests(east, "søk")] == [[mine]]


def test_the_case_list_finds_a_patient_by_national_id(app, login, make_user, make_case):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    mine = make_case(east, name="Åse Ødegård", national_id=EAST_PATIENT)
    other = make_case(east, name="Per Persen", national_id=UNKNOWN)
    page = login(east).get("/saker", query_string={"q": EAST_PATIENT}).get_data(as_text=True)
    assert f"/saker/{mine}\"" in page and f"/saker/{other}\"" not in page
    with app.app_context():
        assert [changes for _, changes in _lookups(east)][-1] == {"purpose": "søk", "in_scope": True}


def test_case_number_registration_number_and_name(app, login, make_user, make_case):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    west = make_user("abroad_caseworker", office="helse-vest")
    mine = make_case(east, name="Åse Ødegård", title="Søknad – Åse Ødegård")
    theirs = make_case(west, home_region="helse-vest", name="Åse Vestby", title="Søknad – Åse Vestby")
    with app.app_context():
        number, other_number = (db.session.get(Case, case_id).number for case_id in (mine, theirs))
    client = login(east)
    by_number = _search(client, number)
    assert "Saksnummer" in by_number and f"/soknader/{mine}\"" in by_number
    assert "Ingen treff" in _search(client, other_number)
    by_name = _search(client, "ødegård")
    assert f"/soknader/{mine}\"" in by_name
    assert f"/soknader/{theirs}\"" not in _search(client, "åse")
    with app.app_context():
        entry = add_journal_entry(db.session.get(Case, mine), entry_type=JournalEntryType.NOTE,
                                  title="Notat om søknaden", actor=db.session.get(User, east))
        registration = entry.registration_number
        db.session.commit()
    by_registration = _search(client, registration)
    assert "Journalpost" in by_registration and "Notat om søknaden" in by_registration
    assert f"/saker/{mine}#journal" in by_registration


def test_diagnosis_treatment_and_reference_find_applications_of_the_office(app, login, make_user):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    west = make_user("abroad_caseworker", office="helse-vest")
    with app.app_context():
        application = abroad_services.register_application(
            abroad_application(reference="GS-2026-77"), actor=db.session.get(User, east), today=date(2026, 11, 20))
        case_id = application.case_id
        db.session.commit()
    client = login(east)
    for text in ("O43.0", "laserbehandling", "gs-2026-77"):
        page = _search(client, text)
        assert f"/soknader/{case_id}\"" in page, text
        assert "Søknader om behandling i utlandet" in page
    assert f"/soknader/{case_id}\"" not in _search(login(west), "laserbehandling")


def test_a_method_id_finds_the_method(app, login, make_user, method_with_outcome):
    with app.app_context():
        method_with_outcome(None, reference="ID2024_090")
        db.session.commit()
    page = _search(login(make_user("methods_secretariat")), "id2024_090")
    assert "Metode-ID" in page and "/metoder/ID2024_090\"" in page


def test_an_invalid_national_id_is_told_and_nothing_is_looked_up(app, login, make_user):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    page = _search(login(east), "12345678901")
    assert "ikke et gyldig fødselsnummer" in page
    with app.app_context():
        assert _lookups(east) == []


def test_the_header_has_the_search_box_for_signed_in_users(login, make_user, client):
    page = login(make_user("analyst")).get("/").get_data(as_text=True)
    assert 'role="search"' in page and 'for="header-search-q"' in page
    assert 'role="search"' not in client.get("/login").get_data(as_text=True)
    assert "Ingen treff" in _search(login(make_user("analyst")), "Kari")


def test_a_case_number_finds_that_case_only(app, login, make_user):
    east = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        actor = db.session.get(User, east)
        ids = [abroad_services.register_application(abroad_application(
            national_id=synthetic_national_id(date(1980, 1, day), 130), reference=f"R-{day}"), actor=actor,
            today=date(2026, 11, 20)).case_id for day in range(1, 12)]
        numbers = {case_id: db.session.get(Case, case_id).number for case_id in ids}
        db.session.commit()
    first = ids[0]   # e.g. 2026/1, which 2026/10 and 2026/11 contain as text
    page = _search(login(east), numbers[first])
    assert [case_id for case_id in ids if f"/soknader/{case_id}\"" in page] == [first]


def test_an_over_long_search_is_told_not_cut(login, make_user):
    page = _search(login(make_user("abroad_caseworker")), "x" * 201)
    assert "Søket kan være høyst 200 tegn." in page and "maxlength" not in page
