"""Rules of Nye Metoder: IDs, the status machine, decisions and amendments, follow-ups."""
from datetime import date

import pytest
from sqlalchemy import select

from app.cases.models import Case, Deadline
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from app.methods import services
from app.methods.commands import MethodDetails, StatusChange
from app.methods.models import DecisionOutcome, Forum, MethodStatus, MethodType, OrderingKind
from tests.factories import agenda_item, follow_up, forum_decision, new_meeting, ordering_decision


def test_ids_run_per_year_and_imported_ids_are_never_reissued(register):
    first = register(received_on=date(2024, 1, 5))
    imported = register(title="Importert", reference="ID2024_102")
    after = register(received_on=date(2024, 2, 1))
    assert (first.reference, imported.reference, after.reference) == ("ID2024_001", "ID2024_102", "ID2024_103")
    assert register(reference="ID2019_004A").reference == "ID2019_004A"


@pytest.mark.parametrize("reference", ["2025_102", "ID25_102", "ID2025-102", "ID2025_1023", "ID2025_102a"])
def test_malformed_ids_are_refused(register, reference):
    with pytest.raises(InvalidInput, match="ikke en gyldig metode-ID"):
        register(reference=reference)


def test_duplicate_id_is_refused(register):
    register(reference="ID2018_084")
    with pytest.raises(InvalidInput, match="allerede i bruk"):
        register(reference="ID2018_084")


def test_method_gets_a_case_and_links_to_its_earlier_proposal(register):
    earlier = register(title="Endoskopisk ryggkirurgi", reference="ID2018_084")
    method = register(earlier_reference="ID2018_084")
    case = db.session.get(Case, method.case_id)
    assert case.number.startswith("2024/") and case.title == f"{method.reference} Endoskopisk ryggkirurgisk prosedyre"
    assert method.earlier_method is earlier
    assert [submission.organisation for submission in method.submissions] == ["Sykehuset Telemark"]


def test_unknown_vocabulary_is_refused(register):
    with pytest.raises(InvalidInput, match="Ukjent fagområde"):
        register(subject_areas=["Astrologi"])


def test_status_machine_refuses_skipping_stages(register, secretary):
    method = register(received_on=date(2025, 3, 3))
    with pytest.raises(InvalidInput, match="kan ikke gå til «Beslutning fattet»"):
        services.change_status(method, StatusChange(MethodStatus.DECIDED, date(2025, 3, 10)), actor=secretary)
    services.change_status(method, StatusChange(MethodStatus.OPEN_FOR_INPUT, date(2025, 3, 10)), actor=secretary)
    with pytest.raises(InvalidInput, match="før forrige statusendring"):
        services.change_status(method, StatusChange(MethodStatus.SUITABILITY, date(2025, 3, 9)), actor=secretary)
    assert [change.to_status for change in method.status_changes] == [MethodStatus.RECEIVED,
                                                                       MethodStatus.OPEN_FOR_INPUT]


def test_agenda_items_are_numbered_per_forum_and_year(register, secretary, meeting_on):
    method, other, third = register(), register(), register()
    meeting = meeting_on(Forum.BESLUTNINGSFORUM, date(2025, 3, 17))
    given = services.add_agenda_item(meeting, agenda_item(method, number=31), actor=secretary)
    following = services.add_agenda_item(meeting, agenda_item(other), actor=secretary)
    assert (given.label, following.label) == ("Sak 031-2025", "Sak 032-2025")
    with pytest.raises(InvalidInput, match="finnes allerede"):
        services.add_agenda_item(meeting, agenda_item(third, number=31), actor=secretary)
    with pytest.raises(InvalidInput, match="står allerede på sakslisten"):
        services.add_agenda_item(meeting, agenda_item(method), actor=secretary)


def test_meeting_deadlines_come_before_the_meeting(secretary):
    with pytest.raises(InvalidInput, match="før møtedatoen"):
        services.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2025, 11, 21),
                                            proposal_deadline=date(2025, 11, 22)), actor=secretary)


def test_ordering_decision_commissions_and_moves_to_assessment(register, secretary, meeting_on):
    method = register()
    item = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, date(2025, 5, 22)), agenda_item(method),
                                    actor=secretary)
    with pytest.raises(InvalidInput, match="minst ett aspekt"):
        services.record_ordering_decision(method, ordering_decision(item, OrderingKind.FULL_HTA, aspects=(),
                                                                    decided_on=date(2025, 5, 22)), actor=secretary)
    with pytest.raises(InvalidInput, match="før møtet"):
        services.record_ordering_decision(method, ordering_decision(item, OrderingKind.FULL_HTA, aspects=["effekt"],
                                                                    decided_on=date(2025, 5, 21)), actor=secretary)
    services.record_ordering_decision(method, ordering_decision(item, OrderingKind.FULL_HTA, aspects=["effekt"],
                                                                decided_on=date(2025, 5, 22), due_on=date(2026, 5, 1)),
                                      actor=secretary)
    assert method.status is MethodStatus.ASSESSMENT
    [commission] = method.commissions
    assert (commission.assessing_body, commission.due_on) == ("FHI", date(2026, 5, 1))


