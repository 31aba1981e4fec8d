"""The case core's list of cases (/saker), declared once for its page and its export (app.listing)."""
from datetime import date

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Bundle, selectinload

from app.cases.access import editable_cases, visible_cases
from app.cases.deadlines import has_overdue_deadline
from app.cases.models import Case, CaseKind, CaseStatus
from app.cases.queries import FINISHED, queue_caseworkers
from app.cases.search import CASE_SEARCH, cases_of_national_id, national_id_in
from app.core.regions import unit_name
from app.listing import AnyOf, Choice, Column, Flag, ListSpec, Search


def _search(query, text: str):
    """A national ID finds the person's cases (a logged look-up); other text searches the case index."""
    number = national_id_in(text)
    if number is not None:
        return query.where(Case.id.in_(cases_of_national_id(number, current_user)))
    return query.where(Case.id.in_(CASE_SEARCH.ids(text)))


def _case_rows(user):
    """The page's cases as plain columns (what a row shows, and the patient for the audit log): cheaper to load
    than ORM objects, and the row read only to know whether a next page exists is never made an object."""
    return select(Bundle("Case", Case.id, Case.number, Case.title, Case.kind, Case.unit, Case.status,
                         Case.case_date, Case.patient_id)).where(visible_cases(user))


CASES = ListSpec(
    name="case_list",
    query=lambda user: select(Case).where(visible_cases(user)),
    page_query=_case_rows,
    tiebreak=Case.id,
    default_sort="-saksnummer",
    # The sorts of the list before its headers sorted it, still in saved filters and bookmarks.
    sort_aliases={"nyeste": "-saksnummer", "eldste": "saksnummer"},
    filters=(
        Search("q", "Søk", _search, hint="Saksnummer, tittel, pasientens navn eller fødselsnummer."),
        AnyOf("type", "Sakstype", lambda query, kinds: query.where(Case.kind.in_([CaseKind(kind) for kind in kinds])),
              values=lambda: [(kind.value, kind.label) for kind in CaseKind]),
        # A discarded case is hidden until its status is asked for.
        Choice("status", "Status", lambda query, status: query.where(Case.status == CaseStatus(status)),
               values=lambda: [(status.value, status.label) for status in CaseStatus],
               all_label="Alle unntatt «Utgår»",
               otherwise=lambda query: query.where(Case.status != CaseStatus.DISCARDED)),
        Flag("mine", "Bare mine saker", lambda query, _value: query.where(Case.responsible_id == current_user.id)),
    ),
    columns=(
        Column("saksnummer", "Saksnummer", lambda case: case.number, sort=(Case.year, Case.sequence)),
        Column("tittel", "Tittel", lambda case: case.title, sort=Case.title),
        Column("type", "Type", lambda case: case.kind.label, sort=Case.kind),
        Column("enhet", "Enhet", lambda case: unit_name(case.unit), sort=Case.unit),
        Column("status", "Status", lambda case: case.status.label, sort=Case.status),
        Column("saksdato", "Saksdato", lambda case: case.case_date, sort=Case.case_date),
        Column("saksansvarlig", "Saksansvarlig", lambda case: case.responsible.name if case.responsible else None,
               on_page=False),
    ),
    audited=lambda cases: cases,
    export_options=(selectinload(Case.responsible),),
)


# The work queue of the cases a user works on (/saker/arbeidsko): the open cases they may change, by queue and
# by caseworker. A module with its own steps has a queue of its own as well, with these queues and its own
# (treatment abroad's /utland/arbeidsko); each is a condition on the cases (`Case`) the module's list joins.
CASE_QUEUES = {
    "nye": ("Nye, ikke påbegynt", lambda query: query.where(Case.status == CaseStatus.CREATED)),
    "ufordelte": ("Uten saksbehandler", lambda query: query.where(Case.responsible_id.is_(None))),
    "mine": ("Tildelt meg", lambda query: query.where(Case.responsible_id == current_user.id)),
    "frist": ("Passert frist", lambda query: query.where(has_overdue_deadline(Case.id, date.today()))),
}

CASE_QUEUE = ListSpec(
    name="case_queue",
    query=lambda user: select(Case).where(editable_cases(user), Case.status.not_in(FINISHED)),
    tiebreak=Case.id,
    default_sort="saksdato",
    filters=(
        Choice("ko", "Kø", lambda query, value: CASE_QUEUES[value][1](query),
               values=lambda: [(key, label) for key, (label, _where) in CASE_QUEUES.items()], all_label="Alle åpne"),
        Choice("saksbehandler", "Saksbehandler", lambda query, value: query.where(Case.responsible_id == int(value)),
               values=lambda: [(str(user.id), user.name) for user in queue_caseworkers(current_user)]),
    ),
    columns=(
        Column("saksnummer", "Saksnummer", lambda case: case.number, sort=(Case.year, Case.sequence)),
        Column("tittel", "Tittel", lambda case: case.title, sort=Case.title),
        Column("type", "Type", lambda case: case.kind.label, sort=Case.kind),
        Column("status", "Status", lambda case: case.status.label, sort=Case.status),
        Column("saksdato", "Saksdato", lambda case: case.case_date, sort=Case.case_date),
        Column("saksbehandler", "Saksbehandler"),
    ),
    audited=lambda cases: cases,
)
