"""How a part of Helsesak plugs itself in: each package's `__init__.py` holds one `Module` that names its
blueprints, API routes, report kind, listeners, CLI commands, demo loader and main-menu links, and the app
factory loops over the packages instead of naming each piece.

Members are dotted paths ("app.panel.views:bp"), imported only when the app is built: importing a
package stays cheap and cannot start an import cycle.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

import click
from flask import Flask, current_app
from werkzeug.utils import import_string

EXTENSION = "helsesak.modules"
SEARCH_LIMIT = 20      # hits per kind in the header search: it is for finding one thing, the lists for browsing


@dataclass(frozen=True)
class NavItem:
    """A link in the main menu."""

    label: str
    endpoint: str
    roles: frozenset | None = None   # the roles that see it (app.core.roles.Role); None: every logged-in user
    current: str = ""                # the current page on every endpoint starting with this (default: endpoint)

    def shown_to(self, user) -> bool:
        return self.roles is None or user.role in self.roles

    def is_current(self, endpoint: str | None) -> bool:
        return bool(endpoint) and endpoint.startswith(self.current or self.endpoint)


@dataclass(frozen=True)
class HistoryLabels:
    """How a case's history (app.cases.history) names what a module's audit rows changed: the record's name by
    object type, the fields' labels by object type, and the labels of coded values by field ("stream"), or by
    object type and field where two records code a field alike ("abroad_appeal.status")."""

    objects: dict[str, str]
    fields: dict[str, dict[str, str]]
    values: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSeed:
    """What a module's demo loader builds from: the demo users by e-mail address, a maker of valid
    synthetic national ids, and the day the demo is loaded."""

    users: dict
    national_id_for: Callable[..., str]
    today: date


@dataclass(frozen=True)
class SearchHit:
    """One hit of the header search: the case it leads to (`case_id`, and `patient_id` for the audit log),
    the link, what the hit shows, and what matched."""

    case_id: int | None
    patient_id: int | None
    url: str
    number: str
    title: str
    detail: str | None = None


@dataclass(frozen=True)
class SearchGroup:
    """The hits of one kind (case number, national ID, method ID, …), within the user's scope."""

    label: str
    hits: tuple[SearchHit, ...]


@dataclass(frozen=True)
class DashboardRow:
    """One line on the dashboard: a deadline or a piece of work on a case. `title` is the case's public title
    (offentlig tittel), so a patient's name is masked the same way in every box."""

    case_id: int
    patient_id: int | None
    case_number: str
    title: str
    what: str
    url: str
    due_on: date | None = None
    responsible: str | None = None

    def is_overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today


@dataclass(frozen=True)
class DashboardBox:
    """A box of work a module shows on the dashboard of the roles it concerns."""

    key: str                          # the section's id on the page
    heading: str
    caption: str
    rows: tuple[DashboardRow, ...]
    empty: str = "Ingenting å vise."


@dataclass(frozen=True)
class DashboardPart:
    """What a module adds to a user's dashboard: deadlines (merged with the case core's, earliest first) and
    boxes of its own. Each module shows a role only its own work."""

    deadlines: tuple[DashboardRow, ...] = ()
    boxes: tuple[DashboardBox, ...] = ()


@dataclass(frozen=True)
class Module:
    """One package's contributions; every member is a dotted path, imported when the app is built."""

    blueprints: tuple[str, ...] = ()
    api: str | None = None           # a module whose `app.api.endpoint` declarations run when it is imported
    report: str | None = None        # a function that registers the module's report kind
    listeners: str | None = None     # a function that connects the module's signal receivers
    cli: tuple[str, ...] = ()        # click commands, or functions that make one once the report kinds are known
    demo: str | None = None          # a function(DemoSeed) -> number of demo cases it created
    dashboard: str | None = None     # a function(user, today) -> DashboardPart: the user's work in the module
    nav: tuple[NavItem, ...] = ()
    history: str | None = None       # the module's HistoryLabels
    search: str | None = None        # a function(user, text) -> [SearchGroup]: the header search's hits in it
    case_status: str | None = None   # a function(case_id) -> CaseStatus | None: the status its record gives the case

    def declare(self) -> None:
        """What blueprints are built from (API routes, report kinds), and the signal receivers."""
        if self.api:
            import_module(self.api)
        for path in (self.report, self.listeners):
            if path:
                import_string(path)()

    def register(self, app: Flask) -> None:
        for path in self.blueprints:
            app.register_blueprint(import_string(path))
        for path in self.cli:
            command = import_string(path)
            app.cli.add_command(command if isinstance(command, click.Command) else command())

    def load_demo(self, seed: DemoSeed) -> int:
        """The module's demo cases; how many it created."""
        return import_string(self.demo)(seed) if self.demo else 0


def init_modules(app: Flask, packages: tuple[str, ...]) -> None:
    """Plug in each package's `MODULE`, in order: every declaration first, since a blueprint cannot gain
    routes once registered (app.api) and the report pages are made per registered kind (app.reports)."""
    modules = tuple(import_string(package).MODULE for package in packages)
    for module in modules:
        module.declare()
    for module in modules:
        module.register(app)
    app.extensions[EXTENSION] = modules
    app.add_template_global(nav_items)


def registered_modules() -> tuple[Module, ...]:
    """The app's modules, in the order the factory plugged them in."""
    return current_app.extensions[EXTENSION]


def history_labels() -> list[HistoryLabels]:
    """Every module's labels for the case history."""
    return [import_string(module.history) for module in registered_modules() if module.history]


def module_searches() -> list[Callable]:
    """The modules' header-search functions, in module order."""
    return [import_string(module.search) for module in registered_modules() if module.search]


def module_case_status(case_id: int):
    """The core case's status (CaseStatus) that a module's record of the case gives it, or None when no module
    has a record of the case."""
    for module in registered_modules():
        status = import_string(module.case_status)(case_id) if module.case_status else None
        if status is not None:
            return status
    return None


def dashboard_parts(user, today: date) -> list[DashboardPart]:
    """Each module's part of `user`'s dashboard, in module order."""
    return [import_string(module.dashboard)(user, today) for module in registered_modules() if module.dashboard]


def nav_items(user) -> list[NavItem]:
    """The main menu `user` sees, in module order."""
    return [item for module in registered_modules() for item in module.nav if item.shown_to(user)]
