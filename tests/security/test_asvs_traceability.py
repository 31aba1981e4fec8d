"""The ASVS traceability matrix (docs/security.md, quality goal A1) stays true: every test id it names exists
(file, class and function, found by parsing the test file with `ast`), every requirement row has a proof (tests,
or an N/A or Gap reason), and every ASVS requirement of the quality anchors has a row. The coverage is printed
(run with -s to see it): rows proven by tests out of the rows that apply."""
import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from config import BASE_DIR

DOCUMENT = BASE_DIR / "docs" / "security.md"
# The ASVS 5.0 L1+L2 requirements (and the L3 items) of quality.md §1a: each needs a row.
QUALITY_ANCHORS = {
    "6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.2.5", "6.2.7", "6.2.8", "6.2.9", "6.3.1", "6.3.2", "6.3.3", "6.4.1",
    "6.4.3", "6.5.1", "6.5.5", "11.4.2",
    "7.2.3", "7.2.4", "7.3.1", "7.3.2", "7.4.1", "7.4.2", "7.4.3", "7.4.4", "7.4.5", "7.5.1", "7.5.2",
    "8.1.1", "8.1.2", "8.2.1", "8.2.2", "8.2.3", "8.3.1", "8.4.1",
    "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.3", "2.3.4", "2.4.1", "15.3.3", "15.3.7",
    "1.2.1", "3.2.2", "1.2.2", "1.2.3", "1.2.4", "1.3.1", "1.3.7", "1.5.1", "1.2.10",
    "3.3.1", "3.3.3", "3.3.4", "3.3.2", "3.4.1", "3.4.3", "3.4.4", "3.4.5", "3.4.6", "3.5.1", "3.5.3", "3.7.2",
    "5.1.1", "5.2.1", "5.2.2", "5.2.3", "5.3.1", "5.3.2", "5.4.1", "5.4.2", "5.4.3",
    "16.2.1", "16.2.2", "16.2.5", "16.3.1", "16.3.2", "16.3.3", "16.3.2 (L3)", "16.4.1", "16.4.2", "16.5.1",
    "16.5.3",
    "14.2.1", "14.2.3", "14.3.1", "14.3.2", "14.3.3", "13.3.1", "13.4.1", "13.4.2", "13.4.5", "15.1.2", "15.2.2",
}
ASVS_ID = re.compile(r"^\d+\.\d+\.\d+( \(L3\))?$")
OTHER_ID = re.compile(r"^(N-\d+|32\(\d\)\([a-d]\))$")   # Normen and GDPR art. 32
TEST_ID = re.compile(r"`(tests/[^`\s]+?\.py(?:::[^`\s]+)+)`")


