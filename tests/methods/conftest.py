from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.methods import services
from app.methods.models import (
    DecidedBy,
    DecisionOutcome,
    Forum,
    Meeting,
    MethodStatus,
    MethodType,
    OrderingKind,
    SubmissionKind,
)


@pytest.fixture
def secretary(app_ctx, make_user):
    return db.session.get(User, make_user("methods_secretariat"))


@pytest.fixture
def register(secretary):
    def register(title="Endoskopisk ryggkirurgisk prosedyre", received_on=date(2024, 3, 4), **kwargs):
        kwargs.setdefault("method_type", MethodType.PROCEDURE)
        kwargs.setdefault("submission_kind", SubmissionKind.PROPOSAL)
        kwargs.setdefault("organisation", "Sykehuset Telemark")
        return services.register_method(title=title, received_on=received_on, actor=secretary, **kwargs)
    return register


@pytest.fixture
def meeting_on(secretary):
    def meeting_on(forum: Forum, day: date) -> Meeting:
        existing = db.session.scalar(select(Meeting).where(Meeting.forum == forum, Meeting.meeting_date == day))
        return existing or services.create_meeting(forum=forum, meeting_date=day, proposal_deadline=None,
                                                   input_deadline=None, actor=secretary)
    return meeting_on


@pytest.fixture
def commission(secretary, meeting_on):
    """Bestillerforum commissions a full HTA, and the method is brought to «Til beslutning»."""
    def commission(method, on=date(2024, 5, 27)):
        item = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, on), method, actor=secretary)
        services.record_ordering_decision(method, agenda_item=item, kind=OrderingKind.FULL_HTA, decided_on=on,
                                          assessing_body="FHI", aspects=["effekt", "sikkerhet"], actor=secretary)
        services.change_status(method, MethodStatus.CLEARANCE, on=date(2025, 1, 10), actor=secretary)
        services.change_status(method, MethodStatus.FOR_DECISION, on=date(2025, 2, 1), actor=secretary)
    return commission


@pytest.fixture
def decide(secretary, meeting_on):
    def decide(method, outcome=DecisionOutcome.INTRODUCED, on=date(2025, 3, 17), points=("Metoden innføres.",),
               amends=None):
        item = services.add_agenda_item(meeting_on(Forum.BESLUTNINGSFORUM, on), method, actor=secretary)
        return services.record_forum_decision(method, decided_by=DecidedBy.BESLUTNINGSFORUM, decided_on=on,
                                              outcome=outcome, points=list(points), agenda_item=item,
                                              amends=amends, actor=secretary)
    return decide
