"""Re-authentication (ASVS 7.5.1): setting up, replacing or turning off the second factor and making an API
token need the current password, and the current code when there is a second factor. A stolen session (the
cookie alone) can do none of them."""
import re

import pyotp
import pytest
from sqlalchemy import func, select

from app.auth import mfa
from app.auth.models import ApiToken, User
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from tests.conftest import PASSWORD


def _secret_on(page: str) -> str:
    return re.search(r'<code class="token">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def _with_app(app, user_id: int) -> str:
    """Give the user a second factor; returns its secret."""
    with app.app_context():
        secret = mfa.new_secret()
        db.session.get(User, user_id).totp_secret = secret   # set up earlier: no code of now used yet
        db.session.commit()
    return secret


def _totp_secret(app, user_id: int) -> str | None:
    with app.app_context():
        return db.session.get(User, user_id).totp_secret


def _tokens(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user_id))


def test_a_stolen_session_cannot_set_up_a_second_factor(app, login, make_user):
    user_id = make_user("analyst")
    stolen = login(user_id)
    page = stolen.get("/konto/tofaktor").get_data(as_text=True)
    assert "Bekreft med passordet ditt" in page and "Skann QR-koden" not in page   # no secret before the password
    for data in ({}, {"current_password": "feil-passord-123"}):
        refused = stolen.post("/konto/tofaktor", data=data)
        assert refused.status_code == 200 and 'id="current_password-error"' in refused.get_data(as_text=True)
        assert "Skann QR-koden" not in stolen.get("/konto/tofaktor").get_data(as_text=True)
    # A code for a secret of the attacker's choosing, posted straight to the confirmation, sets nothing up.
    chosen = pyotp.random_base32()
    stolen.post("/konto/tofaktor/bekreft", data={"code": pyotp.TOTP(chosen).now(), "secret": chosen})
    assert _totp_secret(app, user_id) is None

    assert stolen.post("/konto/tofaktor", data={"current_password": PASSWORD}).status_code == 302
    secret = _secret_on(stolen.get("/konto/tofaktor").get_data(as_text=True))
    assert stolen.post("/konto/tofaktor/bekreft", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert _totp_secret(app, user_id) == secret


def test_replacing_the_app_needs_the_password_and_the_current_code(app, login, make_user):
    user_id = make_user("analyst")
    old_secret = _with_app(app, user_id)
    browser, other_device = login(user_id), login(user_id)
    page = browser.get("/konto/tofaktor").get_data(as_text=True)
    assert "Bytt autentiseringsapp" in page and 'name="code"' in page
    refused = browser.post("/konto/tofaktor", data={"current_password": PASSWORD})   # the password alone
    assert refused.status_code == 200 and 'id="code-error"' in refused.get_data(as_text=True)
    refused = browser.post("/konto/tofaktor", data={"current_password": PASSWORD, "code": "000000"})
    assert "Koden stemmer ikke" in refused.get_data(as_text=True)
    assert "Skann QR-koden" not in browser.get("/konto/tofaktor").get_data(as_text=True)

    assert browser.post("/konto/tofaktor", data={"current_password": PASSWORD,
                                                 "code": pyotp.TOTP(old_secret).now()}).status_code == 302
    setup = browser.get("/konto/tofaktor").get_data(as_text=True)
    assert "Du bytter autentiseringsapp" in setup
    new_secret = _secret_on(setup)
    assert _totp_secret(app, user_id) == old_secret   # the old app works until the new one is confirmed
    done = browser.post("/konto/tofaktor/bekreft", data={"code": pyotp.TOTP(new_secret).now()},
                        follow_redirects=True)
    assert "Den nye appen er tatt i bruk" in done.get_data(as_text=True)
    assert _totp_secret(app, user_id) == new_secret and new_secret != old_secret
    assert other_device.get("/").status_code == 302 and browser.get("/").status_code == 200   # 7.4.3
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(user_id),
                                                            AuditEvent.action == AuditAction.UPDATE)
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.changes == {"two_factor_app": ["***", "***"]}


