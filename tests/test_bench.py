"""The benchmarks in bench/ still run: the generator and every benchmark script at a tiny size, so they
cannot rot while the app changes. Nothing here measures or asserts time.

The data set goes to an SQLite file of its own. Set BENCH_TEST_DATABASE_URL to a PostgreSQL database that
may be emptied (e.g. .../helsesak_bench) to run the same checks there as well.
"""
import os
import re
from datetime import date

import pytest
import sqlalchemy as sa

from bench import (
    annual_report,
    detail,
    generate,
    import_vs_executemany,
    list_vs_raw,
    lists,
    load_list,
    load_office,
    paging,
    pdf,
    search,
)
from bench.harness import create_bench_app
from tests.factories import abroad_application

pytestmark = pytest.mark.slow   # generates a data set, starts flask run and gunicorn
SIZE = 400


@pytest.fixture(scope="module",
                params=["sqlite"] + (["postgresql"] if os.environ.get("BENCH_TEST_DATABASE_URL") else []))
def bench_url(request, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}" if request.param == "sqlite" \
        else os.environ["BENCH_TEST_DATABASE_URL"]
    result = generate.generate(size=SIZE, database_url=url, replace=True, panel=5, methods=5, chunk=150,
                               quiet=True)
    assert result["counts"]["abroad_applications"] == SIZE
    return url


def test_the_generated_rows_are_ones_the_app_accepts(bench_url):
    from app.abroad import services
    from app.abroad.models import Application
    from app.auth.models import User
    from app.cases.identifiers import validate_national_id
    from app.cases.models import Case, Patient, SequenceCounter
    from app.extensions import db

    app = create_bench_app(bench_url, bare_routes=False)
    with app.app_context():
        for national_id, birth_date in db.session.execute(
                sa.select(Patient.national_id, Patient.birth_date).where(Patient.national_id.is_not(None))):
            assert validate_national_id(national_id) == (national_id, birth_date)
        mismatched = db.session.scalar(sa.select(sa.func.count()).select_from(Application).join(
            Case, Case.id == Application.case_id).where(Case.unit != Application.office))
        assert mismatched == 0
        year = date.today().year
        highest = db.session.scalar(sa.select(sa.func.max(Case.sequence)).where(Case.year == year)) or 0
        assert db.session.get(SequenceCounter, ("case", year)).last_value == highest
        # A case registered now continues the year's numbering.
        actor = db.session.scalar(sa.select(User).where(User.email == "hso@helsesak.test"))
        application = services.register_application(abroad_application(
            national_id=None, patient_name="Ny Pasient", birth_date=date(1990, 1, 2), municipality="Oslo",
            home_region="helse-sor-ost", received_on=date.today(), requested_treatment="Behandling", icd10="C71.9"),
            actor=actor)
        assert db.session.get(Case, application.case_id).number == f"{year}/{highest + 1}"
        db.session.rollback()
        db.engine.dispose()


def test_every_benchmark_runs_at_a_tiny_size(bench_url, capsys):
    common = ["--database-url", bench_url, "--rounds", "2", "--warmup", "1"]
    list_vs_raw.main([*common, "--scenario", "alle", "--scenario", "status"])
    lists.main([*common, "--statements"])
    paging.main([*common, "--page", "3"])
    search.main(common)
    detail.main(common)
    pdf.main([*common, "--report-rounds", "1"])
    output = capsys.readouterr().out
    assert "WARNING" not in output, output
    for heading in ("List page", "Search in /utland/soknader", "[to ord]", "Keyset paging: page 3",
                    "application page", "core case page", "Decision letter",
                    "Annual report PDF"):
        assert heading in output, output
    # The other lists: each checked to show the same rows as its bare page (a difference prints WARNING).
    for heading in ("[saker] /saker", "[klager] /utland/klager", "[henvisninger] /ekspertpanelet/",
                    "[metoder] /metoder/", "[logg] /admin/logg"):
        assert re.search(rf"{re.escape(heading)} as \S+ — same [1-9]\d* rows, total", output), output
    assert output.count("goal:") == 18, output


