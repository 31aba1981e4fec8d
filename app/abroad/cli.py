"""`flask abroad import-applications|import-costs|import-appeals FILE`: bulk import of historical
treatment-abroad records (see app/abroad/importing/__init__.py for the columns and the rules).

All or nothing: a file with one bad row imports nothing, prints every bad row as
«linje N, kolonne C: melding» on standard error and exits with status 1. Without --user the import is
the operator's own, for every office (the audit rows carry no user); with --user EMAIL it is done as that
user, within their office's scope, and the audit rows name them. A line imported that may be a duplicate is
printed as «Varsel: linje N, …» on standard error.
"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.abroad.importing import run_import
from app.auth.models import User
from app.extensions import db

abroad_cli = AppGroup("abroad", help="Behandling i utlandet: import av historiske data.")


def _actor(email: str | None):
    if not email:
        return None
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.ClickException(f"Fant ingen aktiv bruker med e-postadressen {email}.")
    return user


def _run(kind: str, file: Path, email: str | None) -> None:
    actor = _actor(email)
    limit = current_app.config["MAX_CONTENT_LENGTH"]   # the same limit as an upload on the web
    if file.stat().st_size > limit:
        raise click.ClickException(f"Filen er større enn {limit // (1024 * 1024)} MB, som er grensen for en import. "
                                   "Del den i flere filer.")
    result = run_import(kind, file.read_bytes(), file.name, actor=actor)
    if not result.ok:
        for error in result.errors:
            click.echo(str(error), err=True)
        click.echo(result.summary, err=True)
        raise SystemExit(1)
    for warning in result.warnings:   # imported, but worth a look (a possible duplicate)
        click.echo(f"Varsel: {warning}", err=True)
    click.echo(f"{result.summary} Importparti {result.batch}.")


def _command(name: str, kind: str, what: str):
    @abroad_cli.command(name, help=f"Importer {what} fra en CSV- eller XLSX-fil (alt eller ingenting).")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--user", "email", help="Importer som denne brukeren (kontorets tilgang, navngitt i loggen).")
    def command(file: Path, email: str | None) -> None:
        _run(kind, file, email)
    return command


import_applications = _command("import-applications", "applications", "søknader og henvisninger")
import_costs = _command("import-costs", "costs", "kostnader")
import_appeals = _command("import-appeals", "appeals", "klager")
