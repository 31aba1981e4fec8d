"""Issue 18 item 3 through the API (the second path): the § 31 dismissal files its decision letter, Klagenemnda's
partial reversal and quashing with their fields refused in one round, and the patient's withdrawal."""
from tests.api.test_api import APPLICATION, _day


def _refused_application(call) -> int:
    case_id = call("POST", "/abroad/applications", APPLICATION).json["case_id"]
    call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "denied", "decided_on": _day(38), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Tilbud i Norge."})
    return case_id


def _appeal(call, case_id: int, received: int = 30) -> int:
    appeal = call("POST", f"/abroad/applications/{case_id}/appeals", {"received_on": _day(received),
                                                                       "notified_on": _day(36)})
    assert appeal.status_code == 201, appeal.json
    return appeal.json["case_id"]


def test_a_late_appeal_is_dismissed_with_a_decision_letter_through_the_api(api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    appeal_id = _appeal(call, _refused_application(call), received=2)
    refused = call("POST", f"/abroad/appeals/{appeal_id}/late-assessment", {
        "consider": "nei", "assessment": "", "decided_on": _day(-3)})
    assert refused.status_code == 422 and {"assessment", "decided_on"} <= set(refused.json["errors"])
    dismissed = call("POST", f"/abroad/appeals/{appeal_id}/late-assessment", {
        "consider": "nei", "assessment": "Ingen grunner oppgitt.", "decided_on": _day(1)})
    assert dismissed.status_code == 200, dismissed.json
    assert (dismissed.json["status"], dismissed.json["office_outcome"]) == ("dismissed_late", "dismissed_late")
    assert dismissed.json["office_letter_document_id"] is not None


def test_klagenemndas_outcomes_and_a_withdrawal_through_the_api(api, make_user):
    call = api(make_user("abroad_caseworker", "helse-sor-ost"))
    case_id = _refused_application(call)
    appeal_id = _appeal(call, case_id)
    call("POST", f"/abroad/appeals/{appeal_id}/reconsideration", {
        "outcome": "forwarded", "decided_on": _day(20), "reasoning": "Opprettholdes."})
    refused = call("POST", f"/abroad/appeals/{appeal_id}/board-decision", {"outcome": "quashed",
                                                                            "decided_on": _day(5)})
    assert refused.status_code == 422 and {"summary", "new_decision_due_on"} <= set(refused.json["errors"])
    quashed = call("POST", f"/abroad/appeals/{appeal_id}/board-decision", {
        "outcome": "quashed", "decided_on": _day(5), "summary": "Saken er ikke godt nok opplyst.",
        "new_decision_due_on": _day(-30)})
    assert quashed.status_code == 200, quashed.json
    assert (quashed.json["status"], quashed.json["board_summary"]) == ("quashed_by_board",
                                                                       "Saken er ikke godt nok opplyst.")
    assert call("GET", f"/abroad/applications/{case_id}").json["status"] == "in_preparation"

    call("POST", f"/abroad/applications/{case_id}/decision", {
        "decision": "denied", "decided_on": _day(1), "legal_basis": "Pbrl. § 2-4a", "reasoning": "Fortsatt nei."})
    second = call("POST", f"/abroad/applications/{case_id}/appeals", {"received_on": _day(0), "notified_on": _day(1)})
    assert second.status_code == 201, second.json
    early = call("POST", f"/abroad/appeals/{second.json['case_id']}/withdrawal", {"withdrawn_on": _day(3)})
    assert early.status_code == 422 and "withdrawn_on" in early.json["errors"]
    withdrawn = call("POST", f"/abroad/appeals/{second.json['case_id']}/withdrawal", {"withdrawn_on": _day(0)})
    assert withdrawn.status_code == 200, withdrawn.json
    assert (withdrawn.json["status"], withdrawn.json["withdrawn_on"]) == ("withdrawn", _day(0))
    again = call("POST", f"/abroad/appeals/{second.json['case_id']}/withdrawal", {"withdrawn_on": _day(0)})
    assert again.status_code == 422

