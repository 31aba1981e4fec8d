"""Building a report in the background (queue "pdf"). The job reports its progress (percent and step) in
its meta, and returns the report with its files; both stay in Redis for ORDER_TTL (the order itself is a row,
app.reports.models.ReportOrder).

Jobs take plain values and only read the database.
"""
from collections.abc import Iterable

from flask import current_app
from rq import get_current_job

from app.errors import DomainError
from app.extensions import rq
from app.reports.formats import RENDERERS
from app.reports.model import Report
from app.reports.registry import Progress, ReportKind, ReportRequest, get_kind

QUEUE = "pdf"
UNEXPECTED = ("Det oppstod en uventet feil mens rapporten ble laget. Feilen er logget. Prøv igjen om litt, "
              "og kontakt brukerstøtte hvis den ikke lar seg lage.")
STEPS = {"pdf": "Lager PDF med diagrammer", "xlsx": "Lager regneark (XLSX)", "json": "Lager JSON"}


class ReportFailed(DomainError):
    """The report could not be made; the message is bokmål and shown to the person who ordered it."""


def _scaled(progress: Progress, start: int, end: int) -> Progress:
    """A progress callback for one stage that fills the span start..end of the whole."""
    def report(percent: int, step: str) -> None:
        progress(start + round((end - start) * max(0, min(percent, 100)) / 100), step)
    return report


def produce(kind: ReportKind, request: ReportRequest, progress: Progress,
            formats: Iterable[str] = ("pdf", "xlsx", "json")) -> tuple[Report, dict[str, bytes]]:
    """Collect the figures (the module's builder) and render the files: what the job and the CLI share."""
    formats = list(formats)
    figures_end = 55 if "pdf" in formats else 85
    progress(1, "Henter tall")
    report = kind.build(request, _scaled(progress, 1, figures_end))
    files, done = {}, figures_end
    share = (99 - figures_end) / max(len(formats), 1)
    for fmt in formats:
        progress(round(done), STEPS[fmt])
        files[fmt] = RENDERERS[fmt](report)
        done += share
    progress(100, "Ferdig")
    return report, files


@rq.job(queue=QUEUE)
def build_report(kind_name: str, year: int, region: str | None, notes: dict) -> dict:
    """Build one report in every format; progress and any error message go into the job's meta."""
    job = get_current_job()

    def progress(percent: int, step: str) -> None:
        if job is not None:
            job.meta["progress"] = {"percent": int(percent), "step": step}
            job.save_meta()

    try:
        kind = get_kind(kind_name)
        if kind is None:
            raise ReportFailed("Denne rapporttypen finnes ikke lenger.")
        report, files = produce(kind, ReportRequest(year=year, region=region, notes=notes or {}), progress)
    except Exception as error:
        if job is not None:
            job.meta["error"] = str(error) if isinstance(error, DomainError) else UNEXPECTED
            job.save_meta()
        current_app.logger.exception("Report %s %s %s failed", kind_name, year, region or "")
        raise
    return {"report": report, "files": files}
