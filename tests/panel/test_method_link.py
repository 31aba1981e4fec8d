"""The mandate's Nye Metoder rule cannot be passed by leaving the optional method link empty: a treatment whose
description names a method (its ID, generic name or a product name) must be linked to it, and every recommended
treatment is checked again, with the status then, when the statement is sent."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.errors import InvalidInput
from app.extensions import db
from app.methods import services as methods
from app.methods.interface import method_references_in, methods_named_in
from app.methods.models import DecisionOutcome, Forum
from app.panel import services
from app.panel.models import Advice, Outcome, ReferralStatus, Statement
from tests.factories import (
    agenda_item,
    forum_decision,
    new_meeting,
    panel_answer,
    panel_item,
    panel_referral,
    panel_statement,
)

PDF = b"%PDF-1.4\n%%EOF"


def _item(referral, secretary, treatment: str, advice=Advice.RECOMMENDED, method_reference=None):
    command = panel_item(treatment=treatment, advice=advice, method_reference=method_reference)
    return services.add_item(referral, command, actor=secretary)


def test_ids_with_a_letter_suffix_and_names_are_recognised_in_free_text(app_ctx, method_with_outcome):
    method = method_with_outcome(None)
    method.generic_name, method.product_names = "demomab", "Flere, Demoxa"
    db.session.flush()
    assert method_references_in("Demolegemiddel X (ID2024_090), jf. id2019_004a og XID2024_0901") == [
        "ID2024_090", "ID2019_004A"]
    assert [status.reference for status in methods_named_in("DEMOXA hver tredje uke")] == ["ID2024_090"]
    assert [status.reference for status in methods_named_in("Demomab-behandling")] == ["ID2024_090"]
    assert methods_named_in("Flere linjer kjemoterapi; demomabX") == []   # a placeholder, no whole word


@pytest.mark.parametrize("advice", list(Advice))
def test_a_treatment_naming_a_method_needs_the_link_whatever_the_advice(referral, secretary, method_with_outcome,
                                                                        advice):
    method_with_outcome(DecisionOutcome.NOT_INTRODUCED)
    with pytest.raises(InvalidInput) as refused:
        _item(referral, secretary, "Demolegemiddel X (ID2024_090)", advice=advice)
    assert refused.value.field == "method_reference"
    assert "ID2024_090 Legemiddel X ved eggstokkreft" in str(refused.value)
    assert "Fyll inn metode-ID-en" in str(refused.value)


def test_a_treatment_named_by_its_product_cannot_be_recommended_linked_or_not(referral, secretary,
                                                                               method_with_outcome):
    method = method_with_outcome(DecisionOutcome.NOT_INTRODUCED)
    method.product_names = "Demoxa"
    db.session.flush()
    with pytest.raises(InvalidInput, match="Fyll inn metode-ID-en"):
        _item(referral, secretary, "Demoxa (off-label)")
    with pytest.raises(InvalidInput, match="ikke skal innføres") as refused:
        _item(referral, secretary, "Demoxa (off-label)", method_reference="ID2024_090")
    assert refused.value.field == "advice"
    item = _item(referral, secretary, "Demoxa (off-label)", advice=Advice.MENTIONED_EXCEPTION_SCHEME,
                 method_reference="id2024_090")
    assert item.method_reference == "ID2024_090"


def test_a_link_to_another_method_or_an_unknown_id_in_the_text_is_refused(referral, secretary, method_with_outcome):
    method_with_outcome(DecisionOutcome.NOT_INTRODUCED)
    method_with_outcome(None, reference="ID2025_102")
    with pytest.raises(InvalidInput, match="ikke ID2025_102") as refused:
        _item(referral, secretary, "Demolegemiddel X (ID2024_090)", method_reference="ID2025_102")
    assert refused.value.field == "method_reference"
    with pytest.raises(InvalidInput, match="ingen metode med den ID-en") as refused:
        _item(referral, secretary, "Legemiddel Y (ID2099_999)")
    assert refused.value.field == "treatment"


def _amend_to_not_introduced(method, secretariat) -> None:
    meeting = methods.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, date(2025, 9, 22)), actor=secretariat)
    item = methods.add_agenda_item(meeting, agenda_item(method), actor=secretariat)
    methods.record_forum_decision(method, forum_decision(
        item, date(2025, 9, 22), DecisionOutcome.NOT_INTRODUCED, points=["Metoden innføres likevel ikke."],
        amends=method.current_decision), actor=secretariat)


def _answer_all(referral, secretary):
    for question in (1, 2, 3, 4):
        services.save_answer(referral, panel_answer(question, advice=None), actor=secretary)


def test_sending_the_statement_checks_every_recommendation_again(referral, secretary, method_with_outcome,
                                                                 make_user):
    method = method_with_outcome(DecisionOutcome.INTRODUCED)
    _item(referral, secretary, "Legemiddel X (ID2024_090)", method_reference="ID2024_090")
    _answer_all(referral, secretary)
    services.approve_statement(referral, actor=secretary)   # approved before Nye Metoder decided again
    _amend_to_not_introduced(method, db.session.get(User, make_user("methods_secretariat")))

    with pytest.raises(InvalidInput) as refused:
        services.send_statement(referral, panel_statement(), actor=secretary, pdf=PDF)
    assert "Uttalelsen kan ikke sendes" in str(refused.value) and "22.09.2025" in str(refused.value)
    assert "«Legemiddel X (ID2024_090)» (spørsmål 3)" in str(refused.value)
    assert referral.status is not ReferralStatus.STATEMENT_SENT


def test_the_statement_page_refuses_a_recommendation_beslutningsforum_has_since_rejected(app, login, make_user,
                                                                                         method_with_outcome):
    secretary_id = make_user("panel_secretariat")
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        method = method_with_outcome(DecisionOutcome.INTRODUCED)
        referral = services.register_referral(panel_referral(), actor=secretary, today=date(2026, 10, 2))
        _item(referral, secretary, "Legemiddel X (ID2024_090)", method_reference="ID2024_090")
        _answer_all(referral, secretary)
        services.approve_statement(referral, actor=secretary)
        _amend_to_not_introduced(method, db.session.get(User, make_user("methods_secretariat")))
        db.session.commit()
        case_id = referral.case_id
    page = login(secretary_id).post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data={
        "recipients": "Lege Lise Lund", "sent_on": f"{date.today():%d.%m.%Y}", "summary": "Råd",
        "outcome": Outcome.OFF_LABEL.value})
    assert page.status_code == 200 and "Uttalelsen kan ikke sendes" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 0
