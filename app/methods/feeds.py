"""The public Atom feeds (RFC 4287) of Nye Metoder's changes: site-wide and per method, from the published
changes in app/methods/public.py. Each entry's id is its method page's address with the change's key, so a
reader sees each change once."""
from datetime import UTC, date, datetime
from xml.etree import ElementTree

from flask import Response, url_for

from app.methods.public import PublicChange

ATOM = "http://www.w3.org/2005/Atom"
AUTHOR = "Nye Metoder"


def _timestamp(day: date) -> str:
    # A change is dated by its day: the feed gives it as that day's start in UTC (RFC 3339).
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _add(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def atom_feed(title: str, changes: list[PublicChange], *, self_url: str, page_url: str) -> Response:
    """The feed of `changes` (newest first). `page_url` is the page it follows (the feed's id and its
    alternate link); an empty feed is dated by today."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "nb"})
    _add(feed, "id", page_url)
    _add(feed, "title", title)
    _add(feed, "updated", _timestamp(changes[0].on if changes else date.today()))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    _add(_add(feed, "author"), "name", AUTHOR)
    for change in changes:
        method_url = url_for("public_methods.detail", reference=change.reference, _external=True)
        entry = _add(feed, "entry")
        _add(entry, "id", f"{method_url}#{change.key}")
        _add(entry, "title", change.title)
        _add(entry, "updated", _timestamp(change.on))
        _add(entry, "link", rel="alternate", type="text/html", href=method_url)
        _add(entry, "summary", f"{change.method_title}\n{change.text}".strip(), type="text")
    body = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")
