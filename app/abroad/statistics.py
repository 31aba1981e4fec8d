"""Treatment-abroad annual statistics (the tables of the national network's annual report): every figure from
case-level data, counted in the database (GROUP BY), and the report built from them.

Definitions for year Y, as the tables of the 2020 report need them:
- counted applications are the streams `application` and `pgd`; particle therapy and the Nordic drug
  protocols are reported on their own;
- an application belongs to the year it was received, and "granted" is the first-instance decision
  (a reversal on appeal does not change it) as it stood on 31 December of Y: one decided after the year was
  pending at its end, so a later decision does not change a year already reported;
- costs count in the year of the entry's date (the booking date), for the application's home region; so do
  the particle-therapy and Nordic-protocol costs, whatever year the referral came;
- particle therapy counts patients (one patient with two referrals in a year is one);
- each appeal step counts in the year it happened (received, dismissed as late, reversed or forwarded by the
  office, withdrawn, decided by the board: upheld, reversed, partly reversed, quashed and sent back, dismissed),
  so a year's rows need not reconcile; an appeal counts as against a refusal or a grant by the decision it
  complained of (kept on the appeal, so the office's new decision after a quashed one does not move it).
"""
from collections import Counter
from datetime import date

from sqlalchemy import and_, case, extract, func, or_, select

from app.abroad.models import (
    Appeal,
    Application,
    BoardOutcome,
    CostEntry,
    Decision,
    ForeignHospital,
    OfficeOutcome,
    Stream,
)
from app.abroad.services import country_name
from app.cases.interface import Case, icd10_chapter_title
from app.core.regions import REGIONS, handling_office
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db
from app.reports.model import (
    COUNT,
    NOK,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Paragraph,
    Report,
    Section,
    Series,
    Table,
    share,
    whole,
    year_bounds,
    year_range,
)
from app.reports.registry import Progress, ReportKind, ReportRequest
from app.reports.registry import register_report as add_report_kind

COUNTED = (Stream.APPLICATION, Stream.PGD)
NORDIC_COUNTRIES = ("SE", "DK", "FI", "IS")
OTHER_HOSPITAL_LIMIT = 5        # hospitals that treated fewer go into "other"
DIAGNOSIS_SHARE_LIMIT = 0.05    # chapters at or below 5 % of the granted are not shown
RECEIVED_YEARS = 10
COST_YEARS = 6
AVERAGE_COST_YEARS = 9
OTHER = "other"
UNKNOWN_HOSPITAL = "Ikke registrert"
UNKNOWN_COUNTRY = "unknown"
APPEAL_STEPS = ("received", "reversed_by_office", "forwarded_to_board", "board_upheld", "board_reversed",
                "against_grant", "dismissed_late", "withdrawn", "board_partly_reversed", "board_quashed",
                "board_dismissed")
APPEAL_LABELS = {
    "received": "Klager på avslag",
    "dismissed_late": "Avvist av utenlandskontoret fordi klagen kom for sent",
    "reversed_by_office": "Avslag omgjort hos utenlandskontoret",
    "forwarded_to_board": "Klager oversendt nemnda",
    "withdrawn": "Klager trukket",
    "board_upheld": "Stadfestet av nemnda",
    "board_reversed": "Avslag omgjort av nemnda",
    "board_partly_reversed": "Avslag delvis omgjort av nemnda",
    "board_quashed": "Opphevet av nemnda og sendt tilbake til ny behandling",
    "board_dismissed": "Avvist av nemnda",
    "against_grant": "Klager på vilkår i innvilgede vedtak",
}
# Each step of Table 6: the date it counts by and the outcome it is (None: the appeal's receipt or withdrawal)
APPEAL_STEP_DATES = {
    "received": (Appeal.received_on, None),
    "dismissed_late": (Appeal.office_decided_on, Appeal.office_outcome == OfficeOutcome.DISMISSED_LATE),
    "reversed_by_office": (Appeal.office_decided_on, Appeal.office_outcome == OfficeOutcome.REVERSED),
    "forwarded_to_board": (Appeal.office_decided_on, Appeal.office_outcome == OfficeOutcome.FORWARDED),
    "withdrawn": (Appeal.withdrawn_on, None),
    "board_upheld": (Appeal.board_decided_on, Appeal.board_outcome == BoardOutcome.UPHELD),
    "board_reversed": (Appeal.board_decided_on, Appeal.board_outcome == BoardOutcome.REVERSED),
    "board_partly_reversed": (Appeal.board_decided_on, Appeal.board_outcome == BoardOutcome.PARTLY_REVERSED),
    "board_quashed": (Appeal.board_decided_on, Appeal.board_outcome == BoardOutcome.QUASHED),
    "board_dismissed": (Appeal.board_decided_on, Appeal.board_outcome == BoardOutcome.DISMISSED),
}


