"""Two-factor login (ASVS 6.3.3, 6.5.1): with TOTP_REQUIRED a correct password alone logs nobody in; the
first login sets the app up; a code works once; a wrong or stale code is refused and logged."""
import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select, update

from app.auth import mfa, services
from app.auth.models import PendingLogin, User, UserSession
from app.core.audit import AuditAction, AuditEvent
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
            mfa.check_code(user, pyotp.TOTP(secret).at(moment - timedelta(minutes=5)),
                           now=moment + timedelta(seconds=40))


def _set_up_from_the_account_page(browser) -> str:
    """Re-authenticate on /konto/tofaktor, then confirm the new app; returns its secret."""
    assert browser.post("/konto/tofaktor", data={"current_password": PASSWORD}).status_code == 302
    secret = _secret_on(browser.get("/konto/tofaktor").get_data(as_text=True))
    assert browser.post("/konto/tofaktor/bekreft", data={"code": "123"}).status_code == 200
    assert browser.post("/konto/tofaktor/bekreft", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    return secret


def test_a_user_with_two_factor_is_asked_for_the_code_even_when_not_required(app, client, login, make_user):
    user_id = make_user("abroad_caseworker", email="per@test.example")
    browser = login(user_id)
    _set_up_from_the_account_page(browser)
    assert "er slått på" in browser.get("/konto/tofaktor").get_data(as_text=True)
    response = _password_step(client, "per@test.example")
    assert response.headers["Location"].endswith("/login/kode")
    assert "Skann QR-koden" not in client.get("/login/kode").get_data(as_text=True)


def _pending(app, email: str) -> PendingLogin:
    with app.app_context():
        return db.session.scalars(select(PendingLogin).join(User).where(User.email == email)
                                  .order_by(PendingLogin.id.desc())).first()


def test_a_stale_second_step_starts_over(app, client, make_user, required):
    make_user("abroad_caseworker", email="ola@test.example")
    _password_step(client, "ola@test.example")
    with app.app_context():
        db.session.execute(update(PendingLogin).values(created_at=utcnow() - timedelta(seconds=301)))
        db.session.commit()
    response = client.get("/login/kode")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/login/kode").headers["Location"].endswith("/login")


def test_the_cookie_holds_only_a_random_token(app, client, make_user, required):
    make_user("abroad_caseworker", email="ola@test.example")
    _password_step(client, "ola@test.example")
    with client.session_transaction() as session:
        token = session["mfa_pending"]
        assert set(session) <= {"mfa_pending", "_flashes", "csrf_token"}
    pending = _pending(app, "ola@test.example")
    assert isinstance(token, str) and len(token) >= 43 and pending.token_hash != token
    assert pending.setup_secret and pending.setup_secret not in client.get_cookie("session").value


def test_a_cookie_signed_with_the_apps_key_cannot_name_a_user_or_a_secret(app, make_user, required):
    """A leaked SECRET_KEY signs any cookie: the old pending-login shape (user id, time and a chosen TOTP secret)
    and made-up tokens get nowhere, and the victim's app is not replaced."""
    victim_id = make_user("abroad_caseworker", email="offer@test.example")
    with app.app_context():
        victim = db.session.get(User, victim_id)
        real_secret = mfa.new_secret()
        mfa.enable(victim, secret=real_secret, code=pyotp.TOTP(real_secret).now())
        db.session.commit()
    chosen = pyotp.random_base32()
    forgeries = [{"user_id": victim_id, "at": time.time(), "next": None, "secret": chosen},
                 {"user_id": victim_id, "at": time.time(), "next": None, "secret": None},
                 "en-selvlaget-token-som-ikke-finnes", victim_id]
    for forged in forgeries:
        attacker = app.test_client()
        with attacker.session_transaction() as session:   # signed with the app's own key
            session["mfa_pending"] = forged
        assert attacker.get("/login/kode").headers["Location"].endswith("/login"), forged
        with attacker.session_transaction() as session:
            session["mfa_pending"] = forged
        answer = attacker.post("/login/kode", data={"code": pyotp.TOTP(chosen).now()})
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/login"), forged
        assert attacker.get("/").status_code == 302   # not logged in
    with app.app_context():
        assert db.session.get(User, victim_id).totp_secret == real_secret
        assert db.session.scalar(select(func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == victim_id)) == 0


def test_the_setup_branch_is_refused_once_the_user_has_a_second_factor(app, client, make_user, required):
    """A first login began before the app was set up elsewhere: finishing it cannot replace that app."""
    user_id = make_user("abroad_caseworker", email="kari@test.example")
    _password_step(client, "kari@test.example")
    setup_secret = _secret_on(client.get("/login/kode").get_data(as_text=True))
    with app.app_context():
        user = db.session.get(User, user_id)
        other_secret = mfa.new_secret()
        mfa.enable(user, secret=other_secret, code=pyotp.TOTP(other_secret).now())
        db.session.commit()
    response = client.post("/login/kode", data={"code": pyotp.TOTP(setup_secret).now()})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).totp_secret == other_secret
    with app.app_context():   # and the service refuses it too, whatever the view does
        pending = db.session.scalars(select(PendingLogin).where(PendingLogin.user_id == user_id)).one()
        with pytest.raises(services.LoginExpired):
            services.finish_pending_login(pending, pyotp.TOTP(setup_secret).now())


def test_a_pending_login_is_used_once(app, client, make_user, required):
    make_user("abroad_caseworker", email="kari@test.example")
    _password_step(client, "kari@test.example")
    captured = client.get_cookie("session").value
    secret = _secret_on(client.get("/login/kode").get_data(as_text=True))
    assert client.post("/login/kode", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert _pending(app, "kari@test.example").ended_at is not None

    replay = app.test_client()
    replay.set_cookie("session", captured)
    later = pyotp.TOTP(secret).at(time.time() + 30)   # a fresh code, so only the used-up login can refuse it
    answer = replay.post("/login/kode", data={"code": later})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert replay.get("/").status_code == 302


def test_wrong_codes_count_against_the_login_limit(app, client, make_user, required):
    make_user("abroad_caseworker", email="kari@test.example")
    _password_step(client, "kari@test.example")
    statuses = [client.post("/login/kode", data={"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert client.post("/login/kode", data={"code": "000000"}).status_code == 429
    assert _password_step(app.test_client(), "kari@test.example").status_code == 429   # the same account bucket


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
