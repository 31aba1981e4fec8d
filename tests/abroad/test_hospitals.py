"""The register of foreign hospitals (S3 § 3.3, § 4.1): the plan (service, page, API) takes a hospital of the
register only; the import maps names through it, and a name it does not know becomes a hospital whose mapping
waits for review; the office reviews, moves and merges; «andre» in the annual report is counted per hospital, not
per spelling."""
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app import create_app
from app.abroad import hospitals, services
from app.abroad.hospitals import HospitalDetails, normalise
from app.abroad.importing import run_import
from app.abroad.models import Application, Decision, ForeignHospital, HospitalName, Stream
from app.abroad.statistics import OTHER, granted_places
from app.auth import services as account_services
from app.auth.models import User
from app.errors import InvalidInput
from app.extensions import db
from config import BASE_DIR, TestConfig
from tests.abroad.fixtures.import_files import application_row, to_csv
from tests.factories import abroad_application, abroad_decision, abroad_plan

TODAY = date(2026, 11, 20)


def _hospital(name: str) -> ForeignHospital:
    return db.session.scalar(select(ForeignHospital).where(ForeignHospital.name == name))


def test_a_name_is_matched_whatever_its_case_accents_punctuation_and_spacing():
    assert normalise("Rigshospitalet, København") == normalise(" rigshospitalet   KØBENHAVN ") == \
        "rigshospitalet københavn"
    assert normalise("Hôpital Necker-Enfants malades") == "hopital necker enfants malades"
    assert normalise("Sahlgrenska Universitetssjukhuset, Göteborg") == "sahlgrenska universitetssjukhuset göteborg"


@pytest.fixture
def granted(application, caseworker):
    services.decide(application, abroad_decision(Decision.GRANTED, decided_on=date(2026, 9, 20)),
                    actor=caseworker, letter=b"%PDF-1.7 vedtak", today=TODAY)
    return application


def test_the_plan_takes_a_hospital_of_the_register_only(granted, caseworker):
    with pytest.raises(InvalidInput) as unknown:
        services.plan_treatment(granted, abroad_plan(hospital="Klinik Fantasia", country="DE"), expected_version=None,
                                actor=caseworker)
    assert unknown.value.field == "hospital" and "finnes ikke i sykehusregisteret" in str(unknown.value)
    with pytest.raises(InvalidInput) as elsewhere:
        services.plan_treatment(granted, abroad_plan(hospital="Rigshospitalet", country="SE"), expected_version=None,
                                actor=caseworker)
    assert elsewhere.value.field == "country"

    services.plan_treatment(granted, abroad_plan(hospital="rigshospitalet", country="DK"), expected_version=None,
                            actor=caseworker)
    assert (granted.hospital, granted.hospital_id) == ("Rigshospitalet", _hospital("Rigshospitalet").id)


def test_the_api_refuses_a_hospital_outside_the_register(app, make_user):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        application = services.register_application(abroad_application(), actor=user, today=TODAY)
        services.decide(application, abroad_decision(Decision.GRANTED, decided_on=date(2026, 9, 20)), actor=user,
                        letter=b"%PDF-1.7 vedtak", today=TODAY)
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        case_id, version = application.case_id, application.version
    response = app.test_client().put(f"/api/v1/abroad/applications/{case_id}/treatment-plan",
                                     headers={"Authorization": f"Bearer {secret}"},
                                     json={"hospital": "Klinik Fantasia", "country": "DE", "version": version})
    assert response.status_code == 422 and "hospital" in response.get_json()["errors"]


def _import(rows, actor):
    result = run_import("applications", to_csv(rows), "import.csv", actor=actor, today=TODAY)
    assert result.ok, result.errors
    return result


def _granted_rows(spellings: list[str], start: int = 1) -> list[dict]:
    return [application_row(start + index, decision="granted", decision_date="2020-06-01",
                            received_date="2020-05-02", country="DK", hospital=spelling, stream="application")
            for index, spelling in enumerate(spellings)]


def test_the_import_maps_names_through_the_register_and_the_office_reviews_the_new_ones(caseworker):
    _import(_granted_rows(["Rigshospitalet", "RIGSHOSPITALET", "Klinik Fantasia", "Rigshospitalet, København"]),
            caseworker)

    rigs = _hospital("Rigshospitalet")
    ids = dict(db.session.execute(select(Application.hospital, Application.hospital_id)).all())
    assert ids["Rigshospitalet"] == ids["RIGSHOSPITALET"] == rigs.id
    new = db.session.get(ForeignHospital, ids["Klinik Fantasia"])
    assert (new.name, new.country) == ("Klinik Fantasia", "DK")
    variant = db.session.scalar(select(HospitalName).where(HospitalName.spelling == "Rigshospitalet, København"))
    assert variant.reviewed_at is None and variant.hospital.id != rigs.id
    assert [row.name for row in hospitals.register_rows()][:2] == ["Klinik Fantasia", "Rigshospitalet, København"]

    hospitals.review_name(variant, rigs, actor=caseworker)   # the spelling is Rigshospitalet: moved there
    assert variant.reviewed_at is not None
    assert db.session.scalar(select(Application.hospital_id).where(
        Application.hospital == "Rigshospitalet, København")) == rigs.id
    assert _hospital("Rigshospitalet, København") is None     # left unnamed, the second row is removed


