"""The cluster as scripts/cluster.sh started it (Cluster: addresses, settings, pid files, nginx's access log),
and a browser for the scale-out test: one cookie store, with requests through the proxy (HTTPS, either app
server) or straight to app server "A" or "B", carrying the headers nginx adds (deploy/nginx.conf) — what
the proxy forwards when it picks that server.

The session cookie is `__Host-helsesak`, Secure: a cookie jar would not send it to a plain-HTTP app server,
so the cookies are kept here and sent by hand.
"""
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

import pyotp
import requests

TIMEOUT = 120   # seconds a request may take on a loaded machine


@dataclass(frozen=True)
class Cluster:
    dir: Path
    proxy: str                  # https://127.0.0.1:<port>
    http_proxy: str             # http://127.0.0.1:<port>, which only redirects
    servers: dict[str, str]     # "A"/"B": host:port of the app server
    database_url: str
    redis_url: str
    checkpoint_keys: str
    cert: str

    @property
    def public_host(self) -> str:
        return self.proxy.removeprefix("https://")

    def settings(self) -> dict[str, str]:
        return read_env(self.dir / "helsesak.env")

    def pid(self, service: str) -> int:
        return int((self.dir / f"{service}.pid").read_text())

    def access_log(self) -> list[str]:
        return (self.dir / "helsesak-access.log").read_text().splitlines()

    def upstream_of(self, method: str, path: str) -> str:
        """The app server ("A" or "B") that nginx sent the latest `method path` to. nginx writes the line after
        the response has gone out, so it is waited for."""
        deadline = time.monotonic() + TIMEOUT
        while not (lines := [line for line in self.access_log() if f'"{method} {path} ' in line]):
            assert time.monotonic() < deadline, f"nginx logged no {method} {path}"
            time.sleep(0.1)
        address = lines[-1].split("upstream=")[1].split()[0]
        return next(name for name, server in self.servers.items() if server == address)


def read_env(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


def csrf_token(response: requests.Response) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)
    assert match, response.text[:2000]
    return match.group(1)


class Browser:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, via: str = "proxy", **kwargs) -> requests.Response:
        headers = {"Referer": f"{self.cluster.proxy}/"}   # CSRF over HTTPS: the request comes from this site
        if via == "proxy":
            url = self.cluster.proxy + path
        else:
            url = f"http://{self.cluster.servers[via]}{path}"
            headers.update({"Host": self.cluster.public_host, "X-Forwarded-For": "127.0.0.1",
                            "X-Forwarded-Proto": "https"})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=TIMEOUT,
                                    verify=self.cluster.cert, **kwargs)
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, *, via: str = "proxy", **kwargs) -> requests.Response:
        return self.request("GET", path, via=via, **kwargs)

    def post_form(self, path: str, data: dict, *, via: str = "proxy", form_page: str | None = None,
                  **kwargs) -> requests.Response:
        """Open the form's page (`form_page`, else `path`) and post it with its CSRF token, on the same server."""
        token = csrf_token(self.get(form_page or path, via=via))
        return self.request("POST", path, via=via, data={"csrf_token": token, **data}, **kwargs)

    def log_in(self, email: str, password: str, totp_secret: str, *, via: str = "proxy") -> None:
        """Password, then the one-time code (production requires both)."""
        response = self.post_form("/login", {"email": email, "password": password}, via=via)
        assert response.status_code == 302 and response.headers["Location"].endswith("/login/kode"), response.text
        response = self.post_form("/login/kode", {"code": pyotp.TOTP(totp_secret).now()}, via=via)
        assert response.status_code == 302 and not response.headers["Location"].endswith("/login"), response.text