@dataclass
class Row:
    chapter: str
    id: str
    proof: str
    line: int
    tests: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.proof.startswith("N/A:"):
            return "n/a"
        if self.proof.startswith("Gap:"):
            return "gap"
        return "tested"


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row; a | inside `code` does not split."""
    cells, current, in_code = [], "", False
    for char in line.strip().strip("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    return [*cells, current.strip()]


def parse(text: str) -> list[Row]:
    """The requirement rows of the document: table rows whose first cell is a requirement id."""
    rows, chapter = [], ""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            chapter = line[3:].strip()
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if cells[0] in ("ID", "") or set(cells[0]) <= set("-: "):
            continue
        proof = cells[-1] if len(cells) >= 4 else ""
        rows.append(Row(chapter, cells[0], proof, number, TEST_ID.findall(proof)))
    return rows


def missing_test(test_id: str, root: Path) -> str | None:
    """Why `test_id` (file::function, file::Class::function, either maybe with [params]) names no test, or None."""
    path, *names = test_id.split("::")
    names[-1] = re.sub(r"\[.*\]$", "", names[-1])
    file = root / path
    if not file.is_file():
        return f"{path} does not exist"
    scope: list[ast.stmt] = ast.parse(file.read_text(encoding="utf-8")).body
    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        kinds = (ast.FunctionDef, ast.AsyncFunctionDef) if last else (ast.ClassDef,)
        found = next((node for node in scope if isinstance(node, kinds) and node.name == name), None)
        if found is None:
            return f"{path} has no {'test function' if last else 'class'} {name}"
        if not name.startswith("test" if last else "Test"):
            return f"pytest does not collect {name} in {path}"
        scope = found.body
    return None


def problems(text: str, root: Path) -> list[str]:
    found = []
    rows = parse(text)
    seen: set[str] = set()
    for row in rows:
        where = f"line {row.line} ({row.id})"
        if not (ASVS_ID.match(row.id) or OTHER_ID.match(row.id)):
            found.append(f"{where}: not a requirement id")
        if row.id in seen:
            found.append(f"{where}: a second row for the same requirement")
        seen.add(row.id)
        if row.kind == "tested" and not row.tests:
            found.append(f"{where}: neither a test id nor an N/A or Gap reason")
        if row.kind != "tested" and not row.proof[4:].strip():
            found.append(f"{where}: {row.proof[:4]} without a reason")
        for test_id in row.tests:
            if reason := missing_test(test_id, root):
                found.append(f"{where}: {test_id}: {reason}")
    return found


def test_every_requirement_has_a_proof_and_every_test_exists():
    text = DOCUMENT.read_text(encoding="utf-8")
    assert problems(text, BASE_DIR) == []

    rows = parse(text)
    asvs = [row for row in rows if ASVS_ID.match(row.id)]
    applicable = [row for row in asvs if row.kind != "n/a"]
    tested = [row for row in applicable if row.kind == "tested"]
    print(f"\nASVS 5.0: {len(tested)} of {len(applicable)} applicable requirements proven by tests "
          f"({100 * len(tested) // len(applicable)} %), {len(asvs) - len(applicable)} N/A.")
    print("Gaps:", ", ".join(row.id for row in applicable if row.kind == "gap") or "none")
    others = [row for row in rows if OTHER_ID.match(row.id)]
    print("Normen and GDPR art. 32:", sum(row.kind == "tested" for row in others), "of",
          sum(row.kind != "n/a" for row in others), "proven by tests; gaps:",
          ", ".join(row.id for row in others if row.kind == "gap") or "none")
    assert {row.chapter.split()[0] for row in asvs} >= {
        "V1", "V2", "V3", "V5", "V6", "V7", "V8", "V11", "V13", "V14", "V15", "V16"}


def test_every_asvs_requirement_of_the_quality_anchors_has_a_row():
    listed = {row.id for row in parse(DOCUMENT.read_text(encoding="utf-8"))}
    assert sorted(QUALITY_ANCHORS - listed) == []


def test_the_check_catches_missing_tests_and_rows_without_a_proof(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_sample.py").write_text(
        "import pytest\n\n\ndef test_real():\n    pass\n\n\ndef helper():\n    pass\n\n\n"
        "class TestGroup:\n    def test_inside(self):\n        pass\n")
    document = """## V9 Sample
| ID | L | Requirement | Proof |
|---|---|---|---|
| 9.1.1 | 1 | Parametrised | `tests/test_sample.py::test_real[a-b]` |
| 9.1.2 | 1 | In a class | `tests/test_sample.py::TestGroup::test_inside`, `tests/test_sample.py::test_real` |
| 9.1.3 | 2 | Not applicable | N/A: the app has no such feature |
| 9.1.4 | 2 | Not yet proven | Gap: nothing tests it |"""
    assert problems(document, tmp_path) == []

    broken = document + """
| 9.2.1 | 1 | Renamed test | `tests/test_sample.py::test_gone` |
| 9.2.2 | 1 | Missing file | `tests/test_nowhere.py::test_real` |
| 9.2.3 | 1 | Wrong class | `tests/test_sample.py::TestOther::test_inside` |
| 9.2.4 | 1 | Not a test | `tests/test_sample.py::helper` |
| 9.2.5 | 1 | No proof | the code looks right |
| 9.2.6 | 1 | Empty reason | N/A: |
| 9.1.1 | 1 | Twice | `tests/test_sample.py::test_real` |"""
    assert problems(broken, tmp_path) == [
        "line 8 (9.2.1): tests/test_sample.py::test_gone: tests/test_sample.py has no test function test_gone",
        "line 9 (9.2.2): tests/test_nowhere.py::test_real: tests/test_nowhere.py does not exist",
        "line 10 (9.2.3): tests/test_sample.py::TestOther::test_inside: tests/test_sample.py has no class TestOther",
        "line 11 (9.2.4): tests/test_sample.py::helper: pytest does not collect helper in tests/test_sample.py",
        "line 12 (9.2.5): neither a test id nor an N/A or Gap reason",
        "line 13 (9.2.6): N/A: without a reason",
        "line 14 (9.1.1): a second row for the same requirement",
    ]
