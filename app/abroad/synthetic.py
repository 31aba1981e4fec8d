"""Synthetic, realistic treatment-abroad history: the treatments the offices see, with their hospitals and
diagnoses, and the shares of regions, decisions, treatment classes, costs and appeal outcomes. The demo
(`flask demo load`) imports a few years of it through the office's own import, and the benchmarks
(bench/generate.py, bench/import_vs_executemany.py) build their data sets from the same catalogue.

Every patient is synthetic: national ids are made with valid check digits for invented birth dates."""
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from app.abroad.models import PGD_BOARD_LAST_DAY, ApprovingBody
from app.core.regions import handling_office


def weighted(pairs: dict) -> tuple[tuple, list[float]]:
    """Population and cumulative weights for random.choices (computed once)."""
    total, cumulative = 0.0, []
    for weight in pairs.values():
        total += weight
        cumulative.append(total)
    return tuple(pairs), cumulative


# Population shares of the four health regions (roughly).
REGION_WEIGHTS = {"helse-sor-ost": 56, "helse-vest": 21, "helse-midt-norge": 14, "helse-nord": 9}
# (stream, requested treatment, where, country, ICD-10, weight)
TREATMENTS = [
    ("application", "Fetoskopisk laserbehandling av tvilling-til-tvilling transfusjonssyndrom (TTTS)",
     "Rigshospitalet, København", "DK", "O43.0", 14),
    ("application", "Kirurgi ved kompleks medfødt hjertefeil", "Great Ormond Street Hospital, London", "GB",
     "Q21.3", 8),
    ("application", "Selektiv intern strålebehandling (SIRT) av levermetastaser",
     "Karolinska Universitetssjukhuset, Stockholm", "SE", "C78.7", 9),
    ("application", "Epilepsikirurgi etter utredning ved spesialsenter", "Sahlgrenska Universitetssjukhuset, Göteborg",
     "SE", "G40.2", 7),
    ("application", "Enzymerstatning ved sjelden metabolsk sykdom", "Hôpital Necker-Enfants malades, Paris", "FR",
     "E75.2", 5),
    ("application", "Allogen stamcelletransplantasjon ved akutt myelogen leukemi",
     "Karolinska Universitetssjukhuset, Stockholm", "SE", "C92.0", 8),
    ("application", "Skoliosekirurgi hos barn med nevromuskulær sykdom", "Rigshospitalet, København", "DK",
     "M41.4", 6),
    ("application", "Behandling av retinoblastom", "Royal London Hospital, London", "GB", "C69.2", 4),
    ("application", "Genterapi ved Duchenne muskeldystrofi", "Universitätsklinikum Essen", "DE", "G71.0", 4),
    ("application", "Kirurgisk behandling av sjelden svulst i skallebasis", "Universitätsspital Zürich", "CH",
     "D43.2", 4),
    ("application", "Dyp hjernestimulering ved dystoni", "Rigshospitalet, København", "DK", "G24.1", 4),
    ("pgd", "Preimplantasjonsdiagnostikk ved alvorlig arvelig sykdom", "Sahlgrenska Universitetssjukhuset, Göteborg",
     "SE", "Z31.4", 8),
    ("particle_therapy", "Protonterapi av hjernesvulst hos barn", "Skandionkliniken, Uppsala", "SE", "C71.9", 6),
    ("particle_therapy", "Protonterapi av kordom i skallebasis", "Skandionkliniken, Uppsala", "SE", "C41.0", 2),
    ("nordic_drug_protocol", "Behandling etter nordisk protokoll for akutt lymfatisk leukemi hos barn",
     "Karolinska Universitetssjukhuset, Stockholm", "SE", "C91.0", 2),
]
DECISIONS = weighted({"granted": 52, "denied": 42, "withdrawn": 6})
BOARD_OUTCOMES = weighted({"upheld_by_board": 75, "reversed_by_board": 12, "reversed_by_office": 13})
TREATMENT_CLASSES = weighted({"established": 82, "trial": 11, "experimental": 7})
EXCEPTION_GROUNDS = "Svært sjelden tilstand uten etablert behandling i Norge; behandlingen er faglig forsvarlig."
COST_COUNTS = weighted({1: 10, 2: 20, 3: 25, 4: 20, 5: 15, 6: 10})
COST_CATEGORIES = weighted({"treatment": 45, "travel": 25, "stay": 25, "other": 5})
# What a cost of each category typically comes to, in kroner (low, high).
COST_RANGES = {"treatment": (60_000, 900_000), "travel": (3_000, 40_000), "stay": (8_000, 120_000),
               "other": (1_000, 25_000)}
