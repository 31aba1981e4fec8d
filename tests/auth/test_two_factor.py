"""Two-factor login (ASVS 6.3.3, 6.5.1): with TOTP_REQUIRED a correct password alone logs nobody in; the
first login sets the app up; a code works once; a wrong or stale code is refused and logged."""
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from app.auth import mfa
from app.auth.models import User
from app.cases.models import AuditAction, AuditEvent
from app.db import utcnow
from app.errors import InvalidInput
from app.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TOTP_REQUIRED", True)


def _password_step(client, email: str):
    return client.post("/login", data={"email": email, "password": PASSWORD})


def _secret_on(page: str) -> str:
    return re.search(r'<code class="token">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")


def test_first_login_sets_up_the_app_and_a_password_alone_is_not_enough(app, client, make_user, required):
    make_user("abroad_caseworker", email="kari@test.example")
    response = _password_step(client, "kari@test.example")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/kode")
    assert client.get("/").status_code == 302   # not logged in yet
    page = client.get("/login/kode").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "Skann QR-koden" in page
    secret = _secret_on(page)
    wrong = client.post("/login/kode", data={"code": "000000"}).get_data(as_text=True)
    assert 'id="code-error"' in wrong and "Koden stemmer ikke" in wrong
    assert client.post("/login/kode", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "kari@test.example"))
        assert user.totp_secret == secret
        failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED))
        assert failed.changes == {"factor": "totp"}


def test_a_code_works_only_once(app, make_user, required):
    user_id = make_user("abroad_caseworker")
    with app.app_context():
        user = db.session.get(User, user_id)
        secret = mfa.new_secret()
        moment = utcnow()
        mfa.enable(user, secret=secret, code=pyotp.TOTP(secret).at(moment), now=moment)
        db.session.commit()
        with pytest.raises(InvalidInput, match="allerede brukt"):
            mfa.check_code(user, pyotp.TOTP(secret).at(moment), now=moment + timedelta(seconds=5))
        mfa.check_code(user, pyotp.TOTP(secret).at(moment + timedelta(seconds=30)), now=moment + timedelta(seconds=31))
        db.session.commit()
        with pytest.raises(InvalidInput):
            mfa.check_code(user, pyotp.TOTP(secret).at(moment - timedelta(minutes=5)), now=moment + timedelta(seconds=40))


def test_a_user_with_two_factor_is_asked_for_the_code_even_when_not_required(app, client, login, make_user):
    user_id = make_user("abroad_caseworker", email="per@test.example")
    browser = login(user_id)
    page = browser.get("/konto/tofaktor").get_data(as_text=True)
    secret = _secret_on(page)
    assert browser.post("/konto/tofaktor", data={"code": "123"}).status_code == 200
    assert browser.post("/konto/tofaktor", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert "er slått på" in browser.get("/konto/tofaktor").get_data(as_text=True)
    response = _password_step(client, "per@test.example")
    assert response.headers["Location"].endswith("/login/kode")
    assert "Skann QR-koden" not in client.get("/login/kode").get_data(as_text=True)


def test_a_stale_second_step_starts_over(app, client, make_user, required):
    make_user("abroad_caseworker", email="ola@test.example")
    _password_step(client, "ola@test.example")
    with client.session_transaction() as session:
        session["mfa_pending"] = {**session["mfa_pending"], "at": session["mfa_pending"]["at"] - 301}
    response = client.get("/login/kode")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/login/kode").headers["Location"].endswith("/login")


def test_the_admin_resets_a_lost_second_factor(app, login, make_user):
    user_id = make_user("abroad_caseworker", name="Mistet Telefon")
    with app.app_context():
        user = db.session.get(User, user_id)
        secret = mfa.new_secret()
        mfa.enable(user, secret=secret, code=pyotp.TOTP(secret).now())
        db.session.commit()
    victim = login(user_id)
    admin = login(make_user("admin"))
    assert "Nullstill tofaktor for Mistet Telefon" in admin.get("/admin/brukere").get_data(as_text=True)
    assert admin.post(f"/admin/brukere/{user_id}/nullstill-tofaktor").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret is None
    assert victim.get("/").status_code == 302   # the sessions ended with the reset