def _year(column):
    return extract("year", column)


def _in(column, first: int, last: int):
    return column.between(date(first, 1, 1), date(last, 12, 31))


def _scope(query, region: str | None):
    return query.where(Application.home_region == region) if region else query


def _regions(region: str | None) -> list[str]:
    return [region] if region else list(REGIONS)


def _nok(value) -> int:
    return whole(value or 0)


GRANTS = (Decision.GRANTED, Decision.PARTIAL)   # a partial grant is a grant: the patient is treated abroad


def _granted_by(year: int):
    """Granted (in full or in part) in the first instance by the end of `year` (a decision dated later was pending
    then)."""
    return and_(Application.decision.in_(GRANTS), Application.decided_on <= year_bounds(year)[1])


def received_and_granted(year: int, region: str | None) -> tuple[dict[str, int], dict[str, int]]:
    """Counted applications per year received (ten years to Y), and how many of them were granted by the end of Y."""
    first = year - RECEIVED_YEARS + 1
    granted = func.sum(case((_granted_by(year), 1), else_=0))
    rows = db.session.execute(_scope(
        select(_year(Application.received_on), func.count(), granted)
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, first, year))
        .group_by(_year(Application.received_on)), region)).all()
    by_year = {int(row[0]): (row[1], int(row[2] or 0)) for row in rows}
    received = {str(each): by_year.get(each, (0, 0))[0] for each in year_range(year, RECEIVED_YEARS)}
    granted_by_year = {str(each): by_year.get(each, (0, 0))[1] for each in year_range(year, RECEIVED_YEARS)}
    return received, granted_by_year


def _forwarded_by(year: int):
    """Forwarded to the scheme it belongs to by the end of `year` (app/abroad/forwarding.py): not refused."""
    return and_(Application.forwarded_on.is_not(None), Application.forwarded_on <= year_bounds(year)[1])


def forwarded_by_year(year: int, region: str | None) -> dict[str, int]:
    """Counted applications per year received (ten years to Y) forwarded to another scheme by the end of Y."""
    first = year - RECEIVED_YEARS + 1
    rows = dict(db.session.execute(_scope(
        select(_year(Application.received_on), func.count())
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, first, year), _forwarded_by(year))
        .group_by(_year(Application.received_on)), region)).all())
    return {str(each): rows.get(each, 0) for each in year_range(year, RECEIVED_YEARS)}


def pending_at_year_end(year: int, region: str | None) -> int:
    """Counted applications received in Y with no first-instance decision dated on or before 31 December, and
    not forwarded to another scheme by then."""
    _, last = year_bounds(year)
    return db.session.scalar(_scope(
        select(func.count()).select_from(Application)
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, year, year),
               or_(Application.decided_on.is_(None), Application.decided_on > last),
               ~_forwarded_by(year)), region))


def refunds(year: int, region: str | None) -> dict[str, int]:
    """Applications for a refund after treatment (a stream of its own, not among the counted applications)
    received in Y, and how many were granted by the end of Y."""
    received, granted = db.session.execute(_scope(
        select(func.count(), func.sum(case((_granted_by(year), 1), else_=0))).select_from(Application)
        .where(Application.stream == Stream.REFUND, _in(Application.received_on, year, year)), region)).one()
    return {"received": received, "granted": int(granted or 0)}


def received_by_region(year: int, region: str | None) -> dict[str, int]:
    rows = dict(db.session.execute(_scope(
        select(Application.home_region, func.count())
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, year, year))
        .group_by(Application.home_region), region)).all())
    return {code: rows.get(code, 0) for code in _regions(region)}


def _granted(year: int, region: str | None, *columns, as_of: int | None = None):
    """Counted applications received in `year` and granted by the end of `as_of` (the report's year)."""
    return db.session.execute(_scope(
        select(*columns, func.count())
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, year, year),
               _granted_by(as_of or year))
        .group_by(*columns), region)).all()


