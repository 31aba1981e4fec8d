"""PGD is approved by others (S3 § 4.1, § 5.2): PGD-nemnda up to 30.6.2020, then Oslo universitetssykehus or
St. Olavs hospital. The office records the approval and administers the treatment; it makes no decision of its own,
files no decision letter and forwards no appeal to Klagenemnda, on every path (service, page, API, import)."""
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import pgd, services
from app.abroad.commands import PgdApproval
from app.abroad.importing import run_import
from app.abroad.models import Application, ApplicationStatus, ApprovingBody, Decision, Stream
from app.abroad.statistics import received_and_granted
from app.auth import services as account_services
from app.auth.models import User
from app.cases.interface import JournalEntryType, get_case
from app.errors import InvalidInput
from app.extensions import db
from tests.abroad.fixtures.import_files import application_row, to_csv
from tests.factories import abroad_appeal, abroad_application, abroad_decision, abroad_plan

TODAY = date(2026, 11, 20)


def _approval(**overrides) -> PgdApproval:
    values = {"decision": Decision.GRANTED, "decided_on": date(2026, 10, 1), "approving_body": ApprovingBody.OUS,
              "approval_reference": "OUS-PGD-7"}
    return PgdApproval(**{**values, **overrides})


@pytest.fixture
def pgd_application(register):
    return register(stream=Stream.PGD, icd10="Z31.4", requested_treatment="Preimplantasjonsdiagnostikk")


def test_the_approving_body_is_recorded_and_the_office_plans_the_treatment(pgd_application, caseworker):
    pgd.record_approval(pgd_application, _approval(), actor=caseworker, today=TODAY)

    assert (pgd_application.status, pgd_application.decision, pgd_application.decided_on) == (
        ApplicationStatus.GRANTED, Decision.GRANTED, date(2026, 10, 1))
    assert (pgd_application.approving_body, pgd_application.approval_reference) == (ApprovingBody.OUS, "OUS-PGD-7")
    assert pgd_application.letter_document_id is None
    entries = get_case(pgd_application.case_id).journal_entries
    assert "PGD innvilget av Oslo universitetssykehus (ref. OUS-PGD-7)" in [entry.title for entry in entries]
    incoming = [entry for entry in entries if entry.entry_type is JournalEntryType.INCOMING]
    assert len(incoming) == 2 and all(entry.follow_up_done_at is not None for entry in incoming)   # both closed
    services.plan_treatment(pgd_application, abroad_plan(), expected_version=None, actor=caseworker)
    assert pgd_application.hospital


def test_the_body_must_be_the_one_that_approved_on_that_date(pgd_application, caseworker):
    with pytest.raises(InvalidInput) as refused:
        pgd.check_approval(pgd_application, _approval(approving_body=ApprovingBody.PGD_BOARD), today=TODAY)
    assert refused.value.field == "approving_body"
    assert ApprovingBody.PGD_BOARD.approves_on(date(2020, 6, 30))
    assert not ApprovingBody.PGD_BOARD.approves_on(date(2020, 7, 1))
    assert ApprovingBody.ST_OLAV.approves_on(date(2020, 7, 1)) and not ApprovingBody.OUS.approves_on(date(2020, 6, 30))


def test_the_office_makes_no_decision_and_files_no_letter_on_pgd(pgd_application, caseworker):
    with pytest.raises(InvalidInput) as refused:
        services.check_decision(pgd_application, abroad_decision(Decision.GRANTED, decided_on=date(2026, 10, 1)),
                                today=TODAY)
    assert refused.value.field == "decision"
    assert "ikke av utenlandskontoret" in str(refused.value)


def test_a_pgd_approval_or_refusal_is_not_appealed_to_klagenemnda(pgd_application, caseworker):
    pgd.record_approval(pgd_application, _approval(decision=Decision.DENIED), actor=caseworker, today=TODAY)

    assert not pgd_application.appealable
    with pytest.raises(InvalidInput, match="kan ikke påklages til Klagenemnda"):
        services.register_appeal(pgd_application, abroad_appeal(received_on=date(2026, 10, 10),
                                                                 notified_on=date(2026, 10, 3)),
                                 actor=caseworker, today=TODAY)


def test_the_statistics_count_a_pgd_approval_as_granted_as_before(pgd_application, caseworker):
    pgd.record_approval(pgd_application, _approval(), actor=caseworker, today=TODAY)
    received, granted = received_and_granted(2026, None)
    assert (received["2026"], granted["2026"]) == (1, 1)


