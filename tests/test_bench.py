"""The benchmarks in bench/ still run: the generator and every benchmark script at a tiny size, so they
cannot rot while the app changes. Nothing here measures or asserts time.

The data set goes to an SQLite file of its own. Set BENCH_TEST_DATABASE_URL to a PostgreSQL database that
may be emptied (e.g. .../helsesak_bench) to run the same checks there as well.
"""
import os
from datetime import date

import pytest
import sqlalchemy as sa

from bench import detail, generate, list_vs_raw, load_list, paging, pdf
from bench.harness import create_bench_app

SIZE = 400


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if os.environ.get("BENCH_TEST_DATABASE_URL") else []))
def bench_url(request, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}" if request.param == "sqlite" \
        else os.environ["BENCH_TEST_DATABASE_URL"]
    result = generate.generate(size=SIZE, database_url=url, replace=True, panel=5, methods=5, chunk=150,
                               quiet=True)
    assert result["counts"]["abroad_applications"] == SIZE
    return url


def test_the_generated_rows_are_ones_the_app_accepts(bench_url):
    from app.abroad import services
    from app.abroad.models import Application, Stream, TreatmentClass
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
        application = services.register_application(
            national_id=None, patient_name="Ny Pasient", birth_date=date(1990, 1, 2), municipality="Oslo",
            home_region="helse-sor-ost", stream=Stream.APPLICATION, received_on=date.today(), reference=None,
            applicant=None, referring_doctor="Lege", referring_hospital=None, requested_treatment="Behandling",
            requested_where=None, treatment_class=TreatmentClass.ESTABLISHED, icd10="C71.9", method_reference=None,
            actor=actor)
        assert db.session.get(Case, application.case_id).number == f"{year}/{highest + 1}"
        db.session.rollback()
        db.engine.dispose()


def test_every_benchmark_runs_at_a_tiny_size(bench_url, capsys):
    common = ["--database-url", bench_url, "--rounds", "2", "--warmup", "1"]
    list_vs_raw.main([*common, "--scenario", "alle", "--scenario", "status"])
    paging.main([*common, "--page", "3"])
    detail.main(common)
    pdf.main(common)
    output = capsys.readouterr().out
    assert "WARNING" not in output, output
    for heading in ("List page", "Keyset paging: page 3", "application page", "core case page", "Decision letter"):
        assert heading in output, output
    assert output.count("goal:") == 6, output


def test_the_load_benchmark_starts_gunicorn_and_logs_in(bench_url, capsys):
    load_list.main(["--database-url", bench_url, "--clients", "2", "--workers", "1", "--phase-seconds", "1",
                    "--phases", "1", "--filter", "status=in_preparation"])
    output = capsys.readouterr().out
    assert "req/s" in output and "no successful request" not in output, output
