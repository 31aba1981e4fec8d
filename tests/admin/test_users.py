import re
from datetime import timedelta

from sqlalchemy import select, update

from app.auth import services as account_services
from app.auth.models import AccountActivation, User
from app.core.audit import AuditAction, AuditEvent
from app.db import utcnow
from app.extensions import db
from tests.conftest import PASSWORD


def _activation_link(page: str) -> str:
    return re.search(r'<code class="token">http://localhost(/aktiver/[^<]+)</code>', page).group(1)


def test_admin_creates_and_deactivates_a_user(app, login, make_user):
    admin = login(make_user("admin"))
    created = admin.post("/admin/brukere/ny", data={
        "name": "Vidar Vest", "email": "vidar@test.example", "role": "abroad_caseworker", "office": "helse-vest"})
    assert created.status_code == 200
    link = _activation_link(created.get_data(as_text=True))
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vidar@test.example"))
        assert (user.office, user.active, user.activated) == ("helse-vest", True, False)
    new_user_client = app.test_client()
    assert new_user_client.post(link, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302
    new_user_client.post("/login", data={"email": "vidar@test.example", "password": PASSWORD})
    assert new_user_client.get("/").status_code == 200

    assert admin.post(f"/admin/brukere/{user.id}/deaktiver").status_code == 302
    ended = new_user_client.get("/konto/passord")   # the live session ended with the account
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")


def test_user_form_errors_are_shown_next_to_the_fields(app, login, make_user):
    admin = login(make_user("admin"))
    page = admin.post("/admin/brukere/ny", data={
        "name": "X", "email": "ikke-epost", "role": "abroad_caseworker", "office": ""})
    html = page.get_data(as_text=True)
    assert 'id="email-error"' in html and "Oppgi en gyldig e-postadresse." in html
    page = admin.post("/admin/brukere/ny", data={
        "name": "X", "email": "x@test.example", "role": "abroad_caseworker", "office": ""})
    html = page.get_data(as_text=True)
    assert 'id="office-error"' in html and "må høre til et utenlandskontor" in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@test.example")) is None


def test_an_admin_made_account_gets_a_one_time_link_and_no_password_the_admin_knows(app, login, make_user):
    admin_id = make_user("admin")
    admin = login(admin_id)
    form = admin.get("/admin/brukere/ny").get_data(as_text=True)
    assert 'type="password"' not in form and "aktiveringslenke" in form
    # A password field posted anyway is ignored: there is nothing the admin can log in with.
    page = admin.post("/admin/brukere/ny", data={"name": "Nina Ny", "email": "nina@test.example", "role": "analyst",
                                                 "office": "", "password": "admin-valgt-startpassord"})
    link = _activation_link(page.get_data(as_text=True))
    assert "gjelder i 72 timer" in page.get_data(as_text=True)
    for guess in ("admin-valgt-startpassord", "", "!activation-pending"):
        assert app.test_client().post("/login", data={"email": "nina@test.example",
                                                      "password": guess}).status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nina@test.example"))
        stored = db.session.scalars(select(AccountActivation).where(AccountActivation.user_id == user.id)).one()
        assert link.rsplit("/", 1)[1] not in (stored.token_hash, user.password_hash)
    assert "Venter på aktivering" in admin.get(f"/admin/brukere/{user.id}").get_data(as_text=True)
    assert link not in admin.get(f"/admin/brukere/{user.id}").get_data(as_text=True)   # shown once

    nina = app.test_client()
    assert "Velg passord" in nina.get(link).get_data(as_text=True)
    weak = nina.post(link, data={"password": "kort", "confirm": "kort"})   # the password rules
    assert weak.status_code == 200 and "minst 12 tegn" in weak.get_data(as_text=True)
    done = nina.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert nina.post("/login", data={"email": "nina@test.example", "password": PASSWORD}).status_code == 302
    assert nina.get("/").status_code == 200   # the user's own password: no start-password page

    again = app.test_client().post(link, data={"password": "et-annet-langt-passord",
                                               "confirm": "et-annet-langt-passord"})
    assert again.status_code == 404 and "Lenken virker ikke" in again.get_data(as_text=True)   # once only
    with app.app_context():
        actions = [(event.action, event.object_type, event.user_id) for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type.in_(("account_activation", "user")),
                                     AuditEvent.action.in_((AuditAction.CREATE, AuditAction.UPDATE)))
            .order_by(AuditEvent.id))]
        assert actions[-3:] == [(AuditAction.CREATE, "user", admin_id),
                                (AuditAction.CREATE, "account_activation", admin_id),
                                (AuditAction.UPDATE, "user", user.id)]