def _hospitals_granted(year: int, region: str | None):
    """(name, country, count) of the granted counted applications received in Y, a hospital of the register by its
    register name however the plan or import spelt it (app/abroad/hospitals.py); a name not mapped as given."""
    name = func.coalesce(ForeignHospital.name, Application.hospital)
    country = func.coalesce(ForeignHospital.country, Application.country)
    return db.session.execute(_scope(
        select(name, country, func.count()).select_from(Application)
        .outerjoin(ForeignHospital, ForeignHospital.id == Application.hospital_id)
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, year, year), _granted_by(year))
        .group_by(name, country), region)).all()


def granted_places(year: int, region: str | None) -> dict:
    """Granted counted applications received in Y by country and by hospital (of the register); hospitals that
    treated fewer than OTHER_HOSPITAL_LIMIT as "other"."""
    countries = Counter({code or UNKNOWN_COUNTRY: count for code, count in _granted(year, region, Application.country)})
    hospitals, hospital_countries = Counter(), {}
    for hospital, country, count in _hospitals_granted(year, region):
        name = (hospital or "").strip() or UNKNOWN_HOSPITAL
        hospitals[name] += count
        hospital_countries.setdefault(name, set()).add(country)
    named = {name: count for name, count in hospitals.most_common()
             if count >= OTHER_HOSPITAL_LIMIT or name == UNKNOWN_HOSPITAL}
    small = {name: count for name, count in hospitals.items() if name not in named}
    other_countries = sorted({code for name in small for code in hospital_countries[name] if code})
    granted = sum(countries.values())
    nordic = sum(countries[code] for code in NORDIC_COUNTRIES)
    return {
        "granted_by_country": dict(countries.most_common()),
        "granted_by_hospital": {**named, OTHER: sum(small.values())},
        "other_hospital_count": len(small),
        "other_hospital_countries": other_countries,
        "nordic_share": share(nordic, granted),
    }


def chapter_counts(year: int, region: str | None, *, as_of: int | None = None) -> dict[str, int]:
    return dict(_granted(year, region, Application.icd10_chapter, as_of=as_of))


def diagnosis_groups(counts: dict[str, int]) -> dict[str, int]:
    """Chapters whose share of the granted is strictly above 5 %, largest first."""
    total = sum(counts.values())
    return {chapter: count for chapter, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            if total and count / total > DIAGNOSIS_SHARE_LIMIT}


def children_granted(year: int, region: str | None) -> int:
    return db.session.scalar(_scope(
        select(func.count()).select_from(Application)
        .where(Application.stream.in_(COUNTED), _in(Application.received_on, year, year), _granted_by(year),
               Application.child.is_(True)), region))


def costs(year: int, region: str | None) -> dict[int, dict[str, int]]:
    """{entry year: {region: NOK}} for counted applications, over the nine years the averages need."""
    first = year - AVERAGE_COST_YEARS + 1
    rows = db.session.execute(_scope(
        select(_year(CostEntry.entry_date), Application.home_region, func.sum(CostEntry.amount_nok))
        .join(Application, Application.id == CostEntry.application_id)
        .where(Application.stream.in_(COUNTED), _in(CostEntry.entry_date, first, year))
        .group_by(_year(CostEntry.entry_date), Application.home_region), region)).all()
    result = {each: {code: 0 for code in _regions(region)} for each in year_range(year, AVERAGE_COST_YEARS)}
    for entry_year, home_region, amount in rows:
        result[int(entry_year)][home_region] = _nok(amount)
    return result


def appeals_by_region(year: int, region: str | None) -> dict[str, dict[str, int]]:
    """Each appeal step in the year it happened, by the application's home region. The table is of appeals against
    refusals (the decision complained of, which a reversal does not change), a partial grant's refused parts
    among them; appeals against the terms of a full grant are counted in a row of their own."""
    result = {code: dict.fromkeys(APPEAL_STEPS, 0) for code in _regions(region)}

    def count(step: str, date_column, *conditions) -> None:
        rows = db.session.execute(_scope(
            select(Application.home_region, func.count())
            .select_from(Appeal).join(Application, Application.id == Appeal.application_id)
            .where(_in(date_column, year, year), *conditions)
            .group_by(Application.home_region), region)).all()
        for home_region, number in rows:
            result.setdefault(home_region, dict.fromkeys(APPEAL_STEPS, 0))[step] = number

    refused = Appeal.appealed_decision != Decision.GRANTED
    for step, (date_column, outcome) in APPEAL_STEP_DATES.items():
        count(step, date_column, refused, *([] if outcome is None else [outcome]))
    count("against_grant", Appeal.received_on, Appeal.appealed_decision == Decision.GRANTED)
    return result


