"""List exports never hand a spreadsheet a formula (CSV injection, ASVS 1.2.10), whatever a user typed."""
from datetime import date

import pytest

from app.exports import table_file
from tests.exports import FORMULA_LIKE, as_read_back, csv_rows, formulas_in, xlsx_sheet

TYPED = ["=HYPERLINK(\"http://x\";\"klikk\")", "+47 22 00 00 00", *FORMULA_LIKE, "Vanlig tekst"]
HEADERS = ["Tekst", "Tall", "Dato"]


def _rows():
    return [[text, 1200, date(2020, 3, 1)] for text in TYPED]


def test_csv_cells_that_start_like_a_formula_are_escaped(app_ctx):
    rows = csv_rows(table_file("csv", filename="liste", title="Liste", headers=HEADERS, rows=_rows()))

    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == ["'" + text for text in TYPED[:-1]] + ["Vanlig tekst"]
    assert rows[1][1:] == ["1200", "01.03.2020"]          # numbers and dates are not touched


def test_xlsx_text_is_stored_as_text_never_as_a_formula(app_ctx):
    response = table_file("xlsx", filename="liste", title="Liste", headers=HEADERS, rows=_rows())
    sheet = xlsx_sheet(response)

    texts = [sheet.cell(row=row, column=1) for row in range(2, len(TYPED) + 2)]
    assert formulas_in(response.data) == []
    assert [cell.value for cell in texts] == [as_read_back(text) for text in TYPED]
    assert {cell.data_type for cell in texts} == {"s"}
    assert sheet.cell(row=2, column=2).value == 1200 and sheet.cell(row=2, column=3).is_date


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_control_characters_do_not_break_the_file(app_ctx, fmt):
    response = table_file(fmt, filename="liste", title="Liste", headers=HEADERS, rows=[["a\x00b\x07c", 1, None]])
    assert response.status_code == 200
