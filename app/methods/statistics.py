"""Nye Metoder statistics for a year: proposals, supplier requests and method alerts by method type (five
years), Bestillerforum's ordering decisions by kind, Beslutningsforum's outcomes, and the days between the
stages (received → Bestillerforum's decision → assessment delivered → Beslutningsforum's decision) as
median and 90th percentile. Method cases hold no patient data."""
import math
import statistics
from datetime import date

from sqlalchemy import extract, func, select

from app.core.roles import Role
from app.db import utcnow
from app.extensions import db
from app.methods.models import (
    Commission,
    DecidedBy,
    DecisionOutcome,
    ForumDecision,
    Method,
    MethodType,
    OrderingDecision,
    OrderingKind,
    Submission,
    SubmissionKind,
)
from app.reports.model import (
    COUNT,
    DAYS,
    TEXT,
    Chart,
    Column,
    Paragraph,
    Report,
    Section,
    Series,
    Table,
    year_bounds,
    year_range,
)
from app.reports.registry import Progress, ReportKind, ReportRequest
from app.reports.registry import register_report as add_report_kind

SUBMISSION_YEARS = 5
STAGES = (
    ("received_to_ordering", "Mottatt → Bestillerforums beslutning"),
    ("ordering_to_delivered", "Bestillerforums beslutning → metodevurdering levert"),
    ("delivered_to_decision", "Metodevurdering levert → Beslutningsforums beslutning"),
    ("received_to_decision", "Mottatt → Beslutningsforums beslutning (hele løpet)"),
)


