"""`flask report KIND --year 2020 --format json|pdf|xlsx --output FILE [--region R] [--note NAME=TEXT]`:
the same report as the web pages, built in this process and written to a file."""
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.core.audit import AuditAction, record_access
from app.core.regions import REGIONS
from app.core.roles import Role
from app.errors import DomainError
from app.reports.jobs import produce
from app.reports.orders import check_request
from app.reports.registry import ReportRequest, get_kind, report_kinds


class _Everyone:
    """The CLI runs with the server's rights: every report, every region (like the analyst)."""

    id = None
    is_authenticated = True
    is_active = True
    role = Role.ANALYST


def make_report_command() -> click.Command:
    """Built after the modules have registered their reports, so KIND lists them all."""
    names = [kind.name for kind in report_kinds()]

    @click.command("report", help="Lag en årsrapport som fil (" + ", ".join(names) + ").")
    @click.argument("kind", type=click.Choice(names))
    @click.option("--year", type=int, default=lambda: date.today().year - 1, show_default="i fjor",
                  help="Året rapporten gjelder.")
    @click.option("--format", "fmt", type=click.Choice(["json", "pdf", "xlsx"]), default="json", show_default=True)
    @click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True,
                  help="Filen rapporten skrives til.")
    @click.option("--region", type=click.Choice(list(REGIONS)), default=None,
                  help="Én region i stedet for hele landet.")
    @click.option("--note", "notes", multiple=True, metavar="NAVN=TEKST",
                  help="Fritekst rapporten tar med (f.eks. members=...).")
    @click.option("--quiet", is_flag=True, help="Ikke vis fremdriften.")
    @with_appcontext
    def report(kind, year, fmt, output, region, notes, quiet):
        report_kind = get_kind(kind)
        if region and not report_kind.regional:
            raise click.BadParameter("Denne rapporten lages bare for hele landet.", param_hint="--region")
        parsed = {}
        for note in notes:
            name, separator, text = note.partition("=")
            if not separator:
                raise click.BadParameter(f"«{note}» må ha formen NAVN=TEKST.", param_hint="--note")
            parsed[name.strip()] = text
        try:
            cleaned = check_request(_Everyone(), report_kind, year=year, region=region, notes=parsed)
            built, files = produce(report_kind, ReportRequest(year=year, region=region, notes=cleaned),
                                   (lambda percent, step: None) if quiet else
                                   (lambda percent, step: click.echo(f"{percent:3d} %  {step}", err=True)),
                                   formats=[fmt])
        except DomainError as error:
            raise click.ClickException(str(error)) from None
        output.write_bytes(files[fmt])
        record_access(AuditAction.EXPORT, "report", f"{kind}:{year}:{region or 'alle'}",
                      details={"format": fmt, "via": "cli", "output": output.name})
        click.echo(f"Skrev {built.full_title} til {output} ({len(files[fmt])} byte).")

    return report
