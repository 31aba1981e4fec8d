"""Annual statistics reports, shared by the modules like the case core: a registry of report kinds
(registry.py), the report model every format is rendered from (model.py), server-drawn SVG charts
(charts.py), PDF/XLSX/JSON files (formats.py), the background job with progress (jobs.py, orders.py), the
pages under /rapporter (views.py) and `flask report` (cli.py).

It never imports a domain module: app/<module>/statistics.py computes the module's figures and registers
its report with `register_report()`, named in the module's `MODULE` (app/modules.py), so the kinds are all
registered before the pages and `flask report` are made.
"""
from app.core.roles import Role
from app.modules import Module, NavItem

MODULE = Module(
    blueprints=("app.reports.views:bp",),
    api="app.reports.api",
    cli=("app.reports.cli:make_report_command",),
    nav=(NavItem("Rapporter", "reports.index", current="reports.", roles=frozenset(
        {Role.ANALYST, Role.ABROAD_CASEWORKER, Role.PANEL_SECRETARIAT, Role.METHODS_SECRETARIAT})),),
)
