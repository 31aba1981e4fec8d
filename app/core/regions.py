"""Health regions, the treatment-abroad offices and the units that own cases, with each unit's contact details.

Helse Nord has had no office of its own since 2016: Helse Sør-Øst's office handles its patients.
"""
from dataclasses import dataclass

REGIONS = {
    "helse-sor-ost": "Helse Sør-Øst",
    "helse-vest": "Helse Vest",
    "helse-midt-norge": "Helse Midt-Norge",
    "helse-nord": "Helse Nord",
}

ABROAD_OFFICES = {
    "helse-sor-ost": "Utenlandskontoret i Helse Sør-Øst",
    "helse-vest": "Utenlandskontoret i Helse Vest",
    "helse-midt-norge": "Utenlandskontoret i Helse Midt-Norge",
}

METHODS_UNIT = "nye-metoder"
PANEL_UNIT = "ekspertpanelet"
PRIVACY_UNIT = "personvern"   # the admin role's unit: answers the patients' requests for the access log

UNITS = {
    **ABROAD_OFFICES,
    METHODS_UNIT: "Sekretariatet for Nye Metoder",
    PANEL_UNIT: "Sekretariatet for ekspertpanelet",
    PRIVACY_UNIT: "Personvern og informasjonssikkerhet, Helsesak",
}


@dataclass(frozen=True)
class UnitContact:
    """How a unit is reached: the sender's block of its letters and where an appeal is sent (forvaltningsloven
    § 27 third paragraph: the letter tells the party where to send a complaint)."""

    name: str
    postal_address: tuple[str, ...]
    email: str
    phone: str


# The units' contact details, as printed on their letters. Edit here when a unit moves or changes its numbers.
UNIT_CONTACTS = {
    "helse-sor-ost": UnitContact(UNITS["helse-sor-ost"], ("Postboks 404", "2303 Hamar"),
                                 "utland@helse-sorost.no", "62 58 55 00"),
    "helse-vest": UnitContact(UNITS["helse-vest"], ("Postboks 303 Forus", "4066 Stavanger"),
                              "utland@helse-vest.no", "51 96 38 00"),
    "helse-midt-norge": UnitContact(UNITS["helse-midt-norge"], ("Postboks 464", "7501 Stjørdal"),
                                    "utland@helse-midt.no", "74 83 99 00"),
    METHODS_UNIT: UnitContact(UNITS[METHODS_UNIT], ("Postboks 404", "2303 Hamar"),
                              "nyemetoder@helse-sorost.no", "62 58 55 00"),
    PANEL_UNIT: UnitContact("Ekspertpanelet – Helse Bergen HF", ("Postboks 1400", "5021 Bergen"),
                            "ekspertpanelet@helse-bergen.no", "55 97 50 00"),
    PRIVACY_UNIT: UnitContact(UNITS[PRIVACY_UNIT], ("Postboks 404", "2303 Hamar"),
                              "personvern.helsesak@helse-sorost.no", "62 58 55 00"),
}

_OFFICE_FOR_REGION = {
    "helse-sor-ost": "helse-sor-ost",
    "helse-nord": "helse-sor-ost",
    "helse-vest": "helse-vest",
    "helse-midt-norge": "helse-midt-norge",
}


def handling_office(home_region: str) -> str:
    """The treatment-abroad office that handles patients from `home_region`."""
    return _OFFICE_FOR_REGION[home_region]


def unit_name(code: str | None) -> str:
    return UNITS.get(code, code or "")


def unit_contact(code: str) -> UnitContact:
    """The unit's contact details; every unit in UNITS has them."""
    return UNIT_CONTACTS[code]


def region_name(code: str | None) -> str:
    return REGIONS.get(code, code or "")
