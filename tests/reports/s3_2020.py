"""A synthetic case-level data set that reproduces every published figure of the treatment-abroad annual
report 2020, inserted in bulk.

The published figures are the `PUBLISHED_*` constants; where the report has a chart only (granted per year before
2020, received per region, the countries and most hospitals, the 2012–2014 costs) the values are chosen
here and the tests only check that the report counts them back. The set also holds what must *not* be
counted: applications received in 2019 but decided in 2020, pending applications decided in 2021, costs
of particle therapy and Nordic protocols, costs dated 2021, appeals received in 2019 and forwarded or
decided in 2020, and appeal steps that all happened in 2019.
"""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert

from app.abroad.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    BoardOutcome,
    CostCategory,
    CostEntry,
    Decision,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.cases.identifiers import icd10_chapter, validate_icd10
from app.cases.models import Case, CaseKind, CaseStatus
from app.core.regions import handling_office
from app.extensions import db

HSO, VEST, MIDT, NORD = "helse-sor-ost", "helse-vest", "helse-midt-norge", "helse-nord"
REGIONS = (HSO, VEST, MIDT, NORD)

# T1, "Mottatte søknader" (PGD included; particle therapy and Nordic protocols excluded).
PUBLISHED_RECEIVED = {2011: 362, 2012: 386, 2013: 383, 2014: 414, 2015: 349, 2016: 319, 2017: 407, 2018: 340,
                      2019: 340, 2020: 224}
PUBLISHED_GRANTED_2020 = 173
PUBLISHED_PENDING_2020 = 6
PUBLISHED_CHILDREN_2020 = 36
PUBLISHED_OTHER_HOSPITALS = 34
PUBLISHED_PGD_AT_KAROLINSKA = 55
# T4: shares of the granted, as printed (whole percent); the counts are the text's (Skader: 10 % of 173).
PUBLISHED_DIAGNOSIS_SHARES = {  # chapter: (2019 %, 2020 %)
    "C00-D48": (17, 6), "G00-G99": (12, 10), "O00-O99": (14, 15), "Q00-Q99": (8, 7), "S00-T98": (8, 10),
    "Z00-Z99": (23, 34),
}
PUBLISHED_DIAGNOSIS_COUNTS_2020 = {"Z00-Z99": 58, "O00-O99": 26, "G00-G99": 17, "S00-T98": 17, "Q00-Q99": 12,
                                   "C00-D48": 10}
# T5, NOK per region and year.
PUBLISHED_COSTS = {
    HSO: {2015: 49_819_000, 2016: 48_937_000, 2017: 40_900_000, 2018: 38_332_000, 2019: 37_000_000, 2020: 22_623_000},
    VEST: {2015: 11_937_000, 2016: 11_891_100, 2017: 13_820_000, 2018: 21_122_000, 2019: 17_000_000, 2020: 9_563_000},
    MIDT: {2015: 8_631_500, 2016: 15_925_900, 2017: 8_687_000, 2018: 13_226_000, 2019: 10_000_000, 2020: 10_167_000},
    NORD: {2015: 11_540_000, 2016: 4_150_000, 2017: 8_900_000, 2018: 9_895_000, 2019: 13_000_000, 2020: 8_597_000},
}
# T6. The report's table is of appeals against refusals; it has no appeals against a grant's terms (against_grant).
# Nor has it rows for the steps added since (dismissals, withdrawals, the board's other outcomes): none in its data.
NEW_STEPS = dict.fromkeys(("dismissed_late", "withdrawn", "board_partly_reversed", "board_quashed", "board_dismissed"),
                          0)
PUBLISHED_APPEALS = {region: {**steps, "against_grant": 0, **NEW_STEPS} for region, steps in {
    HSO: {"received": 20, "reversed_by_office": 1, "forwarded_to_board": 15, "board_upheld": 13, "board_reversed": 4},
    VEST: {"received": 5, "reversed_by_office": 1, "forwarded_to_board": 5, "board_upheld": 5, "board_reversed": 1},
    MIDT: {"received": 3, "reversed_by_office": 1, "forwarded_to_board": 1, "board_upheld": 0, "board_reversed": 1},
    NORD: {"received": 2, "reversed_by_office": 0, "forwarded_to_board": 2, "board_upheld": 3, "board_reversed": 0},
}.items()}
# T7.
PUBLISHED_PARTICLE = {HSO: (40, 20_391_000), VEST: (9, 5_406_000), MIDT: (6, 5_664_000), NORD: (2, 1_235_000)}
PUBLISHED_NORDIC_PROTOCOL_CHILDREN = 1
EARLIER_PARTICLE_COST = 750_000   # booked in 2020 for a 2019 referral

