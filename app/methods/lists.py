"""The Nye Metoder lists, each declared once (app.listing): the method list (the internal page, its export),
the public method list (the public page, its decision overview and the API's method list), the forum
meetings and the working groups (the page and the API's list). Methods and meetings hold no personal data, and the
working groups' list shows no member: no list here is audited."""
import dataclasses
import json
import string

from sqlalchemy import Integer, and_, case, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased, selectinload
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.listing import Choice, Code, Column, ListSpec, Search, enum_choice
from app.methods.models import (
    AgendaItem,
    DecisionOutcome,
    Forum,
    ForumDecision,
    Meeting,
    Method,
    MethodStatus,
    MethodType,
    WorkingGroup,
)
from app.methods.services import ATC_PATTERN, SUBJECT_AREAS


class suffix_place(FunctionElement):  # noqa: N801  (an SQL function, named as one)
    """An ID's letter suffix as its place in the alphabet (none 0, A 1 … Z 26). A CASE of 26 letters by default;
    on SQLite the letter's code point (unicode()), which the method list's page, sorting every method by the ID
    order, computes in half the time. PostgreSQL sorts the CASE no slower."""

    type = Integer()
    inherit_cache = True


@compiles(suffix_place)
def _suffix_place_case(element, compiler, **kw) -> str:
    suffix, = element.clauses
    return compiler.process(case({letter: place for place, letter in enumerate(string.ascii_uppercase, start=1)},
                                 value=suffix, else_=0), **kw)


@compiles(suffix_place, "sqlite")
def _suffix_place_code_point(element, compiler, **kw) -> str:
    suffix = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {suffix} BETWEEN 'A' AND 'Z' THEN unicode({suffix}) - 64 ELSE 0 END"


# Newest first as the IDs read: by year, then number, and an imported ID's letter suffix after the plain one
# (ID2019_004, ID2019_004A, ID2019_004B). Keyset paging compares one value, so the three make one integer:
# year × 1 000 000 + number × 100 − the suffix's place (none 0, A 1 … Z 26), descending. The ids do not follow
# this order (an imported or back-dated method gets a new id and an old ID). It stays below 2³¹ for the years
# an ID can hold (1900–2099) and numbers below 10 000 (IDs have three digits).
ID_ORDER = Method.year * 1_000_000 + Method.sequence * 100 - suffix_place(Method.suffix)


def _declared_order(column, enum):
    """Sorts `column` in its enum's declared order (a method's statuses in the order it passes them), not by
    the stored value."""
    return case(*((column == member, place) for place, member in enumerate(enum)))


def _methods(_user):
    """Every method (readers see them all; the public the same published fields), with its decisions loaded
    for the current decision the export and the API show."""
    return select(Method).options(selectinload(Method.decisions))


# The method's current decision in SQL, as Method.current_decision reads it in Python: the latest of its decisions
# (by date, then id) that no amendment replaced. Correlated subqueries in the select list, one per value shown:
# PostgreSQL runs them for the page's rows only, after the sort and limit, where an outer join on the decision
# would look up the current decision of every method first (ten times slower with 1 500 methods); SQLite has no
# LATERAL join.
_AMENDMENT = aliased(ForumDecision)


def _of_current_decision(column):
    """`column` of the method's current decision, None when it has none."""
    return (select(column)
            .where(ForumDecision.method_id == Method.id,
                   ~select(_AMENDMENT.id).where(_AMENDMENT.supersedes_id == ForumDecision.id,
                                                _AMENDMENT.method_id == ForumDecision.method_id).exists())
            .order_by(ForumDecision.decided_on.desc(), ForumDecision.id.desc())
            .limit(1).correlate(Method).scalar_subquery())


# Built once (statements are immutable): what methods/_method_table.html shows, as plain columns.
_METHOD_ROWS = select(Method.reference, Method.title, Method.method_type, Method.status,
                      _of_current_decision(ForumDecision.outcome).label("decision_outcome"),
                      _of_current_decision(ForumDecision.decided_on).label("decision_date"))


def _method_rows(_user):
    """The page's rows as plain columns, each with its current decision's outcome and date: no ORM objects."""
    return _METHOD_ROWS


def _counted_methods(_user):
    return select(Method)


def matching_text(query, text: str):
    """The methods whose ID, title, generic or product names or indication contain `text` (the list's search,
    and the header search's)."""
    pattern = f"%{text}%"
    return query.where(or_(Method.reference.ilike(pattern), Method.title.ilike(pattern),
                           Method.generic_name.ilike(pattern), Method.product_names.ilike(pattern),
                           Method.indication.ilike(pattern)))


def _in_subject_area(query, area: str):
    # The list is stored as JSON text serialised by SQLAlchemy (json.dumps) on both databases, so the
    # serialised value is matched as text.
    return query.where(func.cast(Method.subject_areas, db.String).like(f"%{json.dumps(area)}%"))


def _years() -> list[tuple[str, str]]:
    """The years that have methods, newest first."""
    years = db.session.scalars(select(Method.year).distinct().order_by(Method.year.desc()))
    return [(str(year), str(year)) for year in years]


def _decision(method):
    return method.current_decision


SEARCH = Search("q", "Søk i ID, tittel og virkestoff", matching_text)
STATUS = enum_choice("status", "Status", Method.status, MethodStatus)
METHOD_TYPE = enum_choice("method_type", "Metodetype", Method.method_type, MethodType)

