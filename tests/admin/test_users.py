from sqlalchemy import select

from app.auth.models import User
from app.extensions import db


def test_admin_creates_and_deactivates_a_user(app, login, make_user):
    admin = login(make_user("admin"))
    created = admin.post("/admin/brukere/ny", data={
        "name": "Vidar Vest", "email": "vidar@test.example", "role": "abroad_caseworker", "office": "helse-vest",
        "password": "et-langt-startpassord"})
    assert created.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "vidar@test.example"))
        assert (user.office, user.active) == ("helse-vest", True)
    new_user_client = app.test_client()
    new_user_client.post("/login", data={"email": "vidar@test.example", "password": "et-langt-startpassord"})
    assert new_user_client.get("/konto/passord").status_code == 200   # logged in, to choose a password

    assert admin.post(f"/admin/brukere/{user.id}/deaktiver").status_code == 302
    ended = new_user_client.get("/konto/passord")   # the live session ended with the account
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")


def test_user_form_errors_are_shown_next_to_the_fields(app, login, make_user):
    admin = login(make_user("admin"))
    page = admin.post("/admin/brukere/ny", data={
        "name": "X", "email": "ikke-epost", "role": "abroad_caseworker", "office": "", "password": "kort"})
    html = page.get_data(as_text=True)
    assert 'id="email-error"' in html and "Oppgi en gyldig e-postadresse." in html
    page = admin.post("/admin/brukere/ny", data={
        "name": "X", "email": "x@test.example", "role": "abroad_caseworker", "office": "", "password": "langt-nok-passord"})
    html = page.get_data(as_text=True)
    assert 'id="office-error"' in html and "må høre til et utenlandskontor" in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@test.example")) is None


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
    from app.cases.models import AuditAction, AuditEvent

    admin_id, user_id, other_id = make_user("admin"), make_user("analyst"), make_user("analyst")
    admin, laptop, phone, other = login(admin_id), login(user_id), login(user_id), login(other_id)
    page = admin.get("/admin/brukere").get_data(as_text=True)
    assert "Innlogget nå" in page and f"/admin/brukere/{user_id}/logg-ut" in page

    response = admin.post(f"/admin/brukere/{user_id}/logg-ut", follow_redirects=True)

    assert "er logget ut overalt (2 innlogginger avsluttet)." in response.get_data(as_text=True)
    assert laptop.get("/").status_code == phone.get("/").status_code == 302   # both sessions ended
    assert other.get("/").status_code == 200 and admin.get("/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).active
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGOUT,
                                                            AuditEvent.object_id == str(user_id))).one()
        assert event.user_id == admin_id and event.changes == {"sessions_ended": [None, 2]}


def test_admin_logs_everyone_out_but_keeps_their_own_session(app, login, make_user):
    admin_id = make_user("admin")
    admin, first, second = login(admin_id), login(make_user("analyst")), login(make_user("panel_secretariat"))

    response = admin.post("/admin/brukere/logg-ut-alle", follow_redirects=True)

    assert "Alle brukere er logget ut (2 innlogginger avsluttet)." in response.get_data(as_text=True)
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


def test_a_start_password_from_the_admin_only_opens_the_password_page(app, login, make_user):
    from tests.conftest import PASSWORD

    admin = login(make_user("admin"))
    admin.post("/admin/brukere/ny", data={"name": "Nina Ny", "email": "nina@test.example", "role": "analyst",
                                          "office": "", "password": "admin-valgt-startpassord"})
    nina = app.test_client()
    nina.post("/login", data={"email": "nina@test.example", "password": "admin-valgt-startpassord"})

    for page in ("/", "/rapporter/", "/konto/api-nokler"):
        refused = nina.get(page)
        assert refused.status_code == 302 and refused.headers["Location"] == "/konto/passord", page
    assert "Velg ditt eget passord" in nina.get("/konto/passord").get_data(as_text=True)

    changed = nina.post("/konto/passord", data={"current_password": "admin-valgt-startpassord",
                                                "new_password": PASSWORD, "confirm": PASSWORD})
    assert changed.status_code == 302
    assert nina.get("/").status_code == 200
    with app.app_context():
        assert not db.session.scalar(select(User).where(User.email == "nina@test.example")).must_change_password
