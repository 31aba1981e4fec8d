"""The public journal (offentleglova § 10, offentlegforskrifta §§ 6-7) and requests to see its posts (innsynskrav,
offentleglova § 29): the one place that decides which posts it holds and what of them it shows, used by the
public page, its CSV and XML exports (app/archive/public_views.py) and the deposit's offentligJournal.xml
(app/archive/extraction.py).

- **Which posts**: incoming and outgoing documents (I, U) whose journalstatus is final (journalført, ekspedert,
  arkivert). Internal notes (N, X) are left out: they are organinterne dokument (offl. § 14), and the notes of
  this app are caseworkers' assessments. A post marked «Utgår», or still with the caseworker (F, G), is left
  out, and so are the access requests themselves: they name a private requester and are not journal matter
  for the public.
- **What of them**: the public title (offentligTittel: the patient's name and national ID replaced by
  `SCREENED_WORD`), never the title; a screened party's name is `SCREENED_WORD`; a screened case or party
  carries «Unntatt offentlighet» and its legal basis (offl. § 13 jf. fvl. § 13 første ledd nr. 1).
"""
import re
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from app.cases.deadlines import set_deadline
from app.cases.documents import attach_document
from app.cases.models import Case, CaseKind, JournalEntry, JournalEntryType, JournalStatus, PartyType
from app.cases.services import (
    SCREENED_WORD,
    SCREENING_BASIS_PERSONAL,
    SCREENING_CODE,
    add_journal_entry,
    insert_case,
)
from app.cases.workdays import add_working_days
from app.core.checks import Problems
from app.core.regions import UNITS, unit_name
from app.errors import InvalidInput
from app.extensions import db

PUBLIC_ENTRY_TYPES = (JournalEntryType.INCOMING, JournalEntryType.OUTGOING)
PUBLIC_STATUSES = (JournalStatus.REGISTERED, JournalStatus.DISPATCHED, JournalStatus.ARCHIVED)
UNPUBLISHED_KINDS = (CaseKind.ACCESS_REQUEST,)
ACCESS_LABELS = {SCREENING_CODE: "Unntatt offentlighet"}
# offentleglova § 29 første ledd: a request is decided «utan ugrunna opphald», which the Parliamentary
# Ombud's practice reads as within one to three working days; § 32 første ledd counts a request unanswered
# after five working days as refused. The deadline is the third working day after the day it came in.
ANSWER_WORKING_DAYS = 3
REGISTRATION_NUMBER = re.compile(r"^\s*(\d{4})/(\d{1,9})(?:-(\d{1,6}))?\s*$")
REQUESTED_MAX = 50      # posts in one request: a larger one is several requests
ACCESS_REQUEST_LIMITS = {"name": 200, "message": 2000}


@dataclass(frozen=True)
class Screening:
    """skjerming: the access code's text (tilgangsrestriksjon), its legal basis and what is screened."""

    access: str
    basis: str
    what: tuple[str, ...]

    @property
    def notice(self) -> str:
        """What the public page says of a screened post: «Unntatt offentlighet, offl. § 13 jf. …»."""
        return f"{self.access}, {self.basis[0].lower()}{self.basis[1:]}"


def party_screening_text(entry: JournalEntry) -> str:
    return "Skjerming navn avsender" if entry.party_type in (PartyType.SENDER, PartyType.INTERNAL_SENDER) \
        else "Skjerming navn mottaker"


def post_screening(entry: JournalEntry) -> Screening | None:
    """The post's screening (a screened case's title, a screened party), or None when nothing is."""
    screened = []
    if entry.case.is_screened:
        screened.append("Skjerming tittel registrering - utvalgte ord")
    if entry.party_screened:
        screened.append(party_screening_text(entry))
    if not screened:
        return None
    if entry.case.is_screened:
        return Screening(ACCESS_LABELS.get(entry.case.access_code, entry.case.access_code),
                         entry.case.legal_basis or SCREENING_BASIS_PERSONAL, tuple(screened))
    return Screening(ACCESS_LABELS[SCREENING_CODE], SCREENING_BASIS_PERSONAL, tuple(screened))


def journal_party(entry: JournalEntry) -> tuple[PartyType, str]:
    """The post's correspondence party as registered (type and name); a post without one has its unit as the
    internal party, since the journals name one on every post."""
    if entry.party_name is None:
        return (PartyType.INTERNAL_SENDER if entry.entry_type is JournalEntryType.INCOMING
                else PartyType.INTERNAL_RECIPIENT), unit_name(entry.case.unit)
    return entry.party_type or PartyType.default_for(entry.entry_type), entry.party_name


def public_journal_entries(*, start: date | None = None, end: date | None = None, unit: str | None = None) -> Select:
    """The posts of the public journal (journal date from `start` to `end`, of `unit`), with their cases."""
    query = (select(JournalEntry).join(JournalEntry.case).options(contains_eager(JournalEntry.case))
             .where(JournalEntry.entry_type.in_(PUBLIC_ENTRY_TYPES), JournalEntry.journal_status.in_(PUBLIC_STATUSES),
                    Case.kind.not_in(UNPUBLISHED_KINDS)))
    if start is not None:
        query = query.where(JournalEntry.journal_date >= start)
    if end is not None:
        query = query.where(JournalEntry.journal_date <= end)
    if unit is not None:
        query = query.where(Case.unit == unit)
    return query