METHODS = ListSpec(
    name="methods",
    query=_methods,
    page_query=_method_rows,
    count_query=_counted_methods,
    tiebreak=Method.id,
    default_sort="-id",
    filters=(SEARCH, STATUS, METHOD_TYPE),
    columns=(
        Column("id", "ID", lambda method: method.reference, sort=ID_ORDER),
        Column("tittel", "Tittel", lambda method: method.title, sort=Method.title),
        Column("metodetype", "Metodetype", lambda method: method.method_type.label,
               sort=_declared_order(Method.method_type, MethodType)),
        Column("fagomrader", "Fagområder", lambda method: ", ".join(method.subject_areas or []), on_page=False),
        Column("status", "Status", lambda method: method.status.label,
               sort=_declared_order(Method.status, MethodStatus)),
        Column("beslutning", "Gjeldende beslutning",
               lambda method: _decision(method).outcome.label if _decision(method) else None),
        Column("beslutningsdato", "Beslutningsdato",
               lambda method: _decision(method).decided_on if _decision(method) else None, on_page=False),
    ),
)

def _with_atc_code(query, code: str):
    """A code finds the drugs at and below its level (L01 finds L01FF02)."""
    return query.where(Method.atc_code.startswith(code))


def _with_indication(query, text: str):
    return query.where(Method.indication.ilike(f"%{text}%"))


def _with_current_decision(query, outcome: str):
    """The methods whose current decision (the one no amendment has replaced) has this outcome."""
    amended = aliased(ForumDecision)
    current = (select(ForumDecision.id)
               .where(ForumDecision.method_id == Method.id, ForumDecision.outcome == DecisionOutcome(outcome),
                      ~select(amended.id).where(amended.supersedes_id == ForumDecision.id).exists()))
    return query.where(current.exists())


# The public list: the same rows and columns (only published fields), with nyemetoder.no's filters.
PUBLIC_METHODS = dataclasses.replace(
    METHODS, name="public_methods",
    filters=(SEARCH, METHOD_TYPE,
             Choice("subject_area", "Fagområde", _in_subject_area,
                    values=lambda: [(area, area) for area in SUBJECT_AREAS]),
             STATUS,
             Choice("decision", "Beslutning", _with_current_decision,
                    values=lambda: [(outcome.value, outcome.label) for outcome in DecisionOutcome]),
             Code("atc", "ATC-kode", _with_atc_code, hint="Legemidler: f.eks. L01 eller L01FF02",
                  pattern=ATC_PATTERN, example="L01 eller L01FF02"),
             Search("indication", "Bruksområde (indikasjon)", _with_indication),
             Choice("year", "År for forslaget", lambda query, value: query.where(Method.year == int(value)),
                    values=_years)))


def _meetings(_user):
    return select(Meeting)


# What methods/meetings.html shows, as plain columns: the number of agenda items counted and whether the minutes
# are written asked in SQL, so neither the agenda nor the minutes' text is loaded.
_MEETING_ROWS = select(
    Meeting.id, Meeting.meeting_date, Meeting.forum, Meeting.proposal_deadline, Meeting.input_deadline,
    select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == Meeting.id).correlate(Meeting)
    .scalar_subquery().label("agenda_item_count"),
    and_(Meeting.minutes.is_not(None), Meeting.minutes != "").label("has_minutes"))


def _meeting_rows(_user):
    """Every meeting, as the page's plain columns."""
    return _MEETING_ROWS


MEETINGS = ListSpec(
    name="method_meetings",
    query=_meetings,
    page_query=_meeting_rows,
    count_query=_meetings,
    tiebreak=Meeting.id,
    default_sort="-motedato",
    per_page=25,
    filters=(enum_choice("forum", "Forum", Meeting.forum, Forum),),
    columns=(
        Column("motedato", "Møtedato", sort=Meeting.meeting_date),
        Column("forum", "Forum", sort=_declared_order(Meeting.forum, Forum)),
        Column("forslag", "Frist for forslag"),
        Column("innspill", "Frist for innspill"),
        Column("saker", "Saker"),
        Column("referat", "Referat"),
    ),
)


def _working_groups(_user):
    """Every working group (the roles that read methods read them all), with its methods for the list's column."""
    return select(WorkingGroup).options(selectinload(WorkingGroup.methods))


WORKING_GROUPS = ListSpec(
    name="method_working_groups",
    query=_working_groups,
    count_query=lambda _user: select(WorkingGroup),
    tiebreak=WorkingGroup.id,
    default_sort="-registrert",
    per_page=25,
    filters=(
        Choice("rapport", "Rapport", lambda query, value: query.where(
            WorkingGroup.report_delivered_on.is_not(None) if value == "levert"
            else WorkingGroup.report_delivered_on.is_(None)),
            values=lambda: [("levert", "Levert"), ("ikke-levert", "Ikke levert")], all_label="Alle"),
    ),
    columns=(
        Column("arbeidsgruppe", "Arbeidsgruppe", sort=WorkingGroup.title),
        Column("metoder", "Metoder"),
        Column("godkjent", "Godkjent"),
        Column("frist", "Frist"),
        Column("rapport", "Rapport"),
        Column("registrert", "Registrert", sort=WorkingGroup.created_at),
    ),
)
