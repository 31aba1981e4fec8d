"""Login, logout and sessions that end on the server."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth import services
from app.auth.models import LoginFailure, User, UserSession
from app.core.audit import AuditEvent
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db
from tests.conftest import PASSWORD


def _post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def test_login_page_is_bokmal_and_public(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert "Logg inn" in html and "E-postadresse" in html and "Passord" in html


def test_login_with_right_password_opens_the_dashboard(client, make_user):
    make_user("analyst", email="kari@test.example")
    response = _post_login(client, "Kari@Test.example ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Velkommen" in client.get("/").get_data(as_text=True)


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user):
    make_user("analyst", email="kari@test.example")
    wrong_password = _post_login(client, "kari@test.example", "feil-passord-123")
    unknown_user = _post_login(client, "ingen@test.example", "feil-passord-123")
    assert wrong_password.status_code == unknown_user.status_code == 200
    for response in (wrong_password, unknown_user):
        assert "Feil e-postadresse eller passord." in response.get_data(as_text=True)
    def normalised(response, email):
        return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True).replace(email, "X"))

    assert normalised(wrong_password, "kari@test.example") == normalised(unknown_user, "ingen@test.example")


def test_failed_logins_are_audited(app, client, make_user):
    make_user("analyst", email="kari@test.example")
    _post_login(client, "kari@test.example", "feil-passord-123")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
        assert event.changes == {"email": "kari@test.example"}


def test_deactivated_user_cannot_log_in(app, client, make_user):
    user_id = make_user("analyst", email="kari@test.example")
    with app.app_context():
        services.set_active(db.session.get(User, user_id), False)
        db.session.commit()
    assert "Feil e-postadresse eller passord." in _post_login(client, "kari@test.example", PASSWORD).get_data(
        as_text=True)


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/saker")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_redirects_off_site(client, make_user, target):
    make_user("analyst", email="kari@test.example")
    response = client.post("/login", query_string={"next": target},
                           data={"email": "kari@test.example", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, make_user):
    make_user("analyst", email="kari@test.example")
    response = client.post("/login", query_string={"next": "/saker?q=x"},
                           data={"email": "kari@test.example", "password": PASSWORD})
    assert response.headers["Location"] == "/saker?q=x"


def test_session_cookie_replayed_after_logout_is_refused(app, make_user):
    make_user("analyst", email="kari@test.example")
    browser = app.test_client()
    _post_login(browser, "kari@test.example", PASSWORD)
    captured = browser.get_cookie("session").value
    assert browser.get("/").status_code == 200
    logout = browser.post("/logout")
    assert logout.headers["Clear-Site-Data"] == '"cache", "storage"'

    attacker = app.test_client()
    attacker.set_cookie("session", captured)
    response = attacker.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_login_issues_a_new_session(app, make_user):
    make_user("analyst", email="kari@test.example")
    browser = app.test_client()
    browser.get("/login")
    before = browser.get_cookie("session")
    _post_login(browser, "kari@test.example", PASSWORD)
    after = browser.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)


def test_session_cookie_is_httponly_and_lax(client, make_user):
    make_user("analyst", email="kari@test.example")
    response = _post_login(client, "kari@test.example", PASSWORD)
    cookie = next(header for header in response.headers.getlist("Set-Cookie") if header.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_change_ends_the_other_sessions(app, login, make_user):
    user_id = make_user("analyst")
    other_device = login(user_id)
    this_device = login(user_id)
    response = this_device.post("/konto/passord", data={
        "current_password": PASSWORD, "new_password": "et-helt-nytt-passord-2026",
        "confirm": "et-helt-nytt-passord-2026"})
    assert response.status_code == 302
    assert this_device.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_password_change_revokes_every_api_token(app, client, login, make_user):
    user_id = make_user("abroad_caseworker")
    with app.app_context():
        secrets = [services.create_api_token(db.session.get(User, user_id), name=name)[1]
                   for name in ("Uttrekk", "Rapport")]
        db.session.commit()
    headers = [{"Authorization": f"Bearer {secret}"} for secret in secrets]
    assert all(client.get("/api/v1/abroad/applications", headers=h).status_code == 200 for h in headers)
    browser = login(user_id)
    page = browser.get("/konto/passord").get_data(as_text=True)
    assert "alle API-nøklene dine trekkes tilbake" in page
    answer = browser.post("/konto/passord", data={"current_password": PASSWORD,
                                                  "new_password": "et-helt-nytt-passord-2026",
                                                  "confirm": "et-helt-nytt-passord-2026"}, follow_redirects=True)
    assert "alle API-nøklene dine er trukket tilbake" in answer.get_data(as_text=True)
    assert all(client.get("/api/v1/abroad/applications", headers=h).status_code == 401 for h in headers)


def test_password_change_refuses_a_short_password_next_to_the_field(login, make_user):
    client = login(make_user("analyst"))
    response = client.post("/konto/passord", data={
        "current_password": PASSWORD, "new_password": "kort", "confirm": "kort"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="new_password-error"' in html and "minst 12 tegn" in html


def test_deactivation_ends_live_sessions(app, login, make_user):
    user_id = make_user("analyst")
    client = login(user_id)
    assert client.get("/").status_code == 200
    with app.app_context():
        services.set_active(db.session.get(User, user_id), False)
        db.session.commit()
    assert client.get("/").status_code == 302


def test_idle_and_absolute_session_limits(app_ctx, app, make_user):
    user = db.session.get(User, make_user("analyst"))
    token = services.start_session(user)
    now = utcnow()
    assert services.load_session_user(token, now=now + timedelta(minutes=29)) is not None
    assert services.load_session_user(token, now=now + timedelta(minutes=29 + 31)) is None
    ended = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert ended.end_reason == "idle"

    token = services.start_session(user)
    moment = utcnow()
    for minutes in range(20, 12 * 60, 20):  # active all day, never idle
        assert services.load_session_user(token, now=moment + timedelta(minutes=minutes)) is not None
    assert services.load_session_user(token, now=moment + timedelta(hours=12, minutes=10)) is None


def test_login_attempts_are_rate_limited_per_account(client, make_user):
    """Five failures per account in 15 minutes; the sixth attempt is refused, even with the right password."""
    make_user("analyst", email="kari@test.example")
    statuses = [_post_login(client, "kari@test.example", "feil-passord-123").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    locked = _post_login(client, "kari@test.example", PASSWORD)
    assert locked.status_code == 429 and "For mange forsøk" in locked.get_data(as_text=True)
    # Another address is locked out of this account too (the bucket is the account's), but not of others.
    elsewhere = client.application.test_client()
    assert _post_login(elsewhere, "kari@test.example", PASSWORD).status_code == 429


def test_successful_logins_are_never_counted(app, make_user):
    make_user("analyst", email="kari@test.example")
    for attempt in range(8):
        browser = app.test_client()
        assert _post_login(browser, "kari@test.example", PASSWORD).status_code == 302, attempt
        assert browser.get("/").status_code == 200
    # Four typing errors after eight logins still leave room for the right password.
    browser = app.test_client()
    assert [_post_login(browser, "kari@test.example", "feil-passord-123").status_code for _ in range(4)] == [200] * 4
    assert _post_login(browser, "kari@test.example", PASSWORD).status_code == 302


def test_a_json_body_counts_against_the_same_account(client, make_user):
    make_user("analyst", email="kari@test.example")
    for _ in range(3):
        assert _post_login(client, "kari@test.example", "feil-passord-123").status_code == 200
    for email in ("kari@test.example", " KARI@test.example"):
        assert client.post("/login", json={"email": email, "password": "feil-passord-123"}).status_code == 200
    assert client.post("/login", json={"email": "kari@test.example", "password": PASSWORD}).status_code == 429
    assert _post_login(client, "kari@test.example", PASSWORD).status_code == 429


def test_failures_per_address_lock_that_address_only(app, make_user):
    make_user("analyst", email="kari@test.example")
    nat = app.test_client()
    nat.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    for number in range(20):   # 20 per 15 minutes, spread over accounts that exist or not
        assert _post_login(nat, f"bruker{number}@test.example", "feil-passord-123").status_code == 200
    assert _post_login(nat, "kari@test.example", PASSWORD).status_code == 429
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.20.30.41"
    assert _post_login(other, "kari@test.example", PASSWORD).status_code == 302


def test_a_lockout_says_nothing_about_whether_the_account_exists(app, make_user):
    make_user("analyst", email="kari@test.example")
    answers = {}
    for email in ("kari@test.example", "ingen@test.example"):
        browser = app.test_client()
        statuses = [_post_login(browser, email, "feil-passord-123").status_code for _ in range(6)]
        answers[email] = (statuses, re.sub(r'nonce="[^"]+"', "",
                                           _post_login(browser, email, "feil-passord-123").get_data(as_text=True)))
    assert answers["kari@test.example"] == answers["ingen@test.example"]
    assert answers["kari@test.example"][0] == [200] * 5 + [429]
    with app.app_context():   # each refusal is logged, under the typed address and no account
        locked = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login_failed",
                                                             AuditEvent.object_id.is_(None))
                                    .order_by(AuditEvent.id)).all()
        assert [event.changes for event in locked if event.changes.get("locked_out")] == [
            {"email": email, "locked_out": True} for email in ("kari@test.example",) * 2 + ("ingen@test.example",) * 2]


@pytest.mark.parametrize("body", [[1, 2], "tekst", 5, {"email": 5, "password": "x"}, {"email": ["a"], "password": "x"}])
def test_a_json_body_that_is_not_a_form_is_a_bokmal_400(client, body):
    response = client.post("/login", json=body)
    assert response.status_code == 400 and "Ugyldig forespørsel" in response.get_data(as_text=True)


def test_two_app_servers_on_one_database_share_the_count(database_url, tmp_path):
    """The counters are in the database: failures through one app (a gunicorn worker, another host) count
    in the other, with no Redis."""
    from flask_migrate import upgrade

    from app import create_app
    from config import BASE_DIR, TestConfig
    from tests.conftest import database_of_its_own

    with database_of_its_own(database_url, tmp_path, "sharedlimit") as url:
        config = type("Shared", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
        first, second = create_app(config), create_app(config)
        with first.app_context():
            upgrade(directory=str(BASE_DIR / "migrations"))
            services.create_user(email="kari@test.example", name="Kari", role=Role.ANALYST, office=None,
                                 password=PASSWORD)
            db.session.commit()
        statuses = []
        for number in range(6):
            statuses.append(_post_login((first, second)[number % 2].test_client(), "kari@test.example",
                                        "feil-passord-123").status_code)
        assert statuses == [200] * 5 + [429]
        assert _post_login(first.test_client(), "kari@test.example", PASSWORD).status_code == 429
        for app in (first, second):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_failed_attempts_are_not_kept_longer_than_the_window(app, make_user):
    make_user("analyst", email="kari@test.example")
    browser = app.test_client()
    for _ in range(5):
        _post_login(browser, "kari@test.example", "feil-passord-123")
    with app.app_context():
        db.session.execute(update(LoginFailure).values(at=utcnow() - timedelta(minutes=16)))
        db.session.commit()
    assert _post_login(browser, "kari@test.example", PASSWORD).status_code == 302   # the window has passed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0   # and the old rows are gone


def test_forms_are_csrf_protected(app, make_user):
    make_user("analyst", email="kari@test.example")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/login", data={"email": "kari@test.example", "password": PASSWORD})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "Skjemaet er utløpt" in response.get_data(as_text=True)


def test_stay_logged_in_restarts_the_idle_time(app, login, make_user):
    user_id = make_user("analyst")
    client = login(user_id)
    with app.app_context():
        session = db.session.scalar(select(UserSession).where(UserSession.user_id == user_id))
        session.last_seen_at = utcnow() - timedelta(minutes=28)
        db.session.commit()
    assert client.post("/konto/forleng").status_code == 204
    with app.app_context():
        session = db.session.scalar(select(UserSession).where(UserSession.user_id == user_id))
        assert utcnow() - services._aware(session.last_seen_at) < timedelta(minutes=1)
    assert app.test_client().post("/konto/forleng").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'data-idle-seconds="1800"' in page and "Forbli innlogget" in page


def test_an_overlong_password_is_refused_before_any_hashing(client, make_user, monkeypatch):
    from app.auth import services

    make_user("analyst", email="kari@test.example")
    hashed = []
    monkeypatch.setattr(services, "authenticate", lambda *args: hashed.append(args))
    response = _post_login(client, "kari@test.example", "x" * 100_000)
    assert response.status_code == 200 and "Passordet kan ha høyst 256 tegn." in response.get_data(as_text=True)
    assert hashed == []


def test_a_user_sees_where_they_are_logged_in_and_ends_the_other_sessions(app, login, make_user):
    from app.core.audit import AuditAction, AuditEvent

    user_id = make_user("analyst", email="kari@test.example")
    here, laptop, phone = login(user_id), login(user_id), login(user_id)
    someone_else = login(make_user("analyst"))
    page = here.get("/konto/innlogginger").get_data(as_text=True)
    assert page.count("Avslutt innloggingen fra") == 2 and "Denne nettleseren" in page

    with app.app_context():
        from app.auth.models import UserSession
        laptop_id = db.session.scalars(select(UserSession.id).where(UserSession.user_id == user_id)
                                       .order_by(UserSession.id)).all()[1]
    assert here.post(f"/konto/innlogginger/{laptop_id}/avslutt").status_code == 302
    assert laptop.get("/").status_code == 302 and phone.get("/").status_code == 200
    assert someone_else.post(f"/konto/innlogginger/{laptop_id}/avslutt").status_code == 404   # not theirs

    answer = here.post("/konto/innlogginger/avslutt-andre", follow_redirects=True).get_data(as_text=True)
    assert "Alle andre innlogginger er avsluttet." in answer and "Avslutt innloggingen fra" not in answer
    assert phone.get("/").status_code == 302 and here.get("/").status_code == 200
    assert someone_else.get("/").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGOUT,
                                                          AuditEvent.object_type == "user_session",
                                                          AuditEvent.object_id == str(laptop_id))) is not None
