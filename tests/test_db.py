"""The labelled-enum base: the database keeps storing the plain value, and a label cannot be left out."""
from datetime import date

import pytest
from sqlalchemy import text

from app.db import LabelledEnum
from app.extensions import db
from app.methods.models import Forum, Meeting


def test_a_member_without_a_label_cannot_be_declared():
    with pytest.raises(TypeError):
        class Colour(LabelledEnum):   # noqa: F841 (the class statement itself must fail)
            RED = "red"


def test_the_value_is_stored_and_the_label_is_not(app_ctx):
    db.session.add(Meeting(forum=Forum.BESLUTNINGSFORUM, meeting_date=date(2025, 3, 17)))
    db.session.flush()
    stored = db.session.execute(text("SELECT forum FROM method_meetings")).scalar_one()
    assert (stored, Forum("beslutningsforum").label) == ("beslutningsforum", "Beslutningsforum")