def _patients(stream: Stream, year: int, region: str | None) -> dict[str, int]:
    """Distinct patients per home region among the referrals of `stream` received in Y (a case without a registered
    patient counts as one)."""
    patient = func.coalesce(Case.patient_id, -Application.case_id)
    return dict(db.session.execute(_scope(
        select(Application.home_region, func.count(patient.distinct()))
        .join(Case, Case.id == Application.case_id)
        .where(Application.stream == stream, _in(Application.received_on, year, year))
        .group_by(Application.home_region), region)).all())


def _booked(stream: Stream, year: int, region: str | None) -> dict[str, int]:
    """The costs of `stream`'s referrals booked in Y, per home region, whatever year the referral came."""
    return dict(db.session.execute(_scope(
        select(Application.home_region, func.sum(CostEntry.amount_nok))
        .join(Application, Application.id == CostEntry.application_id)
        .where(Application.stream == stream, _in(CostEntry.entry_date, year, year))
        .group_by(Application.home_region), region)).all())


def particle_therapy(year: int, region: str | None) -> dict[str, dict[str, int]]:
    """Particle-therapy patients referred in Y, and the particle-therapy costs booked in Y."""
    patients = _patients(Stream.PARTICLE_THERAPY, year, region)
    amounts = _booked(Stream.PARTICLE_THERAPY, year, region)
    return {code: {"patients": patients.get(code, 0), "cost_nok": _nok(amounts.get(code))} for code in _regions(region)}


def nordic_protocol_costs(year: int, region: str | None) -> dict[str, int]:
    """The Nordic drug protocols' costs booked in Y, per home region."""
    amounts = _booked(Stream.NORDIC_DRUG_PROTOCOL, year, region)
    return {code: _nok(amounts.get(code)) for code in _regions(region)}


def nordic_protocol_children(year: int, region: str | None) -> int:
    return db.session.scalar(_scope(
        select(func.count()).select_from(Application)
        .where(Application.stream == Stream.NORDIC_DRUG_PROTOCOL, _in(Application.received_on, year, year),
               Application.child.is_(True)), region))


def abroad_figures(year: int, region: str | None = None, progress: Progress | None = None) -> dict:
    """The report's JSON: one key per table of the annual report, plus the totals and the previous year's chapters."""
    progress = progress or (lambda percent, step: None)
    progress(5, "Teller mottatte og innvilgede søknader")
    received, granted = received_and_granted(year, region)
    forwarded = forwarded_by_year(year, region)
    pending = pending_at_year_end(year, region)
    refund = refunds(year, region)
    by_region = received_by_region(year, region)
    progress(25, "Teller land, sykehus og diagnoser")
    places = granted_places(year, region)
    chapters = chapter_counts(year, region)
    previous_chapters = chapter_counts(year - 1, region, as_of=year)
    children = children_granted(year, region)
    progress(50, "Summerer kostnader")
    cost_years = costs(year, region)
    progress(70, "Teller klager")
    appeals = appeals_by_region(year, region)
    progress(85, "Teller partikkelterapi og nordiske protokoller")
    particle = particle_therapy(year, region)
    nordic_children = nordic_protocol_children(year, region)
    nordic_costs = nordic_protocol_costs(year, region)
    progress(100, "Tallene er klare")
    average = {}
    for each in year_range(year, AVERAGE_COST_YEARS):
        granted_then = granted.get(str(each), 0)
        average[str(each)] = whole(sum(cost_years[each].values()) / granted_then) if granted_then else None
    return {
        "year": year,
        "region": region,
        "received_by_year": received,
        "granted_by_year": granted,
        "forwarded_by_year": forwarded,
        "refunds_after_treatment": refund,
        "pending_at_year_end": pending,
        "received_by_region": by_region,
        **places,
        "diagnosis_groups": diagnosis_groups(chapters),
        "children_granted": children,
        "costs_by_region": {code: {str(each): cost_years[each][code] for each in year_range(year, COST_YEARS)}
                            for code in _regions(region)},
        "average_cost_per_granted": average,
        "appeals_by_region": appeals,
        "particle_therapy_by_region": particle,
        "nordic_drug_protocol_children": nordic_children,
        "nordic_drug_protocol_cost_by_region": nordic_costs,
        # Beyond the published tables: what the tables' percentages are computed from.
        "received": received[str(year)],
        "granted": granted[str(year)],
        "forwarded": forwarded[str(year)],
        "diagnosis_chapters": chapters,
        "diagnosis_chapters_previous_year": previous_chapters,
    }