# Chosen where the report has a chart only.
GRANTED = {2011: 270, 2012: 290, 2013: 287, 2014: 310, 2015: 262, 2016: 239, 2017: 305, 2018: 255, 2019: 230,
           2020: 173}
RECEIVED_BY_REGION_2020 = {HSO: 120, VEST: 45, MIDT: 34, NORD: 25}
GRANTED_BY_REGION_2020 = {HSO: 93, VEST: 35, MIDT: 26, NORD: 19}
PENDING_BY_REGION_2020 = {HSO: 3, VEST: 1, MIDT: 1, NORD: 1}
EARLY_COSTS = {2012: (45_000_000, 12_000_000, 9_000_000, 8_000_000),
               2013: (47_500_000, 12_500_000, 9_500_000, 8_500_000),
               2014: (50_000_000, 13_000_000, 10_000_000, 9_000_000)}
REGION_SHARES = (0.53, 0.2, 0.15, 0.12)

KAROLINSKA = ("Karolinska universitetssjukhuset, Huddinge", "SE")
RIGSHOSPITALET = ("Rigshospitalet, København", "DK")
LUND = ("Skånes universitetssjukhus, Lund", "SE")
SAHLGRENSKA = ("Sahlgrenska universitetssjukhuset, Göteborg", "SE")
HELSINKI = ("HUS Helsingin yliopistollinen sairaala", "FI")
GOSH = ("Great Ormond Street Hospital, London", "GB")
AARHUS = ("Aarhus Universitetshospital", "DK")
LEUVEN = ("UZ Leuven", "BE")
ST_LOUIS = ("St. Louis Children's Hospital", "US")
OTHER_NORDIC = [("Odense Universitetshospital", "DK"), ("Akademiska sjukhuset, Uppsala", "SE"),
                ("Tampereen yliopistollinen sairaala", "FI"), ("Landspítali, Reykjavík", "IS")]
OTHER_ABROAD = [
    ("Charité – Universitätsmedizin Berlin", "DE"), ("Universitätsklinikum Heidelberg", "DE"),
    ("Westdeutsches Protonentherapiezentrum Essen", "DE"), ("Hôpital Necker-Enfants malades, Paris", "FR"),
    ("Moorfields Eye Hospital, London", "GB"), ("Mayo Clinic, Rochester", "US"), ("Boston Children's Hospital", "US"),
    ("UMC Utrecht", "NL"), ("Erasmus MC, Rotterdam", "NL"), ("Universitätsspital Zürich", "CH"),
    ("Hôpital ophtalmique Jules-Gonin, Lausanne", "CH"), ("AKH Wien", "AT"),
    ("Ospedale Pediatrico Bambino Gesù, Roma", "IT"), ("Hospital Sant Joan de Déu, Barcelona", "ES"),
    ("Cincinnati Children's Hospital", "US"), ("Hôpital de la Pitié-Salpêtrière, Paris", "FR"),
    ("Universitätsklinikum Hamburg-Eppendorf", "DE"), ("Guy's and St Thomas' Hospital, London", "GB"),
    ("Radboudumc, Nijmegen", "NL"), ("Inselspital Bern", "CH"), ("Klinikum rechts der Isar, München", "DE"),
    ("Johns Hopkins Hospital, Baltimore", "US"), ("Hospital Clínic de Barcelona", "ES"),
    ("Universitair Ziekenhuis Gent", "BE"), ("Royal Marsden Hospital, London", "GB"),
    ("Fondazione IRCCS Istituto Nazionale dei Tumori, Milano", "IT"), ("Gustave Roussy, Villejuif", "FR"),
    ("Memorial Sloan Kettering Cancer Center, New York", "US"),
]


