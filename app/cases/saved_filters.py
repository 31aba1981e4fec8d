"""Saved filters: a user keeps a list's current filter, search and sort under a name and opens it
again from the list or the dashboard. A saved filter is only the list's URL (endpoint and query
string, without the page), so sharing one is sharing the link, and opening it restores the same rows.
No personal data, so no audit rows here; the list it opens is audited as usual."""
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import url_for
from sqlalchemy import select

from app.cases.models import SavedFilter
from app.errors import InvalidInput
from app.extensions import db

# The lists whose filters can be saved, by endpoint, with the name shown next to a saved filter.
SAVED_LISTS = {
    "cases.list_all": "Saker",
    "abroad.applications": "Søknader og henvisninger",
    "abroad.appeals": "Klager på avslag",
    "methods.index": "Nye Metoder",
    "panel.index": "Ekspertpanelet",
}
PAGING = {"page", "etter", "foer"}   # a saved filter opens on the first page
NAME_MAX = 80
QUERY_MAX = 2000


@dataclass(frozen=True)
class SavedFilterLink:
    id: int
    name: str
    endpoint: str
    list_name: str
    url: str    # relative, for links in the app
    link: str   # absolute, to copy and share


def filter_query(query_string: str) -> str:
    """The part of a list's query string that a filter keeps: every filter and sort parameter in its
    order, without the paging and without empty values."""
    return urlencode([(key, value) for key, value in parse_qsl(query_string) if key not in PAGING])


def list_url(endpoint: str, query: str, *, external: bool = False) -> str:
    url = url_for(endpoint, _external=external)
    return f"{url}?{query}" if query else url


def save_filter(user, *, endpoint: str, name: str, query_string: str) -> SavedFilter:
    """Save the list URL's filter under `name`. Raises InvalidInput. The caller commits."""
    if endpoint not in SAVED_LISTS:
        raise InvalidInput("Filtre kan ikke lagres for denne siden.")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Gi filteret et navn.", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Navnet kan ha høyst {NAME_MAX} tegn.", field="name")
    query = filter_query(query_string)
    if len(query) > QUERY_MAX:
        raise InvalidInput("Filteret er for langt til å lagres. Fjern noe av søket og prøv igjen.")
    if any(existing.name.casefold() == name.casefold() for existing in _own(user, endpoint)):
        raise InvalidInput(f"Du har allerede et filter som heter «{name}» på denne listen. Velg et annet navn.",
                           field="name")
    saved = SavedFilter(user_id=user.id, endpoint=endpoint, name=name, query=query)
    db.session.add(saved)
    db.session.flush()
    return saved


def own_filter(user, filter_id: int) -> SavedFilter | None:
    """The user's own saved filter, or None (someone else's is as good as missing)."""
    saved = db.session.get(SavedFilter, filter_id)
    return saved if saved is not None and saved.user_id == user.id else None


def delete_filter(saved: SavedFilter) -> None:
    """Delete a saved filter (the user's own: see own_filter). The caller commits."""
    db.session.delete(saved)


def _own(user, endpoint: str | None = None) -> list[SavedFilter]:
    query = select(SavedFilter).where(SavedFilter.user_id == user.id)
    if endpoint is not None:
        query = query.where(SavedFilter.endpoint == endpoint)
    return list(db.session.scalars(query.order_by(SavedFilter.endpoint, SavedFilter.name, SavedFilter.id)))


def saved_filters(user, endpoint: str | None = None) -> list[SavedFilterLink]:
    """The user's saved filters (of one list, or of every list in SAVED_LISTS order), as links."""
    own = [saved for saved in _own(user, endpoint) if saved.endpoint in SAVED_LISTS]
    own.sort(key=lambda saved: (list(SAVED_LISTS).index(saved.endpoint), saved.name.casefold()))
    return [SavedFilterLink(id=saved.id, name=saved.name, endpoint=saved.endpoint,
                            list_name=SAVED_LISTS[saved.endpoint], url=list_url(saved.endpoint, saved.query),
                            link=list_url(saved.endpoint, saved.query, external=True)) for saved in own]
