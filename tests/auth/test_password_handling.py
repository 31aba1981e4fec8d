"""How passwords are taken and checked (ASVS 6.2.3, 6.2.6–6.2.8) and how session tokens are made (7.2.3)."""
import math
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.auth import services
from app.auth.models import LoginFailure, User, UserSession
from app.core.roles import Role
from app.extensions import db
from tests.conftest import PASSWORD

LONG_PASSWORD = "en lang passfrase om fjorder, fjell og fyrlykter som varer hele vinteren 2026"   # 76 characters


def _inputs(html: str) -> dict[str, dict[str, str]]:
    """name → attributes of every <input> of the page."""
    inputs = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if "name" in attributes:
            inputs[attributes["name"]] = attributes
    return inputs


def _hash_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def test_a_wrong_current_password_refuses_the_change_and_keeps_the_hash(app, login, make_user):
    user_id = make_user("analyst", email="kari@test.example")
    before = _hash_of(app, user_id)
    client = login(user_id)
    response = client.post("/konto/passord", data={
        "current_password": PASSWORD + "x", "new_password": "et-helt-nytt-passord-2026",
        "confirm": "et-helt-nytt-passord-2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="current_password-error"' in html and "Nåværende passord er feil." in html
    assert _hash_of(app, user_id) == before
    # Leaving the current password out is refused as well.
    response = client.post("/konto/passord", data={
        "new_password": "et-helt-nytt-passord-2026", "confirm": "et-helt-nytt-passord-2026"})
    assert response.status_code == 200 and "Fyll inn nåværende passord." in response.get_data(as_text=True)
    assert _hash_of(app, user_id) == before
    assert _login(app, "kari@test.example", PASSWORD) == 302   # the old password still works


@pytest.mark.parametrize(("url", "fields"), [
    ("/login", {"password": "current-password"}),
    ("/konto/passord", {"current_password": "current-password", "new_password": "new-password",
                        "confirm": "new-password"}),
    ("/aktiver/", {"password": "new-password", "confirm": "new-password"}),
    ("/konto/api-nokler", {"current_password": "current-password"}),
], ids=["login", "change-password", "activation", "new-api-token"])
def test_password_inputs_are_masked_pasteable_and_hinted_for_password_managers(app, login, make_user, url, fields):
    client = app.test_client() if url in ("/login", "/aktiver/") else login(make_user("admin"))
    if url == "/aktiver/":   # the link of an account an admin made
        with app.app_context():
            admin = db.session.get(User, make_user("admin"))
            _user, token = services.invite_user(email="ny@test.example", name="Ny Bruker", role=Role.ANALYST,
                                                office=None, actor=admin)
            db.session.commit()
        url += token
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    inputs = _inputs(html)
    for name, hint in fields.items():
        assert inputs[name]["type"] == "password", name
        assert inputs[name].get("autocomplete") == hint, name
    # Nothing stops pasting or password managers: no paste/copy/drop handlers, no autocomplete="off" on a form.
    assert not re.search(r"\bon(paste|copy|cut|drop)\s*=", html, re.IGNORECASE)
    assert not re.search(r"<form\b[^>]*autocomplete=\"off\"", html)
    scripts = " ".join(path.read_text(encoding="utf-8") for path in Path(app.static_folder).rglob("*.js"))
    assert not re.search(r"""["'](paste|copy|cut|drop)["']|\.on(paste|copy|cut|drop)\b""", scripts)


def _login(app, email: str, password: str) -> int:
    with app.app_context():
        db.session.execute(delete(LoginFailure))   # many attempts in a row; the login limit is tested elsewhere
        db.session.commit()
    return app.test_client().post("/login", data={"email": email, "password": password}).status_code


def test_the_password_is_checked_exactly_as_typed(app, make_user):
    make_user("analyst", email="kari@test.example")
    assert _login(app, "kari@test.example", PASSWORD) == 302
    for wrong in (PASSWORD.upper(), PASSWORD.capitalize(), PASSWORD[:-1], PASSWORD[:8], PASSWORD + " ",
                  " " + PASSWORD):
        assert _login(app, "kari@test.example", wrong) == 200, repr(wrong)


def test_a_long_passphrase_works_whole_and_not_truncated(app, login, make_user):
    user_id = make_user("analyst", email="kari@test.example")
    client = login(user_id)
    assert client.post("/konto/passord", data={"current_password": PASSWORD, "new_password": LONG_PASSWORD,
                                              "confirm": LONG_PASSWORD}).status_code == 302
    assert len(LONG_PASSWORD) >= 64
    assert _login(app, "kari@test.example", LONG_PASSWORD) == 302
    for wrong in (LONG_PASSWORD[:64], LONG_PASSWORD[:72], LONG_PASSWORD[:-1], LONG_PASSWORD.upper()):
        assert _login(app, "kari@test.example", wrong) == 200, repr(wrong)


def test_session_tokens_are_long_random_and_unique(app_ctx, make_user):
    user = db.session.get(User, make_user("analyst"))
    tokens = [services.start_session(user) for _ in range(200)]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(token) * 6 >= 128 + 6   # URL-safe base64: 6 bits a character, well above 128 bits
    # The characters are spread as random ones are: each of the 64 letters turns up, none dominates.
    alphabet = "".join(tokens)
    counts = {char: alphabet.count(char) for char in set(alphabet)}
    assert len(counts) == 64
    expected = len(alphabet) / 64
    assert max(counts.values()) < 2 * expected and min(counts.values()) > expected / 2
    # Only a hash of the token is stored.
    stored = set(db.session.scalars(select(UserSession.token_hash).where(UserSession.user_id == user.id)))
    assert len(stored) == len(tokens) and not stored & set(tokens)
    assert all(len(value) == 64 and math.isfinite(int(value, 16)) for value in stored)
