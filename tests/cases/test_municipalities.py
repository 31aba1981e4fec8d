"""Home municipalities: the county and region that follow from the municipality number, the checks with their
bokmål messages, and the same rule repeated when a patient is registered."""
from datetime import date

import pytest

from app.auth.models import User
from app.cases import services
from app.cases.municipalities import (
    COUNTIES,
    county_of,
    municipality_number,
    normalise_municipality,
    validate_municipality,
)
from app.core.regions import REGIONS
from app.demo import synthetic_national_id
from app.errors import InvalidInput
from app.extensions import db


def test_the_fifteen_counties_of_2024_belong_to_the_four_regions():
    by_region = {region: sorted(number for number, county in COUNTIES.items() if county.region == region)
                 for region in REGIONS}
    assert by_region == {
        "helse-sor-ost": ["03", "31", "32", "33", "34", "39", "40", "42"],
        "helse-vest": ["11", "46"],
        "helse-midt-norge": ["15", "50"],
        "helse-nord": ["18", "55", "56"],
    }
    assert [county.name for county in COUNTIES.values()] == [
        "Oslo", "Rogaland", "Møre og Romsdal", "Nordland", "Østfold", "Akershus", "Buskerud", "Innlandet",
        "Vestfold", "Telemark", "Agder", "Vestland", "Trøndelag", "Troms", "Finnmark"]


@pytest.mark.parametrize(("value", "county", "region"), [
    ("0301 Oslo", "Oslo", "helse-sor-ost"),
    ("4601 Bergen", "Vestland", "helse-vest"),
    ("4601", "Vestland", "helse-vest"),
    ("1103 Stavanger", "Rogaland", "helse-vest"),
    ("1508 Ålesund", "Møre og Romsdal", "helse-midt-norge"),
    ("5001 Trondheim", "Trøndelag", "helse-midt-norge"),
    ("1804 Bodø", "Nordland", "helse-nord"),
    ("5501 Tromsø", "Troms", "helse-nord"),
    ("5601 Alta", "Finnmark", "helse-nord"),
    ("3101 Halden", "Østfold", "helse-sor-ost"),
    ("4204 Kristiansand", "Agder", "helse-sor-ost"),
])
def test_the_county_follows_from_the_first_two_digits(value, county, region):
    assert county_of(value).name == county and county_of(value).region == region
    assert validate_municipality(value) == county_of(value)


@pytest.mark.parametrize("value", [None, "", "Bergen", "Tromsø kommune", "9901 Ukjent", "5401 Tromsø", "301 Oslo"])
def test_free_text_and_numbers_outside_todays_counties_have_no_county(value):
    assert county_of(value) is None


def test_the_number_is_read_from_the_start_only():
    assert municipality_number(" 4601 Bergen") == "4601"
    assert municipality_number("46011") is None and municipality_number("Bergen 4601") is None
    assert normalise_municipality("  4601   Bergen ") == "4601 Bergen" and normalise_municipality(None) is None


@pytest.mark.parametrize("value", ["Bergen", "460", "46011", "4601Bergen", "Bergen 4601", "4601 1234", "  "])
def test_anything_but_a_number_optionally_followed_by_the_name_is_refused(value):
    with pytest.raises(InvalidInput) as refused:
        validate_municipality(value)
    assert str(refused.value) == "Skriv kommunenummeret (fire siffer), gjerne fulgt av navnet, f.eks. 4601 Bergen."
    assert refused.value.field == "municipality"


def test_a_number_outside_the_counties_is_refused_with_what_is_wrong():
    with pytest.raises(InvalidInput) as unknown:
        validate_municipality("9901")
    assert str(unknown.value) == "Kommunenummer 9901 finnes ikke: de to første sifrene må være et fylkesnummer."
    with pytest.raises(InvalidInput) as former:
        validate_municipality("5401 Tromsø")                     # Troms og Finnmark, 2020-2023
    assert str(former.value) == ("Kommunenummer 5401 er fra før fylkesendringen 1. januar 2024. Skriv dagens "
                                 "kommunenummer, f.eks. 4601 Bergen.")
    assert former.value.field == "municipality"


def test_the_home_region_must_be_the_countys():
    assert validate_municipality("5501 Tromsø", "helse-nord").name == "Troms"
    with pytest.raises(InvalidInput) as refused:
        validate_municipality("5501 Tromsø", "helse-sor-ost")
    assert str(refused.value) == ("Kommunenummer 5501 ligger i Troms, som hører til Helse Nord. Velg den "
                                  "hjemregionen, eller rett kommunenummeret.")
    assert refused.value.field == "home_region"


@pytest.fixture
def caseworker(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", "helse-sor-ost"))


def _register(actor, municipality, region="helse-vest"):
    return services.register_patient(national_id=synthetic_national_id(date(1980, 5, 17)), name="Kari Nordmann",
                                     birth_date=None, municipality=municipality, home_region=region, actor=actor)


def test_registering_a_patient_repeats_the_rule_for_a_municipality_number(caseworker):
    with pytest.raises(InvalidInput) as disagree:
        _register(caseworker, "4601 Bergen", region="helse-nord")
    assert disagree.value.field == "home_region"
    with pytest.raises(InvalidInput) as unknown:
        _register(caseworker, "9901")
    assert unknown.value.field == "municipality"

    patient = _register(caseworker, "  4601   Bergen ")
    assert patient.municipality == "4601 Bergen" and county_of(patient.municipality).name == "Vestland"


def test_a_free_text_municipality_from_before_the_number_is_kept_without_a_county(caseworker):
    patient = _register(caseworker, "Bergen")
    assert patient.municipality == "Bergen" and county_of(patient.municipality) is None
