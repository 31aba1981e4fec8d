"""Agenda items covering several methods (S1: «Sak 031-2025» with ID2022_131, 132 and 133), decided together,
taken up again under the same number and amended; what may be put on, and taken off, an agenda."""
from datetime import date

import pytest
from sqlalchemy import select

from app.core.audit import AuditAction, AuditEvent
from app.errors import InvalidInput
from app.extensions import db
from app.methods import services
from app.methods.commands import NewReport
from app.methods.models import AgendaItem, DecidedBy, DecisionOutcome, Forum, MethodStatus, OrderingKind
from tests.factories import agenda_item, forum_decision, new_meeting, ordering_decision

MARCH, APRIL = date(2025, 3, 17), date(2025, 4, 28)


@pytest.fixture
def robots(secretary, register, meeting_on):
    """The three robot-surgery methods, commissioned together in one Bestillerforum item and cleared."""
    methods = [register(title=title, received_on=date(2022, 9, 1)) for title in
               ("Robotassistert prostatektomi", "Robotassistert hysterektomi", "Robotassistert rektumreseksjon")]
    item = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, date(2022, 10, 24)), agenda_item(methods),
                                    actor=secretary)
    services.record_ordering_decision(methods[1], ordering_decision(item, whole_item=True), actor=secretary)
    for method in methods:
        services.add_report(method.commissions[-1], _report(), actor=secretary)
    return methods


def _report() -> NewReport:
    return NewReport(title="Rapport", delivered_on=date(2025, 1, 15))


def test_one_ordering_decision_for_the_whole_item_commissions_every_method(robots):
    assert [method.status for method in robots] == [MethodStatus.CLEARANCE] * 3
    assert [len(method.ordering_decisions) for method in robots] == [1, 1, 1]
    assert {method.commissions[-1].kind for method in robots} == {OrderingKind.FULL_HTA}


def test_sak_031_decided_together_and_amended_when_taken_up_again(secretary, robots, meeting_on):
    march = services.add_agenda_item(meeting_on(Forum.BESLUTNINGSFORUM, MARCH), agenda_item(robots, number=31),
                                     actor=secretary)
    assert march.label == "Sak 031-2025" and march.methods == robots
    assert [method.status for method in robots] == [MethodStatus.FOR_DECISION] * 3
    first = services.record_forum_decision(robots[0], forum_decision(march, MARCH, whole_item=True),
                                           actor=secretary)
    firsts = [method.current_decision for method in robots]
    assert firsts[0] is first and all(decision.agenda_item_id == march.id for decision in firsts)
    assert [method.status for method in robots] == [MethodStatus.DECIDED] * 3

    again = services.take_up_again(meeting_on(Forum.BESLUTNINGSFORUM, APRIL), march, actor=secretary)
    assert (again.label, again.resumes_id, again.methods) == ("Sak 031-2025", march.id, robots)
    services.record_forum_decision(robots[2], forum_decision(again, APRIL, points=("Endret.",), amends=firsts[2],
                                                             whole_item=True), actor=secretary)
    for method, earlier in zip(robots, firsts, strict=True):
        db.session.expire(method, ["decisions"])
        assert method.current_decision.supersedes is earlier
        assert method.current_decision.points == ["Endret."] and method.current_decision.agenda_item_id == again.id
    # The item keeps its number: a new item may not take it.
    with pytest.raises(InvalidInput, match="Ta opp igjen en sak"):
        services.add_agenda_item(meeting_on(Forum.BESLUTNINGSFORUM, date(2025, 6, 16)),
                                 agenda_item(robots[0], number=31), actor=secretary)
    # Only an item of an earlier meeting is taken up again.
    with pytest.raises(InvalidInput, match="tidligere møte"):
        services.take_up_again(meeting_on(Forum.BESLUTNINGSFORUM, MARCH), again, actor=secretary)


