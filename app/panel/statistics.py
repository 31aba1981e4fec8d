"""The expert panel's annual report (the panel's mandate, part VII): due to the four regional health authorities by
1 March for the year before. Number of cases, where the patients live, diagnoses, outcomes, time from a
complete referral to the statement, the principled questions of the year and the expected need for new
members.

A case belongs to the year its statement was sent ("besvart"); received and still open cases are counted
too. Where the patients live is reported by health region and by county: the county follows from the first two
digits of the home municipality's number (app/cases/municipalities.py, the counties of 1 January 2024). A
patient without a municipality number (none given, or free text stored before the number was required) counts
as "Ukjent fylke".
"""
import math
import statistics
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from app.cases.interface import COUNTIES, Case, county_of, icd10_chapter, icd10_chapter_title
from app.core.regions import REGIONS
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db
from app.panel.models import (
    Ending,
    Feedback,
    Outcome,
    PanelMember,
    PrincipledQuestion,
    Referral,
    ReferralStatus,
    Statement,
)
from app.panel.services import ANSWER_DAYS, FOLLOWED
from app.reports.model import (
    COUNT,
    DATE,
    DAYS,
    PERCENT,
    TEXT,
    Chart,
    Column,
    ItemList,
    Paragraph,
    Report,
    Section,
    Series,
    Table,
    share,
    year_bounds,
)
from app.reports.registry import NoteField, Progress, ReportKind, ReportRequest
from app.reports.registry import register_report as add_report_kind


def _first_statements():
    """Each referral's first statement date."""
    return (select(Statement.referral_id.label("referral_id"), func.min(Statement.sent_on).label("sent_on"))
            .group_by(Statement.referral_id).subquery())


UNKNOWN_COUNTY = "Ukjent fylke"


def _county_name(municipality: str | None) -> str:
    county = county_of(municipality)
    return county.name if county else UNKNOWN_COUNTY


