"""The labelled-enum base: the database keeps storing the plain value, and a label cannot be left out."""
import pytest
from sqlalchemy import text

from app.cases.models import AuditAction, AuditEvent
from app.db import LabelledEnum
from app.extensions import db


def test_a_member_without_a_label_cannot_be_declared():
    with pytest.raises(TypeError):
        class Colour(LabelledEnum):   # noqa: F841 (the class statement itself must fail)
            RED = "red"


def test_the_value_is_stored_and_the_label_is_not(app_ctx):
    db.session.add(AuditEvent(action=AuditAction.LOOKUP, object_type="patient"))
    db.session.flush()
    stored = db.session.execute(text("SELECT action FROM audit_events")).scalar_one()
    assert (stored, AuditAction("lookup").label) == ("lookup", "Oppslag")