# The report

def _region_columns(region: str | None) -> list[Column]:
    return [Column(REGIONS[code], COUNT) for code in _regions(region)]


def _percent(part: int, whole_: int) -> float | None:
    return part / whole_ if whole_ else None


def _year_end_text(year: int, today: date | None = None) -> str:
    """«ved utgangen av året» for a year that has ended; for this year, the day the figures were counted."""
    today = today or date.today()
    return "ved utgangen av året" if year < today.year else f"per {today:%d.%m.%Y}"


def _nordic_text(share_: float, granted: int, year: int) -> str:
    """The Nordic share in words: never «om lag 0 prosent» of something that happened, or of nothing."""
    if not granted:
        return f"Ingen søknader mottatt i {year} ble innvilget."
    who = f"pasientene som fikk innvilget søknad i {year}"
    where = "ble utredet eller behandlet i et annet nordisk land (Sverige, Danmark, Finland eller Island)"
    percent = round(share_ * 100)
    if share_ == 0:
        return f"Ingen av {who}, {where}."
    if share_ == 1:
        return f"Alle {who}, {where}."
    amount = "Under 1 prosent" if percent == 0 else "Over 99 prosent" if percent == 100 else f"Om lag {percent} prosent"
    return f"{amount} av {who}, {where}."


def _other_hospitals_text(count: int, countries: list[str]) -> str:
    """What «andre» holds, with the countries it really holds (none: nothing to say)."""
    if not count:
        return ""
    named = [country_name(code) for code in countries]
    where = f" i {', '.join(named[:-1])} og {named[-1]}" if len(named) > 1 else (f" i {named[0]}" if named else "")
    hospitals = "ett sykehus" if count == 1 else f"{count} sykehus"
    each = "som" if count == 1 else "som hver"
    return f" Gruppen «andre» er {hospitals}{where} {each} behandlet færre enn {OTHER_HOSPITAL_LIMIT} pasienter."


def _refund_text(refund: dict[str, int], year: int) -> str:
    """Refunds after treatment are their own stream, reported beside the applications, not among them."""
    if not refund["received"]:
        return ""
    return (f" I tillegg kom det {refund['received']} søknader om refusjon etter behandling (felles søknads- og "
            f"refusjonsskjema); {refund['granted']} av dem ble innvilget i {year}. De er ikke med i tallene over.")


def _overview(data: dict, year: int) -> Section:
    years = list(data["received_by_year"])
    received, granted, pending = data["received"], data["granted"], data["pending_at_year_end"]
    forwarded = data["forwarded_by_year"]
    rows = [[int(each), data["received_by_year"][each], data["granted_by_year"][each],
             _percent(data["granted_by_year"][each], data["received_by_year"][each]), forwarded[each]]
            for each in years]
    return Section("Mottatte og innvilgede søknader", [
        Paragraph(f"I {year} mottok utenlandskontorene {received} søknader (medregnet preimplantasjonsdiagnostikk, "
                  f"PGD). {granted} av dem ble innvilget i første instans"
                  f"{f' (ca. {round(100 * granted / received)} prosent)' if received else ''}, og {pending} var "
                  f"fortsatt under behandling {_year_end_text(year)}."
                  + (f" {data['forwarded']} hørte til en annen ordning og ble sendt videre dit, ikke avslått."
                     if data["forwarded"] else "")
                  + _refund_text(data["refunds_after_treatment"], year)),
        Table("T1 Mottatte og innvilgede", f"Tabell 1. Mottatte og innvilgede søknader {years[0]}–{year}",
              [Column("År", TEXT), Column("Mottatte søknader", COUNT), Column("Innvilget", COUNT),
               Column("Andel innvilget", PERCENT), Column("Sendt videre til annen ordning", COUNT)], rows,
              total=["Sum", sum(data["received_by_year"].values()), sum(data["granted_by_year"].values()),
                     _percent(sum(data["granted_by_year"].values()), sum(data["received_by_year"].values())),
                     sum(forwarded.values())],
              note="Søknader telles i året de ble mottatt; «innvilget» er vedtaket i første instans, og et delvis "
                   "innvilget vedtak (behandlingen innvilget, men f.eks. ikke ledsager eller ønsket sykehus) telles "
                   "som innvilget. En søknad som hører til en annen ordning (Helfo, behandlingsreiser), sendes dit "
                   "og telles ikke som avslått."),
        Chart("bar", f"Mottatte og innvilgede søknader {years[0]}–{year}", years,
              [Series("Mottatte", list(data["received_by_year"].values())),
               Series("Innvilget", list(data["granted_by_year"].values()))]),
    ])


