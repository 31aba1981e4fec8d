"""Pasient- og brukerrettighetsloven § 2-4a third paragraph on every path that ends in a grant: the first-instance
decision, the office's reversal on appeal and Klagenemnda's reversal, through the service, the pages and the API,
with the method's status when the grant is made (a Beslutningsforum decision after the application came counts)."""
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import services
from app.abroad.models import (
    Appeal,
    AppealStatus,
    Application,
    ApplicationStatus,
    BoardOutcome,
    Decision,
    OfficeOutcome,
)
from app.auth import services as account_services
from app.auth.models import User
from app.errors import InvalidInput
from app.extensions import db
from app.methods.interface import method_status
from app.methods.models import DecisionOutcome
from tests.conftest import decide_method
from tests.factories import (
    abroad_appeal,
    abroad_application,
    abroad_board_decision,
    abroad_decision,
    abroad_reconsideration,
)

TODAY = date(2026, 11, 20)
REFERENCE = "ID2024_090"


def _refusal_text() -> str:
    """The first-instance refusal's own text (check_decision): the same words on every path."""
    return "Søknaden kan ikke innvilges: " + services.not_introduced_citation(method_status(REFERENCE))


@pytest.fixture
def secretariat(make_user):
    return db.session.get(User, make_user("methods_secretariat"))


@pytest.fixture
def appealed(register, caseworker, secretariat, method_with_outcome):
    """A refusal of an application about a method still under assessment, appealed on time; Beslutningsforum
    then decides not to introduce the method (after the application came, before any grant)."""
    method = method_with_outcome(None, reference=REFERENCE)
    application = register(method_reference=REFERENCE)
    services.decide(application, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20),
                                                 legal_basis=services.LEGAL_BASIS,
                                                 reasoning="Metoden er under vurdering i Nye Metoder."),
                    actor=caseworker, letter=b"%PDF-1.7 avslag", today=TODAY)
    appeal = services.register_appeal(application, abroad_appeal(received_on=date(2026, 10, 1),
                                                                 notified_on=date(2026, 9, 22),
                                                                 grounds="Behandlingen finnes ikke i Norge."),
                                      actor=caseworker, today=TODAY)
    decide_method(method, DecisionOutcome.NOT_INTRODUCED, secretariat)
    return application, appeal


def test_a_decision_made_after_registration_stops_the_first_instance_grant(register, caseworker, secretariat,
                                                                           method_with_outcome):
    method = method_with_outcome(None, reference=REFERENCE)
    application = register(method_reference=REFERENCE)
    grant = abroad_decision(Decision.GRANTED, decided_on=TODAY, legal_basis="x", reasoning="y")
    services.check_decision(application, grant, today=TODAY)   # under assessment: a grant is still the office's call
    decide_method(method, DecisionOutcome.NOT_INTRODUCED, secretariat)
    with pytest.raises(InvalidInput) as refused:
        services.decide(application, grant, actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert (str(refused.value), refused.value.field) == (_refusal_text(), "decision")
    assert "merknaden til prioriteringsforskriften § 3" in str(refused.value)
    assert "pasient- og brukerrettighetsloven § 2-4a tredje ledd" in str(refused.value)


def test_the_office_cannot_reverse_its_refusal_into_a_grant_of_a_method_not_introduced(appealed, caseworker):
    application, appeal = appealed
    with pytest.raises(InvalidInput) as refused:
        services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.REVERSED, decided_on=date(2026, 10, 8),
                                                           reasoning="Omgjøres."),
                            actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    assert (str(refused.value), refused.value.field) == (_refusal_text(), "outcome")


def test_klagenemnda_cannot_reverse_into_a_grant_of_a_method_not_introduced(appealed, caseworker):
    application, appeal = appealed
    services.reconsider(appeal, abroad_reconsideration(OfficeOutcome.FORWARDED, decided_on=date(2026, 10, 8),
                                                       reasoning="Avslaget står."),
                        actor=caseworker, letter=b"%PDF-1.7", today=TODAY)
    with pytest.raises(InvalidInput) as refused, db.session.begin_nested():   # rolled back, as every caller does
        services.record_board_decision(appeal, abroad_board_decision(
            BoardOutcome.REVERSED, decided_on=date(2026, 11, 2), board_reference="KN-2026-3"),
            actor=caseworker, today=TODAY)
    assert (str(refused.value), refused.value.field) == (_refusal_text(), "outcome")
    # Upholding the refusal is of course allowed.
    services.record_board_decision(appeal, abroad_board_decision(BoardOutcome.UPHELD, decided_on=date(2026, 11, 2),
                                                                 board_reference="KN-2026-3"),
                                   actor=caseworker, today=TODAY)
    assert (appeal.status, application.status) == (AppealStatus.UPHELD_BY_BOARD, ApplicationStatus.DENIED)


def test_the_reversal_is_refused_on_the_page_and_in_the_api_and_nothing_is_granted(app, make_user, login,
                                                                                   method_with_outcome):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        method_with_outcome(DecisionOutcome.NOT_INTRODUCED, reference=REFERENCE)
        application = services.register_application(abroad_application(method_reference=REFERENCE), actor=user,
                                                    today=TODAY)
        services.decide(application, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20),
                                                     legal_basis=services.LEGAL_BASIS_NOT_INTRODUCED,
                                                     reasoning="Ikke innført."),
                        actor=user, letter=b"%PDF-1.7 avslag", today=TODAY)
        appeal = services.register_appeal(application, abroad_appeal(received_on=date(2026, 10, 1),
                                                                     notified_on=date(2026, 9, 22)),
                                          actor=user, today=TODAY)
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        appeal_case_id, application_id, text = appeal.case_id, application.id, _refusal_text()

    page = login(user_id).post(f"/utland/klager/{appeal_case_id}/kontorets-behandling", data={
        "outcome": "reversed", "decided_on": "08.10.2026", "reasoning": "Omgjøres."})
    assert page.status_code == 200 and "prioriteringsforskriften § 3" in page.get_data(as_text=True)
    api = app.test_client().post(f"/api/v1/abroad/appeals/{appeal_case_id}/reconsideration",
                                 headers={"Authorization": f"Bearer {secret}"},
                                 json={"outcome": "reversed", "decided_on": "2026-10-08", "reasoning": "Omgjøres."})
    assert api.status_code == 422 and api.get_json()["errors"] == {"outcome": [text]}
    with app.app_context():
        assert db.session.get(Application, application_id).status is ApplicationStatus.DENIED
        assert db.session.scalar(select(Appeal.status).where(Appeal.case_id == appeal_case_id)) is (
            AppealStatus.RECEIVED)