APPEALED_SHARE = 0.3       # of refusals
# Where the patients live, by region: (postal code, postal place, home municipality).
PLACES = {
    "helse-sor-ost": [("0150", "Oslo", "0301 Oslo"), ("1337", "Sandvika", "3201 Bærum"),
                      ("1606", "Fredrikstad", "3107 Fredrikstad"), ("2317", "Hamar", "3403 Hamar"),
                      ("3015", "Drammen", "3301 Drammen"), ("3210", "Sandefjord", "3907 Sandefjord"),
                      ("3724", "Skien", "4003 Skien"), ("4610", "Kristiansand S", "4204 Kristiansand")],
    "helse-vest": [("5003", "Bergen", "4601 Bergen"), ("4006", "Stavanger", "1103 Stavanger"),
                   ("5527", "Haugesund", "1106 Haugesund"), ("6800", "Førde", "4647 Sunnfjord")],
    "helse-midt-norge": [("7010", "Trondheim", "5001 Trondheim"), ("6002", "Ålesund", "1508 Ålesund"),
                         ("6413", "Molde", "1506 Molde"), ("7713", "Steinkjer", "5006 Steinkjer")],
    "helse-nord": [("9008", "Tromsø", "5501 Tromsø"), ("8006", "Bodø", "1804 Bodø"), ("9510", "Alta", "5601 Alta"),
                   ("8514", "Narvik", "1806 Narvik")],
}
STREETS = ["Storgata", "Kirkeveien", "Skolegata", "Parkveien", "Fjordgata", "Solbakken", "Granveien", "Bjørkeveien",
           "Elvegata", "Løkkeveien"]
FIRST_NAMES = ["Anne", "Arne", "Astrid", "Bjørn", "Camilla", "Eirik", "Emma", "Frode", "Gunn", "Hans", "Ingrid",
               "Jonas", "Kari", "Lars", "Linnea", "Magnus", "Nora", "Ola", "Randi", "Sigurd", "Solveig", "Tor", "Åse"]
LAST_NAMES = ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
              "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Lund", "Strand", "Solberg", "Nygård", "Ødegård"]


@dataclass(frozen=True)
class History:
    """An office's synthetic history as the import's three files would hold it (rows of column -> text)."""

    applications: list[dict]
    costs: list[dict]
    appeals: list[dict]