def test_the_page_and_the_api_record_the_approval_and_refuse_a_decision(app, make_user, login):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        first = services.register_application(abroad_application(stream=Stream.PGD, icd10="Z31.4"), actor=user,
                                              today=TODAY)
        second = services.register_application(abroad_application(
            stream=Stream.PGD, icd10="Z31.4", national_id=None, birth_date=date(1991, 3, 3),
            patient_name="Kari Annen"), actor=user, today=TODAY)
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        first_id, second_id = first.case_id, second.case_id
    client = login(user_id)

    wrong = client.post(f"/utland/soknader/{first_id}/pgd-godkjenning", data={
        "decision": "granted", "approving_body": "pgd_board", "decided_on": "01.10.2026"})
    assert wrong.status_code == 200 and "godkjente ikke PGD 01.10.2026" in wrong.get_data(as_text=True)
    page = client.post(f"/utland/soknader/{first_id}/pgd-godkjenning", data={
        "decision": "granted", "approving_body": "st_olav", "decided_on": "01.10.2026", "approval_reference": "SO-1"})
    assert page.status_code == 302
    assert client.post(f"/utland/soknader/{second_id}/vedtak", data={
        "decision": "granted", "decided_on": "01.10.2026", "legal_basis": "x", "reasoning": "y"}).status_code == 200

    headers = {"Authorization": f"Bearer {secret}"}
    decision = app.test_client().post(f"/api/v1/abroad/applications/{second_id}/decision", headers=headers, json={
        "decision": "granted", "decided_on": "2026-10-01", "legal_basis": "x", "reasoning": "y"})
    assert decision.status_code == 422 and "decision" in decision.get_json()["errors"]
    api = app.test_client().post(f"/api/v1/abroad/applications/{second_id}/pgd-approval", headers=headers, json={
        "decision": "granted", "decided_on": "2026-10-02", "approving_body": "ous", "approval_reference": "O-9"})
    assert api.status_code == 200 and api.get_json()["approving_body"] == "ous"
    appeal = app.test_client().post(f"/api/v1/abroad/applications/{second_id}/appeals", headers=headers, json={
        "received_on": "2026-10-10", "notified_on": "2026-10-04"})
    assert appeal.status_code == 422
    with app.app_context():
        stored = db.session.scalars(select(Application).where(Application.case_id.in_([first_id, second_id]))
                                    .order_by(Application.case_id)).all()
        assert [(each.approving_body, each.letter_document_id, len(each.appeals)) for each in stored] == [
            (ApprovingBody.ST_OLAV, None, 0), (ApprovingBody.OUS, None, 0)]


def test_another_streams_application_has_no_approval_page(app, make_user, login):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        application = services.register_application(abroad_application(), actor=db.session.get(User, user_id),
                                                     today=TODAY)
        db.session.commit()
        case_id = application.case_id
    assert login(user_id).get(f"/utland/soknader/{case_id}/pgd-godkjenning").status_code == 404


def _import(rows, actor):
    return run_import("applications", to_csv(rows), "import.csv", actor=actor, today=TODAY)


def test_the_import_takes_the_approving_body_and_derives_pgd_nemnda_by_date(caseworker):
    rows = [application_row(1, stream="pgd", icd10="Z31.4", decision="granted", decision_date="2019-05-02",
                            received_date="2019-04-01", approving_body="", approval_reference=""),
            application_row(2, stream="pgd", icd10="Z31.4", decision="granted", decision_date="2021-05-02",
                            received_date="2021-04-01", approving_body="st_olav", approval_reference="SO-21"),
            application_row(3, stream="pgd", icd10="Z31.4", decision="granted", decision_date="2021-05-02",
                            received_date="2021-04-01", approving_body="", approval_reference="")]
    result = _import(rows, caseworker)
    assert [str(error) for error in result.errors] == [
        "linje 4, kolonne approving_body: Fyll inn hvem som godkjente PGD etter 30.06.2020: ous eller st_olav."]

    result = _import(rows[:2] + [{**rows[2], "approving_body": "pgd_board"}], caseworker)
    assert [str(error) for error in result.errors] == [
        "linje 4, kolonne approving_body: Preimplantasjonsdiagnostikknemnda (PGD-nemnda) godkjente ikke PGD "
        "02.05.2021: PGD-nemnda til og med 30.06.2020, deretter Oslo universitetssykehus eller St. Olavs hospital."]

    result = _import(rows[:2], caseworker)
    assert result.ok, result.errors
    stored = db.session.scalars(select(Application).where(Application.stream == Stream.PGD)
                                .order_by(Application.received_on)).all()
    assert [(each.approving_body, each.approval_reference) for each in stored] == [
        (ApprovingBody.PGD_BOARD, None), (ApprovingBody.ST_OLAV, "SO-21")]
    assert not stored[0].appealable


def test_the_import_refuses_an_approving_body_on_another_stream(caseworker):
    result = _import([application_row(4, approving_body="ous")], caseworker)
    assert [str(error) for error in result.errors] == [
        "linje 2, kolonne approving_body: Godkjenningsinstans og referanse gjelder bare PGD. Feltet skal stå tomt."]


def test_a_decision_recorded_before_the_body_gets_its_body_afterwards(pgd_application, caseworker):
    pgd_application.decision, pgd_application.decided_on = Decision.GRANTED, date(2026, 10, 1)
    pgd_application.status = ApplicationStatus.GRANTED
    pgd_application.flag = "PGD godkjennes av ..."
    assert pgd.awaits_body(pgd_application)

    with pytest.raises(InvalidInput) as refused:
        pgd.check_approval(pgd_application, _approval(decided_on=date(2026, 10, 2)), today=TODAY)
    assert refused.value.field == "decision"
    pgd.record_approval(pgd_application, _approval(), actor=caseworker, today=TODAY)
    assert (pgd_application.approving_body, pgd_application.flag) == (ApprovingBody.OUS, None)
