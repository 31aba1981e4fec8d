"""Publishing a report (issue 18 items 9 and 11). A finished order's report is frozen as a new version of the
report for its kind, year and region: its tables as figures, the PDF and the XLSX, with when and by whom. A later
run of the same report shows what differs from the latest published version; a correction is published as the
next version, with a note saying what it corrects, and never changes an earlier one.

Published tables and charts suppress small numbers: a count from 1 to the threshold less one (config
REPORT_SUPPRESSION_THRESHOLD, default 3) could identify a patient, so it is shown as «<3», together with the
numbers of its row that would reveal it (cost, share, days). When a column has a sum and only one of its cells is
suppressed, the next smallest is suppressed too, so the hidden one cannot be worked out from the sum. The internal
view (the order's page and files) shows the exact numbers."""
from dataclasses import replace
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.core.audit import AuditAction, record_change
from app.core.checks import require
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.reports.formats import format_cell, to_pdf, to_xlsx
from app.reports.model import COUNT, Chart, Report, Table
from app.reports.models import PublishedReport
from app.reports.orders import Order
from app.reports.registry import ReportKind


def threshold() -> int:
    return current_app.config["REPORT_SUPPRESSION_THRESHOLD"]


def _small(value, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < limit


def _suppressed_table(table: Table, limit: int) -> tuple[Table, set[str]]:
    """The table with its small counts suppressed, and the first cells (labels) of the rows that had one."""
    counts = [index for index, column in enumerate(table.columns) if column.kind == COUNT]
    if not counts:
        return table, set()
    hidden = {(row, column) for row, cells in enumerate(table.rows) for column in counts
              if _small(cells[column], limit)}
    if table.total:
        for column in counts:
            in_column = [row for row, each in hidden if each == column]
            if len(in_column) == 1:
                others = [row for row, cells in enumerate(table.rows) if row not in in_column
                          and isinstance(cells[column], int) and cells[column] > 0]
                if others:
                    hidden.add((min(others, key=lambda row: table.rows[row][column]), column))
    rows_hidden = {row for row, _column in hidden}
    rows = []
    for row, cells in enumerate(table.rows):
        if row not in rows_hidden:
            rows.append(list(cells))
            continue
        rows.append([f"<{limit}" if (row, index) in hidden
                     else None if index not in counts and column.numeric else value
                     for index, (value, column) in enumerate(zip(cells, table.columns, strict=True))])
    if not rows_hidden:
        return table, set()
    note = (f"Tall under {limit} er skjult («<{limit}») fordi de kan identifisere en pasient; kostnad, andel og "
            "tid i samme rad er skjult med dem.")
    return (replace(table, rows=rows, note=f"{table.note} {note}" if table.note else note),
            {str(table.rows[row][0]) for row in rows_hidden})


def _suppressed_chart(chart: Chart, labels: set[str], limit: int) -> Chart:
    """The chart without the values the tables suppress: small counts, and the values of a suppressed row."""
    series = [replace(each, values=[None if category in labels or (chart.unit == COUNT and _small(value, limit))
                                    else value for category, value in zip(chart.categories, each.values,
                                                                          strict=True)])
              for each in chart.series]
    if series == chart.series:
        return chart
    note = f"Verdier under {limit} og verdier som kan avsløre dem, er utelatt."
    return replace(chart, series=series, description=f"{chart.description} {note}" if chart.description else note)


def suppressed(report: Report, limit: int) -> Report:
    """A copy of the report for publication, small numbers suppressed (the module docstring says how)."""
    labels: set[str] = set()
    sections = []
    for section in report.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Table):
                block, hidden = _suppressed_table(block, limit)
                labels |= hidden
            blocks.append(block)
        sections.append(replace(section, blocks=blocks))
    sections = [replace(section, blocks=[_suppressed_chart(block, labels, limit) if isinstance(block, Chart)
                                         else block for block in section.blocks]) for section in sections]
    return replace(report, sections=sections, data={}, methods_notes=[
        *report.methods_notes, f"Små tall: celler med færre enn {limit} er skjult i publiserte tabeller og diagrammer "
                               "der de kan identifisere en pasient."])


def table_figures(report: Report) -> list[dict]:
    """The report's tables as they are shown (formatted cells): what a publication keeps and compares."""
    return [{"sheet": table.sheet, "title": table.title, "columns": [column.label for column in table.columns],
             "rows": [[format_cell(value, column) for value, column in zip(row, table.columns, strict=True)]
                      for row in [*table.rows, *([table.total] if table.total else [])]]}
            for table in report.tables]


