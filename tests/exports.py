"""Reading a list export back the way Excel would: CSV (UTF-8 with BOM, semicolons) and XLSX (typed cells)."""
import csv
import io
import re
import zipfile

from openpyxl import load_workbook

# Text a spreadsheet would run as a formula if it were written untyped (or, in CSV, unescaped).
FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def as_read_back(text: str) -> str:
    """`text` as XML hands it back: a bare carriage return becomes a line feed."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def formulas_in(data: bytes) -> list[str]:
    """The formula elements of every worksheet of an XLSX file (none in a file the app writes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [f"{name}: {formula}" for name in archive.namelist() if name.startswith("xl/worksheets/")
                for formula in re.findall(rb"<f[ >].*?</f>|<f/>", archive.read(name))]


def csv_rows(response) -> list[list[str]]:
    """The CSV download's rows, header first, after checking how Norwegian Excel needs it."""
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode()), "CSV without a byte-order mark"
    text = response.data.decode("utf-8-sig")
    assert ";" in text.splitlines()[0], "CSV header without semicolons"
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_sheet(response):
    """The XLSX download's first sheet."""
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)).active


def export_href(html: str, label: str) -> str:
    """The URL of a list page's export link («CSV» or «Excel (XLSX)»), unescaped."""
    href = re.search(rf'<a href="([^"]+)">{re.escape(label)}</a>', html).group(1)
    return href.replace("&amp;", "&")
