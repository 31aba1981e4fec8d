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
    assert new_user_client.get("/").status_code == 200

    assert admin.post(f"/admin/brukere/{user.id}/deaktiver").status_code == 302
    assert new_user_client.get("/").status_code == 302  # the live session ended with the account


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
