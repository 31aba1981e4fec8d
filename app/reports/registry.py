"""The registry of report kinds. Each domain module registers its report from the app factory
(`register_report()` in app/<module>/statistics.py); the pages, the job and the CLI serve every kind
registered here without knowing the modules.

Who may read a kind: the analyst reads every kind for every region; otherwise the roles the kind names,
within the regions its `region_scope` gives the user (None: every region).
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from app.core.regions import REGIONS
from app.core.roles import Role
from app.reports.model import Report


@dataclass(frozen=True)
class ReportRequest:
    """What to build: a year, optionally one region, and the free texts the kind asks for."""

    year: int
    region: str | None = None
    notes: dict = field(default_factory=dict)


# progress(percent, step): how far the build has come, in bokmål ("Teller søknader").
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class NoteField:
    """A free text the person ordering the report writes into it (e.g. the panel's need for members)."""

    name: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class ReportKind:
    name: str                                    # "abroad": the CLI argument and the key in the registry
    slug: str                                    # "utenlandsbehandling": the URL segment
    title: str                                   # "Behandling i utlandet"
    description: str
    build: Callable[[ReportRequest, Progress], Report]
    roles: frozenset[Role]                       # who reads it besides the analyst
    first_year: int = 2004
    regional: bool = False                       # can be made for one region (`--region`)
    region_scope: Callable[[object], tuple[str, ...] | None] | None = None
    notes: tuple[NoteField, ...] = ()
    due_on: Callable[[int], date] | None = None  # when the report for a year is due (reminders)
    due_text: str = ""                           # "sendes de fire regionale helseforetakene"


_KINDS: dict[str, ReportKind] = {}


def register_report(kind: ReportKind) -> None:
    """Add (or replace) a report kind; called once per module from the app factory."""
    clash = next((other for other in _KINDS.values() if other.slug == kind.slug and other.name != kind.name), None)
    if clash is not None:
        raise ValueError(f"report slug {kind.slug!r} is already used by {clash.name!r}")
    _KINDS[kind.name] = kind


def report_kinds() -> list[ReportKind]:
    """By title, whatever order the modules registered in."""
    return sorted(_KINDS.values(), key=lambda kind: kind.title)


def get_kind(name: str) -> ReportKind | None:
    return _KINDS.get(name)


def can_read(user, kind: ReportKind) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.role is Role.ANALYST:
        return True
    return user.role in kind.roles and (kind.region_scope is None or bool(kind.region_scope(user)))


def readable_kinds(user) -> list[ReportKind]:
    return [kind for kind in report_kinds() if can_read(user, kind)]


def regions_for(user, kind: ReportKind) -> tuple[str, ...] | None:
    """The regions `user` may see `kind` for; None means every region and the whole country."""
    if user.role is Role.ANALYST or kind.region_scope is None:
        return None
    return tuple(kind.region_scope(user) or ())


def region_choices(user, kind: ReportKind) -> list[tuple[str, str]]:
    """(value, label) for the region picker: "" is the whole country, when the user may see it."""
    if not kind.regional:
        return [("", "Hele landet")]
    allowed = regions_for(user, kind)
    if allowed is None:
        return [("", "Hele landet"), *REGIONS.items()]
    return [(code, REGIONS[code]) for code in allowed]


def may_read_region(user, kind: ReportKind, region: str | None) -> bool:
    if not can_read(user, kind):
        return False
    if region is not None and (not kind.regional or region not in REGIONS):
        return False
    allowed = regions_for(user, kind)
    return allowed is None or region in allowed
