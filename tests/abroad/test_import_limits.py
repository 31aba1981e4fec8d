"""What an import reads, and how long it keeps the upload: rows read as a stream in bounded memory, whatever
size a workbook claims; the limits on rows, columns, cell length and the zip checked while reading, so a
file past one stops being read there; the upload deleted as soon as no run needs it.

Memory is measured with tracemalloc (peak of the Python allocations while the file is read); no test here
times anything."""
import io
import re
import tracemalloc
import zipfile
from datetime import date
from types import SimpleNamespace

import pytest
from rq.job import Job
from sqlalchemy import func, select

from app.abroad import import_jobs, importing
from app.abroad.importing import applications, read_table, reading, run_import
from app.abroad.models import Application
from app.auth.models import User
from app.extensions import db, rq
from tests.abroad.fixtures.import_files import (
    APPLICATION_COLUMNS,
    application_rows,
    to_csv,
    to_xlsx,
)

TODAY = date(2026, 11, 20)
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def hso(app_ctx, make_user):
    return db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))


def _rewritten(workbook: bytes, rewrite, *, extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with its first sheet's XML passed through `rewrite` (and `extra` parts added)."""
    source, target = zipfile.ZipFile(io.BytesIO(workbook)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            content = source.read(member)
            out.writestr(member, rewrite(content) if member.filename == SHEET else content)
        for name, content in (extra or {}).items():
            out.writestr(name, content)
    return target.getvalue()


def _claiming(workbook: bytes, dimension: str, more_rows: bytes = b"") -> bytes:
    """The workbook with its sheet's <dimension> set to `dimension` and `more_rows` added after its rows."""
    def rewrite(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>'.encode(), xml)
        return xml.replace(b"</sheetData>", more_rows + b"</sheetData>")
    return _rewritten(workbook, rewrite)


def _far_cells(first: int, count: int) -> bytes:
    """`count` rows with a text in A and an empty cell in the sheet's last column, XFD (as a styled range
    leaves them): a row of 16,384 cells if the reader pads it."""
    return b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c><c r="XFD%d" s="0"/></row>'
                    % (line, line, line) for line in range(first, first + count))


def _peak_while(read) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = read()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MEMORY_BOUND = 16_000_000   # bytes; reading these small files needs about 1 MB


@pytest.mark.parametrize("shape", ["claims-a-whole-sheet", "cells-in-the-last-column"])
def test_a_workbook_that_claims_a_huge_sheet_is_read_in_bounded_memory(shape):
    base = to_xlsx(application_rows(3))
    if shape == "claims-a-whole-sheet":
        data = _claiming(base, "A1:XFD1048576")        # what the file says; it holds 4 rows
        expected = 3
    else:   # the shape of the 77 KiB workbook that took 775 MB: rows ending in column XFD
        data = _claiming(base, "A1:XFD2004", _far_cells(5, 2000))
        expected = 3 + 2000
    assert len(data) < 100_000

    def read_all():
        with read_table(data, "stor.xlsx") as table:
            return list(table.rows())
    rows, peak = _peak_while(read_all)

    assert len(rows) == expected
    assert max(len(cells) for _line, cells in rows) <= len(APPLICATION_COLUMNS)   # never padded
    assert peak < MEMORY_BOUND, f"{peak / 1e6:.0f} MB"


def test_the_far_cells_import_as_the_rows_they_are(hso):
    data = _claiming(to_xlsx(application_rows(5)), "A1:K7",
                     b'<row r="7"><c r="XFD7" s="0"/></row><row r="1048576"><c r="XFD1048576" s="0"/></row>')

    result = run_import("applications", data, "søknader.xlsx", actor=hso, today=TODAY)

    assert result.ok, result.errors
    assert result.created == 5


def _lines_read(monkeypatch) -> list[int]:
    """The line numbers of the rows the reader takes from the file (every row passes the column check)."""
    seen = []
    check = reading._within_columns

    def counting(line, values):
        seen.append(line)
        return check(line, values)
    monkeypatch.setattr(reading, "_within_columns", counting)
    return seen


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_row_limit_stops_reading_at_the_first_row_past_it(hso, monkeypatch, fmt):
    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    rows = application_rows(3000)
    if fmt == "csv":
        # what follows the 3,000 rows is not UTF-8: a reader that went on would refuse the file for that
        data = to_csv(rows) + b"\xff\xfe not UTF-8\r\n"
    else:
        # and here the XML breaks off: a reader that went on would call the file unreadable
        data = _rewritten(to_xlsx(rows), lambda xml: xml.replace(b"</sheetData>", b"<row r=\"x\"><c><broken"))
    seen = _lines_read(monkeypatch)

    result = run_import("applications", data, f"søknader.{fmt}", actor=hso, today=TODAY)

    assert [str(error) for error in result.errors] == [
        "Filen har mer enn 50 rader under overskriftene; lesingen stoppet på linje 52. Del den opp i filer med "
        "høyst 50 rader."]
    assert max(seen) == 52 and len(set(seen)) == 52                    # the header, 50 rows and the one past
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_the_row_limit_counts_rows_not_blank_lines(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    data = to_csv(application_rows(3)).replace(b"\r\n", b"\r\n\r\n")  # a blank line after every row

    table = read_table(data, "x.csv")

    assert [line for line, _cells in table.rows()] == [3, 5, 7]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_values_beyond_the_column_limit_and_overlong_cells_stop_the_reading(hso, fmt):
    def file(rows, columns):
        return to_csv(rows, columns) if fmt == "csv" else to_xlsx(rows, columns, typed=False)

    rows = application_rows(3)
    rows[1]["hospital"] = "H" * 1001
    result = run_import("applications", file(rows, APPLICATION_COLUMNS), f"x.{fmt}", actor=hso, today=TODAY)
    assert [str(error) for error in result.errors] == [
        "linje 3, kolonne hospital: Feltet har mer enn 1\xa0000 tegn, og resten av filen er ikke lest. Et felt kan "
        "ha høyst 1\xa0000 tegn."]

    rows = application_rows(3)
    rows[2][""] = "verdi"                  # under 45 columns without a header, up to column 56
    result = run_import("applications", file(rows, APPLICATION_COLUMNS + [""] * 45), f"x.{fmt}", actor=hso,
                        today=TODAY)
    assert [str(error) for error in result.errors] == [
        "Linje 4 har verdier i mer enn 50 kolonner, og resten av filen er ikke lest. En importfil kan ha høyst 50 "
        "kolonner."]
    result = run_import("applications", file(rows, APPLICATION_COLUMNS + [f"x{index}" for index in range(45)]),
                        f"x.{fmt}", actor=hso, today=TODAY)
    assert str(result.errors[0]).startswith("Linje 1 har verdier i mer enn 50 kolonner")
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_a_csv_row_that_never_ends_is_not_read_past_the_limit():
    data = b"reference,patient_region\r\n" + b'"' + b"a" * 5_000_000       # a quote never closed

    with pytest.raises(importing.UnreadableFile) as refused:
        list(read_table(data, "x.csv").rows())
    assert str(refused.value).startswith("Linje 2 er lengre enn 50\xa0150 tegn")


def test_the_csv_reader_keeps_to_its_memory_bound():
    data = b"reference,patient_region\r\n" + b"a,b\r\n" * 20_000 + b'"' + b"a" * 3_000_000 + b'"\r\n'
    assert len(data) > 3_000_000

    def read():
        with pytest.raises(importing.UnreadableFile):
            list(read_table(data, "x.csv").rows())
    _nothing, peak = _peak_while(read)

    assert peak < MEMORY_BOUND, f"{peak / 1e6:.0f} MB"   # the rows before it, not the 3 MB line


@pytest.mark.parametrize(("limit", "value", "extra", "message"), [
    ("XLSX_MAX_ENTRIES", 12, {f"xl/media/bilde{index}.png": b"" for index in range(5)},
     "Regnearket består av mer enn 12 deler og leses ikke. Lagre det som CSV, eller som XLSX med bare arket som "
     "skal importeres."),
    ("XLSX_MAX_SHARED_STRINGS_BYTES", 1_000_000, {"xl/sharedStrings.xml": b"<sst>" + b"<si><t>ab</t></si>" * 70_000
                                                  + b"</sst>"},
     "Tekstene i regnearket er over 1 MB utpakket. Del det opp, eller lagre det som CSV."),
])
def test_the_zip_is_checked_before_anything_is_parsed(monkeypatch, limit, value, extra, message):
    import openpyxl

    monkeypatch.setattr(reading, limit, value)
    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: opened.append(args))
    data = _rewritten(to_xlsx(application_rows(2)), lambda xml: xml, extra=extra)
    assert len(data) < 100_000

    with pytest.raises(importing.UnreadableFile) as refused:
        read_table(data, "x.xlsx")

    assert str(refused.value) == message
    assert opened == []


# The upload: deleted as soon as no run needs it

def _upload(connection, number: int) -> str:
    key = import_jobs._upload_key(number)
    connection.set(key, to_csv(application_rows(3)), ex=import_jobs.UPLOAD_TTL)
    return key


def test_the_upload_is_kept_for_a_retry_and_deleted_after_the_last_run(app, make_user, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(applications, "record_changes", crash)
    with app.app_context():
        user_id = make_user("abroad_caseworker", office="helse-sor-ost")
        connection = rq.get_queue("default").connection
        key = _upload(connection, 4711)
        job = Job.create(len, args=([],), connection=connection)
        monkeypatch.setattr(import_jobs, "get_current_job", lambda: job)
        monkeypatch.setattr(import_jobs, "_queue", lambda: SimpleNamespace(is_async=True, connection=connection))

        job.retries_left = 2                           # a worker runs it again
        with pytest.raises(RuntimeError):
            import_jobs.run_import_job("applications", 4711, "x.csv", user_id)
        assert connection.exists(key) == 1
        assert 0 < connection.ttl(key) <= 30 * 60

        job.retries_left = 0                           # the last run: nobody reads the file again
        with pytest.raises(RuntimeError):
            import_jobs.run_import_job("applications", 4711, "x.csv", user_id)
        assert connection.exists(key) == 0


def test_a_crash_in_the_in_process_queue_deletes_the_upload(app, make_user, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(applications, "record_changes", crash)
    with app.app_context():
        user = db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))
        number = import_jobs.start_import("applications", to_csv(application_rows(3)), "x.csv", user)
        connection = rq.get_queue("default").connection

        assert import_jobs.job_state(import_jobs.find_job(number, user))["state"] == "failed"
        assert connection.exists(import_jobs._upload_key(number)) == 0
        assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_the_upload_page_states_the_limits(login, make_user):
    page = login(make_user("abroad_caseworker", office="helse-sor-ost")).get("/utland/import")
    assert "Høyst 100\xa0000 rader og 50 kolonner." in page.get_data(as_text=True)