def _regions_section(data: dict, year: int) -> Section:
    counts = data["received_by_region"]
    total = sum(counts.values())
    rows = [[REGIONS[code], count, _percent(count, total)] for code, count in counts.items()]
    return Section("Søknader per region", [
        Table("T2 Mottatte per region", f"Tabell 2. Mottatte søknader per region {year}",
              [Column("Region", TEXT), Column("Mottatte søknader", COUNT), Column("Andel", PERCENT)], rows,
              total=["Sum", total, _percent(total, total)] if len(rows) > 1 else None,
              note="Regionen er pasientens bostedsregion. Helse Nords søknader behandles av kontoret i Helse Sør-Øst."),
        Chart("bar", f"Mottatte søknader per region {year}", [REGIONS[code] for code in counts],
              [Series("Mottatte søknader", list(counts.values()))]),
    ])


def _places_section(data: dict, year: int) -> Section:
    granted = data["granted"]
    countries = data["granted_by_country"]
    hospitals = data["granted_by_hospital"]
    country_rows = [[country_name(code) if code != UNKNOWN_COUNTRY else "Ikke registrert",
                     code if code != UNKNOWN_COUNTRY else "", count, _percent(count, granted)]
                    for code, count in countries.items()]
    hospital_rows = [[name, count, _percent(count, granted)] for name, count in hospitals.items() if name != OTHER]
    hospital_rows.append([f"Andre sykehus ({data['other_hospital_count']} sykehus med færre enn "
                          f"{OTHER_HOSPITAL_LIMIT} pasienter)", hospitals[OTHER], _percent(hospitals[OTHER], granted)])
    nordic = data["nordic_share"]
    return Section("Innvilgede søknader etter land og sykehus", [
        Paragraph(_nordic_text(nordic, granted, year)
                  + _other_hospitals_text(data["other_hospital_count"], data["other_hospital_countries"])),
        Table("T3 Innvilget per land", f"Tabell 3a. Innvilgede søknader per land {year}",
              [Column("Land", TEXT), Column("Landkode", TEXT), Column("Innvilget", COUNT), Column("Andel", PERCENT)],
              country_rows, total=["Sum", "", granted, _percent(granted, granted)]),
        Chart("bar", f"Innvilgede søknader per land {year}", [row[0] for row in country_rows],
              [Series("Innvilget", [row[2] for row in country_rows])]),
        Table("T3 Innvilget per sykehus", f"Tabell 3b. Innvilgede søknader per sykehus {year}",
              [Column("Sykehus", TEXT), Column("Innvilget", COUNT), Column("Andel", PERCENT)], hospital_rows,
              total=["Sum", granted, _percent(granted, granted)]),
    ])


def _diagnosis_section(data: dict, year: int) -> Section:
    current, previous = data["diagnosis_chapters"], data["diagnosis_chapters_previous_year"]
    current_total, previous_total = sum(current.values()), sum(previous.values())
    shown = [*data["diagnosis_groups"], *[chapter for chapter in diagnosis_groups(previous)
                                            if chapter not in data["diagnosis_groups"]]]
    rows = [[f"{icd10_chapter_title(chapter)} ({chapter})", _percent(previous.get(chapter, 0), previous_total),
             _percent(current.get(chapter, 0), current_total), current.get(chapter, 0)] for chapter in shown]
    children = data["children_granted"]
    return Section("Diagnosegrupper", [
        Paragraph("Tabellen viser hovedgruppene (ICD-10-kapitlene) for hoveddiagnosen i de innvilgede søknadene, "
                  "alle aldre. Grupper med 5 prosent eller mindre av de innvilgede i begge årene er ikke vist. "
                  "Partikkelterapi og nordiske legemiddelprotokoller er ikke med; PGD inngår i kapittel Z00-Z99."),
        Table("T4 Diagnosegrupper", f"Tabell 4. Diagnosegrupper, innvilgede søknader {year - 1} og {year}",
              [Column("Diagnosegruppe", TEXT), Column(str(year - 1), PERCENT), Column(str(year), PERCENT),
               Column(f"Antall {year}", COUNT)], rows,
              note=f"Andeler av alle innvilgede søknader: {previous_total} i {year - 1} og {current_total} i {year}."),
        Chart("bar", f"Diagnosegrupper {year - 1} og {year} (andel av innvilgede)", [chapter for chapter in shown],
              [Series(str(year - 1), [row[1] or 0 for row in rows]), Series(str(year), [row[2] or 0 for row in rows])],
              unit=PERCENT),
        Paragraph(f"{children} barn (under 18 år da søknaden kom inn) fikk innvilget søknad i {year}, "
                  f"{round(100 * children / current_total) if current_total else 0} prosent av de innvilgede."),
    ])


