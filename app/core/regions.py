"""Health regions, the treatment-abroad offices and the units that own cases.

Helse Nord has had no office of its own since 2016: Helse Sør-Øst's office handles its patients.
"""

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

UNITS = {
    **ABROAD_OFFICES,
    METHODS_UNIT: "Sekretariatet for Nye Metoder",
    PANEL_UNIT: "Sekretariatet for ekspertpanelet",
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


def region_name(code: str | None) -> str:
    return REGIONS.get(code, code or "")