def test_an_expired_or_replaced_link_does_not_work_and_an_activated_account_gets_no_new_one(app, login, make_user):
    admin = login(make_user("admin"))
    first = _activation_link(admin.post("/admin/brukere/ny", data={
        "name": "Ola Ny", "email": "ola@test.example", "role": "analyst", "office": ""}).get_data(as_text=True))
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "ola@test.example"))
    second = _activation_link(admin.post(f"/admin/brukere/{user_id}/aktiveringslenke").get_data(as_text=True))
    assert app.test_client().get(first).status_code == 404   # replaced
    with app.app_context():
        db.session.execute(update(AccountActivation).where(AccountActivation.ended_at.is_(None))
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert app.test_client().get(second).status_code == 404   # expired
    third = _activation_link(admin.post(f"/admin/brukere/{user_id}/aktiveringslenke").get_data(as_text=True))
    assert app.test_client().post(third, data={"password": PASSWORD, "confirm": PASSWORD}).status_code == 302

    refused = admin.post(f"/admin/brukere/{user_id}/aktiveringslenke", follow_redirects=True)
    assert "allerede aktivert" in refused.get_data(as_text=True) and "/aktiver/" not in refused.get_data(as_text=True)
    assert app.test_client().get("/aktiver/" + "x" * 43).status_code == 404


def test_the_command_line_still_sets_a_password_for_the_first_admin(app):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "forste@test.example", "--name",
                                                "Første Admin", "--role", "admin", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert app.test_client().post("/login", data={"email": "forste@test.example",
                                                  "password": PASSWORD}).status_code == 302


def test_non_admins_cannot_manage_users(login, make_user):
    client = login(make_user("abroad_caseworker"))
    assert client.get("/admin/brukere").status_code == 403
    assert client.post("/admin/brukere/ny", data={"name": "X"}).status_code == 403


def _live_sessions(app, user_id: int) -> int:
    from app.auth.models import UserSession

    with app.app_context():
        return len(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id,
                                                               UserSession.ended_at.is_(None))).all())


def test_admin_logs_one_user_out_everywhere_and_the_account_stays_active(app, login, make_user):
    from app.core.audit import AuditAction, AuditEvent

    admin_id, user_id, other_id = make_user("admin"), make_user("analyst"), make_user("analyst")
    admin, laptop, phone, other = login(admin_id), login(user_id), login(user_id), login(other_id)
    page = admin.get("/admin/brukere").get_data(as_text=True)
    assert "Innlogget nå" in page and f"/admin/brukere/{user_id}/logg-ut" in page

    response = admin.post(f"/admin/brukere/{user_id}/logg-ut", follow_redirects=True)

    assert "er logget ut overalt (2 innlogginger avsluttet, 0 API-nøkler trukket tilbake)." in response.get_data(
        as_text=True)
    assert laptop.get("/").status_code == phone.get("/").status_code == 302   # both sessions ended
    assert other.get("/").status_code == 200 and admin.get("/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).active
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGOUT,
                                                            AuditEvent.object_id == str(user_id))).one()
        assert event.user_id == admin_id
        assert event.changes == {"sessions_ended": [None, 2], "api_tokens_revoked": [None, 0]}


def test_admin_logs_everyone_out_but_keeps_their_own_session(app, login, make_user):
    admin_id = make_user("admin")
    admin, first, second = login(admin_id), login(make_user("analyst")), login(make_user("panel_secretariat"))

    response = admin.post("/admin/brukere/logg-ut-alle", follow_redirects=True)

    assert "Alle brukere er logget ut (2 innlogginger avsluttet, 0 API-nøkler trukket tilbake)." in \
        response.get_data(as_text=True)
    assert first.get("/").status_code == second.get("/").status_code == 302
    assert admin.get("/").status_code == 200 and _live_sessions(app, admin_id) == 1


