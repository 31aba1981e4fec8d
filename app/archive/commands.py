"""`flask archive extract --from DATE --to DATE --output DIR` writes a Noark 5 deposit of the period;
`flask archive verify DIR` (or `flask archive extract --verify DIR`) checks one and names what is wrong."""
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.archive.deposit import verify, write_deposit
from app.archive.extraction import Period
from app.db import utcnow
from app.errors import DomainError


def _date(_context, _parameter, value: str | None) -> date | None:
    if value is None:
        return None
    for layout in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    raise click.BadParameter(f"«{value}» er ikke en dato (åååå-mm-dd eller dd.mm.åååå).")


def _check(directory: Path) -> None:
    if problems := verify(directory):
        for problem in problems:
            click.echo(f"Feil: {problem}", err=True)
        raise click.ClickException(f"Uttrekket i {directory} er ikke i orden ({len(problems)} feil).")
    click.echo(f"Uttrekket i {directory} er i orden: sjekksummer, antall, skjemaer og dokumentfiler stemmer.")


@click.group("archive", help="Arkivuttrekk etter Noark 5 (arkivstruktur, journaler, endringslogg, dokumenter).")
def archive() -> None:
    pass


@archive.command("extract", help="Lag et arkivuttrekk for en periode, eller kontroller et med --verify.")
@click.option("--from", "start", callback=_date, help="Første dag i perioden (saksdato og journaldato).")
@click.option("--to", "end", callback=_date, help="Siste dag i perioden.")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Ny eller tom mappe uttrekket skrives til.")
@click.option("--verify", "check", type=click.Path(file_okay=False, path_type=Path),
              help="Kontroller et uttrekk i denne mappen i stedet for å lage et.")
@with_appcontext
def extract_command(start, end, output, check) -> None:
    if check is not None:
        _check(check)
        return
    if start is None or end is None or output is None:
        raise click.UsageError("Oppgi --from, --to og --output (eller --verify MAPPE).")
    try:
        extraction = write_deposit(Period(start, end), output, made_at=utcnow(), via="cli",
                                   progress=lambda done, total: click.echo(f"{done}/{total} saker", err=True)
                                   if done == total or done % 50 == 0 else None)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Skrev arkivuttrekket for {extraction.period.label} til {output}: {len(extraction.cases)} saker, "
               f"{len(extraction.documents)} dokumentfiler.")
    for note in extraction.notes:
        click.echo(f"Merk: {note}")


@archive.command("verify", help="Kontroller et arkivuttrekk: sjekksummer, antall, skjemaer og dokumentfiler.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def verify_command(directory) -> None:
    _check(directory)