def test_a_decision_for_the_whole_item_is_all_or_nothing(secretary, robots, meeting_on):
    item = services.add_agenda_item(meeting_on(Forum.BESLUTNINGSFORUM, MARCH), agenda_item(robots),
                                    actor=secretary)
    services.record_forum_decision(robots[1], forum_decision(item, MARCH), actor=secretary)
    db.session.commit()
    with pytest.raises(InvalidInput, match="allerede en gjeldende beslutning"):
        services.record_forum_decision(robots[0], forum_decision(item, MARCH, whole_item=True), actor=secretary)
    db.session.rollback()
    assert [len(method.decisions) for method in robots] == [0, 1, 0]


def test_an_amendment_may_be_dated_the_day_it_amends_only_by_a_meeting_that_day(secretary, robots, meeting_on):
    meeting = meeting_on(Forum.BESLUTNINGSFORUM, MARCH)
    method = robots[0]
    first_item = services.add_agenda_item(meeting, agenda_item(method), actor=secretary)
    first = services.record_forum_decision(method, forum_decision(first_item, MARCH), actor=secretary)
    with pytest.raises(InvalidInput, match="samme dag i et møte den dagen"):
        services.record_forum_decision(method, forum_decision(None, MARCH, amends=first,
                                                              decided_by=DecidedBy.MEDICAL_DIRECTORS),
                                       actor=secretary)
    amended = services.record_forum_decision(method, forum_decision(first_item, MARCH, amends=first,
                                                                    outcome=DecisionOutcome.NOT_INTRODUCED),
                                             actor=secretary)
    assert amended.supersedes is first and amended.decided_on == first.decided_on


def test_a_method_received_after_the_meeting_cannot_be_on_its_agenda(secretary, register, meeting_on):
    meeting = meeting_on(Forum.BESTILLERFORUM, date(2025, 5, 22))
    late = register(received_on=date(2025, 5, 23))
    on_time = register(received_on=date(2025, 5, 22))
    with pytest.raises(InvalidInput, match=f"{late.reference} ble mottatt 23.05.2025, etter møtet 22.05.2025"):
        services.add_agenda_item(meeting, agenda_item([on_time, late]), actor=secretary)
    assert services.agenda_candidates(meeting) == [on_time]
    services.add_agenda_item(meeting, agenda_item(on_time), actor=secretary)
    assert services.agenda_candidates(meeting) == []


def test_a_meeting_on_a_weekend_needs_confirming(secretary):
    with pytest.raises(InvalidInput, match="22.03.2025 er en lørdag") as refused:
        services.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, date(2025, 3, 22)), actor=secretary)
    assert refused.value.field == "confirm_weekend"
    meeting = services.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, date(2025, 3, 22), confirm_weekend=True),
                                      actor=secretary)
    assert meeting.meeting_date.weekday() == 5


def test_an_item_is_removed_only_before_the_meeting_and_while_undecided(secretary, register, meeting_on):
    method = register(received_on=date(2025, 1, 6))
    meeting = meeting_on(Forum.BESTILLERFORUM, date(2025, 5, 22))
    item = services.add_agenda_item(meeting, agenda_item(method), actor=secretary)
    with pytest.raises(InvalidInput, match="før møtet"):
        services.remove_agenda_item(item, actor=secretary, today=date(2025, 5, 22))
    services.record_ordering_decision(method, ordering_decision(item), actor=secretary)
    with pytest.raises(InvalidInput, match="har en beslutning"):
        services.remove_agenda_item(item, actor=secretary, today=date(2025, 5, 1))

    later = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, date(2025, 6, 19)),
                                     agenda_item(register(received_on=date(2025, 2, 3))), actor=secretary)
    later_id = later.id
    services.remove_agenda_item(later, actor=secretary, today=date(2025, 6, 1))
    assert db.session.get(AgendaItem, later_id) is None
    removed = db.session.scalar(select(AuditEvent).where(AuditEvent.object_type == "method_agenda_item",
                                                         AuditEvent.object_id == str(later_id),
                                                         AuditEvent.action == AuditAction.UPDATE))
    assert removed.changes["removed"] == [False, True] and removed.changes["label"][1] is None

