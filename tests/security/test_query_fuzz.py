"""Crafted query parameters on every GET route: whatever a URL carries (a page number of 10**30, a negative or
"1e9" year, a NUL byte, a cursor with an absurd id), no answer is a 5xx, and a refused one says why in
bokmål. Each route is first called plainly while the request's arguments record which names the view reads;
then every name it read gets each hostile value in turn, as a principal the access matrix lets in."""
from typing import ClassVar

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from app.extensions import limiter
from tests.security.test_access_matrix import MATRIX, _routes, _url, principals_and_urls

HUGE = "1" + "0" * 30
HOSTILE = [
    HUGE, "-1", "-" + "9" * 30, "0", "1e9", "\x00", "²", "١٢", "9" * 5000, "NaN", " 7", "\r\nX-Injected: 1",
    f"2026-01-01~{HUGE}", f"2026-01-01~-{HUGE}", "99999-01-01~1", "2026-01-01~1~2", "0001-01-01~0", "\x00~\x00",
]
# Who tries a route: the first of these the access matrix lets in.
PREFERENCE = ["anonymous", "abroad_own", "panel", "methods", "admin", "analyst", "panel_member",
              "bestillerforum", "abroad_other"]
REFUSAL_WORDS = ("ugyldig", "Ugyldig", "Ukjent", "finnes ikke", "må være", "Forespørselen", "tilgang")


class _Recording(ImmutableMultiDict):
    """Query arguments that note every name a view asks for."""

    asked: ClassVar[set[str]] = set()

    def __contains__(self, key):
        _Recording.asked.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):
        _Recording.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _Recording.asked.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        _Recording.asked.add(key)
        return super().__getitem__(key)


def _principal(endpoint: str) -> str | None:
    allowed = MATRIX.get((endpoint, "GET"), set())
    return next((name for name in PREFERENCE if name in allowed), None)


@pytest.mark.slow
def test_no_get_route_answers_5xx_to_crafted_query_values(app, demo, login, monkeypatch):
    with app.app_context():
        fixtures = principals_and_urls(app)
    monkeypatch.setattr(app.request_class, "parameter_storage_class", _Recording)
    clients = {}

    def call(principal: str, url: str, query: dict):
        limiter.reset()
        if url.startswith("/api/"):
            headers = {} if principal == "anonymous" else {"Authorization": f"Bearer {fixtures.tokens[principal]}"}
            return app.test_client().get(url, query_string=query, headers=headers)
        if principal not in clients:
            clients[principal] = app.test_client() if principal == "anonymous" else login(fixtures.users[principal])
        return clients[principal].get(url, query_string=query)

    failures, tried = [], 0
    for endpoint, method, rule in _routes(app):
        principal = _principal(endpoint)
        if method != "GET" or principal is None:
            continue
        url = _url(rule.endpoint, rule, fixtures)
        _Recording.asked = set()
        call(principal, url, {})
        names = sorted(_Recording.asked)
        for name in names:
            for value in HOSTILE:
                tried += 1
                try:
                    response = call(principal, url, {name: value})
                except Exception as error:  # noqa: BLE001  (the test client re-raises what would be a 500)
                    failures.append(f"{principal} GET {url}?{name}={value[:40]!r}: {type(error).__name__}")
                    continue
                if response.status_code >= 500:
                    failures.append(f"{principal} GET {url}?{name}={value[:40]!r}: {response.status_code}")
                elif 400 <= response.status_code < 500 and response.status_code != 429:
                    body = (response.get_json() or {}).get("message", "") if response.is_json else (
                        response.get_data(as_text=True))
                    if not any(word in body for word in REFUSAL_WORDS):
                        failures.append(f"{principal} GET {url}?{name}={value[:40]!r}: {response.status_code} "
                                        "without a bokmål reason")
    assert tried > 300, f"only {tried} crafted requests: the views read too few parameters to be recorded"
    assert not failures, "\n".join(failures)
