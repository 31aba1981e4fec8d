"""One writer for every spreadsheet the app hands out (CSV injection, ASVS 5.0 1.2.10): app/exports.py.

This walks the syntax tree of every module in app/ and refuses any other module that could write a CSV or
XLSX file on its own: one that imports openpyxl for anything but reading a workbook (the import's
`load_workbook`), imports xlsxwriter, or takes `csv.writer` / `csv.DictWriter`. Whatever a module puts in
a spreadsheet then goes through app.exports, which writes text as text cells in XLSX and escapes a
formula-like start in CSV."""
import ast

from config import BASE_DIR

WRITER = "app/exports.py"
CSV_WRITERS = {"writer", "DictWriter"}
# What a module may take from openpyxl to read an uploaded workbook.
OPENPYXL_READING = {"load_workbook", "InvalidFileException"}


def spreadsheet_writers(source: str, filename: str = "<source>") -> list[str]:
    """Where `source` could write a spreadsheet itself, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    csv_modules = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in ("openpyxl", "xlsxwriter"):
                    found.append(f"{filename}:{node.lineno}: import {alias.name}")
                elif alias.name == "csv":
                    csv_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            names = {alias.name for alias in node.names}
            if root == "xlsxwriter" or (root == "openpyxl" and names - OPENPYXL_READING):
                found.append(f"{filename}:{node.lineno}: from {node.module} import {', '.join(sorted(names))}")
            elif node.module == "csv" and names & (CSV_WRITERS | {"*"}):
                found.append(f"{filename}:{node.lineno}: from csv import {', '.join(sorted(names))}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in CSV_WRITERS and isinstance(node.value, ast.Name)
                and node.value.id in csv_modules):
            found.append(f"{filename}:{node.lineno}: {node.value.id}.{node.attr}")
    return sorted(found, key=lambda where: int(where.split(":")[1]))


def test_only_the_one_writer_module_writes_spreadsheets():
    found = []
    for path in sorted((BASE_DIR / "app").rglob("*.py")):
        name = path.relative_to(BASE_DIR).as_posix()
        if name != WRITER:
            found += spreadsheet_writers(path.read_text(encoding="utf-8"), name)
    assert found == []
    # the writer itself is where the file types are made
    assert spreadsheet_writers((BASE_DIR / WRITER).read_text(encoding="utf-8"), WRITER) != []


def test_the_check_finds_every_way_to_a_writer_and_lets_reading_through():
    allowed = '''
import csv
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
reader = csv.reader(io.StringIO(text), delimiter=";")
from app.exports import Spreadsheet, table_file
row.writer = "not the csv module"
'''
    refused = '''
import csv as c
import openpyxl
import openpyxl.styles
from openpyxl import Workbook
from openpyxl.workbook import Workbook as Book
from openpyxl import load_workbook, Workbook
import xlsxwriter
from csv import DictWriter
from csv import *
out = c.writer(buffer)
'''
    assert spreadsheet_writers(allowed) == []
    assert [where.split(": ", 1)[1] for where in spreadsheet_writers(refused)] == [
        "import openpyxl", "import openpyxl.styles", "from openpyxl import Workbook",
        "from openpyxl.workbook import Workbook", "from openpyxl import Workbook, load_workbook",
        "import xlsxwriter", "from csv import DictWriter", "from csv import *", "c.writer"]