@dataclass
class Granted:
    """A group of granted 2020 applications: how many, their stream, diagnosis, hospital (None: one of the
    small "other" hospitals) and how many of them were children."""

    count: int
    icd10: str
    hospital: tuple[str, str] | None
    children: int = 0
    stream: Stream = Stream.APPLICATION


GRANTED_2020 = [
    Granted(55, "Z31.4", KAROLINSKA, stream=Stream.PGD),       # PGD, mainly at Karolinska
    Granted(3, "Z40.0", None),
    Granted(13, "O43.0", RIGSHOSPITALET),                      # TTTS
    Granted(5, "O43.0", KAROLINSKA),
    Granted(3, "O43.0", LEUVEN),
    Granted(5, "O30.0", RIGSHOSPITALET),                       # other fetal treatment, twin pregnancies
    Granted(4, "C45.0", RIGSHOSPITALET),                       # mesothelioma, pleurectomy
    Granted(1, "C71.9", None, children=1),
    Granted(5, "C34.9", None),
    Granted(6, "G40.2", HELSINKI),                             # epilepsy, MEG in Helsinki
    Granted(6, "G80.0", GOSH, children=6),                     # SDR for cerebral palsy
    Granted(2, "G80.0", ST_LOUIS, children=2),
    Granted(3, "G71.0", None),
    Granted(3, "Q21.0", RIGSHOSPITALET, children=3),
    Granted(4, "Q79.0", LUND, children=4),
    Granted(5, "Q05.9", None, children=3),
    Granted(7, "T87.4", SAHLGRENSKA),                          # bone-anchored prostheses
    Granted(5, "T88.3", AARHUS),                               # malignant hyperthermia work-up
    Granted(5, "S82.1", None, children=5),
    Granted(2, "E75.2", KAROLINSKA, children=2),
    Granted(4, "E76.0", None, children=4),
    Granted(6, "I42.0", None),
    Granted(4, "K50.9", None),
    Granted(4, "M41.1", LUND, children=4),
    Granted(4, "M41.1", None, children=2),
    Granted(5, "B20", None),
    Granted(4, "H35.5", None),
]
# 2019's granted by chapter (shares as printed in T4; 39 neoplasm patients as the text says).
GRANTED_2019 = {"C34.9": 39, "G40.2": 28, "O43.0": 32, "Q21.0": 18, "T87.4": 18, "Z31.4": 53,
                "B20": 8, "E76.0": 8, "I42.0": 8, "K50.9": 8, "M41.1": 5, "H35.5": 5}
NOT_GRANTED_CODES = ("C34.9", "G35", "M41.1", "E75.2", "J84.1", "N18.5", "R56.8", "A81.8")


