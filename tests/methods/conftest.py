from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.methods import services
from app.methods.commands import StatusChange
from app.methods.models import DecisionOutcome, Forum, Meeting, MethodStatus
from tests.factories import agenda_item, forum_decision, new_meeting, new_method, ordering_decision


@pytest.fixture
def secretary(app_ctx, make_user):
    return db.session.get(User, make_user("methods_secretariat"))


@pytest.fixture
def register(secretary):
    def register(**fields):
        return services.register_method(new_method(**fields), actor=secretary)
    return register


@pytest.fixture
def meeting_on(secretary):
    def meeting_on(forum: Forum, day: date) -> Meeting:
        existing = db.session.scalar(select(Meeting).where(Meeting.forum == forum, Meeting.meeting_date == day))
        return existing or services.create_meeting(new_meeting(forum, day), actor=secretary)
    return meeting_on


@pytest.fixture
def commission(secretary, meeting_on):
    """Bestillerforum commissions a full HTA, and the method is brought to «Til beslutning»."""
    def commission(method, on=date(2024, 5, 27)):
        item = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, on), agenda_item(method), actor=secretary)
        services.record_ordering_decision(method, ordering_decision(item, decided_on=on), actor=secretary)
        services.change_status(method, StatusChange(MethodStatus.CLEARANCE, date(2025, 1, 10)), actor=secretary)
        services.change_status(method, StatusChange(MethodStatus.FOR_DECISION, date(2025, 2, 1)), actor=secretary)
    return commission


@pytest.fixture
def decide(secretary, meeting_on):
    def decide(method, outcome=DecisionOutcome.INTRODUCED, on=date(2025, 3, 17), points=("Metoden innføres.",),
               amends=None):
        meeting = meeting_on(Forum.BESLUTNINGSFORUM, on)
        item = next((item for item in meeting.agenda_items if method in item.methods), None) or \
            services.add_agenda_item(meeting, agenda_item(method), actor=secretary)
        return services.record_forum_decision(method, forum_decision(item, on, outcome, points=points, amends=amends),
                                              actor=secretary)
    return decide