@dataclass(frozen=True)
class PublicPost:
    """One post as the public journal shows it: nothing here may be withheld from the public."""

    case_number: str
    case_title: str            # the case's public title
    registration_number: str
    journal_date: date
    document_date: date | None
    entry_type: JournalEntryType
    title: str                 # the post's public title
    party_type: str
    party_name: str            # SCREENED_WORD when the party is screened
    unit: str
    screening: Screening | None

    @classmethod
    def of(cls, entry: JournalEntry) -> "PublicPost":
        party_type, party_name = journal_party(entry)
        return cls(case_number=entry.case.number, case_title=entry.case.public_title,
                   registration_number=entry.registration_number, journal_date=entry.journal_date,
                   document_date=entry.document_date, entry_type=entry.entry_type, title=entry.public_title,
                   party_type=party_type.label,
                   party_name=SCREENED_WORD if entry.party_screened else party_name, unit=entry.case.unit,
                   screening=post_screening(entry))

    @property
    def unit_name(self) -> str:
        return unit_name(self.unit)


def public_posts(entries) -> list[PublicPost]:
    return [PublicPost.of(entry) for entry in entries]


@dataclass(frozen=True)
class AccessRequest:
    """What someone asks to see, as the public form takes it."""

    unit: str
    name: str
    email: str
    posts: str                 # registration numbers (2026/12-3) or case numbers (2026/12), comma or line separated
    message: str | None = None


def requested_posts(unit: str, posts: str) -> list[JournalEntry]:
    """The public journal's posts of `unit` that `posts` names (a case number names all of its posts), in the
    journal's order. A number the unit's public journal does not hold is refused, whether or not the post exists
    (no existence oracle)."""
    numbers = [part for part in re.split(r"[,;\s]+", posts or "") if part]
    if not numbers:
        raise InvalidInput("Skriv journalpostnummeret (f.eks. 2026/12-3) eller saksnummeret du vil se.",
                           field="posts")
    if len(numbers) > REQUESTED_MAX:
        raise InvalidInput(f"Be om høyst {REQUESTED_MAX} journalposter i ett innsynskrav.", field="posts")
    found: dict[int, JournalEntry] = {}
    for number in numbers:
        match = REGISTRATION_NUMBER.match(number)
        if match is None:
            raise InvalidInput(f"«{number[:40]}» er ikke et journalpostnummer. Skriv det som 2026/12-3 (saksnummer "
                               "og nummer i saken) eller 2026/12 for hele saken.", field="posts")
        year, sequence, in_case = (int(part) if part else None for part in match.groups())
        query = public_journal_entries(unit=unit).where(Case.year == year, Case.sequence == sequence)
        if in_case is not None:
            query = query.where(JournalEntry.number_in_case == in_case)
        entries = db.session.scalars(query).all()
        if not entries:
            raise InvalidInput(f"{number} finnes ikke i den offentlige journalen til {unit_name(unit)}.",
                               field="posts")
        found.update((entry.id, entry) for entry in entries)
    return sorted(found.values(), key=lambda entry: (entry.year, entry.sequence))


def check_access_request(request: AccessRequest) -> list[JournalEntry]:
    """Every refused input at once; returns the posts asked for."""
    problems = Problems()
    if request.unit not in UNITS:
        raise InvalidInput("Velg en enhet.", field="unit")
    name = (request.name or "").strip()
    if not name:
        problems.errors.append(InvalidInput("Fyll inn navnet ditt.", field="name"))
    elif len(name) > ACCESS_REQUEST_LIMITS["name"]:
        problems.errors.append(InvalidInput(f"Navnet kan være høyst {ACCESS_REQUEST_LIMITS['name']} tegn.",
                                            field="name"))
    try:
        validate_email((request.email or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        problems.errors.append(InvalidInput("Skriv en gyldig e-postadresse, f.eks. navn@eksempel.no.",
                                            field="email"))
    if len((request.message or "").strip()) > ACCESS_REQUEST_LIMITS["message"]:
        problems.errors.append(InvalidInput(f"Meldingen kan være høyst {ACCESS_REQUEST_LIMITS['message']} tegn.",
                                            field="message"))
    posts: list[JournalEntry] = []
    with problems.check():
        posts = requested_posts(request.unit, request.posts)
    problems.done()
    return posts


def register_access_request(request: AccessRequest, *, today: date | None = None) -> Case:
    """Register an access request from the public: a case of its own at the unit whose posts it names, with the
    request as an incoming post (its text as the post's document) and a deadline to answer (ANSWER_WORKING_DAYS).
    The case is unassigned, so it waits in the unit's queue. Raises InvalidInput(s); the caller commits."""
    posts = check_access_request(request)
    today = today or date.today()
    numbers = ", ".join(entry.registration_number for entry in posts)
    case = insert_case(kind=CaseKind.ACCESS_REQUEST, title=f"Innsynskrav: {numbers}"[:300], unit=request.unit,
                       patient=None, responsible_id=None, case_date=today, actor=None)
    entry = add_journal_entry(case, entry_type=JournalEntryType.INCOMING,
                              title=f"Innsynskrav i {numbers}"[:300], journal_date=today,
                              document_date=today, party_name=request.name.strip(), actor=None)
    attach_document(case, title="Innsynskravet", filename="innsynskrav.txt", journal_entry=entry, actor=None,
                    content=request_text(request, posts).encode())
    set_deadline(case, kind="svarfrist", due_date=add_working_days(today, ANSWER_WORKING_DAYS), responsible_id=None,
                 description="Svar på innsynskrav uten ugrunnet opphold (offentleglova § 29)", actor=None,
                 today=today)
    return case


def request_text(request: AccessRequest, posts: list[JournalEntry]) -> str:
    """The request as it came in: the incoming post's document."""
    lines = ["Innsynskrav (offentleglova)", "", f"Navn: {request.name.strip()}",
             f"E-post: {request.email.strip()}", "", "Journalposter:"]
    lines += [f"- {entry.registration_number} {entry.public_title}" for entry in posts]
    if (request.message or "").strip():
        lines += ["", "Melding:", request.message.strip()]
    return "\n".join(lines) + "\n"