def differences(published: list[dict], current: list[dict]) -> list[str]:
    """What differs between two sets of figures, in bokmål: each changed cell (table, row, column, old → new),
    and rows and tables that came or went. Rows are matched by their first cell."""
    lines = []
    before = {table["sheet"]: table for table in published}
    for table in current:
        old = before.pop(table["sheet"], None)
        if old is None:
            lines.append(f"Ny tabell: {table['title']}")
            continue
        old_rows = {row[0]: row for row in old["rows"]}
        for row in table["rows"]:
            previous = old_rows.pop(row[0], None)
            if previous is None:
                lines.append(f"{table['title']}: ny rad «{row[0]}»")
                continue
            lines.extend(f"{table['title']}, «{row[0]}», {label}: {was} → {now}"
                         for label, was, now in zip(table["columns"][1:], previous[1:], row[1:], strict=False)
                         if was != now)
        lines.extend(f"{table['title']}: raden «{label}» er borte" for label in old_rows)
    lines.extend(f"Tabellen er borte: {table['title']}" for table in before.values())
    return lines


def latest_publication(kind: str, year: int, region: str | None) -> PublishedReport | None:
    return db.session.scalar(
        select(PublishedReport).where(PublishedReport.kind == kind, PublishedReport.year == year,
                                      PublishedReport.region.is_(None) if region is None
                                      else PublishedReport.region == region)
        .order_by(PublishedReport.version.desc()).limit(1))


def may_publish(user, kind: ReportKind) -> bool:
    """Who produces the report publishes it: the roles the report's kind names (not the analyst, who reads)."""
    return user.role in kind.roles


def changes_since_published(order: Order) -> tuple[PublishedReport | None, list[str]]:
    """The latest published version of the order's report and what this run changes in it (as published, with
    small numbers suppressed the same way)."""
    result = order.result()
    latest = latest_publication(order.kind.name, order.year, order.region)
    if result is None or latest is None:
        return latest, []
    return latest, differences(latest.figures, table_figures(suppressed(result["report"], latest.threshold)))


def publish(order: Order, user, note: str | None, *, today: date | None = None) -> PublishedReport:
    """Publish the report a finished order made (publish_report)."""
    result = order.result()
    if result is None:
        raise InvalidInput("Rapporten er ikke ferdig laget.")
    return publish_report(order.kind, result["report"], user, note, today=today)


def publish_report(kind: ReportKind, report: Report, user, note: str | None, *,
                   today: date | None = None) -> PublishedReport:
    """Freeze the report as the next published version of its kind, year and region (small numbers suppressed).
    A year is published once it has ended; a later version is a correction: it must differ from the latest and say
    what it corrects."""
    if not may_publish(user, kind):
        raise NotAllowed("Bare de som lager denne rapporten, kan publisere den.")
    if report.year >= (today or date.today()).year:
        raise InvalidInput(f"Årsrapporten for {report.year} kan publiseres når året er omme.")
    limit = threshold()
    latest = latest_publication(kind.name, report.year, report.region)
    public = suppressed(report, limit)
    figures = table_figures(public)
    note = (note or "").strip() or None
    version = 1
    if latest is not None:
        if not differences(latest.figures, figures):
            raise InvalidInput(f"Tallene er de samme som i publisert versjon {latest.version}. Ingenting å rette.")
        require(note, "note", f"Skriv hva som er rettet siden versjon {latest.version}.")
        version = latest.version + 1
    public = replace(public, subtitle=f"{public.subtitle} · versjon {version}", methods_notes=[
        *public.methods_notes, *([f"Rettelse i versjon {version}: {note}"] if note else [])])
    row = PublishedReport(kind=kind.name, year=report.year, region=report.region, version=version,
                          published_by_id=user.id, note=note, threshold=limit, figures=figures, pdf=to_pdf(public),
                          xlsx=to_xlsx(public))
    db.session.add(row)
    db.session.flush()
    record_change(AuditAction.CREATE, "report_publication", row.id, user=user,
                  changes={"report": [None, f"{kind.name}:{report.year}:{report.region or 'alle'}"],
                           "version": [None, version], "note": [None, note],
                           "run": [None, report.generated_at.isoformat()]})
    return row
