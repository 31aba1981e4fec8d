"""`flask report abroad|panel|methods --year --format --output [--region] [--note]`."""
import json
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from app.core.audit import AuditEvent
from app.extensions import db
from tests.pdf import pdf_text
from tests.reports.s3_2020 import PUBLISHED_COSTS, PUBLISHED_RECEIVED


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["report", *args])


def test_the_cli_writes_the_json_report(app, s3_2020, tmp_path):
    output = tmp_path / "abroad-2020.json"
    result = _run(app, "abroad", "--year", "2020", "--format", "json", "--output", str(output))

    assert result.exit_code == 0, result.output
    assert "Skrev Behandling i utlandet – Årsrapport 2020 – hele landet" in result.output
    assert "100 %  Ferdig" in result.output                       # progress goes to stderr
    data = json.loads(output.read_text(encoding="utf-8"))
    assert data["received_by_year"] == {str(year): count for year, count in PUBLISHED_RECEIVED.items()}
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "report")).one()
    assert event.action.value == "export" and event.object_id == "abroad:2020:alle"
    assert event.changes == {"format": "json", "via": "cli", "output": "abroad-2020.json"}


def test_the_cli_writes_one_region_as_xlsx_and_pdf(app, s3_2020, tmp_path):
    xlsx, pdf = tmp_path / "vest.xlsx", tmp_path / "vest.pdf"
    assert _run(app, "abroad", "--year", "2020", "--format", "xlsx", "--output", str(xlsx), "--region", "helse-vest",
                "--quiet").exit_code == 0
    assert _run(app, "abroad", "--year", "2020", "--format", "pdf", "--output", str(pdf), "--region", "helse-vest",
                "--quiet").exit_code == 0
    costs = load_workbook(BytesIO(xlsx.read_bytes()))["T5 Kostnader per region"]
    assert [cell.value for cell in costs[2]][1:] == list(PUBLISHED_COSTS["helse-vest"].values())
    assert costs.max_row == 2                                     # one region, no sum row
    text = pdf_text(pdf.read_bytes())
    assert "Årsrapport 2020 – Helse Vest" in text and "Helse Sør-Øst" not in text


def test_the_cli_passes_free_text_to_the_panel_report(app, app_ctx, tmp_path):
    output = tmp_path / "panel.json"
    result = _run(app, "panel", "--year", "2025", "--output", str(output), "--quiet",
                  "--note", "members=To nye medlemmer trengs i 2026.")
    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text(encoding="utf-8"))["expected_member_need"] == "To nye medlemmer trengs i 2026."


def test_the_cli_refuses_what_the_report_cannot_do(app, app_ctx, tmp_path):
    output = tmp_path / "x.json"
    assert "bare for hele landet" in _run(app, "panel", "--output", str(output), "--region", "helse-vest").output
    assert _run(app, "abroad", "--output", str(output), "--region", "helse-langt-nord").exit_code == 2
    assert _run(app, "lottery", "--output", str(output)).exit_code == 2
    refused = _run(app, "methods", "--year", "1999", "--output", str(output))
    assert refused.exit_code == 1 and "Velg et år mellom 2014 og" in refused.output
    assert "NAVN=TEKST" in _run(app, "panel", "--output", str(output), "--note", "bare tekst").output
    assert "har ikke feltet «farge»" in _run(app, "panel", "--output", str(output), "--note", "farge=blå").output
    assert not output.exists()
