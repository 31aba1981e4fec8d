"""The links of a list page (app.listing's macros), read from its HTML as a browser would follow them."""
import html
import re


def link(page: str, rel: str) -> str | None:
    """The href of the page's «Neste» (rel="next") or «Forrige» (rel="prev") link, or None."""
    match = re.search(rf'<a href="([^"]*)" rel="{rel}">', page)
    return html.unescape(match.group(1)) if match else None


def header_link(page: str, label: str) -> str:
    """The href of the sortable column header `label`."""
    match = re.search(rf'<th scope="col"[^>]*><a href="([^"]*)">{re.escape(label)}[ <]', page)
    assert match, f"no sortable header «{label}»"
    return html.unescape(match.group(1))


def aria_sort(page: str, label: str) -> str | None:
    """How the list says it is sorted by column `label`: «ascending», «descending» or None."""
    match = re.search(rf'<th scope="col"(?: aria-sort="(\w+)")?><a href="[^"]*">{re.escape(label)}[ <]', page)
    assert match, f"no sortable header «{label}»"
    return match.group(1)
