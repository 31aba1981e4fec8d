"""Home municipalities: the county and health region that follow from a municipality number.

A patient's home municipality is written as its four-digit municipality number (kommunenummer), optionally
followed by the name: "4601 Bergen" or "4601". The first two digits are the county number, and the county
gives the regional health authority. Only the county part is checked: there is no offline list of the
municipalities to check the last two digits or the name against, so "4699 Bergen" passes as Vestland.

The counties are those of 1 January 2024. Numbers of counties that no longer exist (Viken 30, Vestfold og
Telemark 38, Troms og Finnmark 54, and the counties from before 2020) are refused with a hint to use today's
number; values stored before the number was required (free text such as "Bergen") stay as they are and count
as "county unknown" in the statistics.

The region of a county is the usual mapping of whole counties to the four regional health authorities. Hospital
catchment areas do not always follow county borders (patients in parts of Nordfjord and Kinn may be served
towards Sunnmøre, and a few border municipalities by a trust in the neighbouring region by agreement); that is
not modelled here: a county belongs to one region, and the patient's home region must be that region.
"""
import re
from dataclasses import dataclass

from app.core.regions import REGIONS
from app.errors import InvalidInput

FORMAT_MESSAGE = "Skriv kommunenummeret (fire siffer), gjerne fulgt av navnet, f.eks. 4601 Bergen."


@dataclass(frozen=True)
class County:
    number: str          # "46"
    name: str            # "Vestland"
    region: str          # a key of app.core.regions.REGIONS


COUNTIES: dict[str, County] = {county.number: county for county in (
    County("03", "Oslo", "helse-sor-ost"),
    County("11", "Rogaland", "helse-vest"),
    County("15", "Møre og Romsdal", "helse-midt-norge"),
    County("18", "Nordland", "helse-nord"),
    County("31", "Østfold", "helse-sor-ost"),
    County("32", "Akershus", "helse-sor-ost"),
    County("33", "Buskerud", "helse-sor-ost"),
    County("34", "Innlandet", "helse-sor-ost"),
    County("39", "Vestfold", "helse-sor-ost"),
    County("40", "Telemark", "helse-sor-ost"),
    County("42", "Agder", "helse-sor-ost"),
    County("46", "Vestland", "helse-vest"),
    County("50", "Trøndelag", "helse-midt-norge"),
    County("55", "Troms", "helse-nord"),
    County("56", "Finnmark", "helse-nord"),
)}

# County numbers in use before 1 January 2024 that no longer exist (the 2018, 2020 and 2024 reforms).
FORMER_COUNTY_NUMBERS = frozenset({"01", "02", "04", "05", "06", "07", "08", "09", "10", "12", "14", "16", "17",
                                   "19", "20", "30", "38", "54"})

_NUMBER = re.compile(r"(\d{4})(?:\s+(\D.*))?")


def municipality_number(value: str | None) -> str | None:
    """The four-digit number a home municipality starts with ("4601 Bergen" -> "4601"), or None for
    free text without one (values stored before the number was required)."""
    match = re.match(r"\s*(\d{4})(?!\d)", value or "")
    return match.group(1) if match else None


def county_of(value: str | None) -> County | None:
    """The county of a home municipality ("4601 Bergen" -> Vestland), or None when the value has no
    municipality number or its first two digits are not a county of today."""
    number = municipality_number(value)
    return COUNTIES.get(number[:2]) if number else None


def normalise_municipality(value: str | None) -> str | None:
    """Surrounding and repeated spaces removed ("  4601   Bergen " -> "4601 Bergen"); None stays None."""
    return " ".join(value.split()) if value is not None else None


def validate_municipality(value: str, home_region: str | None = None) -> County:
    """Check a home municipality as entered ("4601 Bergen" or "4601") and return its county.

    With `home_region`, the county must belong to that region. Raises InvalidInput with the message to show
    by the field (`field` is "municipality", or "home_region" when the two disagree).
    """
    match = _NUMBER.fullmatch(normalise_municipality(value) or "")
    if not match:
        raise InvalidInput(FORMAT_MESSAGE, field="municipality")
    number = match.group(1)
    county = COUNTIES.get(number[:2])
    if county is None:
        if number[:2] in FORMER_COUNTY_NUMBERS:
            raise InvalidInput(f"Kommunenummer {number} er fra før fylkesendringen 1. januar 2024. Skriv dagens "
                               "kommunenummer, f.eks. 4601 Bergen.", field="municipality")
        raise InvalidInput(f"Kommunenummer {number} finnes ikke: de to første sifrene må være et fylkesnummer.",
                           field="municipality")
    if home_region and home_region != county.region:
        raise InvalidInput(f"Kommunenummer {number} ligger i {county.name}, som hører til {REGIONS[county.region]}. "
                           "Velg den hjemregionen, eller rett kommunenummeret.", field="home_region")
    return county
