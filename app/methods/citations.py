"""Citations of the suitability assessment's numbered reference list in its text: [1], [1, 3], [2–4] or
[32, 35-38, 42] as the FHI/DMP form writes them. Checked against the list when the text is saved, renumbered
when an entry moves or goes, and linked to the entry on the pages and in the PDF."""
import re
from collections.abc import Callable

from markupsafe import Markup, escape

# A bracket holding numbers and ranges (hyphen or en dash) separated by commas, and nothing else: [sic] or
# [n=220] are not citations.
CITATION = re.compile(r"\[(\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s*,\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)*)\]")
PART = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?")


def anchor(number: int, scope: str = "") -> str:
    """The id of a reference list entry (the target of the citations' links); `scope` (a method ID) keeps the ids
    apart where several assessments share a document (a meeting's notice)."""
    return f"{scope}-referanse-{number}" if scope else f"referanse-{number}"


def _parts(body: str) -> list[tuple[int, int]]:
    return [(int(first), int(last or first)) for first, last in PART.findall(body)]


def cited(text: str | None) -> list[int]:
    """Every number the text cites, each once, in the order they first appear (a reversed range cites none)."""
    numbers: dict[int, None] = {}
    for match in CITATION.finditer(text or ""):
        for first, last in _parts(match.group(1)):
            numbers.update(dict.fromkeys(range(first, last + 1)))
    return list(numbers)


def citation_problems(text: str | None, count: int) -> list[str]:
    """What is wrong with the text's citations against a list of `count` entries, in bokmål (empty: nothing)."""
    problems = []
    for match in CITATION.finditer(text or ""):
        for first, last in _parts(match.group(1)):
            if first > last:
                problems.append(f"{match.group(0)}: skriv intervallet med det laveste nummeret først.")
    unknown = [number for number in cited(text) if not 1 <= number <= count]
    if unknown:
        have = f"har {count} referanser" if count != 1 else "har én referanse" if count else "er tom"
        problems.append(f"Ukjent referanse [{_written(unknown)}]: referanselisten {have}. Legg referansen til i listen "
                        "eller rett nummeret.")
    return problems


def _written(numbers: list[int]) -> str:
    """Numbers as a citation's inside: runs of three or more as a range (2–4), the rest separated by commas."""
    numbers = sorted(set(numbers))
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs)


def renumber(text: str | None, new_number: Callable[[int], int]) -> str | None:
    """The text with each citation whose numbers change rewritten (new_number(old) for each); a citation whose
    numbers stay is left as written."""
    if not text:
        return text

    def rewrite(match: re.Match) -> str:
        old = [number for first, last in _parts(match.group(1)) for number in range(first, last + 1)]
        new = [new_number(number) for number in old]
        return match.group(0) if new == old else f"[{_written(new)}]"

    return CITATION.sub(rewrite, text)


def linked(text: str | None, scope: str = "") -> Markup:
    """The text, escaped, with each cited number a link to its entry in the reference list (#anchor(N, scope))."""
    result, end = [], 0
    for match in CITATION.finditer(text or ""):
        result.append(escape(text[end:match.start()]))
        inside = match.group(1)
        pieces, start = [], 0
        for part in PART.finditer(inside):
            pieces.append(escape(inside[start:part.start()]))
            pieces.append(Markup(re.sub(r"\d+", lambda number: f'<a href="#{anchor(int(number.group(0)), scope)}">'
                                                               f'{number.group(0)}</a>', part.group(0))))
            start = part.end()
        pieces.append(escape(inside[start:]))
        result.append(Markup("[") + Markup("").join(pieces) + Markup("]"))
        end = match.end()
    result.append(escape((text or "")[end:]))
    return Markup("").join(result)
