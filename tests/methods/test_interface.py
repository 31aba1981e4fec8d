"""The seam other modules use: the right state for every status, as plain dataclasses."""
from datetime import date

import pytest

from app.methods import services
from app.methods.commands import StatusChange
from app.methods.interface import (
    MethodRejected,
    MethodState,
    MethodStatusInfo,
    decision_recorded,
    ensure_not_rejected,
    find_methods,
    method_status,
)
from app.methods.models import DecisionOutcome, Forum, MethodStatus, OrderingKind
from tests.factories import agenda_item, ordering_decision


def test_unknown_method_is_not_known(app_ctx):
    status = method_status("ID2031_999")
    assert status == MethodStatusInfo(MethodState.NOT_KNOWN, None, None, None, None)


def test_registered_method_is_under_assessment(register):
    method = register()
    assert method_status(method.reference).state is MethodState.UNDER_ASSESSMENT


def test_not_commissioned_method_is_not_known_to_the_system(register, secretary, meeting_on):
    method = register()
    item = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, date(2025, 4, 22)), agenda_item(method),
                                    actor=secretary)
    services.record_ordering_decision(method, ordering_decision(
        item, OrderingKind.NOT_COMMISSIONED, assessing_body=None, aspects=(), decided_on=date(2025, 4, 22)),
        actor=secretary)
    status = method_status(method.reference)
    assert (status.state, status.reference) == (MethodState.NOT_KNOWN, method.reference)


def test_closed_method_without_decision_is_not_known(register, secretary):
    method = register()
    services.change_status(method, StatusChange(MethodStatus.CLOSED, date(2025, 3, 4)), actor=secretary)
    assert method_status(method.reference).state is MethodState.NOT_KNOWN


@pytest.mark.parametrize(("outcome", "state"), [
    (DecisionOutcome.INTRODUCED, MethodState.INTRODUCED),
    (DecisionOutcome.INTRODUCED_WITH_CONDITIONS, MethodState.INTRODUCED_WITH_CONDITIONS),
    (DecisionOutcome.NOT_INTRODUCED, MethodState.NOT_INTRODUCED),
])
def test_decided_methods_take_the_current_decisions_outcome(register, commission, decide, outcome, state):
    method = register()
    commission(method)
    decide(method, outcome=outcome, points=["Punkt 1", "Punkt 2"])
    status = method_status(method.reference)
    assert (status.state, status.decided_on, status.decision_summary) == (state, date(2025, 3, 17), "Punkt 1")


def test_an_amendment_changes_the_state_and_date(register, commission, decide):
    method = register()
    commission(method)
    first = decide(method, outcome=DecisionOutcome.NOT_INTRODUCED)
    decide(method, outcome=DecisionOutcome.INTRODUCED_WITH_CONDITIONS, on=date(2025, 4, 28), amends=first)
    status = method_status(method.reference)
    assert (status.state, status.decided_on) == (MethodState.INTRODUCED_WITH_CONDITIONS, date(2025, 4, 28))


def test_ensure_not_rejected_cites_the_decision_date(register, commission, decide):
    method = register()
    commission(method)
    decide(method, outcome=DecisionOutcome.NOT_INTRODUCED)
    with pytest.raises(MethodRejected, match="17.03.2025"):
        ensure_not_rejected(method.reference)


def test_find_methods_searches_names_and_returns_dataclasses(register):
    register(title="Robotassistert prostatektomi", generic_name="Operasjonsrobot")
    found = find_methods("operasjonsrobot")
    assert [info.title for info in found] == ["Robotassistert prostatektomi"]
    assert all(isinstance(info, MethodStatusInfo) for info in found)


def test_the_signal_names_the_method_on_every_decision(register, commission, decide):
    method = register()
    commission(method)
    received = []

    def listener(reference):
        received.append(reference)

    decision_recorded.connect(listener)
    try:
        first = decide(method)
        decide(method, on=date(2025, 4, 28), amends=first)
    finally:
        decision_recorded.disconnect(listener)
    assert received == [method.reference, method.reference]