def test_merging_two_rows_of_one_hospital_moves_every_plan(caseworker):
    _import(_granted_rows(["Klinik Fantasia", "Fantasia Klinik"]), caseworker)
    first, second = _hospital("Klinik Fantasia"), _hospital("Fantasia Klinik")
    with pytest.raises(InvalidInput):
        hospitals.merge(first, first, actor=caseworker)
    hospitals.merge(second, first, actor=caseworker)
    assert set(db.session.scalars(select(Application.hospital_id))) == {first.id}
    assert {name.spelling for name in first.names} == {"Klinik Fantasia", "Fantasia Klinik"}


def test_andre_in_the_annual_report_is_counted_per_hospital_not_per_spelling(caseworker):
    # Five grants at Rigshospitalet, spelt four ways, and two at a small hospital spelt two ways.
    _import(_granted_rows(["Rigshospitalet", "rigshospitalet", "RIGSHOSPITALET", "Rigshospitalet, København",
                           "Rigshospitalet, København", "Klinik Fantasia", "Fantasia Klinik"]), caseworker)
    places = granted_places(2020, None)
    assert places["granted_by_hospital"] == {OTHER: 7} and places["other_hospital_count"] == 4

    hospitals.review_name(db.session.scalar(select(HospitalName).where(
        HospitalName.spelling == "Rigshospitalet, København")), _hospital("Rigshospitalet"), actor=caseworker)
    hospitals.merge(_hospital("Fantasia Klinik"), _hospital("Klinik Fantasia"), actor=caseworker)
    places = granted_places(2020, None)
    assert places["granted_by_hospital"] == {"Rigshospitalet": 5, OTHER: 2}
    assert places["other_hospital_count"] == 1 and places["other_hospital_countries"] == ["DK"]


def test_the_register_page_adds_a_hospital_and_reviews_a_spelling(app, make_user, login):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        _import(_granted_rows(["Klinik Fantasia"]), db.session.get(User, user_id))
        db.session.commit()
        name_id = db.session.scalar(select(HospitalName.id).where(HospitalName.spelling == "Klinik Fantasia"))
        karolinska = _hospital("Karolinska Universitetssjukhuset").id
    client = login(user_id)
    page = client.get("/utland/sykehus")
    assert page.status_code == 200 and "«Klinik Fantasia»" in page.get_data(as_text=True)
    refused = client.post("/utland/sykehus", data={"name": "rigshospitalet", "country": "DK"})
    assert refused.status_code == 200 and "er allerede en skrivemåte for Rigshospitalet" in refused.get_data(
        as_text=True)
    added = client.post("/utland/sykehus", data={"name": "Hôpital Necker", "country": "FR", "city": "Paris",
                                                 "agreements": "Rammeavtale om oppgjør 2026"})
    assert added.status_code == 302
    assert client.post(f"/utland/sykehus/navn/{name_id}", data={"hospital": str(karolinska)}).status_code == 302
    with app.app_context():
        assert db.session.get(HospitalName, name_id).hospital_id == karolinska
        assert (_hospital("Hôpital Necker").country, _hospital("Hôpital Necker").city) == ("FR", "Paris")


def test_a_hospital_is_added_once_under_one_name(caseworker):
    hospitals.add_hospital(HospitalDetails(name="Hôpital Necker", country="FR"), actor=caseworker)
    with pytest.raises(InvalidInput):
        hospitals.add_hospital(HospitalDetails(name="Hopital Necker", country="FR"), actor=caseworker)
    with pytest.raises(InvalidInput) as country:
        hospitals.add_hospital(HospitalDetails(name="Annet sykehus", country="XX"), actor=caseworker)
    assert country.value.field == "country"


def test_the_data_migrations_map_existing_names_and_pgd_approvals(scratch_database, tmp_path):
    """The register's and PGD's data migrations on the demo data: every named hospital mapped, the seeded
    hospitals reused; PGD decided up to 30.6.2020 is PGD-nemnda's, a later one flagged for its body."""
    class OldConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = scratch_database("hospital_migration")
        DOCUMENT_DIR = str(tmp_path / "documents")

    old_app = create_app(OldConfig)
    directory = str(BASE_DIR / "migrations")
    with old_app.app_context():
        upgrade(directory=directory)
        assert old_app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
        db.session.remove()
        downgrade(directory=directory, revision="b7d2e4f6a8c1")   # before PGD's body and the register
        upgrade(directory=directory)
        unmapped = db.session.scalar(select(func.count()).select_from(Application).where(
            Application.hospital.is_not(None), Application.hospital_id.is_(None)))
        assert unmapped == 0
        skandion = _hospital("Skandionkliniken")
        assert skandion.country == "SE" and db.session.scalar(select(func.count()).select_from(Application).where(
            Application.hospital_id == skandion.id)) > 0
        pgd = db.session.execute(select(Application.decided_on, Application.approving_body, Application.flag)
                                 .where(Application.stream == Stream.PGD,
                                        Application.decision.in_([Decision.GRANTED, Decision.DENIED]))).all()
        assert pgd and all((body is not None) is (decided <= date(2020, 6, 30)) for decided, body, _flag in pgd)
        assert all(flag for decided, body, flag in pgd if body is None)
        db.session.remove()
        db.engine.dispose()
