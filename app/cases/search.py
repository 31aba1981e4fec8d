"""The header search: one box that finds a case by its number, a journal post by its registration number
(`2026/17-3`), a patient's cases by national ID, and cases by words of their title or the patient's name; each
domain module adds its own kinds (`Module.search`: a method ID, an external reference, a diagnosis, a
treatment). Every hit is a case within the user's scope (visible_cases), and the page's patients are logged as
a list.

A national ID is a look-up of that person (Normen): it is logged whether the person is on file or not, and
whether the user may see any of their cases or not, and the answer is the same for a person outside the
user's scope as for one who is not on file (no existence oracle)."""
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import url_for
from sqlalchemy import Select, false, select
from stdnum.no import fodselsnummer

from app.cases.access import visible_cases
from app.cases.models import Case, CaseKind, JournalEntry
from app.cases.services import find_patients
from app.core.audit import AuditAction, record_access
from app.extensions import db
from app.listing import SearchIndex
from app.modules import SEARCH_LIMIT, SearchGroup, SearchHit, module_searches

MAX_LENGTH = 200
CASE_NUMBER = re.compile(r"(\d{4})/(\d{1,9})")
REGISTRATION_NUMBER = re.compile(r"(\d{4})/(\d{1,9})-(\d{1,9})")
LOOKUP_PURPOSE = "søk"
NATIONAL_ID_GROUP = "Fødselsnummer"
# Kept by the database (migration d4e9b1c7a2f3): case number, title, the patient's name as registered.
CASE_SEARCH = SearchIndex("case_search")


class Shown(NamedTuple):
    """What the audit log reads of a hit's case."""

    id: int
    patient_id: int | None


@dataclass
class SearchResult:
    text: str
    groups: list[SearchGroup] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return sum(len(group.hits) for group in self.groups)

    @property
    def shown(self) -> list[Shown]:
        """The cases the page shows, for the audit log."""
        return [Shown(hit.case_id, hit.patient_id) for group in self.groups for hit in group.hits
                if hit.case_id is not None]


def eleven_digits(text: str) -> str | None:
    """The text as a national ID would be typed (eleven digits, spaces aside), compacted; None for other text."""
    number = fodselsnummer.compact(text or "")
    return number if len(number) == 11 and number.isdigit() else None


def national_id_in(text: str) -> str | None:
    """The national ID `text` is (spaces aside), when it is a valid one."""
    number = eleven_digits(text)
    return number if number and fodselsnummer.is_valid(number) else None


def cases_of_national_id(number: str, user) -> Select:
    """The ids of the cases of the person with this national ID (the caller limits them to the user's scope).
    The look-up is logged: for a person on file with their id and whether the user may see any of their cases,
    and for a number not on file as a look-up that found no one."""
    found = find_patients([number], actor=user, purpose=LOOKUP_PURPOSE).get(number)
    if found is None:
        record_access(AuditAction.LOOKUP, "patient", details={"purpose": LOOKUP_PURPOSE, "found": False}, user=user)
        return select(Case.id).where(false())
    return select(Case.id).where(Case.patient_id == found.id)


def case_url(case_id: int, kind) -> str:
    """The module's page of the case, or the core's."""
    if kind.page_endpoint:
        return url_for(kind.page_endpoint, case_id=case_id)
    return url_for("cases.detail", case_id=case_id)


def case_hits(query: Select) -> tuple[SearchHit, ...]:
    """The hits of a select of cases (newest case number first, at most SEARCH_LIMIT)."""
    cases = db.session.scalars(query.order_by(Case.year.desc(), Case.sequence.desc()).limit(SEARCH_LIMIT))
    return tuple(SearchHit(case.id, case.patient_id, case_url(case.id, case.kind), case.number, case.title,
                           case.status.label) for case in cases)


def _journal_hits(user, year: int, sequence: int, number_in_case: int) -> tuple[SearchHit, ...]:
    """The journal post, on the core's page of its case (which holds the journal)."""
    row = db.session.execute(select(JournalEntry, Case).join(Case, Case.id == JournalEntry.case_id).where(
        visible_cases(user), Case.year == year, Case.sequence == sequence,
        JournalEntry.number_in_case == number_in_case)).first()
    if row is None:
        return ()
    entry, case = row
    return (SearchHit(case.id, case.patient_id, url_for("cases.detail", case_id=case.id, _anchor="journal"),
                      entry.registration_number, entry.title, entry.entry_type.label),)


def _exact(text: str) -> bool:
    return bool(REGISTRATION_NUMBER.fullmatch(text) or CASE_NUMBER.fullmatch(text) or eleven_digits(text))


def _core_groups(user, text: str, result: SearchResult) -> list[SearchGroup]:
    visible = select(Case).where(visible_cases(user))
    if match := REGISTRATION_NUMBER.fullmatch(text):
        return [SearchGroup("Journalpost", _journal_hits(user, *(int(part) for part in match.groups())))]
    if match := CASE_NUMBER.fullmatch(text):
        year, sequence = (int(part) for part in match.groups())
        return [SearchGroup("Saksnummer", case_hits(visible.where(Case.year == year, Case.sequence == sequence)))]
    if eleven_digits(text):
        number = national_id_in(text)
        if number is None:
            result.messages.append("Dette er ikke et gyldig fødselsnummer: kontrollsifrene eller datoen stemmer "
                                   "ikke. Sjekk at det er skrevet riktig.")
            return []
        return [SearchGroup(NATIONAL_ID_GROUP, case_hits(visible.where(Case.id.in_(
            cases_of_national_id(number, user)))))]
    # A method is found by its title through Nye Metoder's own search, which leads to the method's page.
    return [SearchGroup("Saker (saksnummer, tittel eller pasientens navn)", case_hits(visible.where(
        Case.kind != CaseKind.METHOD, Case.id.in_(CASE_SEARCH.ids(text)))))]


def search(user, text: str) -> SearchResult:
    """Every kind the text may be, the core's first and then each module's, each case once (in the first
    group that found it); groups without hits are left out."""
    text = " ".join((text or "").split())
    result = SearchResult(text)
    if not text:
        return result
    if len(text) > MAX_LENGTH:
        result.messages.append(f"Søket kan være høyst {MAX_LENGTH} tegn.")
        return result
    groups = _core_groups(user, text, result)
    if not _exact(text):   # a number of the core's (case, journal post, national ID) is looked up there alone
        for module_search in module_searches():
            groups.extend(module_search(user, text))
    seen: set[int] = set()
    for group in groups:
        hits = tuple(hit for hit in group.hits if hit.case_id is None or hit.case_id not in seen)
        seen.update(hit.case_id for hit in hits)
        if hits:
            result.groups.append(SearchGroup(group.label, hits))
    return result