def test_turning_the_second_factor_off_needs_password_and_code(app, login, make_user):
    user_id = make_user("analyst")
    secret = _with_app(app, user_id)
    browser = login(user_id)
    for data in ({"remove-current_password": PASSWORD},
                 {"remove-current_password": "feil-passord-123", "remove-code": pyotp.TOTP(secret).now()}):
        assert browser.post("/konto/tofaktor/sla-av", data=data).status_code == 200
        assert _totp_secret(app, user_id) == secret
    answer = browser.post("/konto/tofaktor/sla-av", data={"remove-current_password": PASSWORD,
                                                          "remove-code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302 and _totp_secret(app, user_id) is None


def test_where_two_factor_is_required_it_can_be_replaced_but_not_turned_off(app, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_REQUIRED", True)
    user_id = make_user("analyst")
    secret = _with_app(app, user_id)
    browser = login(user_id)
    page = browser.get("/konto/tofaktor").get_data(as_text=True)
    assert "Bytt autentiseringsapp" in page and "Slå av tofaktorinnlogging" not in page
    refused = browser.post("/konto/tofaktor/sla-av", data={"remove-current_password": PASSWORD,
                                                           "remove-code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 200 and "er påkrevd" in refused.get_data(as_text=True)
    assert _totp_secret(app, user_id) == secret


def test_a_stolen_session_cannot_make_an_api_token(app, login, make_user):
    user_id = make_user("abroad_caseworker")
    stolen = login(user_id)
    for data in ({"name": "Uttrekk", "days": "30"},
                 {"name": "Uttrekk", "days": "30", "current_password": "feil-passord-123"}):
        page = stolen.post("/konto/api-nokler", data=data).get_data(as_text=True)
        assert 'id="current_password-error"' in page and "hs_" not in page
    assert _tokens(app, user_id) == 0
    assert "hs_" in stolen.post("/konto/api-nokler", data={"name": "Uttrekk", "days": "30",
                                                           "current_password": PASSWORD}).get_data(as_text=True)
    assert _tokens(app, user_id) == 1


def test_with_a_second_factor_a_token_also_needs_the_current_code(app, login, make_user):
    user_id = make_user("abroad_caseworker")
    secret = _with_app(app, user_id)
    browser = login(user_id)
    page = browser.post("/konto/api-nokler", data={"name": "Uttrekk", "days": "30", "current_password": PASSWORD})
    assert 'id="code-error"' in page.get_data(as_text=True) and _tokens(app, user_id) == 0
    page = browser.post("/konto/api-nokler", data={"name": "Uttrekk", "days": "30", "current_password": PASSWORD,
                                                   "code": pyotp.TOTP(secret).now()})
    assert "Kopier nøkkelen nå" in page.get_data(as_text=True) and _tokens(app, user_id) == 1


def test_guessing_the_password_through_a_stolen_session_hits_the_login_limit(app, login, make_user):
    user_id = make_user("analyst", email="kari@test.example")
    stolen = login(user_id)
    for _ in range(5):
        stolen.post("/konto/api-nokler", data={"name": "Uttrekk", "days": "30", "current_password": "gjett-1234567"})
    page = stolen.post("/konto/api-nokler", data={"name": "Uttrekk", "days": "30", "current_password": PASSWORD})
    assert "For mange mislykkede forsøk" in page.get_data(as_text=True) and _tokens(app, user_id) == 0
    assert app.test_client().post("/login", data={"email": "kari@test.example",
                                                  "password": PASSWORD}).status_code == 429
    with app.app_context():
        failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)).all()
        assert [event.changes for event in failed] == [{"reauthentication": "password"}] * 5 + [
            {"email": "kari@test.example", "locked_out": True}] * 2   # the token page, then the login page


@pytest.mark.parametrize("url", ["/konto/tofaktor", "/konto/api-nokler", "/konto/passord"])
def test_every_reauthentication_form_asks_for_the_password_as_a_password(login, make_user, url):
    page = login(make_user("analyst")).get(url).get_data(as_text=True)
    field = re.search(r'<input[^>]*name="current_password"[^>]*>', page).group(0)
    assert 'type="password"' in field and 'autocomplete="current-password"' in field