def history(office: str, first: date, last: date, per_year: int, *, national_id_for: Callable[..., str],
            seed: int = 2026, prefix: str = "HIST") -> History:
    """About `per_year` applications a year received from `first` to `last` by `office` (its regions only), each
    with the patient's name and address, decided within three months, with the costs of the treatments granted and
    the appeals of some refusals, each appeal decided by the office or Klagenemnda. References are
    `<prefix>-<office>-<n>`."""
    rng = random.Random(f"{seed}-{office}")
    regions = {region: weight for region, weight in REGION_WEIGHTS.items() if handling_office(region) == office}
    years = (last - first).days / 365.25
    rows = list(application_rows(round(per_year * years), first=first, last=last, rng=rng, regions=regions,
                                 national_id_for=national_id_for, reference=f"{prefix}-{office.upper()}-{{:05d}}"))
    contacts, known = random.Random(f"{seed}-{office}-contacts"), {}
    for row in rows:       # a patient seen again keeps the name and address
        contact = known.get(row["national_id"]) or contact_columns(row["patient_region"], contacts)
        if row["national_id"]:
            known[row["national_id"]] = contact
        row.update(contact)
    costs, appeals = [], []
    for row in rows:
        if row["decision"] == "granted" or row["stream"] in ("particle_therapy", "nordic_drug_protocol"):
            costs.extend(cost_rows(row, last=last, rng=rng))
        elif row["decision"] == "denied" and rng.random() < APPEALED_SHARE:
            appeal = appeal_row(row, last=last, rng=rng)
            # PGD is approved by others and not appealed through the office (app/abroad/pgd.py); its appeal is
            # drawn all the same, so the rest of the history stays as it was.
            if appeal is not None and row["stream"] != "pgd":
                appeals.append(appeal)
    return History(applications=rows, costs=costs, appeals=appeals)


def application_rows(count: int, *, first: date, last: date, rng: random.Random, national_id_for: Callable[..., str],
                     regions: dict[str, int] | None = None, reference: str = "BENCH-{:07d}") -> Iterator[dict]:
    """`count` valid rows of the application import: the regions by population, nine in ten patients with a
    fødselsnummer (one in ten of them seen again on a later application), one in six a child, decisions with
    dates, and the treating hospital and country for grants and referrals."""
    region_names, region_weights = weighted(regions or REGION_WEIGHTS)
    treatment_weights = [weight for *_, weight in TREATMENTS]
    national_ids = _NationalIds(national_id_for)
    span = (last - first).days
    seen: list[tuple[str, date, str]] = []
    for index in range(1, count + 1):
        received = first + timedelta(days=rng.randrange(span + 1))
        region = rng.choices(region_names, cum_weights=region_weights)[0]
        if seen and rng.random() < 0.1:
            national_id, birth, region = rng.choice(seen)
            if birth > received:
                received = birth + timedelta(days=rng.randrange(max(1, (last - birth).days)))
        else:
            age_days = rng.randrange(30, 18 * 365) if rng.random() < 0.18 else rng.randrange(18 * 365, 88 * 365)
            birth = received - timedelta(days=age_days)
            national_id = national_ids.make(birth) if rng.random() < 0.9 else None
            if national_id:
                seen.append((national_id, birth, region))
        stream, _text, where, country, icd10, _weight = rng.choices(TREATMENTS, weights=treatment_weights)[0]
        decides = stream in ("application", "pgd")
        decision = decision_date = ""
        if decides and rng.random() < 0.95:
            decision = rng.choices(DECISIONS[0], cum_weights=DECISIONS[1])[0]
            decision_date = min(received + timedelta(days=rng.randrange(7, 90)), last).isoformat()
        treated = not decides or decision == "granted"
        row = {
            "reference": reference.format(index),
            "patient_region": region,
            "patient_birth_date": "" if national_id and rng.random() < 0.5 else birth.isoformat(),
            "national_id": national_id or "",
            "stream": stream, "received_date": received.isoformat(), "icd10": icd10,
            "decision": decision, "decision_date": decision_date,
            "approving_body": _pgd_body(region, decision_date) if stream == "pgd" and decision in (
                "granted", "denied") else "",
            "country": country if treated else "", "hospital": where.split(",")[0] if treated else "",
            "treatment_class": rng.choices(TREATMENT_CLASSES[0], cum_weights=TREATMENT_CLASSES[1])[0],
        }
        # What a grant of experimental treatment rests on (a made-up trial number drawing nothing from rng, so the
        # rest of the data set stays as it was).
        row["trial_registry_id"] = f"NCT0{5000000 + index}" if row["treatment_class"] == "trial" else ""
        row["exception_grounds"] = EXCEPTION_GROUNDS if row["treatment_class"] == "experimental" else ""
        yield row