@dataclass
class DataSet:
    cases: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    costs: list = field(default_factory=list)
    appeals: list = field(default_factory=list)
    next_case_id: int = 5_000_000
    next_application_id: int = 5_000_000
    by_key: dict = field(default_factory=dict)   # (year, region, "granted"/"denied") -> [application ids]

    def case(self, kind: CaseKind, day: date, office: str) -> int:
        self.next_case_id += 1
        sequence = self.next_case_id
        self.cases.append(dict(id=sequence, number=f"{day.year}/{sequence}", year=day.year, sequence=sequence,
                               kind=kind, title=f"{kind.label} – ******", public_title=f"{kind.label} – ******",
                               status=CaseStatus.IN_PROGRESS, unit=office, case_date=day,
                               access_code="UO", legal_basis="Offl. § 13 jf. fvl. § 13 første ledd nr. 1"))
        return sequence

    def application(self, *, region: str, received_on: date, stream: Stream = Stream.APPLICATION,
                    icd10: str = "C34.9", decision: Decision | None = None, decided_on: date | None = None,
                    hospital: tuple[str, str] | None = None, child: bool = False) -> int:
        office = handling_office(region)
        case_id = self.case(CaseKind.ABROAD_APPLICATION, received_on, office)
        self.next_application_id += 1
        code = validate_icd10(icd10)
        status = {None: ApplicationStatus.IN_PREPARATION if stream.has_decision else ApplicationStatus.REFERRED,
                  Decision.GRANTED: ApplicationStatus.GRANTED, Decision.DENIED: ApplicationStatus.DENIED,
                  Decision.WITHDRAWN: ApplicationStatus.WITHDRAWN}[decision]
        self.applications.append(dict(
            id=self.next_application_id, case_id=case_id, stream=stream, home_region=region, office=office,
            received_on=received_on, child=child, treatment_class=TreatmentClass.ESTABLISHED, icd10=code,
            icd10_chapter=icd10_chapter(code), status=status, decision=decision, decided_on=decided_on,
            hospital=hospital[0] if hospital else None, country=hospital[1] if hospital else None,
            requested_treatment="Behandling i utlandet"))
        if decision is not None:
            key = (received_on.year, region, decision.value)
            self.by_key.setdefault(key, []).append(self.next_application_id)
        return self.next_application_id

    def cost(self, application_id: int, day: date, amount_nok: int, currency: str = "NOK",
             rate: Decimal | None = None) -> None:
        nok = Decimal(amount_nok)
        amount = nok if currency == "NOK" else (nok / rate).quantize(Decimal("0.01"))
        self.costs.append(dict(application_id=application_id, entry_date=day, category=CostCategory.TREATMENT,
                               amount=amount, currency=currency, exchange_rate=rate, amount_nok=nok))

    def appeal(self, application_id: int, region: str, received_on: date,
               office: tuple[OfficeOutcome, date] | None = None,
               board: tuple[BoardOutcome, date] | None = None) -> None:
        unit = handling_office(region)
        case_id = self.case(CaseKind.ABROAD_APPEAL, received_on, unit)
        status = AppealStatus.RECEIVED
        if office:
            status = AppealStatus.REVERSED_BY_OFFICE if office[0] is OfficeOutcome.REVERSED else AppealStatus.FORWARDED
        if board:
            status = AppealStatus.UPHELD_BY_BOARD if board[0] is BoardOutcome.UPHELD else AppealStatus.REVERSED_BY_BOARD
        notified_on = received_on - timedelta(days=7)
        self.appeals.append(dict(
            case_id=case_id, application_id=application_id, office=unit, appealed_decision=Decision.DENIED,
            appealed_decided_on=notified_on - timedelta(days=2), received_on=received_on, notified_on=notified_on,
            deadline_on=notified_on + timedelta(weeks=4), late=False, status=status,
            office_outcome=office[0] if office else None, office_decided_on=office[1] if office else None,
            board_outcome=board[0] if board else None, board_decided_on=board[1] if board else None))


def _split(total: int, shares=REGION_SHARES) -> dict[str, int]:
    counts = [int(total * each) for each in shares]
    counts[0] += total - sum(counts)
    return dict(zip(REGIONS, counts, strict=True))


def _day(year: int, index: int) -> date:
    """Spread a year's applications over January to mid-December."""
    return date(year, 1, 1) + timedelta(days=(index * 7) % 340)


def _years_before_2019(data: DataSet) -> None:
    for year in range(2011, 2019):
        received, granted = _split(PUBLISHED_RECEIVED[year]), _split(GRANTED[year])
        for region in REGIONS:
            for index in range(received[region]):
                decision = Decision.GRANTED if index < granted[region] else Decision.DENIED
                day = _day(year, index)
                data.application(region=region, received_on=day, icd10="C34.9" if index % 2 else "Z31.4",
                                 stream=Stream.PGD if index % 5 == 0 else Stream.APPLICATION, decision=decision,
                                 decided_on=day + timedelta(days=20), hospital=KAROLINSKA)


def _year_2019(data: DataSet) -> None:
    codes = [code for code, count in GRANTED_2019.items() for _ in range(count)]
    regions = [region for region, count in {HSO: 122, VEST: 47, MIDT: 34, NORD: 27}.items() for _ in range(count)]
    for index, (code, region) in enumerate(zip(codes, regions, strict=True)):
        day = _day(2019, index)
        if index < 5:   # received in December 2019, granted in January 2020: still 2019's figures
            day, decided = date(2019, 12, 16), date(2020, 1, 8)
        else:
            decided = day + timedelta(days=18)
        data.application(region=region, received_on=day, icd10=code, decision=Decision.GRANTED, decided_on=decided,
                         stream=Stream.PGD if code == "Z31.4" else Stream.APPLICATION, hospital=RIGSHOSPITALET)
    denied = {HSO: 58, VEST: 23, MIDT: 16, NORD: 13}
    for region, count in denied.items():
        for index in range(count):
            day = date(2019, 1, 7) + timedelta(days=index * 2)
            data.application(region=region, received_on=day, icd10=NOT_GRANTED_CODES[index % len(NOT_GRANTED_CODES)],
                             decision=Decision.DENIED, decided_on=day + timedelta(days=21))