def test_a_bestillerforum_item_cannot_carry_a_beslutningsforum_decision(register, commission, secretary,
                                                                        meeting_on):
    method = register()
    commission(method)
    item = services.add_agenda_item(meeting_on(Forum.BESTILLERFORUM, date(2025, 3, 3)), agenda_item(method),
                                    actor=secretary)
    with pytest.raises(InvalidInput, match="Beslutningsforum"):
        services.record_forum_decision(method, forum_decision(item, date(2025, 3, 3), DecisionOutcome.INTRODUCED,
                                                              points=["x"]), actor=secretary)


def test_a_second_current_decision_is_refused_but_an_amendment_keeps_both(register, commission, decide):
    method = register()
    commission(method)
    first = decide(method, outcome=DecisionOutcome.INTRODUCED_WITH_CONDITIONS)
    with pytest.raises(InvalidInput, match="allerede en gjeldende beslutning"):
        decide(method, on=date(2025, 4, 28))
    with pytest.raises(InvalidInput, match="etter beslutningen den endrer"):
        decide(method, on=date(2025, 3, 10), amends=first)
    amended = decide(method, on=date(2025, 4, 28), amends=first)
    db.session.expire(method)
    assert [decision.id for decision in method.decisions] == [first.id, amended.id]
    assert method.current_decision.id == amended.id
    assert amended.supersedes is first
    with pytest.raises(InvalidInput, match="Bare den gjeldende"):
        decide(method, on=date(2025, 5, 28), amends=first)


def test_follow_up_puts_a_deadline_on_the_methods_case(register, commission, decide, secretary):
    method = register()
    commission(method)
    decision = decide(method, on=date(2025, 4, 28))
    assignment = services.add_follow_up(decision, follow_up(
        "Interregional arbeidsgruppe", "Interregionalt fagdirektørmøte", date(2025, 11, 1),
        members=[{"name": "Regional fagdirektør Helse Midt-Norge RHF", "role": "leder"}],
        mandate_questions=["Behov for ytterligere metodevurderinger", "Samlet kapasitetsbehov"]), actor=secretary)
    deadline = db.session.scalar(select(Deadline).where(Deadline.id == assignment.deadline_id))
    assert assignment.due_on == date(2025, 11, 1)
    assert deadline.case_id == method.case_id
    assert deadline.due_date == date(2025, 11, 3)  # 1.11.2025 is a Saturday
    assert deadline.is_overdue(date(2026, 1, 1))


def test_a_drugs_atc_code_is_kept_in_capitals_at_any_level(register, secretary):
    drug = register(method_type=MethodType.DRUG, atc_code=" l01ff 02")
    group = register(method_type=MethodType.DRUG, atc_code="L01")
    assert (drug.atc_code, group.atc_code) == ("L01FF02", "L01")

    details = MethodDetails(title=drug.title, method_type=MethodType.DRUG, atc_code="L01XC")
    services.update_method(drug, details, expected_version=drug.version, actor=secretary)
    assert drug.atc_code == "L01XC"


@pytest.mark.parametrize(("method_type", "code", "message"), [
    (MethodType.DRUG, "L1FF02", "«L1FF02» er ikke en ATC-kode"),
    (MethodType.DRUG, "L01FF021", "er ikke en ATC-kode"),
    (MethodType.DEVICE, "L01", "Bare legemidler har ATC-kode"),
])
def test_a_malformed_atc_code_or_one_on_a_non_drug_is_refused(register, method_type, code, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        register(method_type=method_type, atc_code=code)
    assert refused.value.field == "atc_code"


def test_changing_a_drug_with_a_code_to_a_procedure_is_refused_with_the_title_error(register, secretary):
    drug = register(method_type=MethodType.DRUG, atc_code="L01")
    details = MethodDetails(title="", method_type=MethodType.PROCEDURE, atc_code="L01")
    with pytest.raises(InvalidInputs) as refused:
        services.update_method(drug, details, expected_version=drug.version, actor=secretary)
    assert set(refused.value.by_field()) == {"title", "atc_code"}
    assert drug.method_type is MethodType.DRUG
