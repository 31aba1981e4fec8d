"""The case core's list of cases (/saker), declared once for its page and its export (app.listing)."""
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cases.access import visible_cases
from app.cases.models import Case, CaseKind, CaseStatus
from app.cases.search import CASE_SEARCH, cases_of_national_id, national_id_in
from app.core.regions import unit_name
from app.listing import AnyOf, Choice, Column, Flag, ListSpec, Search


def _search(query, text: str):
    """A national ID finds the person's cases (a logged look-up); other text searches the case index."""
    number = national_id_in(text)
    if number is not None:
        return query.where(Case.id.in_(cases_of_national_id(number, current_user)))
    return query.where(Case.id.in_(CASE_SEARCH.ids(text)))


CASES = ListSpec(
    name="case_list",
    query=lambda user: select(Case).where(visible_cases(user)),
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