def _costs_section(data: dict, year: int, region: str | None) -> Section:
    by_region = data["costs_by_region"]
    years = year_range(year, COST_YEARS)
    rows = [[REGIONS[code], *[by_region[code][str(each)] for each in years]] for code in by_region]
    total = ["Sum", *[sum(by_region[code][str(each)] for code in by_region) for each in years]]
    average = data["average_cost_per_granted"]
    average_rows = [[int(each), data["granted_by_year"].get(each), value] for each, value in average.items()]
    return Section("Kostnader", [
        Paragraph("Kostnadene omfatter behandling, reise og opphold, og telles i året kostnaden er ført. "
                  "Partikkelterapi og nordiske legemiddelprotokoller er holdt utenfor. Beløpene er i hele kroner."),
        Table("T5 Kostnader per region", f"Tabell 5. Totale kostnader per region {years[0]}–{year} (NOK)",
              [Column("Region", TEXT), *[Column(str(each), NOK) for each in years]], rows,
              total=total if len(rows) > 1 else None),
        Chart("line", f"Totale kostnader per region {years[0]}–{year}", [str(each) for each in years],
              [Series(row[0], row[1:]) for row in rows], unit=NOK),
        Table("Gjennomsnittskostnad", f"Tabell 5b. Gjennomsnittlig kostnad per innvilget søknad "
              f"{int(next(iter(average)))}–{year} (NOK)",
              [Column("År", TEXT), Column("Innvilget", COUNT), Column("Kostnad per innvilget", NOK)],
              average_rows,
              note="Årets kostnader delt på antall innvilgede søknader mottatt samme år, avrundet til hele kroner. "
                   "Kostnader et år kan gjelde søknader innvilget tidligere år."),
        Chart("line", "Gjennomsnittlig kostnad per innvilget søknad", list(average),
              [Series("Kostnad per innvilget", [value or 0 for value in average.values()])], unit=NOK),
    ])


def _appeals_section(data: dict, year: int, region: str | None) -> Section:
    appeals = data["appeals_by_region"]
    codes = list(appeals)
    columns = [Column(str(year), TEXT), *_region_columns(region)]
    if len(codes) > 1:
        columns.append(Column("Totalt", COUNT))

    def row(step: str) -> list:
        values = [appeals[code][step] for code in codes]
        return [APPEAL_LABELS[step], *values, *([sum(values)] if len(codes) > 1 else [])]

    return Section("Klager", [
        Paragraph("Et avslag kan påklages. Utenlandskontoret vurderer klagen først og kan omgjøre avslaget; "
                  "ellers sendes klagen til Klagenemnda for behandling i utlandet. En klage som kom for sent, kan "
                  "avvises, og pasienten kan trekke klagen. Nemnda kan stadfeste, omgjøre helt eller delvis, oppheve "
                  "vedtaket og sende saken tilbake til ny behandling, eller avvise klagen. Hvert steg telles i året "
                  "det skjedde, så avgjørelser fra nemnda i ett år kan gjelde klager fra året før. Klager på "
                  "vilkårene i et innvilget vedtak (f.eks. ledsager eller sykehus) telles for seg; klager på et "
                  "delvis innvilget vedtak gjelder det som er avslått, og telles med klagene på avslag."),
        Table("T6 Klager", f"Tabell 6a. Klager {year}", columns,
              [row("received"), row("dismissed_late"), row("reversed_by_office"), row("forwarded_to_board"),
               row("withdrawn"), row("against_grant")]),
        Table("T6 Nemndas avgjørelser", f"Tabell 6b. Mottatte avgjørelser fra nemnda i {year}", columns,
              [row("board_upheld"), row("board_reversed"), row("board_partly_reversed"), row("board_quashed"),
               row("board_dismissed")]),
    ])


