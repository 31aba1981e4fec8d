"""Every form post is refused without a CSRF token (the suite otherwise runs with CSRF off)."""
import re

import pytest
from sqlalchemy import select

from app import create_app
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from config import TestConfig


class CsrfConfig(TestConfig):
    WTF_CSRF_ENABLED = True
    SQLALCHEMY_DATABASE_URI = "sqlite://"   # one in-memory database of its own, for the audit rows


APP = create_app(CsrfConfig)
with APP.app_context():
    db.create_all()
POST_RULES = sorted((rule.rule, rule.endpoint) for rule in APP.url_map.iter_rules() if "POST" in rule.methods)


def _url(rule: str) -> str:
    """The rule with a value for each part: 1 for an id, a method ID, and the first of a fixed set of words."""
    url = re.sub(r"<int:\w+>", "1", rule).replace("<reference>", "ID2025_102")
    return re.sub(r"<any\(([^,)]+)[^>]*>", lambda match: match.group(1).strip(), url)


@pytest.mark.parametrize(("rule", "endpoint"), POST_RULES)
def test_post_without_csrf_token_is_refused_in_bokmal(rule, endpoint):
    if endpoint.startswith("api."):
        # The JSON API takes no cookies, only a bearer token a forged cross-site request cannot carry.
        assert APP.test_client().post(_url(rule), json={"title": "x"}).status_code == 401
        return
    response = APP.test_client().post(_url(rule), data={"title": "x"})
    assert response.status_code == 400, f"{endpoint} accepted a post without a CSRF token"
    assert "Skjemaet er utløpt" in response.get_data(as_text=True)


def test_a_refused_post_is_logged_as_a_denied_attempt():
    assert APP.test_client().post("/logout", data={}).status_code == 400
    with APP.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "csrf")
                                   .order_by(AuditEvent.id.desc())).first()
    assert event.action is AuditAction.DENIED and event.object_id == "/logout"
    assert event.changes["method"] == "POST" and "CSRF" in event.changes["reason"]
