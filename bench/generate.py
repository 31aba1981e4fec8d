"""Generate a realistic Helsesak data set for the benchmarks.

    .venv/bin/python -m bench.generate --size 1000000 --database-url sqlite:////tmp/helsesak-bench.db
    .venv/bin/python -m bench.generate --size 100000 \\
        --database-url postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_bench --replace

The schema is built by the Alembic migrations; users are made by app.auth.services.create_user (the demo
logins, plus more treatment-abroad caseworkers); everything else is written in bulk: SQLAlchemy Core
executemany on SQLite, COPY on PostgreSQL. The rows are the ones the app itself would write: cases
numbered "YYYY/N" per year with the counters in case_sequence_counters raised to match (so cases
registered afterwards continue the numbering), screened patient cases (UO) at the office that handles the
patient's home region, patients with valid fødselsnummer (or a birth date only), applications with their
decisions, medical opinions and deadlines, decision letters filed as documents on outgoing journal posts,
costs, appeals as their own cases, status history, audit rows, expert-panel referrals and Nye Metoder methods
(the decided ones with their Beslutningsforum decision, every fifth amended).
"""
import argparse
import bisect
import json
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app.abroad.synthetic import (  # noqa: E402  the catalogue the demo's history is made from too
    BOARD_OUTCOMES,
    COST_CATEGORIES,
    COST_COUNTS,
    DECISIONS,
    REGION_WEIGHTS,
    TREATMENT_CLASSES,
    TREATMENTS,
)
from app.abroad.synthetic import weighted as _weighted  # noqa: E402
from app.cases.models import JournalEntryType, JournalStatus, PartyType  # noqa: E402
from bench.harness import DEFAULT_DATABASE_URL, create_bench_app, engine_for, reset_database  # noqa: E402

DEFAULT_SIZE = 1_000_000
FIRST_YEAR = 2004        # the treatment-abroad network's first year
PANEL_FIRST_YEAR = 2020  # the expert panel
METHODS_FIRST_YEAR = 2014
PASSWORD = "demo-passord-2026"  # the demo password (README), for every generated login

# The office that handles each region.
OFFICE = {"helse-sor-ost": "helse-sor-ost", "helse-nord": "helse-sor-ost", "helse-vest": "helse-vest",
          "helse-midt-norge": "helse-midt-norge"}
# Caseworkers per office: the demo login plus more (the load test logs in as eight different HSØ users).
EXTRA_CASEWORKERS = {"helse-sor-ost": ("hso", 7), "helse-vest": ("vest", 2), "helse-midt-norge": ("midt", 2)}

FIRST_NAMES = ("Kari Ola Ingrid Lars Nora Emil Sofie Jakob Emma Noah Sara Henrik Ida Magnus Thea Sander Maja Elias "
               "Hanna Kristian Marit Per Anne Jon Liv Eirik Solveig Bjørn Astrid Tor Åse Øystein Siri Håkon Ragnhild "
               "Even Frida Sigurd Tuva Aksel Mathilde Jonas Vilde Ørjan Kjersti Trond Gunnhild Amund").split()
LAST_NAMES = ("Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen "
              "Eriksen Berg Haugen Hagen Johannessen Andreassen Jacobsen Dahl Jørgensen Halvorsen Henriksen Lund "
              "Sørensen Jakobsen Moen Gundersen Iversen Strand Solberg Svendsen Eide Knutsen Martinsen Paulsen "
              "Bakken Kristoffersen Mathisen Lie Rønning Aasen Ødegård Bråten Sæther Fjeld Nygård Vik").split()
MUNICIPALITIES = {
    "helse-sor-ost": ("Oslo Bærum Drammen Fredrikstad Lillestrøm Hamar Lillehammer Skien Kristiansand Arendal "
                      "Tønsberg Sarpsborg Asker Gjøvik").split(),
    "helse-vest": "Bergen Stavanger Sandnes Haugesund Sunnfjord Askøy Karmøy Voss Stord".split(),
    "helse-midt-norge": "Trondheim Ålesund Molde Kristiansund Steinkjer Levanger Stjørdal Orkland".split(),
    "helse-nord": "Tromsø Bodø Harstad Alta Narvik Hammerfest Vadsø Rana Vefsn".split(),
}
HOSPITALS = {
    "helse-sor-ost": ("Oslo universitetssykehus", "Akershus universitetssykehus", "Sykehuset Innlandet",
                      "Sykehuset i Vestfold", "Sørlandet sykehus", "Sykehuset Østfold"),
    "helse-vest": ("Haukeland universitetssjukehus", "Stavanger universitetssjukehus", "Helse Fonna", "Helse Førde"),
    "helse-midt-norge": ("St. Olavs hospital", "Helse Møre og Romsdal", "Helse Nord-Trøndelag"),
    "helse-nord": ("Universitetssykehuset Nord-Norge", "Nordlandssykehuset", "Helgelandssykehuset",
                   "Finnmarkssykehuset"),
}
CURRENCIES = {"DK": ("DKK", Decimal("1.55")), "SE": ("SEK", Decimal("1.02")), "GB": ("GBP", Decimal("13.60")),
              "FR": ("EUR", Decimal("11.60")), "DE": ("EUR", Decimal("11.60")), "CH": ("CHF", Decimal("12.30")),
              "US": ("USD", Decimal("10.80"))}
DECIDED_LEGAL_BASIS = "Pasient- og brukerrettighetsloven § 2-4a andre ledd, jf. prioriteringsforskriften § 3"
SCREENING_BASIS = "Offl. § 13 jf. fvl. § 13 første ledd nr. 1"
BOARD = "Klagenemnda for behandling i utlandet"
STARS = "******"