def _particle_section(data: dict, year: int) -> Section:
    particle = data["particle_therapy_by_region"]
    rows = [[REGIONS[code], values["patients"], values["cost_nok"]] for code, values in particle.items()]
    total = ["Sum", sum(row[1] for row in rows), sum(row[2] for row in rows)]
    children = data["nordic_drug_protocol_children"]
    protocol_rows = [[REGIONS[code], cost] for code, cost in data["nordic_drug_protocol_cost_by_region"].items()]
    return Section("Partikkelterapi og nordiske legemiddelprotokoller", [
        Paragraph("Pasienter som skal ha partikkelterapi (proton eller karbon), henvises av de utpekte "
                  "universitetssykehusavdelingene; utenlandskontoret administrerer behandlingen. Tallene er ikke "
                  "med i søknadstallene og kostnadene over."),
        Table("T7 Partikkelterapi", f"Tabell 7. Partikkelterapi {year}",
              [Column("Region", TEXT), Column("Antall pasienter", COUNT), Column("Totale kostnader (NOK)", NOK)],
              rows, total=total if len(rows) > 1 else None,
              note="Pasienter henvist i året (hver pasient én gang), og kostnadene ført i året, også for pasienter "
                   "henvist året før."),
        Paragraph(f"Barn i nordiske legemiddelprotokoller for terapiresistent kreft henvist i {year}: {children}."),
        Table("T7 Nordiske protokoller", f"Tabell 7b. Kostnader til nordiske legemiddelprotokoller {year}",
              [Column("Region", TEXT), Column("Kostnader ført i året (NOK)", NOK)], protocol_rows,
              total=["Sum", sum(row[1] for row in protocol_rows)] if len(protocol_rows) > 1 else None),
    ])


def build_report(request: ReportRequest, progress: Progress) -> Report:
    year, region = request.year, request.region
    data = abroad_figures(year, region, lambda percent, step: progress(round(percent * 0.9), step))
    progress(95, "Setter sammen tabeller og diagrammer")
    sections = [_overview(data, year)]
    if region is None:
        sections.append(_regions_section(data, year))
    sections += [_places_section(data, year), _diagnosis_section(data, year), _costs_section(data, year, region),
                 _appeals_section(data, year, region), _particle_section(data, year)]
    area = REGIONS[region] if region else "hele landet"
    return Report(
        kind="abroad", title="Behandling i utlandet", subtitle=f"Årsrapport {year} – {area}", year=year,
        region=region, generated_at=utcnow(), sections=sections, data=data,
        methods_notes=[
            "Søknader er strømmene «søknad» og «PGD»; partikkelterapi, nordiske legemiddelprotokoller og "
            "refusjon etter behandling telles for seg.",
            "En søknad telles i året den ble mottatt. «Innvilget» er vedtaket i første instans; en omgjøring etter "
            "klage endrer det ikke.",
            f"«Under behandling ved årsskiftet» er søknader mottatt i {year} uten vedtak datert senest 31.12.{year} "
            "og ikke sendt videre til en annen ordning innen da.",
            "En søknad som hører til en annen ordning, sendes dit (forvaltningsloven § 4) og telles som sendt videre, "
            "ikke som avslått.",
            "Regionen er pasientens bostedsregion da søknaden kom inn.",
            f"Sykehus med færre enn {OTHER_HOSPITAL_LIMIT} innvilgede pasienter i året er slått sammen til «andre». "
            "Et sykehus telles én gang etter sykehusregisteret, uansett hvordan navnet er skrevet.",
            "Diagnosegruppen er ICD-10-kapitlet til hoveddiagnosen; grupper med 5 prosent eller mindre er ikke vist.",
            "Barn er pasienter under 18 år på datoen søknaden kom inn.",
            "Kostnader telles i året kostnaden er ført, for søknadens region, i hele kroner.",
            "Klager telles i året hvert steg skjedde: mottatt, omgjort eller oversendt av kontoret, avgjort av nemnda.",
        ])


def office_regions(user) -> tuple[str, ...]:
    """The regions whose patients the user's office handles (Helse Sør-Øst's office also Helse Nord)."""
    if user.role is not Role.ABROAD_CASEWORKER or not user.office:
        return ()
    return tuple(code for code in REGIONS if handling_office(code) == user.office)


def register_report() -> None:
    add_report_kind(ReportKind(
        name="abroad", slug="utenlandsbehandling", title="Behandling i utlandet",
        description="Nasjonalt nettverk for utenlandsbehandling: søknader, vedtak, land og sykehus, diagnosegrupper, "
                    "kostnader, klager og partikkelterapi (tabellene i årsrapporten).",
        build=build_report, roles=frozenset({Role.ABROAD_CASEWORKER}), first_year=2004, regional=True,
        region_scope=office_regions))