def _year_2020(data: DataSet) -> None:
    rng = random.Random(2020)
    regions = [region for region, count in GRANTED_BY_REGION_2020.items() for _ in range(count)]
    rng.shuffle(regions)
    small = [*[hospital for hospital in OTHER_NORDIC for _ in range(2)],
             *[hospital for hospital in OTHER_ABROAD[:13] for _ in range(2)], *OTHER_ABROAD[13:]]
    records = []
    for group in GRANTED_2020:
        for index in range(group.count):
            records.append((group, group.hospital or small.pop(0), index < group.children))
    assert not small and len(records) == PUBLISHED_GRANTED_2020
    for index, ((group, hospital, child), region) in enumerate(zip(records, regions, strict=True)):
        day = _day(2020, index)
        data.application(region=region, received_on=day, stream=group.stream, icd10=group.icd10,
                         decision=Decision.GRANTED, decided_on=day + timedelta(days=14), hospital=hospital, child=child)
    for region in REGIONS:
        not_granted = RECEIVED_BY_REGION_2020[region] - GRANTED_BY_REGION_2020[region] - PENDING_BY_REGION_2020[region]
        for index in range(not_granted):
            day = date(2020, 2, 3) + timedelta(days=index * 9)
            decision = Decision.WITHDRAWN if index % 6 == 5 else Decision.DENIED
            data.application(region=region, received_on=day, icd10=NOT_GRANTED_CODES[index % len(NOT_GRANTED_CODES)],
                             decision=decision, decided_on=day + timedelta(days=25), child=index % 4 == 0)
        for index in range(PENDING_BY_REGION_2020[region]):
            # Still open at the end of the year; one of them decided in January 2021 (a refusal).
            decided = date(2021, 1, 12) if index == 0 else None
            data.application(region=region, received_on=date(2020, 12, 1) + timedelta(days=index),
                             icd10="G35", decision=Decision.DENIED if decided else None, decided_on=decided)


def _costs(data: DataSet) -> None:
    for year in range(2012, 2021):
        for position, region in enumerate(REGIONS):
            total = PUBLISHED_COSTS[region][year] if year >= 2015 else EARLY_COSTS[year][position]
            targets = data.by_key[(year, region, "granted")][:3]
            first, second = round(total * 0.5), round(total * 0.3)
            data.cost(targets[0], date(year, 3, 15), first)
            data.cost(targets[1], date(year, 6, 15), second, currency="SEK", rate=Decimal("0.912345"))
            if year == 2020:
                # Booked in 2020 for a 2019 application: counts in 2020, the year of the entry.
                data.cost(data.by_key[(2019, region, "granted")][0], date(2020, 2, 10), total - first - second)
            else:
                data.cost(targets[2], date(year, 10, 15), total - first - second)
    # After the year: not in 2020's figures.
    data.cost(data.by_key[(2020, HSO, "granted")][5], date(2021, 1, 20), 1_234_000)


def _particle_and_protocols(data: DataSet) -> None:
    for region, (patients, total) in PUBLISHED_PARTICLE.items():
        ids = [data.application(region=region, received_on=date(2020, 1, 6) + timedelta(days=index * 6),
                                stream=Stream.PARTICLE_THERAPY, icd10="C71.9", hospital=("Universitätsklinikum "
                                "Heidelberg", "DE"), child=index % 3 == 0) for index in range(patients)]
        first = round(total * 0.6)
        booked_for_earlier = EARLIER_PARTICLE_COST if region == HSO else 0
        data.cost(ids[0], date(2020, 4, 1), first, currency="EUR", rate=Decimal("10.7231"))
        data.cost(ids[-1], date(2020, 11, 2), total - first - booked_for_earlier)
        data.cost(ids[-1], date(2021, 1, 15), 500_000)        # booked after the year
    # A 2019 referral with a cost booked in 2020: the patient counts in 2019, the cost in 2020 (its booking date),
    # and is part of Helse Sør-Øst's published 2020 total.
    earlier = data.application(region=HSO, received_on=date(2019, 11, 4), stream=Stream.PARTICLE_THERAPY,
                               icd10="C71.9")
    data.cost(earlier, date(2020, 1, 20), EARLIER_PARTICLE_COST)
    child = data.application(region=VEST, received_on=date(2020, 5, 4), stream=Stream.NORDIC_DRUG_PROTOCOL,
                             icd10="C71.9", child=True)
    data.cost(child, date(2020, 8, 3), 320_000)
    data.application(region=HSO, received_on=date(2019, 9, 2), stream=Stream.NORDIC_DRUG_PROTOCOL, icd10="C71.9",
                     child=True)