def p90(values: list[float]) -> float | None:
    """The 90th percentile by the nearest-rank method (a value that occurred)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def panel_figures(year: int, progress: Progress | None = None) -> dict:
    progress = progress or (lambda percent, step: None)
    first, last = year_bounds(year)
    statements = _first_statements()
    progress(10, "Teller henvisninger")
    received = db.session.scalar(select(func.count()).select_from(Referral)
                                 .where(Referral.referred_on.between(first, last)))
    # Open at year end: referred by then, with neither a statement nor an ending (refused, withdrawn, closed) by then.
    open_at_end = db.session.scalar(
        select(func.count()).select_from(Referral).outerjoin(statements, statements.c.referral_id == Referral.id)
        .outerjoin(Ending, Ending.referral_id == Referral.id)
        .where(Referral.referred_on <= last, (statements.c.sent_on.is_(None)) | (statements.c.sent_on > last),
               (Ending.ended_on.is_(None)) | (Ending.ended_on > last)))
    ended = Counter(dict(db.session.execute(
        select(Ending.status, func.count()).where(Ending.ended_on.between(first, last),
                                                  Ending.status.in_((ReferralStatus.REFUSED, ReferralStatus.WITHDRAWN)))
        .group_by(Ending.status)).all()))
    answered = (select(Referral.id, Referral.icd10, Referral.outcome, Referral.complete_on, statements.c.sent_on,
                       Case.patient_home_region.label("home_region"), Case.patient_municipality.label("municipality"))
                .join(statements, statements.c.referral_id == Referral.id)
                .join(Case, Case.id == Referral.case_id)
                .where(statements.c.sent_on.between(first, last)))
    rows = db.session.execute(answered).all()
    progress(40, "Fordeler på region, diagnose og utfall")
    regions = Counter(row.home_region for row in rows)
    counties = Counter(_county_name(row.municipality) for row in rows)
    chapters = Counter(icd10_chapter(row.icd10) for row in rows)
    outcomes = Counter(row.outcome.value if row.outcome else "unknown" for row in rows)
    days = [(row.sent_on - row.complete_on).days for row in rows]
    progress(60, "Regner behandlingstid")
    questions = db.session.execute(
        select(PrincipledQuestion.raised_on, PrincipledQuestion.text)
        .where(PrincipledQuestion.raised_on.between(first, last))
        .order_by(PrincipledQuestion.raised_on, PrincipledQuestion.id)).all()
    feedback = Counter(dict(db.session.execute(
        select(Feedback.followed, func.count()).where(Feedback.received_on.between(first, last))
        .group_by(Feedback.followed)).all()))
    progress(80, "Ser på medlemmenes oppnevningstid")
    _, next_last = year_bounds(year + 1)
    ending = db.session.scalars(
        select(PanelMember).where(PanelMember.active.is_(True), PanelMember.term_end.is_not(None),
                                  PanelMember.term_end <= next_last)
        .order_by(PanelMember.term_end, PanelMember.name)).all()
    represented = set(db.session.scalars(select(PanelMember.appointing_region).where(PanelMember.active.is_(True))))
    progress(100, "Tallene er klare")
    return {
        "year": year,
        "cases_received": received,
        "cases_answered": len(rows),
        "open_at_year_end": open_at_end,
        "cases_refused": ended.get(ReferralStatus.REFUSED, 0),
        "cases_withdrawn": ended.get(ReferralStatus.WITHDRAWN, 0),
        "by_region": {code: regions.get(code, 0) for code in REGIONS},
        "by_county": {name: counties.get(name, 0) for name in [*(county.name for county in COUNTIES.values()),
                                                               UNKNOWN_COUNTY]},
        "diagnosis_groups": dict(sorted(chapters.items(), key=lambda item: (-item[1], item[0]))),
        "outcomes": {**{outcome.value: outcomes.get(outcome.value, 0) for outcome in Outcome},
                     **({"unknown": outcomes["unknown"]} if outcomes.get("unknown") else {})},
        "median_days_to_statement": statistics.median(days) if days else None,
        "p90_days_to_statement": p90(days),
        "share_within_14_days": share(sum(1 for value in days if value <= ANSWER_DAYS), len(days)) if days else None,
        "principled_questions": [{"raised_on": raised_on.isoformat(), "text": text} for raised_on, text in questions],
        "feedback": {key: feedback.get(key, 0) for key in FOLLOWED},
        "members_term_ending": [{"name": member.name, "specialty": member.specialty, "hospital": member.hospital,
                                 "appointing_region": member.appointing_region,
                                 "term_end": member.term_end.isoformat()} for member in ending],
        "regions_without_members": [code for code in REGIONS if code not in represented],
    }


def build_report(request: ReportRequest, progress: Progress) -> Report:
    year = request.year
    data = panel_figures(year, lambda percent, step: progress(round(percent * 0.9), step))
    progress(95, "Setter sammen tabeller og diagrammer")
    answered = data["cases_answered"]
    members_note = request.notes.get("members")
    other_note = request.notes.get("other")
    region_rows = [[REGIONS[code], count, share(count, answered) if answered else None]
                   for code, count in data["by_region"].items()]
    county_rows = [[name, count, share(count, answered) if answered else None]
                   for name, count in data["by_county"].items()]
    chapter_rows = [[f"{icd10_chapter_title(chapter)} ({chapter})", count, share(count, answered)]
                    for chapter, count in data["diagnosis_groups"].items()]
    outcome_rows = [[Outcome(key).label if key != "unknown" else "Ikke registrert", count,
                     share(count, answered) if answered else None] for key, count in data["outcomes"].items()]
    median = data["median_days_to_statement"]
    within = data["share_within_14_days"]
    sections = [
        Section("Antall saker", [
            Paragraph(f"Ekspertpanelet besvarte {answered} henvisninger i {year}. Det kom inn {data['cases_received']} "
                      f"henvisninger i året, og {data['open_at_year_end']} var ikke besvart ved utgangen av året."),
            Table("Saker", f"Tabell 1. Saker {year}", [Column("", TEXT), Column("Antall", COUNT)], [
                ["Henvisninger mottatt", data["cases_received"]],
                ["Henvisninger besvart (uttalelse sendt)", answered],
                ["Avvist som utenfor mandatet", data["cases_refused"]],
                ["Trukket", data["cases_withdrawn"]],
                ["Ikke besvart ved årets slutt", data["open_at_year_end"]]]),
        ]),
        Section("Geografisk fordeling", [
            Table("Bosted", f"Tabell 2. Besvarte saker etter pasientens bostedsregion {year}",
                  [Column("Region", TEXT), Column("Saker", COUNT), Column("Andel", PERCENT)], region_rows,
                  total=["Sum", answered, 1.0 if answered else None]),
            Chart("bar", f"Besvarte saker etter bostedsregion {year}", [row[0] for row in region_rows],
                  [Series("Saker", [row[1] for row in region_rows])]),
            Table("Fylke", f"Tabell 3. Besvarte saker etter pasientens bostedsfylke {year}",
                  [Column("Fylke", TEXT), Column("Saker", COUNT), Column("Andel", PERCENT)], county_rows,
                  total=["Sum", answered, 1.0 if answered else None],
                  note="Fylket følger av kommunenummeret til pasientens hjemkommune (fylkene fra 1. januar 2024). "
                       f"«{UNKNOWN_COUNTY}»: hjemkommunen er ikke oppgitt med kommunenummer."),
        ]),
        Section("Diagnoser", [
            Table("Diagnoser", f"Tabell 4. Besvarte saker etter diagnosegruppe (ICD-10-kapittel) {year}",
                  [Column("Diagnosegruppe", TEXT), Column("Saker", COUNT), Column("Andel", PERCENT)], chapter_rows,
                  total=["Sum", answered, 1.0] if chapter_rows else None),
            *([Chart("bar", f"Saker etter diagnosegruppe {year}", [row[0].rsplit(" (", 1)[1].rstrip(")")
                                                                  for row in chapter_rows],
                     [Series("Saker", [row[1] for row in chapter_rows])])] if chapter_rows else []),
        ]),
        Section("Utfall", [
            Paragraph("Utfallet er panelets samlede råd: videre etablert behandling eller inklusjon i studie i Norge "
                      "eller i utlandet, off-label behandling, eller ingen videre behandling."),
            Table("Utfall", f"Tabell 5. Utfall av besvarte saker {year}",
                  [Column("Utfall", TEXT), Column("Saker", COUNT), Column("Andel", PERCENT)], outcome_rows,
                  total=["Sum", answered, 1.0 if answered else None]),
            Chart("bar", f"Utfall {year}", [row[0] for row in outcome_rows],
                  [Series("Saker", [row[1] for row in outcome_rows])]),
            Table("Tilbakemeldinger", f"Tabell 6. Tilbakemeldinger fra behandlende lege mottatt i {year}",
                  [Column("Rådet ble", TEXT), Column("Antall", COUNT)],
                  [[FOLLOWED[key], count] for key, count in data["feedback"].items()]),
        ]),
        Section("Behandlingstid", [
            Paragraph(f"Panelet skal svare innen {ANSWER_DAYS} dager etter at henvisningen er komplett. "
                      + (f"Mediantiden fra komplett henvisning til uttalelse var {median:g} dager, og "
                         f"{round(within * 100)} prosent ble besvart innen {ANSWER_DAYS} dager."
                         if median is not None else "Ingen saker ble besvart i året.")),
            Table("Behandlingstid", f"Tabell 7. Dager fra komplett henvisning til uttalelse {year}",
                  [Column("", TEXT), Column("Verdi", DAYS)],
                  [["Median (dager)", median], ["90-persentil (dager)", data["p90_days_to_statement"]]]),
            Table("Innen fristen", f"Tabell 8. Andel besvart innen {ANSWER_DAYS} dager {year}",
                  [Column("", TEXT), Column("Andel", PERCENT)], [[f"Innen {ANSWER_DAYS} dager", within]]),
        ]),
        Section("Prinsipielle spørsmål", [
            Paragraph(f"Nye problemstillinger som trenger prinsipiell avklaring, registrert i {year}:"),
            Table("Prinsipielle spørsmål", f"Tabell 9. Prinsipielle spørsmål {year}",
                  [Column("Dato", DATE), Column("Spørsmål", TEXT)],
                  [[date.fromisoformat(item["raised_on"]), item["text"]] for item in data["principled_questions"]]),
        ]),
        Section("Behov for nye medlemmer", [
            Paragraph(f"Medlemmer med oppnevningstid som går ut innen utgangen av {year + 1}:"),
            Table("Oppnevning utløper", f"Tabell 10. Medlemmer med oppnevningstid som utløper innen 31.12.{year + 1}",
                  [Column("Medlem", TEXT), Column("Fagområde", TEXT), Column("Oppnevnt av", TEXT),
                   Column("Oppnevnt til", DATE)],
                  [[member["name"], member["specialty"], REGIONS.get(member["appointing_region"], ""),
                    date.fromisoformat(member["term_end"])] for member in data["members_term_ending"]]),
            ItemList([f"{REGIONS[code]} har ingen aktive medlemmer i panelet."
                      for code in data["regions_without_members"]],
                     empty="Alle fire regioner er representert i panelet."),
            Paragraph(members_note or "Sekretariatet har ikke lagt inn en vurdering av behovet for nye medlemmer."),
        ]),
    ]
    if other_note:
        sections.append(Section("Annen informasjon", [Paragraph(other_note)]))
    data = {**data, "expected_member_need": members_note, "other_information": other_note}
    return Report(
        kind="panel", title="Ekspertpanelet", subtitle=f"Årsrapport {year} til de regionale helseforetakene",
        year=year, region=None, generated_at=utcnow(), sections=sections, data=data,
        methods_notes=[
            "En sak telles i året uttalelsen ble sendt (den første, om det ble sendt flere). En henvisning som er "
            "avvist som utenfor mandatet eller trukket, telles i året det skjedde, og er ikke åpen etter det.",
            "Bosted er pasientens bostedsregion og bostedsfylke. Fylket følger av de to første sifrene i "
            "kommunenummeret til hjemkommunen (fylkene fra 1. januar 2024). Saker der hjemkommunen mangler "
            "eller er registrert uten kommunenummer, telles som «Ukjent fylke».",
            "Diagnosegruppen er ICD-10-kapitlet til diagnosen i henvisningen.",
            f"Behandlingstiden regnes i kalenderdager fra henvisningen var komplett til uttalelsen ble sendt; "
            f"«innen fristen» er {ANSWER_DAYS} dager eller mindre. 90-persentilen er beregnet med nærmeste rang.",
        ])


def report_due(year: int) -> date:
    """The panel's mandate: the report for a year goes to the four regional health authorities by 1 March."""
    return date(year + 1, 3, 1)


def register_report() -> None:
    add_report_kind(ReportKind(
        name="panel", slug="ekspertpanelet", title="Ekspertpanelet",
        description="Årsrapporten til de fire regionale helseforetakene (innen 1. mars): saker, bosted, diagnoser, "
                    "utfall, behandlingstid, prinsipielle spørsmål og behov for nye medlemmer.",
        build=build_report, roles=frozenset({Role.PANEL_SECRETARIAT}), first_year=2018,
        notes=(NoteField("members", "Forventet behov for nye medlemmer",
                         "Sekretariatets vurdering for året som kommer. Kommer med i rapporten."),
               NoteField("other", "Annen informasjon", "Annet panelet vil ta med i årsrapporten.")),
        due_on=report_due, due_text="skal sendes de fire regionale helseforetakene"))
