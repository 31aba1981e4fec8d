"""The admin's audit log and user list on the list engine: sortable headers that keep the filters, bad input
answered with a message and the whole list (never a 400), paging by the links, and reading the log is not
itself logged."""
import html
import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.admin import views
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db

ROW_USER = re.compile(r"<tr>\s*<td><a [^>]+>.*?</a></td>\s*<td>([^<]+)</td>")
USER_NAME = re.compile(r'<td><a href="/admin/brukere/\d+">([^<]+)</a></td>')


def _link(page: str, text: str) -> str:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(text)}(?=[<\s])', page)
    assert found, f"no link «{text}»"
    return html.unescape(found.group(1))


@pytest.fixture
def logged(app):
    """Three logouts of three users, the newest last."""
    with app.app_context():
        for email in ("b@test.example", "c@test.example", "a@test.example"):
            db.session.add(AuditEvent(action=AuditAction.LOGOUT, object_type="user", user_email=email))
            db.session.commit()


def test_the_audit_log_sorts_by_user_both_ways_and_keeps_the_filters(login, make_user, logged):
    admin = login(make_user("admin"))
    page = admin.get("/admin/logg?handling=logout").get_data(as_text=True)
    assert ROW_USER.findall(page) == ["a@test.example", "c@test.example", "b@test.example"]   # newest first
    by_user = _link(page, "Bruker")
    assert "handling=logout" in by_user and "sort=bruker" in by_user
    ascending = admin.get(by_user).get_data(as_text=True)
    assert ROW_USER.findall(ascending) == ["a@test.example", "b@test.example", "c@test.example"]
    descending = admin.get(_link(ascending, "Bruker")).get_data(as_text=True)
    assert ROW_USER.findall(descending) == ["c@test.example", "b@test.example", "a@test.example"]
    assert 'aria-sort="descending"' in descending and "3 hendelser." in descending


@pytest.mark.parametrize(("query", "message"), [
    ("handling=nope", "«nope» er ikke en gyldig verdi for handling"),
    (f"sak={10**30}", "Sak (intern id) må være et helt tall fra 1 til 2147483647"),
    ("pasient=abc", "Pasient (intern id) må være et helt tall"),
    ("fra=32.13.2025", "Skriv datoen som dd.mm.åååå."),
    ("etter=garbage", "Lenken til neste eller forrige side er ugyldig"),
    ("side=100001", None),   # the old page number is no longer read
])
def test_bad_input_in_the_audit_log_gives_a_message_and_the_whole_log(login, make_user, logged, query, message):
    admin = login(make_user("admin"))
    response = admin.get(f"/admin/logg?{query}")
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and all(email in page for email in ("a@", "b@", "c@"))
    assert message is None or message in page


def test_the_audit_log_pages_forward_and_back_and_reading_it_is_not_logged(app, login, make_user, logged,
                                                                           monkeypatch):
    monkeypatch.setattr(views, "AUDIT_LOG", replace(views.AUDIT_LOG, per_page=2))
    admin = login(make_user("admin"))
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    first = admin.get("/admin/logg?handling=logout").get_data(as_text=True)
    second = admin.get(_link(first, "Neste")).get_data(as_text=True)
    assert ROW_USER.findall(first) == ["a@test.example", "c@test.example"]
    assert ROW_USER.findall(second) == ["b@test.example"] and "handling=logout" in _link(second, "Forrige")
    assert ROW_USER.findall(admin.get(_link(second, "Forrige")).get_data(as_text=True)) == ROW_USER.findall(first)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_the_user_list_lists_active_accounts_first_and_sorts_by_name(app, login, make_user):
    from app.auth import services as account_services
    from app.auth.models import User

    admin_id = make_user("admin", name="Admin Adminsen")
    make_user("analyst", name="Berit Analytiker")
    gone = make_user("analyst", name="Aase Avsluttet")
    with app.app_context():
        account_services.set_active(db.session.get(User, gone), False, actor=db.session.get(User, admin_id))
        db.session.commit()
    admin = login(admin_id)
    page = admin.get("/admin/brukere").get_data(as_text=True)
    assert USER_NAME.findall(page) == ["Admin Adminsen", "Berit Analytiker", "Aase Avsluttet"]
    by_name = admin.get(_link(page, "Navn")).get_data(as_text=True)
    assert USER_NAME.findall(by_name) == ["Aase Avsluttet", "Admin Adminsen", "Berit Analytiker"]
    analysts = admin.get(_link(by_name, "Navn") + "&rolle=analyst").get_data(as_text=True)
    assert USER_NAME.findall(analysts) == ["Berit Analytiker", "Aase Avsluttet"]
    unknown = html.unescape(admin.get("/admin/brukere?rolle=nope").get_data(as_text=True))
    assert "«nope» er ikke en gyldig verdi for rolle" in unknown and "3 brukerkontoer." in unknown
