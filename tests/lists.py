"""Reading a list page of the list engine (app.listing) the way a user follows it: its sortable headers, its
paging links and the messages about what it ignored."""
import re
from html import unescape


def header_href(html: str, label: str) -> str:
    """The URL a click on the column header `label` asks for."""
    return unescape(re.search(rf'<th scope="col"[^>]*><a href="([^"]+)">{re.escape(label)}\b', html).group(1))


def aria_sort(html: str, label: str) -> str | None:
    """The header's aria-sort («ascending», «descending») or None when the list is not sorted by it."""
    found = re.search(rf'<th scope="col"(?: aria-sort="(\w+)")?><a href="[^"]+">{re.escape(label)}\b', html)
    return found.group(1)


def paging_href(html: str, rel: str) -> str | None:
    """The URL of the «Neste» (rel="next") or «Forrige» (rel="prev") link, None without one."""
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return unescape(found.group(1)) if found else None


def messages(html: str) -> list[str]:
    """The list's messages about what it ignored."""
    return [unescape(text) for text in re.findall(r'<div class="alert alert-warning" role="status">([^<]+)</div>',
                                                  html)]


def statements_sent(client, url: str, **kwargs) -> int:
    """The SQL statements a request of `url` sends, after a first one that loads what a client loads once."""
    from tests.test_query_counts import Statements

    client.get(url, **kwargs)
    with Statements() as statements:
        assert client.get(url, **kwargs).status_code == 200
    return len(statements.sent)
