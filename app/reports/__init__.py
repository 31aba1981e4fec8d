"""Annual statistics reports, shared by the modules like the case core: a registry of report kinds
(registry.py), the report model every format is rendered from (model.py), server-drawn SVG charts
(charts.py), PDF/XLSX/JSON files (formats.py), the background job with progress (jobs.py, orders.py), the
pages under /rapporter (views.py) and `flask report` (cli.py).

It never imports a domain module: app/<module>/statistics.py computes the module's figures and registers
its report with `register_report()`, called from the app factory before `init_app()`.
"""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages (one per report kind registered so far) and the `flask report` command."""
    from app.reports.cli import make_report_command
    from app.reports.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(make_report_command())