def test_the_annual_report_equals_the_bare_group_by_queries(bench_url, capsys):
    """The benchmark's correctness check: the report's figures and the hand-written SQL's are equal, for the
    whole country, a region, and a year with no data at all; the script itself asserts the same."""
    app = create_bench_app(bench_url, bare_routes=False)
    year = annual_report.default_year(app)
    for each, region in ((year, None), (year, "helse-nord"), (year - 1, "helse-vest"), (1990, None)):
        figures = annual_report.check_equal(app, each, region)
        assert figures["year"] == each
    with app.app_context():
        from app.extensions import db
        db.engine.dispose()
    annual_report.main(["--database-url", bench_url, "--rounds", "2", "--warmup", "1", "--region", "helse-nord",
                        "--statements"])
    output = capsys.readouterr().out
    assert "the report's figures equal the bare SQL's (hele landet, helse-nord)" in output, output
    assert "goal:" in output and "SQL statements" in output, output


def test_the_check_notices_a_wrong_figure(bench_url, monkeypatch):
    app = create_bench_app(bench_url, bare_routes=False)
    year = annual_report.default_year(app)
    real = annual_report.bare_figures
    monkeypatch.setattr(annual_report, "bare_figures",
                        lambda *args, **kwargs: {**real(*args, **kwargs), "children_granted": -1})
    with pytest.raises(AssertionError, match="children_granted"):
        annual_report.check_equal(app, year, None)


def test_the_import_benchmark_imports_a_generated_file_and_inserts_the_same_rows(bench_url, capsys):
    """The app's import accepts the generated file, and the bare executemany writes the same rows into the
    scratch database (the script checks the counts after every call)."""
    import_vs_executemany.main(["--database-url", bench_url, "--size", "300", "--rounds", "1", "--warmup", "1"])
    output = capsys.readouterr().out
    assert "both variants wrote the same rows every round: " in output, output
    assert ("300 cases, 5 abroad_hospitals, 5 abroad_hospital_names, 300 abroad_applications, 301 audit_events"
            in output), output
    assert "goal:" in output, output


def test_the_load_benchmark_starts_gunicorn_and_logs_in(bench_url, capsys):
    load_list.main(["--database-url", bench_url, "--clients", "2", "--workers", "1", "--phase-seconds", "1",
                    "--phases", "1", "--filter", "status=in_preparation"])
    output = capsys.readouterr().out
    assert "req/s ÷ bare + audit" in output and "no successful request" not in output, output


def test_the_office_benchmark_serves_the_app_as_make_run_does_and_every_request_succeeds(bench_url, capsys):
    """Two caseworkers against `flask run` (SQLite) or gunicorn (PostgreSQL): every kind of request is made,
    every form post is accepted, and the table has a row per kind."""
    errors = load_office.main(["--database-url", bench_url, "--users", "2", "--seconds", "1", "--workers", "1",
                                "--each-first"])
    output = capsys.readouterr().out
    assert errors == 0, output
    assert "errors: 0 of " in output and "goal:" in output, output
    assert ("flask run" if bench_url.startswith("sqlite") else "gunicorn 1 sync workers") in output, output
    for kind in (*load_office.KINDS, "all"):
        assert f"\n  {kind} " in output, output
    decisions = re.search(r"decisions posted: (\d+) ", output)
    assert decisions and 2 <= int(decisions.group(1)) <= 4, output  # one each first, two set aside per user


def test_the_list_check_notices_pages_that_differ(bench_url):
    """bench/lists.py's correctness check: a bare page that shows other rows than the app's is reported."""
    app = create_bench_app(bench_url)
    wrong = lists.BenchedList("/saker", "/bench/klager", "hso@helsesak.test", True, "saker")
    client = lists.login_client(app, wrong.user)
    assert lists.check_same_rows(client, wrong).startswith("WARNING: the pages differ")
    assert lists.check_same_rows(client, lists.LISTS["saker"]).startswith("same ")
    with app.app_context():
        from app.extensions import db
        db.engine.dispose()