def percentile(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile: a value that occurred."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _first(column, key):
    return select(key.label("method_id"), func.min(column).label("on")).group_by(key).subquery()


def stage_days(year: int) -> dict[str, dict]:
    """Days between each method's first dates of the stages; an interval counts in the year it ended."""
    first, last = year_bounds(year)
    received = _first(Submission.received_on, Submission.method_id)
    ordered = _first(OrderingDecision.decided_on, OrderingDecision.method_id)
    delivered = _first(Commission.delivered_on, Commission.method_id)
    decided = _first(ForumDecision.decided_on, ForumDecision.method_id)
    rows = db.session.execute(
        select(Method.id, received.c.on, ordered.c.on, delivered.c.on, decided.c.on)
        .outerjoin(received, received.c.method_id == Method.id)
        .outerjoin(ordered, ordered.c.method_id == Method.id)
        .outerjoin(delivered, delivered.c.method_id == Method.id)
        .outerjoin(decided, decided.c.method_id == Method.id)
        .where((ordered.c.on.between(first, last)) | (delivered.c.on.between(first, last))
               | (decided.c.on.between(first, last)))).all()
    intervals = {key: [] for key, _label in STAGES}

    def add(key: str, start: date | None, end: date | None) -> None:
        if start and end and first <= end <= last and end >= start:
            intervals[key].append((end - start).days)

    for _id, received_on, ordered_on, delivered_on, decided_on in rows:
        add("received_to_ordering", received_on, ordered_on)
        add("ordering_to_delivered", ordered_on, delivered_on)
        add("delivered_to_decision", delivered_on, decided_on)
        add("received_to_decision", received_on, decided_on)
    return {key: {"count": len(values), "median": statistics.median(values) if values else None,
                  "p90": percentile(values, 0.9)} for key, values in intervals.items()}


def methods_figures(year: int, progress: Progress | None = None) -> dict:
    progress = progress or (lambda percent, step: None)
    first, last = year_bounds(year)
    years = year_range(year, SUBMISSION_YEARS)
    progress(10, "Teller forslag og metodevarsler")
    rows = db.session.execute(
        select(extract("year", Submission.received_on), Submission.kind, Method.method_type, func.count())
        .join(Method, Method.id == Submission.method_id)
        .where(Submission.received_on.between(date(years[0], 1, 1), last))
        .group_by(extract("year", Submission.received_on), Submission.kind, Method.method_type)).all()
    submissions = {str(each): {kind.value: {kind_type.value: 0 for kind_type in MethodType} for kind in SubmissionKind}
                   for each in years}
    for received_year, kind, method_type, count in rows:
        submissions[str(int(received_year))][kind.value][method_type.value] = count
    progress(35, "Teller Bestillerforums beslutninger")
    ordering = dict(db.session.execute(
        select(OrderingDecision.kind, func.count()).where(OrderingDecision.decided_on.between(first, last))
        .group_by(OrderingDecision.kind)).all())
    progress(55, "Teller Beslutningsforums beslutninger")
    decisions = db.session.execute(
        select(ForumDecision.outcome, ForumDecision.decided_by, ForumDecision.supersedes_id.is_not(None), func.count())
        .where(ForumDecision.decided_on.between(first, last))
        .group_by(ForumDecision.outcome, ForumDecision.decided_by, ForumDecision.supersedes_id.is_not(None))).all()
    outcomes = {outcome.value: 0 for outcome in DecisionOutcome}
    by_medical_directors, amendments = 0, 0
    for outcome, decided_by, amendment, count in decisions:
        outcomes[outcome.value] += count
        by_medical_directors += count if decided_by is DecidedBy.MEDICAL_DIRECTORS else 0
        amendments += count if amendment else 0
    progress(75, "Regner tid mellom stegene")
    stages = stage_days(year)
    progress(100, "Tallene er klare")
    return {
        "year": year,
        "submissions_by_year": submissions,
        "ordering_decisions": {kind.value: ordering.get(kind, 0) for kind in OrderingKind},
        "forum_decisions": outcomes,
        "forum_decisions_by_medical_directors": by_medical_directors,
        "forum_decision_amendments": amendments,
        "stage_days": stages,
    }


def build_report(request: ReportRequest, progress: Progress) -> Report:
    year = request.year
    data = methods_figures(year, lambda percent, step: progress(round(percent * 0.9), step))
    progress(95, "Setter sammen tabeller og diagrammer")
    submissions = data["submissions_by_year"]
    this_year = submissions[str(year)]
    type_rows = [[method_type.label, *[this_year[kind.value][method_type.value] for kind in SubmissionKind],
                  sum(this_year[kind.value][method_type.value] for kind in SubmissionKind)]
                 for method_type in MethodType]
    type_total = ["Sum", *[sum(this_year[kind.value].values()) for kind in SubmissionKind],
                  sum(sum(values.values()) for values in this_year.values())]
    years = list(submissions)
    trend = [Series(kind.label, [sum(submissions[each][kind.value].values()) for each in years])
             for kind in SubmissionKind]
    ordering_rows = [[OrderingKind(key).label, count] for key, count in data["ordering_decisions"].items()]
    outcome_rows = [[DecisionOutcome(key).label, count] for key, count in data["forum_decisions"].items()]
    stage_rows = [[label, data["stage_days"][key]["count"], data["stage_days"][key]["median"],
                   data["stage_days"][key]["p90"]] for key, label in STAGES]
    sections = [
        Section("Forslag og metodevarsler", [
            Table("Innkomne etter metodetype", f"Tabell 1. Innkomne forslag, anmodninger og metodevarsler {year}, "
                  "etter metodetype",
                  [Column("Metodetype", TEXT), *[Column(kind.label, COUNT) for kind in SubmissionKind],
                   Column("Sum", COUNT)], type_rows, total=type_total),
            Table("Innkomne per år", f"Tabell 2. Innkomne per år {years[0]}–{year}",
                  [Column("År", TEXT), *[Column(kind.label, COUNT) for kind in SubmissionKind]],
                  [[int(each), *[sum(submissions[each][kind.value].values()) for kind in SubmissionKind]]
                   for each in years]),
            Chart("line", f"Innkomne per år {years[0]}–{year}", years, trend),
        ]),
        Section("Bestillerforums beslutninger", [
            Table("Bestillinger", f"Tabell 3. Bestillerforums beslutninger {year}, etter type",
                  [Column("Beslutning", TEXT), Column("Antall", COUNT)], ordering_rows,
                  total=["Sum", sum(row[1] for row in ordering_rows)]),
            Chart("bar", f"Bestillerforums beslutninger {year}", [row[0] for row in ordering_rows],
                  [Series("Antall", [row[1] for row in ordering_rows])]),
        ]),
        Section("Beslutningsforums beslutninger", [
            Table("Beslutninger", f"Tabell 4. Beslutninger {year}, etter utfall",
                  [Column("Utfall", TEXT), Column("Antall", COUNT)], outcome_rows,
                  total=["Sum", sum(row[1] for row in outcome_rows)]),
            Paragraph(f"Av disse var {data['forum_decision_amendments']} endringer av en tidligere beslutning, og "
                      f"{data['forum_decisions_by_medical_directors']} ble fattet av fagdirektørene i de regionale "
                      "helseforetakene."),
            Chart("bar", f"Beslutninger {year}", [row[0] for row in outcome_rows],
                  [Series("Antall", [row[1] for row in outcome_rows])]),
        ]),
        Section("Tid mellom stegene", [
            Paragraph("Dager mellom de første datoene for hvert steg i metodens løp. Et intervall telles i året det "
                      "ble avsluttet."),
            Table("Saksbehandlingstid", f"Tabell 5. Dager mellom stegene, intervaller avsluttet i {year}",
                  [Column("Steg", TEXT), Column("Antall metoder", COUNT), Column("Median (dager)", DAYS),
                   Column("90-persentil (dager)", DAYS)], stage_rows),
        ]),
    ]
    return Report(
        kind="methods", title="Nye Metoder", subtitle=f"Statistikk {year}", year=year, region=None,
        generated_at=utcnow(), sections=sections, data=data,
        methods_notes=[
            "Innkomne telles i året forslaget, anmodningen eller metodevarselet kom inn, etter metodens type.",
            "Beslutninger telles i året de ble fattet; en endret beslutning telles som en ny beslutning.",
            "Tid mellom stegene regnes fra metodens første dato for hvert steg: første innsendelse, første "
            "bestilling, første leverte metodevurdering og første beslutning. 90-persentilen er beregnet med "
            "nærmeste rang.",
        ])


def register_report() -> None:
    add_report_kind(ReportKind(
        name="methods", slug="nye-metoder", title="Nye Metoder",
        description="Innkomne forslag og metodevarsler etter metodetype, Bestillerforums og Beslutningsforums "
                    "beslutninger og tiden mellom stegene.",
        build=build_report, roles=frozenset({Role.METHODS_SECRETARIAT}), first_year=2014))
