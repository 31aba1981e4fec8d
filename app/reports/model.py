"""What a report is made of, whatever its format: sections holding text, tables and charts, plus the
figures as one JSON-ready dictionary.

Domain modules build a `Report` from their own tables (app/<module>/statistics.py); the web page, the PDF,
the XLSX workbook and the JSON file are all rendered from it, so the formats cannot disagree. Every value
here is plain data (no ORM objects), so a report can travel through the job queue.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

# How a table column is shown and typed in the workbook.
TEXT = "text"
COUNT = "count"        # a whole number
NOK = "nok"            # whole kroner
PERCENT = "percent"    # a share 0..1, shown as a whole percent
SHARE = "share"        # a share 0..1, shown with one decimal
DAYS = "days"          # a number of days, possibly with one decimal (a median)
DATE = "date"

COLUMN_KINDS = (TEXT, COUNT, NOK, PERCENT, SHARE, DAYS, DATE)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    @property
    def numeric(self) -> bool:
        return self.kind not in (TEXT, DATE)


@dataclass
class Table:
    """A table; `sheet` names its worksheet in the XLSX file (at most 31 characters)."""

    sheet: str
    title: str
    columns: list[Column]
    rows: list[list]
    total: list | None = None          # a sum row, shown last and in bold
    note: str | None = None

    def __post_init__(self) -> None:
        if len(self.sheet) > 31 or any(char in self.sheet for char in "[]:*?/\\"):
            raise ValueError(f"invalid worksheet name {self.sheet!r}")
        for row in [*self.rows, *([self.total] if self.total else [])]:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.sheet}: a row has {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True)
class Series:
    name: str
    values: list


@dataclass
class Chart:
    """A bar or line chart over `categories` (x axis); `unit` is NOK, percent or a plain count."""

    kind: str                          # "bar" or "line"
    title: str
    categories: list[str]
    series: list[Series]
    unit: str = COUNT                  # COUNT, NOK or PERCENT
    description: str | None = None     # said to screen readers; the table next to the chart has the numbers

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "line"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"{self.title}: series {series.name!r} does not match the categories")

    @property
    def empty(self) -> bool:
        """Nothing to draw: no categories, or every value zero (the table next to it shows the zeros)."""
        return not any(value for series in self.series for value in series.values)


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class ItemList:
    """A plain list of lines, e.g. the principled questions of the year."""

    items: list[str]
    empty: str = "Ingen."


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "del-" + "".join(char if char.isalnum() else "-" for char in self.title.lower()).strip("-")


@dataclass
class Report:
    """One report for one year (and possibly one region)."""

    kind: str                          # the registry name, e.g. "abroad"
    title: str                         # "Behandling i utlandet"
    subtitle: str                      # "Årsrapport 2020 – hele landet"
    year: int
    region: str | None
    generated_at: datetime
    sections: list[Section]
    data: dict                         # the JSON document
    methods_notes: list[str] = field(default_factory=list)   # how the figures are counted

    @property
    def full_title(self) -> str:
        return f"{self.title} – {self.subtitle}"

    @property
    def tables(self) -> list[Table]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Chart)]

    def file_stem(self) -> str:
        region = f"-{self.region}" if self.region else ""
        return f"{self.kind}-{self.year}{region}"


def share(part: int, whole: int, places: str = "0.001") -> float:
    """part / whole rounded half up (0.0 when there is nothing to divide)."""
    if not whole:
        return 0.0
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def whole(value) -> int:
    """A number rounded half up to an integer (amounts are whole kroner in the reports)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def year_range(last: int, count: int) -> list[int]:
    """The `count` years ending with `last`, oldest first."""
    return list(range(last - count + 1, last + 1))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)