def _pgd_body(region: str, decided: str) -> str:
    """Who approved PGD (S3 § 5.2): PGD-nemnda up to 30.6.2020, then St. Olavs hospital for Midt-Norge and
    Nord in this synthetic history, Oslo universitetssykehus for the others."""
    if date.fromisoformat(decided) <= PGD_BOARD_LAST_DAY:
        return ApprovingBody.PGD_BOARD.value
    return (ApprovingBody.ST_OLAV if region in ("helse-midt-norge", "helse-nord") else ApprovingBody.OUS).value


def contact_columns(region: str, rng: random.Random) -> dict:
    """The patient's name, postal address and home municipality in the region, as the import's columns."""
    postal_code, postal_place, municipality = rng.choice(PLACES[region])
    return {"patient_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "patient_street": f"{rng.choice(STREETS)} {rng.randrange(1, 80)}", "patient_postal_code": postal_code,
            "patient_postal_place": postal_place, "patient_municipality": municipality}


def cost_rows(application: dict, *, last: date, rng: random.Random) -> list[dict]:
    """The costs booked for a treatment: one to six entries in the months after the grant (or the referral),
    never two of the same date, category and amount, none after `last`."""
    start = date.fromisoformat(application["decision_date"] or application["received_date"])
    rows, keys = [], set()
    for _ in range(rng.choices(COST_COUNTS[0], cum_weights=COST_COUNTS[1])[0]):
        booked = start + timedelta(days=rng.randrange(14, 240))
        if booked > last:
            continue
        category = rng.choices(COST_CATEGORIES[0], cum_weights=COST_CATEGORIES[1])[0]
        low, high = COST_RANGES[category]
        amount = str(rng.randrange(low, high))
        if (booked, category, amount) in keys:
            continue
        keys.add((booked, category, amount))
        rows.append({"application_reference": application["reference"], "date": booked.isoformat(),
                     "category": category, "amount_nok": amount})
    return rows


def appeal_row(application: dict, *, last: date, rng: random.Random) -> dict | None:
    """An appeal received within the four weeks after a refusal: reversed by the office, or sent on to
    Klagenemnda and upheld or reversed there (the later steps only when they fall before `last`)."""
    refused = date.fromisoformat(application["decision_date"])
    received = refused + timedelta(days=rng.randrange(3, 25))
    if received > last:
        return None
    row = {"application_reference": application["reference"], "received_date": received.isoformat(),
           "office_outcome": "", "office_decision_date": "", "board_outcome": "", "board_decision_date": ""}
    office_decided = received + timedelta(days=rng.randrange(7, 30))
    if office_decided > last:
        return row
    outcome = rng.choices(BOARD_OUTCOMES[0], cum_weights=BOARD_OUTCOMES[1])[0]
    row["office_decision_date"] = office_decided.isoformat()
    if outcome == "reversed_by_office":
        row["office_outcome"] = "reversed"
        return row
    row["office_outcome"] = "forwarded"
    board_decided = office_decided + timedelta(days=rng.randrange(30, 120))
    if board_decided <= last:
        row["board_outcome"] = "upheld" if outcome == "upheld_by_board" else "reversed"
        row["board_decision_date"] = board_decided.isoformat()
    return row


class _NationalIds:
    """A new fødselsnummer per patient: `national_id_for(birth, individual=n)` gives the first valid number from
    the n-th individual number of the birth year's century; the next patient born that day starts after it."""

    def __init__(self, national_id_for: Callable[..., str]) -> None:
        self._make = national_id_for
        self._next: dict[date, int] = {}

    def make(self, birth: date) -> str | None:
        try:
            number = self._make(birth, individual=self._next.get(birth, 200))
        except ValueError:
            return None            # that birth date is used up: the patient gets no number
        self._next[birth] = int(number[6:9]) % 500 + 1
        return number
