"""What the case core's patient pages hand to their services: one frozen value per step, built by the form
(`to_command()`), by the tests and by the API alike. Text arrives stripped, with empty text as None."""
from dataclasses import dataclass
from datetime import date

from app.cases.models import FactsEntryKind


@dataclass(frozen=True, kw_only=True)
class PatientFactsUpdate:
    """A change of the patient's facts from `valid_from` (moved, changed name), or a correction of the facts
    valid on `valid_from` as registered (a typo). Every fact is given whole: name, address, municipality and
    home region as they should read."""

    kind: FactsEntryKind
    valid_from: date
    name: str
    street: str | None
    postal_code: str | None
    postal_place: str | None
    municipality: str | None
    home_region: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class NewGuardian:
    name: str
    street: str
    postal_code: str
    postal_place: str
    valid_from: date
    valid_to: date | None = None