METHOD_TITLES = ("Nivolumab ved avansert melanom", "Robotassistert kirurgi ved endetarmskreft",
                 "Genterapi ved spinal muskelatrofi", "CAR-T-celleterapi ved B-cellelymfom",
                 "Kunstig intelligens for tolkning av mammografi", "Fetoskopisk laserbehandling ved TTTS",
                 "Protonterapi ved barnekreft", "Semaglutid ved fedme", "Pembrolizumab ved lungekreft",
                 "Transkateter aortaklaffimplantasjon (TAVI)", "Hjemmedialyse med nytt utstyr",
                 "Kontinuerlig glukosemåling hos barn", "Olaparib ved eggstokkreft", "Lutetium-PSMA ved prostatakreft")
PANEL_QUESTIONS = ("Er det aktuelt med utprøvende behandling i Norden?",
                   "Finnes det kliniske studier pasienten kan inkluderes i?",
                   "Er det dokumentert effekt av off-label behandling ved tilstanden?")


@lru_cache(maxsize=100_000)
def _utc(day: date, hours: float = 9.0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hours)


# Norwegian national identity numbers (fødselsnummer) with valid check digits (python-stdnum's rules).

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digits(first9: str) -> str | None:
    digits = [int(c) for c in first9]
    k1 = (11 - sum(w * d for w, d in zip(_W1, digits, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    k2 = (11 - sum(w * d for w, d in zip(_W2, digits + [k1], strict=True)) % 11) % 11
    if k2 == 10:
        return None
    return f"{k1}{k2}"


class NationalIds:
    """Unique fødselsnummer per birth date: individual numbers 000–499 for the 1900s, 500–999 from 2000."""

    def __init__(self) -> None:
        self._next: dict[date, int] = {}

    def make(self, birth: date) -> str | None:
        start, stop = (500, 1000) if birth.year >= 2000 else (0, 500)
        number = self._next.get(birth, start)
        prefix = f"{birth:%d%m%y}"
        while number < stop:
            first9 = f"{prefix}{number:03d}"
            number += 1
            check = _check_digits(first9)
            if check is not None:
                self._next[birth] = number
                return first9 + check
        self._next[birth] = number
        return None  # this birth date is used up: the patient gets no number


@cache
def _working_day(day: date) -> date:
    from app.cases.workdays import next_working_day
    return next_working_day(day)


class Ids:
    """Next primary key per table, starting after what the database holds."""

    def __init__(self, connection, tables) -> None:
        self._next = {}
        for table in tables:
            current = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            self._next[table.name] = current + 1

    def take(self, table: str) -> int:
        value = self._next[table]
        self._next[table] = value + 1
        return value


class Writer:
    """Buffers rows per table and writes them in bulk, in foreign-key order."""

    ORDER = ("case_patients", "cases", "case_journal_entries", "case_deadlines", "case_status_changes",
             "case_documents", "case_document_versions", "method_methods", "method_status_changes",
             "method_submissions", "method_forum_decisions", "panel_referrals", "abroad_applications",
             "abroad_medical_opinions", "abroad_cost_entries", "abroad_appeals", "audit_events")

    def __init__(self, engine, metadata) -> None:
        self.engine = engine
        self.metadata = metadata
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.postgres = engine.dialect.name == "postgresql"
        self._json_columns = {name: {column.name for column in table.columns if isinstance(column.type, sa.JSON)}
                              for name, table in metadata.tables.items()}

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        with self.engine.begin() as connection:
            for name in self.ORDER:
                rows = self.rows.pop(name, None)
                if not rows:
                    continue
                if self.postgres:
                    self._copy(connection, name, rows)
                else:
                    self._executemany(connection, name, rows)
                self.counts[name] += len(rows)
        assert not self.rows, f"tables without a place in Writer.ORDER: {list(self.rows)}"

    def _executemany(self, connection, name: str, rows: list[dict]) -> None:
        """Core's INSERT for the table, executed as one executemany with the values run through the
        columns' own SQLAlchemy bind processors (what `connection.execute(insert(), rows)` does, minus its
        per-row parameter bookkeeping)."""
        table = self.metadata.tables[name]
        columns = list(rows[0])
        statement = table.insert().compile(dialect=connection.dialect, column_keys=columns)
        positions = statement.positiontup
        dialect = connection.dialect
        processors = [(index, processor) for index, processor in enumerate(
            table.c[column].type._cached_bind_processor(dialect) for column in positions) if processor is not None]
        # A column the generator does not fill but the INSERT names (it has a Python-side default, e.g. a
        # `version` added by a newer migration) gets that default, as COPY gives it the server default.
        defaults = {column: table.c[column].default.arg for column in positions
                    if column not in rows[0] and table.c[column].default is not None
                    and table.c[column].default.is_scalar}
        data = []
        for row in rows:
            values = [row[column] if column in row else defaults[column] for column in positions]
            for index, processor in processors:
                values[index] = processor(values[index])
            data.append(tuple(values))
        connection.exec_driver_sql(statement.string, data)

    def _copy(self, connection, name: str, rows: list[dict]) -> None:
        from psycopg import sql
        columns = list(rows[0])
        json_columns = [index for index, column in enumerate(columns) if column in self._json_columns[name]]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(name), sql.SQL(", ").join(map(sql.Identifier, columns)))
        cursor = connection.connection.driver_connection.cursor()
        with cursor.copy(statement) as copy:
            for row in rows:
                values = [row[column] for column in columns]
                for index in json_columns:
                    if values[index] is not None:
                        values[index] = json.dumps(values[index], ensure_ascii=False)
                copy.write_row(values)
        cursor.close()


class Generator:
    def __init__(self, *, size: int, engine, metadata, users: dict, seed: int, audit_per_case: int,
                 chunk: int, today: date, progress) -> None:
        self.size = size
        self.metadata = metadata
        self.users = users
        self.rng = random.Random(seed)
        self.audit_per_case = audit_per_case
        self.chunk = chunk
        self.today = today
        self.progress = progress
        self.writer = Writer(engine, metadata)
        self.national_ids = NationalIds()
        self.counters: dict[tuple[str, int], int] = defaultdict(int)
        self.patients_by_region: dict[str, list[tuple]] = defaultdict(list)
        self.patient_facts: dict[int, tuple] = {}   # patient id -> (name, birth date, municipality, region)
        self.methods: list[str] = []
        self.journal_in_case: dict[int, int] = defaultdict(int)
        with engine.connect() as connection:
            for name, year, value in connection.execute(sa.text(
                    "SELECT name, year, last_value FROM case_sequence_counters")):
                self.counters[(name, year)] = value
            self.ids = Ids(connection, [metadata.tables[name] for name in Writer.ORDER])
        from app.cases.identifiers import icd10_chapter, validate_icd10
        self.treatments = [(stream, text, where, country, validate_icd10(code), icd10_chapter(validate_icd10(code)))
                           for stream, text, where, country, code, _ in TREATMENTS]
        self.treatment_weights = _weighted({index: weight for index, (*_, weight) in enumerate(TREATMENTS)})[1]
        self.regions, self.region_weights = _weighted(REGION_WEIGHTS)
        from stdnum.no import fodselsnummer  # noqa: F401  (the check digits above follow its rules)

    # Helpers

    def _next(self, name: str, year: int) -> int:
        self.counters[(name, year)] += 1
        return self.counters[(name, year)]

    def _dates(self, count: int, first_year: int) -> list[date]:
        """`count` dates from 1 January of `first_year` to yesterday, more of them in recent years, sorted."""
        years = list(range(first_year, self.today.year + 1))
        weights = [1 + 0.12 * (year - first_year) for year in years]
        cumulative = []
        total = 0.0
        for year, weight in zip(years, weights, strict=True):
            days = ((self.today - timedelta(days=1)) - date(year, 1, 1)).days + 1 if year == self.today.year else \
                (date(year + 1, 1, 1) - date(year, 1, 1)).days
            total += weight * days
            cumulative.append((total, year, days))
        totals = [entry[0] for entry in cumulative]
        rng = self.rng
        result = []
        for _ in range(count):
            point = rng.random() * total
            index = bisect.bisect_right(totals, point)
            _, year, days = cumulative[min(index, len(cumulative) - 1)]
            result.append(date(year, 1, 1) + timedelta(days=rng.randrange(days)))
        result.sort()
        return result

    def _clamp(self, day: date) -> date:
        return min(day, self.today - timedelta(days=1))

    def _name(self) -> str:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        if rng.random() < 0.15:
            first += " " + rng.choice(FIRST_NAMES)
        return f"{first} {rng.choice(LAST_NAMES)}"

    def _patient(self, region: str, on: date, child_share: float = 0.18) -> tuple:
        """A new patient (id, name, birth date) of `region`, registered on `on`."""
        rng = self.rng
        age_days = rng.randrange(30, 18 * 365) if rng.random() < child_share else rng.randrange(18 * 365, 88 * 365)
        birth = on - timedelta(days=age_days)
        national_id = self.national_ids.make(birth) if rng.random() < 0.93 else None
        patient = (self.ids.take("case_patients"), self._name(), birth)
        municipality = rng.choice(MUNICIPALITIES[region])
        self.writer.add("case_patients", dict(
            id=patient[0], national_id=national_id, name=patient[1], birth_date=birth,
            municipality=municipality, home_region=region, created_at=_utc(on, 8.5),
            version=1))
        self.patient_facts[patient[0]] = (patient[1], birth, municipality, region)
        return patient

    def _case(self, *, kind: str, day: date, title: str, public_title: str, unit: str, status: str,
              patient_id: int | None, user: dict, created: datetime) -> tuple[int, str, int, int]:
        case_id = self.ids.take("cases")
        sequence = self._next("case", day.year)
        number = f"{day.year}/{sequence}"
        # The patient as registered with the case (app.cases.models.RegisteredPatient): as on the patient's row.
        name, birth, municipality, region = self.patient_facts[patient_id] if patient_id else (None,) * 4
        self.writer.add("cases", dict(
            patient_name=name, patient_birth_date=birth, patient_municipality=municipality,
            patient_home_region=region,
            id=case_id, number=number, year=day.year, sequence=sequence, kind=kind, title=title,
            public_title=public_title, status=status, unit=unit, responsible_id=user["id"], patient_id=patient_id,
            access_code="UO" if patient_id else None, legal_basis=SCREENING_BASIS if patient_id else None,
            case_date=day, created_at=created, created_by_id=user["id"], version=1 if status == "R" else 2))
        self.writer.add("case_status_changes", dict(
            id=self.ids.take("case_status_changes"), case_id=case_id, at=created, by_id=user["id"], from_status=None,
            to_status="R", comment=None))
        return case_id, number, day.year, sequence

    def _start_work(self, case_id: int, on: date, user: dict) -> None:
        self.writer.add("case_status_changes", dict(
            id=self.ids.take("case_status_changes"), case_id=case_id, at=_utc(on, 10), by_id=user["id"],
            from_status="R", to_status="B", comment=None))

    def _journal(self, case_id: int, case_number: str, *, entry_type: str, on: date, title: str, public_title: str,
                 party: str | None, user: dict, follow_up_done: date | None = None) -> tuple[int, str]:
        entry_id = self.ids.take("case_journal_entries")
        self.journal_in_case[case_id] += 1
        number_in_case = self.journal_in_case[case_id]
        done = follow_up_done if entry_type in ("I", "N") else None
        self.writer.add("case_journal_entries", dict(
            id=entry_id, case_id=case_id, number_in_case=number_in_case, year=on.year,
            sequence=self._next("journal", on.year), entry_type=entry_type, journal_date=on,
            document_date=on if entry_type in ("I", "U") else None, party_name=party, title=title,
            public_title=public_title, created_at=_utc(on, 11), created_by_id=user["id"],
            follow_up_done_at=_utc(done, 14) if done else None, follow_up_method="BU" if done else None,
            follow_up_by_id=user["id"] if done else None, version=2 if done else 1,
            # as add_journal_entry sets them (journalstatus M053, korrespondanseparttype M087)
            journal_status=JournalStatus.on_registration(JournalEntryType(entry_type)).value,
            party_type=PartyType.default_for(JournalEntryType(entry_type)).value if party else None))
        return entry_id, f"{case_number}-{number_in_case}"

    def _letter(self, case_id: int, entry_id: int, *, title: str, filename: str, on: date, user: dict) -> int:
        document_id = self.ids.take("case_documents")
        self.writer.add("case_documents", dict(
            id=document_id, case_id=case_id, journal_entry_id=entry_id, title=title, created_at=_utc(on, 12),
            created_by_id=user["id"]))
        self.writer.add("case_document_versions", dict(
            id=self.ids.take("case_document_versions"), document_id=document_id, version_number=1, filename=filename,
            mime_type="application/pdf", size_bytes=len(LETTER_PDF), sha256=LETTER_SHA256, created_at=_utc(on, 12),
            created_by_id=user["id"]))
        return document_id

    def _deadline(self, case_id: int, *, kind: str, description: str, due: date, user: dict | None, created: date,
                  done: date | None) -> int:
        deadline_id = self.ids.take("case_deadlines")
        self.writer.add("case_deadlines", dict(
            id=deadline_id, case_id=case_id, kind=kind, description=description, due_date=_working_day(due),
            responsible_id=user["id"] if user else None, done_at=_utc(done, 13) if done else None,
            done_by_id=user["id"] if (done and user) else None, created_at=_utc(created, 10),
            created_by_id=user["id"] if user else None, version=2 if done else 1))
        return deadline_id

    def _audit(self, *, user: dict, case_id: int | None, patient_id: int | None, at: datetime,
               events: list[tuple[str, str, int | None, dict | None]]) -> None:
        for action, object_type, object_id, changes in events[:self.audit_per_case]:
            self.writer.add("audit_events", dict(
                id=self.ids.take("audit_events"), at=at, user_id=user["id"], user_email=user["email"],
                role=user["role"], office=user["office"], action=action, object_type=object_type,
                object_id=None if object_id is None else str(object_id), case_id=case_id, patient_id=patient_id,
                changes=changes, remote_addr="127.0.0.1", session_id=None))
            at += timedelta(seconds=1)
        for index in range(len(events), self.audit_per_case):  # more reads of the case, later on
            at += timedelta(days=1 + index)
            self.writer.add("audit_events", dict(
                id=self.ids.take("audit_events"), at=at, user_id=user["id"], user_email=user["email"],
                role=user["role"], office=user["office"], action="view", object_type="case",
                object_id=None if case_id is None else str(case_id), case_id=case_id, patient_id=patient_id,
                changes=None, remote_addr="127.0.0.1", session_id=None))

    # Nye Metoder

    def methods_cases(self, count: int) -> None:
        rng = self.rng
        user = self.users["metoder@helsesak.test"]
        statuses = ["received", "open_for_input", "suitability", "awaiting_ordering", "not_commissioned",
                    "assessment", "price_negotiation", "clearance", "for_decision", "decided", "closed"]
        for day in self._dates(count, METHODS_FIRST_YEAR):
            sequence = self._next("method", day.year)
            reference = f"ID{day.year}_{sequence:03d}"
            title = f"{rng.choice(METHOD_TITLES)} ({rng.choice(('voksne', 'barn', 'andrelinje', 'førstelinje'))})"
            case_id, number, *_ = self._case(kind="method", day=day, title=f"{reference} {title}",
                                     public_title=f"{reference} {title}", unit="nye-metoder", status="B",
                                     patient_id=None, user=user, created=_utc(day, 9))
            self._start_work(case_id, day, user)
            method_id = self.ids.take("method_methods")
            status = "received" if (self.today - day).days < 60 else rng.choice(statuses)
            self.writer.add("method_methods", dict(
                id=method_id, case_id=case_id, reference=reference, year=day.year, sequence=sequence, suffix="",
                title=title, generic_name=None, product_names=None, manufacturers=None, indication=None,
                method_type=rng.choice(("legemidler", "utstyr", "prosedyrer")), subject_areas=[], tags=[],
                status=status, earlier_method_id=None, created_at=_utc(day, 9), version=1))
            self.writer.add("method_status_changes", dict(
                id=self.ids.take("method_status_changes"), method_id=method_id, on=day, from_status=None,
                to_status="received", by_id=user["id"], comment=None))
            if status != "received":
                self.writer.add("method_status_changes", dict(
                    id=self.ids.take("method_status_changes"), method_id=method_id,
                    on=self._clamp(day + timedelta(days=30)), from_status="received", to_status=status,
                    by_id=user["id"], comment=None))
            self.writer.add("method_submissions", dict(
                id=self.ids.take("method_submissions"), method_id=method_id,
                kind=rng.choice(("forslag", "anmodning", "metodevarsel")),
                organisation=rng.choice(("Oslo universitetssykehus", "Leverandør AS", "Statens legemiddelverk")),
                department=None, contact_person=None, received_on=day))
            if status in ("decided", "closed"):
                self._forum_decisions(method_id, self._clamp(day + timedelta(days=300)), user)
            self._audit(user=user, case_id=case_id, patient_id=None, at=_utc(day, 9), events=[
                ("create", "case", case_id, {"number": [None, number]}),
                ("create", "method", method_id, {"reference": [None, reference]})])
            self.methods.append(reference)
        self.writer.flush()

    def _forum_decisions(self, method_id: int, day: date, user: dict) -> None:
        """A decided method's Beslutningsforum decision, and for every fifth an amendment a year later, so the
        method list's current decision has decisions to choose from. Picked from the id, not the random
        generator, so the rest of the data set stays as it was before methods had decisions."""
        outcomes = ("introduced", "introduced_with_conditions", "not_introduced")
        decision = dict(id=self.ids.take("method_forum_decisions"), method_id=method_id, agenda_item_id=None,
                        decided_by="beslutningsforum", decided_on=day, outcome=outcomes[method_id % 3],
                        preamble=None, points=[], conditions=None, valid_from=None, supersedes_id=None,
                        created_by_id=user["id"])
        self.writer.add("method_forum_decisions", decision)
        if method_id % 5 == 0:
            self.writer.add("method_forum_decisions", {
                **decision, "id": self.ids.take("method_forum_decisions"), "supersedes_id": decision["id"],
                "decided_on": self._clamp(day + timedelta(days=365)), "outcome": outcomes[(method_id + 1) % 3]})

    # The expert panel

    def panel_cases(self, count: int) -> None:
        rng = self.rng
        user = self.users["panel@helsesak.test"]
        for day in self._dates(count, PANEL_FIRST_YEAR):
            region = rng.choices(self.regions, cum_weights=self.region_weights)[0]
            patient_id, name, birth = self._patient(region, day, child_share=0.05)
            title = f"Henvisning til ekspertpanelet – {name}"
            age = (self.today - day).days
            case_id, number, *_ = self._case(
                kind="panel_referral", day=day, title=title, public_title=f"Henvisning til ekspertpanelet – {STARS}",
                unit="ekspertpanelet", status="B", patient_id=patient_id, user=user, created=_utc(day, 9))
            self._start_work(case_id, day, user)
            status = ("received" if age < 5 else "under_assessment" if age < 20
                      else rng.choice(("statement_sent", "closed", "closed")))
            sent = self._clamp(day + timedelta(days=rng.randrange(8, 16))) if status in ("statement_sent", "closed") \
                else None
            deadline_id = self._deadline(case_id, kind="uttalelse", description="Ekspertpanelets uttalelse (14 dager)",
                                         due=day + timedelta(days=14), user=None, created=day, done=sent)
            hospital = rng.choice(HOSPITALS[region])
            from_regional = hospital == HOSPITALS[region][0]
            treatment = rng.choice(self.treatments)
            self.writer.add("panel_referrals", dict(
                id=self.ids.take("panel_referrals"), case_id=case_id, referring_trust=hospital,
                referring_department="Kreftavdelingen", referring_doctor=f"Lege {self._name()}", referred_on=day,
                from_regional_hospital=from_regional,
                regional_review_by=None if from_regional else f"Overlege {self._name()}, {HOSPITALS[region][0]}",
                regional_review_on=None if from_regional else day - timedelta(days=3), icd10=treatment[4],
                condition="Alvorlig, livsforkortende sykdom uten etablert behandling igjen.",
                treatments_tried="Etablert behandling er gitt uten varig effekt.",
                question=rng.choice(PANEL_QUESTIONS), complete_on=day, due_on=_working_day(day + timedelta(days=14)),
                deadline_id=deadline_id, status=status,
                outcome=rng.choice(("established_norway", "study_abroad", "off_label", "no_further_treatment"))
                if status == "closed" else None, flag=None, flagged_at=None, created_at=_utc(day, 9), version=1))
            self._journal(case_id, number, entry_type="I", on=day, title=title,
                          public_title=f"Henvisning til ekspertpanelet – {STARS}", party=hospital, user=user,
                          follow_up_done=sent)
            self._audit(user=user, case_id=case_id, patient_id=patient_id, at=_utc(day, 9), events=[
                ("create", "case", case_id, {"number": [None, number]}),
                ("create", "panel_referral", None, {"icd10": [None, treatment[4]]})])
        self.writer.flush()

    # Treatment abroad

    def abroad_cases(self) -> None:
        dates = self._dates(self.size, FIRST_YEAR)
        started = time.perf_counter()
        for offset in range(0, len(dates), self.chunk):
            for day in dates[offset:offset + self.chunk]:
                self._application(day)
            self.writer.flush()
            self.journal_in_case.clear()  # a case's journal posts are all made with the case
            done = min(offset + self.chunk, len(dates))
            rate = done / (time.perf_counter() - started)
            self.progress(f"applications {done:,}/{len(dates):,} ({rate:,.0f}/s)")

    def _application(self, day: date) -> None:  # noqa: C901  (one application's whole life)
        rng = self.rng
        region = rng.choices(self.regions, cum_weights=self.region_weights)[0]
        office = OFFICE[region]
        user = rng.choice(self.users["caseworkers"][office])
        pool = self.patients_by_region[region]
        if pool and rng.random() < 0.12:
            patient_id, name, birth = rng.choice(pool)   # a patient applying again
        else:
            patient_id, name, birth = self._patient(region, day)
            if rng.random() < 0.2:
                pool.append((patient_id, name, birth))
                if len(pool) > 5000:
                    pool.pop(rng.randrange(len(pool)))
        stream, treatment, where, country, icd10, chapter = rng.choices(
            self.treatments, cum_weights=self.treatment_weights)[0]
        decided_stream = stream in ("application", "pgd")
        referred = {"particle_therapy": "partikkelterapi",
                    "nordic_drug_protocol": "nordisk legemiddelprotokoll for barn"}
        noun = "Søknad om behandling i utlandet" if decided_stream else f"Henvisning – {referred.get(stream)}"
        title, public_title = f"{noun} – {name}", f"{noun} – {STARS}"
        age = (self.today - day).days
        hospital = rng.choice(HOSPITALS[region])
        doctor = f"Lege {self._name()}"

        # What happened to it, decided up front so every row agrees
        status, decision, decided_on, opinion = "referred", None, None, None
        if decided_stream:
            if age < 14 or (age < 60 and rng.random() < 0.5):
                status = "received" if rng.random() < 0.6 else "in_preparation"
            else:
                decision = rng.choices(DECISIONS[0], cum_weights=DECISIONS[1])[0]
                status = decision
                decided_on = self._clamp(day + timedelta(days=rng.randrange(7, 75)))
            if status == "in_preparation" or (decision and decision != "withdrawn" and rng.random() < 0.35):
                requested = self._clamp(day + timedelta(days=rng.randrange(1, 6)))
                received = None
                if decision or rng.random() < 0.4:
                    received = self._clamp(requested + timedelta(days=rng.randrange(5, 30)))
                    if decided_on and received > decided_on:
                        received = decided_on
                opinion = (requested, requested + timedelta(days=21), received)
                if status == "received":
                    status = "in_preparation"
        appeal = None
        if decision == "denied" and rng.random() < 0.25:
            notified = self._clamp(decided_on + timedelta(days=rng.randrange(2, 8)))
            appeal_received = notified + timedelta(days=rng.randrange(5, 45))
            if appeal_received < self.today:
                appeal = (notified, appeal_received)
        reversed_on = None
        appeal_status = None
        if appeal:
            notified, appeal_received = appeal
            deadline = _working_day(notified + timedelta(weeks=4))
            late = appeal_received > deadline
            since = (self.today - appeal_received).days
            if late and since > 14 and rng.random() < 0.5:
                appeal_status = "dismissed_late"
            elif since < 21:
                appeal_status = "received"
            elif since < 120:
                appeal_status = rng.choice(("forwarded", "reversed_by_office"))
            else:
                appeal_status = rng.choices(BOARD_OUTCOMES[0], cum_weights=BOARD_OUTCOMES[1])[0]
            if appeal_status in ("reversed_by_office", "reversed_by_board"):
                reversed_on = self._clamp(appeal_received + timedelta(days=rng.randrange(20, 100)))
                status = "granted"
        granted = status in ("granted", "referred")
        if granted and age > 200 and rng.random() < 0.7:
            status = "completed"
        first_step = None
        if status != "received":
            first_step = opinion[0] if opinion else (decided_on or self._clamp(day + timedelta(days=2)))

        case_id, number, year, sequence = self._case(
            kind="abroad_application", day=day, title=title, public_title=public_title, unit=office,
            status="B" if first_step else "R", patient_id=patient_id, user=user, created=_utc(day, 9))
        if first_step:
            self._start_work(case_id, first_step, user)
        self._journal(case_id, number, entry_type="I", on=day, title=title, public_title=public_title, party=doctor,
                      user=user, follow_up_done=decided_on or (opinion[0] if opinion else None))
        application_id = self.ids.take("abroad_applications")
        if opinion:
            requested, due, received = opinion
            deadline_id = self._deadline(case_id, kind="uttalelse", description=f"Medisinsk uttalelse fra {hospital}",
                                         due=due, user=user, created=requested, done=received or decided_on)
            self.writer.add("abroad_medical_opinions", dict(
                id=self.ids.take("abroad_medical_opinions"), application_id=application_id,
                requested_from=f"Fagmiljøet ved {hospital}", question="Er behandlingen tilgjengelig i Norge?",
                requested_on=requested, due_on=_working_day(due), deadline_id=deadline_id, received_on=received,
                conclusion="Behandlingen tilbys ikke i Norge." if received else None, created_by_id=user["id"]))
            self._journal(case_id, number, entry_type="U", on=requested, title="Anmodning om medisinsk uttalelse",
                          public_title="Anmodning om medisinsk uttalelse", party=hospital, user=user)
            if received:
                self._journal(case_id, number, entry_type="I", on=received, title="Medisinsk uttalelse",
                              public_title="Medisinsk uttalelse", party=hospital, user=user, follow_up_done=received)
        letter_id = None
        if decision == "withdrawn":
            self._journal(case_id, number, entry_type="X", on=decided_on, title="Søknaden er trukket",
                          public_title="Søknaden er trukket", party=None, user=user)
        elif decision:
            label = {"granted": "innvilget", "denied": "avslått"}[decision]
            entry_id, _ = self._journal(case_id, number, entry_type="U", on=decided_on,
                                        title=f"Vedtak – {label} – {name}", public_title=f"Vedtak – {label} – {STARS}",
                                        party=name, user=user)
            letter_id = self._letter(case_id, entry_id, title=f"Vedtaksbrev – {label}",
                                     filename=f"vedtak-{year}-{sequence}.pdf", on=decided_on, user=user)
        treated = status in ("granted", "referred", "completed")
        start = None
        if treated:
            start = self._clamp((reversed_on or decided_on or day) + timedelta(days=rng.randrange(10, 60)))
        reference = f"EXT-{case_id}" if rng.random() < 0.05 else None
        self.writer.add("abroad_applications", dict(
            id=application_id, case_id=case_id, reference=reference, stream=stream, home_region=region,
            office=office, received_on=day, child=(day - birth).days < 18 * 365.25,
            applicant=rng.choice(("Sykehuslege", "Fastlege", "Pasienten", "Fullmektig")), referring_doctor=doctor,
            referring_hospital=hospital, requested_treatment=treatment, requested_where=where,
            treatment_class=rng.choices(TREATMENT_CLASSES[0], cum_weights=TREATMENT_CLASSES[1])[0],
            icd10=icd10, icd10_chapter=chapter,
            method_reference=rng.choice(self.methods) if self.methods and rng.random() < 0.03 else None,
            status=status, decision=decision, decided_on=decided_on,
            legal_basis=DECIDED_LEGAL_BASIS if decision in ("granted", "denied") else None,
            reasoning="Vilkårene i prioriteringsforskriften § 3 er vurdert." if decision in ("granted", "denied")
            else None, method_check=None, letter_document_id=letter_id, flag=None, flagged_at=None,
            hospital=where.split(",")[0] if treated else None, country=country if treated else None,
            planned_start=start, planned_end=start + timedelta(days=rng.randrange(3, 40)) if start else None,
            travel_arrangements="Fly via Oslo lufthavn, bestilt av kontoret" if treated else None,
            stay_arrangements="Pasienthotell ved sykehuset" if treated else None,
            companion="Én ledsager" if treated and rng.random() < 0.5 else None, created_at=_utc(day, 9),
            version=1 + (decision is not None) + (opinion is not None) + treated))
        if treated:
            currency, rate = CURRENCIES[country]
            for _ in range(rng.choices(COST_COUNTS[0], cum_weights=COST_COUNTS[1])[0]):
                entry_date = self._clamp(start + timedelta(days=rng.randrange(0, 120)))
                category = rng.choices(COST_CATEGORIES[0], cum_weights=COST_CATEGORIES[1])[0]
                if category == "travel":
                    amount, cost_currency, cost_rate = Decimal(rng.randrange(2_000, 25_000)), "NOK", None
                else:
                    base = 400_000 if category == "treatment" else 40_000
                    amount = (Decimal(rng.randrange(base // 10, base)) / rate).quantize(Decimal("0.01"))
                    cost_currency, cost_rate = currency, rate
                self.writer.add("abroad_cost_entries", dict(
                    id=self.ids.take("abroad_cost_entries"), application_id=application_id, entry_date=entry_date,
                    category=category, amount=amount, currency=cost_currency, exchange_rate=cost_rate,
                    amount_nok=(amount * cost_rate).quantize(Decimal("0.01")) if cost_rate else amount,
                    invoice_reference=f"F{rng.randrange(10**6, 10**7)}" if category != "travel" else None,
                    created_at=_utc(entry_date, 13), created_by_id=user["id"]))
        self._audit(user=user, case_id=case_id, patient_id=patient_id, at=_utc(day, 9), events=[
            ("create", "case", case_id, {"number": [None, number], "title": [None, title]}),
            ("create", "abroad_application", application_id, {"stream": [None, stream], "icd10": [None, icd10]}),
            ("create", "journal_entry", None, {"registration_number": [None, f"{number}-1"]})])
        if appeal:
            self._appeal(application_id, number, patient_id, name, office, user, appeal, appeal_status, reversed_on,
                         appealed_on=decided_on)

    def _appeal(self, application_id, application_number, patient_id, name, office, user, appeal, status,
                decided_on, *, appealed_on) -> None:
        """An appeal against the refusal of `appealed_on`; `decided_on` is the reversal's date, if any."""
        rng = self.rng
        notified, received = appeal
        title = f"Klage på avslag om behandling i utlandet – {name}"
        public_title = f"Klage på avslag om behandling i utlandet – {STARS}"
        case_id, number, year, sequence = self._case(
            kind="abroad_appeal", day=received, title=title, public_title=public_title, unit=office,
            status="R" if status == "received" else "B", patient_id=patient_id, user=user, created=_utc(received, 9))
        deadline = _working_day(notified + timedelta(weeks=4))
        late = received > deadline
        office_done = status in ("forwarded", "upheld_by_board", "reversed_by_board", "reversed_by_office")
        office_on = decided_on if status == "reversed_by_office" else \
            (self._clamp(received + timedelta(days=rng.randrange(10, 30))) if office_done else None)
        board_on = decided_on if status == "reversed_by_board" else \
            (self._clamp(office_on + timedelta(days=rng.randrange(30, 90))) if status == "upheld_by_board" else None)
        if office_on:
            self._start_work(case_id, office_on, user)
        elif status == "dismissed_late":
            office_on = self._clamp(received + timedelta(days=7))
            self._start_work(case_id, office_on, user)
        self._journal(case_id, number, entry_type="I", on=received, title=f"Klage på vedtak i sak {application_number}",
                      public_title=f"Klage på vedtak i sak {application_number}", party=name, user=user,
                      follow_up_done=office_on)
        forwarding_id = None
        if status == "reversed_by_office":
            self._journal(case_id, number, entry_type="U", on=office_on, title="Vedtak omgjort – søknaden innvilges",
                          public_title="Vedtak omgjort – søknaden innvilges", party=name, user=user)
        elif office_done:
            entry_id, _ = self._journal(case_id, number, entry_type="U", on=office_on,
                                        title=f"Oversendelse av klage til {BOARD}",
                                        public_title=f"Oversendelse av klage til {BOARD}", party=BOARD, user=user)
            forwarding_id = self._letter(case_id, entry_id, title="Oversendelsesbrev til Klagenemnda",
                                         filename=f"oversendelse-{year}-{sequence}.pdf", on=office_on, user=user)
        if board_on:
            outcome = "reversed" if status == "reversed_by_board" else "upheld"
            verdict = "avslag omgjort" if outcome == "reversed" else "stadfestet"
            self._journal(case_id, number, entry_type="I", on=board_on, title=f"Avgjørelse fra nemnda – {verdict}",
                          public_title="Avgjørelse fra nemnda", party=BOARD, user=user, follow_up_done=board_on)
        self.writer.add("abroad_appeals", dict(
            id=self.ids.take("abroad_appeals"), case_id=case_id, application_id=application_id, office=office,
            received_on=received, appealed_decision="denied", appealed_decided_on=appealed_on, notified_on=notified,
            deadline_on=deadline, late=late,
            late_assessment="Klagen kom for sent uten særlige grunner." if status == "dismissed_late" else None,
            consider_late=False if status == "dismissed_late" else (True if late and office_done else None),
            grounds="Pasienten mener tilbudet i Norge ikke er forsvarlig.", status=status,
            office_outcome=("reversed" if status == "reversed_by_office" else "forwarded") if office_done
            else ("dismissed_late" if status == "dismissed_late" else None),
            office_decided_on=office_on,
            office_reasoning="Kontoret har vurdert klagen på nytt." if office_done else None,
            forwarding_document_id=forwarding_id,
            board_outcome=("reversed" if status == "reversed_by_board" else "upheld") if board_on else None,
            board_decided_on=board_on, board_reference=f"KN-{board_on.year}-{rng.randrange(1, 999):03d}"
            if board_on else None, created_at=_utc(received, 9), version=1 + office_done + bool(board_on)))
        self._audit(user=user, case_id=case_id, patient_id=patient_id, at=_utc(received, 9), events=[
            ("create", "case", case_id, {"number": [None, number]}),
            ("create", "abroad_appeal", None, {"application_case": [None, application_number], "late": [None, late]})])

    def finish(self, connection) -> None:
        """Raise the per-year counters to the numbers handed out, and store the one letter file."""
        counters = self.metadata.tables["case_sequence_counters"]
        existing = {(name, year) for name, year in connection.execute(sa.select(counters.c.name, counters.c.year))}
        for (name, year), value in sorted(self.counters.items()):
            if (name, year) in existing:
                connection.execute(counters.update().where(counters.c.name == name, counters.c.year == year,
                                                           counters.c.last_value < value).values(last_value=value))
            else:
                connection.execute(counters.insert().values(name=name, year=year, last_value=value))
        files = self.metadata.tables["case_stored_files"]
        if connection.execute(sa.select(files.c.sha256).where(files.c.sha256 == LETTER_SHA256)).first() is None:
            connection.execute(files.insert().values(sha256=LETTER_SHA256, content=LETTER_PDF))


# The decision letters' content: one small PDF shared by every generated letter (files are addressed by
# their SHA-256, so identical letters are stored once). Downloads are not benchmarked.
LETTER_PDF = (b"%PDF-1.7\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
              b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
LETTER_SHA256 = __import__("hashlib").sha256(LETTER_PDF).hexdigest()


def _make_users(app) -> dict:
    """The demo logins and more caseworkers per office, through the app's own account service."""
    from app.auth.models import User
    from app.auth.services import create_user
    from app.core.roles import Role
    from app.demo import DEMO_USERS
    from app.extensions import db

    wanted = list(DEMO_USERS)
    for office, (prefix, count) in EXTRA_CASEWORKERS.items():
        wanted += [(f"{prefix}{n}@helsesak.test", f"Saksbehandler {prefix.upper()} {n}", Role.ABROAD_CASEWORKER, office)
                   for n in range(1, count + 1)]
    with app.app_context():
        for email, name, role, office in wanted:
            if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
                create_user(email=email, name=name, role=role, office=office, password=PASSWORD)
        db.session.commit()
        users = {}
        caseworkers = defaultdict(list)
        for user in db.session.scalars(sa.select(User)):
            record = dict(id=user.id, email=user.email, role=user.role.value, office=user.office)
            users[user.email] = record
            if user.role is Role.ABROAD_CASEWORKER:
                caseworkers[user.office].append(record)
        db.session.remove()
    users["caseworkers"] = {office: sorted(records, key=lambda record: record["id"])
                            for office, records in caseworkers.items()}
    return users


def generate(*, size: int, database_url: str, seed: int = 2026, replace: bool = False, audit_per_case: int = 2,
             panel: int | None = None, methods: int | None = None, chunk: int = 20_000, analyze: bool | None = None,
             today: date | None = None, quiet: bool = False) -> dict:
    """Build the schema and fill it; returns the row counts and timings."""
    def progress(message: str) -> None:
        if not quiet:
            print(f"[generate {time.perf_counter() - started:7.1f}s] {message}", flush=True)

    started = time.perf_counter()
    today = today or date.today()
    probe = engine_for(database_url)
    with probe.connect() as connection:
        existing = connection.execute(sa.text("SELECT count(*) FROM cases")).scalar() \
            if sa.inspect(connection).has_table("cases") else 0
    probe.dispose()
    if existing and not replace:
        raise SystemExit(f"{database_url} already holds {existing:,} cases; pass --replace to start over.")
    reset_database(database_url)
    progress("empty database")
    app = create_bench_app(database_url, bare_routes=False)
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from config import BASE_DIR
        upgrade(directory=str(BASE_DIR / "migrations"))
        metadata = db.metadata
    progress("schema migrated")
    users = _make_users(app)
    progress(f"{len(users) - 1} users")
    engine = engine_for(database_url, bulk=True)
    generator = Generator(size=size, engine=engine, metadata=metadata, users=users, seed=seed,
                          audit_per_case=audit_per_case, chunk=chunk, today=today, progress=progress)
    generator.methods_cases(methods if methods is not None else min(1500, max(20, size // 700)))
    progress(f"{generator.writer.counts['method_methods']:,} methods")
    generator.panel_cases(panel if panel is not None else min(5000, max(20, size // 200)))
    progress(f"{generator.writer.counts['panel_referrals']:,} panel referrals")
    generator.abroad_cases()
    with engine.begin() as connection:
        generator.finish(connection)
        if engine.dialect.name == "postgresql":
            for name in Writer.ORDER:
                connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"))
    loaded = time.perf_counter() - started
    if analyze is None:
        analyze = engine.dialect.name == "postgresql"
    if analyze:
        progress("analyze")
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            with engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))
    engine.dispose()
    total = time.perf_counter() - started
    counts = dict(generator.writer.counts)
    progress(f"done: {sum(counts.values()):,} rows in {total:.0f} s (load {loaded:.0f} s)")
    return {"counts": counts, "seconds": total, "load_seconds": loaded, "database_url": database_url}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="treatment-abroad applications (default 1M)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"SQLAlchemy URL (default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})")
    parser.add_argument("--replace", action="store_true", help="empty a database that already holds cases")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--audit-per-case", type=int, default=2,
                        help="audit rows per case (creation rows first, then later reads); default 2")
    parser.add_argument("--panel", type=int, help="expert-panel referrals (default size/200, 20–5,000)")
    parser.add_argument("--methods", type=int, help="Nye Metoder methods (default size/700, 20–1,500)")
    parser.add_argument("--chunk", type=int, default=20_000, help="applications per bulk write")
    parser.add_argument("--analyze", action=argparse.BooleanOptionalAction, default=None,
                        help="run ANALYZE afterwards (default: on for PostgreSQL, as autovacuum would; "
                             "off for SQLite, which the app never analyzes)")
    args = parser.parse_args(argv)
    result = generate(size=args.size, database_url=args.database_url, seed=args.seed, replace=args.replace,
                      audit_per_case=args.audit_per_case, panel=args.panel, methods=args.methods, chunk=args.chunk,
                      analyze=args.analyze)
    width = max(map(len, result["counts"]))
    for name, count in sorted(result["counts"].items()):
        print(f"  {name:<{width}} {count:>12,}")


if __name__ == "__main__":
    main()