def test_dormant_accounts_are_deactivated_from_the_command_line(app, make_user):
    from datetime import timedelta

    from app.auth import services
    from app.auth.models import UserSession
    from app.db import utcnow

    long_ago = utcnow() - timedelta(days=200)
    with app.app_context():
        used_long_ago, never_used, recent = (make_user("analyst", email=f"{name}@test.example")
                                             for name in ("gammel", "aldri", "fersk"))
        for user_id in (used_long_ago, never_used, recent):
            db.session.get(User, user_id).created_at = long_ago
        for user_id, days in ((used_long_ago, 100), (recent, 10)):
            services.start_session(db.session.get(User, user_id))
            db.session.flush()
            session = db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)).one()
            session.created_at = utcnow() - timedelta(days=days)
        db.session.commit()

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["users", "deactivate-dormant", "--days", "90", "--dry-run"])
    assert dry.exit_code == 0 and "Ville deaktivert aldri@test.example" in dry.output
    assert "gammel@test.example" in dry.output and "fersk@test.example" not in dry.output
    with app.app_context():
        assert db.session.get(User, never_used).active

    result = runner.invoke(args=["users", "deactivate-dormant", "--days", "90"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert [db.session.get(User, user_id).active for user_id in (used_long_ago, never_used, recent)] == [
            False, False, True]


def test_a_start_password_from_the_admin_only_opens_the_password_page(app, make_user):
    """Accounts made before activation links, with a start password the admin chose, keep their rule: the
    start password opens only the page where the user chooses their own."""
    user_id = make_user("analyst", email="nina@test.example")
    with app.app_context():
        db.session.get(User, user_id).must_change_password = True
        db.session.commit()
    nina = app.test_client()
    nina.post("/login", data={"email": "nina@test.example", "password": PASSWORD})

    for page in ("/", "/rapporter/", "/konto/api-nokler", "/konto/tofaktor"):
        refused = nina.get(page)
        assert refused.status_code == 302 and refused.headers["Location"] == "/konto/passord", page
    assert "Velg ditt eget passord" in nina.get("/konto/passord").get_data(as_text=True)

    changed = nina.post("/konto/passord", data={"current_password": PASSWORD, "new_password": "et-eget-langt-passord",
                                                "confirm": "et-eget-langt-passord"})
    assert changed.status_code == 302
    assert nina.get("/").status_code == 200
    with app.app_context():
        assert not db.session.get(User, user_id).must_change_password


def _token(app, user_id: int, name: str = "Uttrekk") -> str:
    with app.app_context():
        secret = account_services.create_api_token(db.session.get(User, user_id), name=name)[1]
        db.session.commit()
    return secret


def _works(app, secret: str) -> bool:
    """The API accepts the token (a 401 is its answer to a missing, expired or revoked one)."""
    return app.test_client().get("/api/v1/abroad/applications",
                                 headers={"Authorization": f"Bearer {secret}"}).status_code != 401


def test_the_admin_revokes_another_users_tokens_on_the_user_page(app, login, make_user):
    admin_id, user_id, other_id = make_user("admin"), make_user(name="Tor Token"), make_user()
    secrets_of_user = [_token(app, user_id, "Uttrekk"), _token(app, user_id, "Rapport")]
    other_secret = _token(app, other_id)
    admin = login(admin_id)
    assert f"/admin/brukere/{user_id}" in admin.get("/admin/brukere").get_data(as_text=True)
    page = admin.get(f"/admin/brukere/{user_id}").get_data(as_text=True)
    assert "Uttrekk" in page and "Rapport" in page and "Trekk tilbake alle API-nøklene til Tor Token" in page

    answer = admin.post(f"/admin/brukere/{user_id}/trekk-tilbake-nokler", follow_redirects=True)
    assert "Alle API-nøklene til Tor Token er trukket tilbake (2 nøkler)." in answer.get_data(as_text=True)
    assert not any(_works(app, secret) for secret in secrets_of_user)
    assert _works(app, other_secret)
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "api_token",
                                                           AuditEvent.action == AuditAction.UPDATE)).all()
        assert len(rows) == 2 and {row.user_id for row in rows} == {admin_id}
        assert rows[0].changes["end_reason"] == [None, "revoked_by_admin"]
    assert login(user_id).post(f"/admin/brukere/{user_id}/trekk-tilbake-nokler").status_code == 403


def test_logging_a_user_out_everywhere_ends_their_api_tokens(app, login, make_user):
    admin_id, user_id, other_id = make_user("admin"), make_user(), make_user()
    secret, other_secret = _token(app, user_id), _token(app, other_id)
    assert _works(app, secret)
    answer = login(admin_id).post(f"/admin/brukere/{user_id}/logg-ut", follow_redirects=True)
    assert "1 API-nøkler trukket tilbake" in answer.get_data(as_text=True)
    assert not _works(app, secret) and _works(app, other_secret)


def test_logging_everyone_out_ends_every_api_token(app, login, make_user):
    admin_id = make_user("admin")
    secrets = [_token(app, make_user()), _token(app, make_user("analyst")), _token(app, admin_id)]
    admin = login(admin_id)
    assert "alle API-nøkler (også dine) trekkes tilbake" in admin.get("/admin/brukere").get_data(as_text=True)
    answer = admin.post("/admin/brukere/logg-ut-alle", follow_redirects=True)
    assert "3 API-nøkler trukket tilbake" in answer.get_data(as_text=True)
    assert not any(_works(app, secret) for secret in secrets)
    assert admin.get("/").status_code == 200