def _appeals(data: DataSet) -> None:
    """T6. Appeals are against refusals received in 2019; each step counts in its own year."""
    pools = {region: list(data.by_key[(2019, region, "denied")]) for region in REGIONS}
    reversed_, forwarded, upheld, overturned = (OfficeOutcome.REVERSED, OfficeOutcome.FORWARDED, BoardOutcome.UPHELD,
                                                BoardOutcome.REVERSED)
    in_2020, late_2019 = date(2020, 3, 2), date(2019, 10, 7)

    def add(region: str, count: int, received_on: date, office=None, board=None) -> None:
        for _ in range(count):
            data.appeal(pools[region].pop(), region, received_on, office, board)

    office_2020, board_2020 = date(2020, 5, 4), date(2020, 10, 5)
    for region, plan in {
        # received in 2020: (reversed by office, forwarded+upheld, forwarded+reversed, forwarded undecided, at office)
        HSO: (1, 8, 2, 3, 6), VEST: (1, 3, 1, 0, 0), MIDT: (1, 0, 0, 1, 1), NORD: (0, 2, 0, 0, 0),
    }.items():
        reversed_count, fwd_upheld, fwd_reversed, fwd_open, at_office = plan
        add(region, reversed_count, in_2020, (reversed_, office_2020))
        add(region, fwd_upheld, in_2020, (forwarded, office_2020), (upheld, board_2020))
        add(region, fwd_reversed, in_2020, (forwarded, office_2020), (overturned, board_2020))
        add(region, fwd_open, in_2020, (forwarded, office_2020))
        add(region, at_office, in_2020)
    # Received in 2019, forwarded in 2020 (and decided in 2020).
    add(HSO, 2, late_2019, (forwarded, date(2020, 1, 13)), (upheld, date(2020, 3, 9)))
    add(VEST, 1, late_2019, (forwarded, date(2020, 1, 13)), (upheld, date(2020, 3, 9)))
    # Received and forwarded in 2019, decided by the board in 2020.
    forwarded_2019 = (forwarded, date(2019, 11, 11))
    add(HSO, 3, late_2019, forwarded_2019, (upheld, date(2020, 2, 3)))
    add(HSO, 2, late_2019, forwarded_2019, (overturned, date(2020, 2, 3)))
    add(VEST, 1, late_2019, forwarded_2019, (upheld, date(2020, 2, 3)))
    add(MIDT, 1, late_2019, forwarded_2019, (overturned, date(2020, 2, 3)))
    add(NORD, 1, late_2019, forwarded_2019, (upheld, date(2020, 2, 3)))
    # Every step in 2019: nothing in 2020.
    add(HSO, 1, date(2019, 6, 3), (reversed_, date(2019, 7, 1)))
    add(VEST, 1, date(2019, 6, 3), (forwarded, date(2019, 7, 1)), (upheld, date(2019, 9, 2)))


def build() -> DataSet:
    data = DataSet()
    _years_before_2019(data)
    _year_2019(data)
    _year_2020(data)
    _costs(data)
    _particle_and_protocols(data)
    _appeals(data)
    return data


def insert_s3_2020() -> DataSet:
    """Insert the data set in bulk (one executemany per table) and return it."""
    data = build()
    db.session.execute(insert(Case), data.cases)
    db.session.execute(insert(Application), data.applications)
    db.session.execute(insert(CostEntry), data.costs)
    db.session.execute(insert(Appeal), data.appeals)
    db.session.commit()
    return data
