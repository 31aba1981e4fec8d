"""Treatment items are insert-only: the secretariat withdraws a wrong one with a reason (before the statement is
sent) and records a corrected one. A withdrawn item stays on the case, marked, is left out of the statement and of
its Nye Metoder check, and the withdrawal is audited."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import AuditAction, AuditEvent
from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.methods.models import DecisionOutcome
from app.panel import services
from app.panel.models import Advice, Classification, Outcome, Referral, ReferralStatus, Statement, TreatmentItem
from tests.factories import (
    panel_item,
    panel_member,
    panel_referral,
    panel_statement,
    panel_withdrawal,
)
from tests.panel.test_method_link import _amend_to_not_introduced, _answer_all
from tests.pdf import pdf_text

TODAY = date.today()
REJECTED = "Legemiddel X (ID2024_090)"
REASON = "Beslutningsforum besluttet 22.09.2025 at metoden ikke skal innføres."
STATEMENT = {"recipients": "Lege Lise Lund", "sent_on": f"{TODAY:%d.%m.%Y}", "summary": "Samlet råd.",
             "outcome": "off_label"}
CORRECTED = {"question": "3", "treatment": REJECTED, "classification": "off_label",
            "evidence_of_effect": "Fase II-studie.",
             "advice": "mentioned_exception_scheme", "method_reference": "ID2024_090", "registry_id": "",
             "country": "", "inclusion_criteria": "", "note": ""}


@pytest.fixture
def secretary_id(make_user):
    return make_user("panel_secretariat")


@pytest.fixture
def refused_referral(app, make_user, method_with_outcome, secretary_id):
    """A referral whose statement is refused: its item recommends a method Beslutningsforum rejected since.
    Returns (case_id, item_id)."""
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        method = method_with_outcome(DecisionOutcome.INTRODUCED)
        referral = services.register_referral(panel_referral(), actor=secretary, today=date(2026, 10, 2))
        item = services.add_item(referral, panel_item(treatment=REJECTED, advice=Advice.RECOMMENDED,
                                                      method_reference="ID2024_090"), actor=secretary)
        _answer_all(referral, secretary)
        _amend_to_not_introduced(method, db.session.get(User, make_user("methods_secretariat")))
        db.session.commit()
        return referral.case_id, item.id


def _item(app, item_id: int) -> TreatmentItem:
    with app.app_context():
        item = db.session.get(TreatmentItem, item_id)
        db.session.expunge(item)
        return item


def _withdraw_url(case_id: int, item_id: int) -> str:
    return f"/ekspertpanelet/saker/{case_id}/behandlinger/{item_id}/trekk-tilbake"


def test_withdrawing_needs_a_reason(app, login, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    page = login(secretary_id).post(_withdraw_url(case_id, item_id), data={"reason": "  "})
    assert page.status_code == 200
    assert "Skriv hvorfor behandlingen trekkes tilbake." in page.get_data(as_text=True)
    assert _item(app, item_id).withdrawn_at is None
    with app.app_context():
        referral = db.session.scalar(select(Referral).where(Referral.case_id == case_id))
        with pytest.raises(InvalidInput, match="Skriv hvorfor") as refused:
            services.withdraw_item(referral, db.session.get(TreatmentItem, item_id), panel_withdrawal(" "),
                                   actor=db.session.get(User, secretary_id))
        assert refused.value.field == "reason"


def test_the_refused_referral_is_sent_after_withdrawing_the_item_and_recording_a_corrected_one(
        app, login, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    client = login(secretary_id)
    refused = client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data=STATEMENT).get_data(as_text=True)
    assert "Uttalelsen kan ikke sendes" in refused
    assert f"Trekk tilbake «{REJECTED}»" in refused   # the message tells how out of the dead end

    assert client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True).count(
        _withdraw_url(case_id, item_id)) == 1
    response = client.post(_withdraw_url(case_id, item_id), data={"reason": REASON})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/saker/{case_id}#behandlinger")
    assert client.post(f"/ekspertpanelet/saker/{case_id}/behandlinger/ny", data=CORRECTED).status_code == 302

    case_page = client.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert f"<s>{REJECTED}</s><br><strong>Trukket tilbake: {REASON}</strong>" in case_page
    assert _withdraw_url(case_id, item_id) not in case_page        # withdrawn once; no link to do it again
    assert client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/godkjenn").status_code == 302
    sent = client.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data=STATEMENT)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    with app.app_context():
        statement = db.session.scalar(select(Statement))
        assert db.session.get(Referral, statement.referral_id).status is ReferralStatus.STATEMENT_SENT
        document_id = statement.document_id
    text = pdf_text(client.get(f"/saker/{case_id}/dokumenter/{document_id}/versjoner/1").data)
    assert text.count(REJECTED) == 1                       # the corrected item only, not the withdrawn one
    assert "Omtalt, med henvisning til unntaksordningen" in text and "Anbefales" not in text.replace(
        "Anbefales ikke", "")


def test_withdrawn_items_are_left_out_of_the_statement_and_its_check(app_ctx, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    referral = db.session.scalar(select(Referral).where(Referral.case_id == case_id))
    item = db.session.get(TreatmentItem, item_id)
    secretary = db.session.get(User, secretary_id)
    services.withdraw_item(referral, item, panel_withdrawal(REASON), actor=secretary)
    assert item.withdrawn and referral.current_items == []
    command = panel_statement(sent_on=TODAY, outcome=Outcome.NO_FURTHER_TREATMENT)
    services.approve_statement(referral, actor=secretary)
    statement = services.send_statement(referral, command, actor=secretary, pdf=b"%PDF-1.4\n%%EOF")
    assert statement.referral_id == referral.id
    assert services.flag_referrals_for_method("ID2024_090") == 0    # nor flagged for it afterwards


def test_withdrawing_after_the_statement_is_sent_is_refused(app, login, secretary_id, make_user):
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        referral = services.register_referral(panel_referral(), actor=secretary, today=date(2026, 10, 2))
        item = services.add_item(referral, panel_item(question=2, treatment="Studie i Sverige",
                                                      classification=Classification.ESTABLISHED,
                                                      advice=Advice.NOT_RECOMMENDED), actor=secretary)
        _answer_all(referral, secretary)
        command = panel_statement(sent_on=TODAY, outcome=Outcome.NO_FURTHER_TREATMENT)
        services.approve_statement(referral, actor=secretary)
        services.send_statement(referral, command, actor=secretary, pdf=b"%PDF-1.4")
        db.session.commit()
        case_id, item_id = referral.case_id, item.id
    client = login(secretary_id)
    assert _withdraw_url(case_id, item_id) not in client.get(f"/ekspertpanelet/saker/{case_id}").get_data(
        as_text=True)
    page = client.post(_withdraw_url(case_id, item_id), data={"reason": REASON})
    assert page.status_code == 409
    assert "kan ikke trekkes tilbake etter at uttalelsen er sendt" in page.get_data(as_text=True)
    assert _item(app, item_id).withdrawn_at is None
    with app.app_context():
        referral = db.session.get(Referral, referral.id)
        with pytest.raises(Conflict):
            services.withdraw_item(referral, db.session.get(TreatmentItem, item_id), panel_withdrawal(REASON),
                                   actor=db.session.get(User, secretary_id))


def test_withdrawing_twice_is_refused(app, login, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    client = login(secretary_id)
    assert client.post(_withdraw_url(case_id, item_id), data={"reason": REASON}).status_code == 302
    again = client.post(_withdraw_url(case_id, item_id), data={"reason": "En annen grunn."})
    assert again.status_code == 409 and "er allerede trukket tilbake" in again.get_data(as_text=True)
    assert _item(app, item_id).withdrawn_reason == REASON


def test_an_item_of_another_referral_is_not_found(app, login, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    with app.app_context():
        other = services.register_referral(panel_referral(patient_name="Ola Annen"),
                                           actor=db.session.get(User, secretary_id), today=date(2026, 10, 2))
        db.session.commit()
        other_case_id = other.case_id
    response = login(secretary_id).post(_withdraw_url(other_case_id, item_id), data={"reason": REASON})
    assert response.status_code == 404
    assert _item(app, item_id).withdrawn_at is None


def test_an_assigned_panel_member_cannot_withdraw(app, login, make_user, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    member_user = make_user("panel_member")
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        member = services.save_member(None, panel_member(user_id=member_user), actor=secretary)
        services.assign_member(db.session.scalar(select(Referral).where(Referral.case_id == case_id)), member,
                               actor=secretary)
        db.session.commit()
    member_client = login(member_user)
    case_page = member_client.get(f"/ekspertpanelet/saker/{case_id}")
    assert case_page.status_code == 200 and REJECTED in case_page.get_data(as_text=True)
    assert _withdraw_url(case_id, item_id) not in case_page.get_data(as_text=True)
    for method in ("GET", "POST"):
        response = member_client.open(_withdraw_url(case_id, item_id), method=method, data={"reason": REASON})
        assert response.status_code == 403, f"{method} answered {response.status_code}"
    assert _item(app, item_id).withdrawn_at is None


def test_the_withdrawal_is_audited_with_the_old_and_new_values(app, login, secretary_id, refused_referral):
    case_id, item_id = refused_referral
    client = login(secretary_id)
    assert client.get(_withdraw_url(case_id, item_id)).status_code == 200
    assert client.post(_withdraw_url(case_id, item_id), data={"reason": REASON}).status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.object_type == "panel_item", AuditEvent.object_id == str(item_id),
            AuditEvent.action == AuditAction.UPDATE))
        assert event is not None and (event.user_id, event.case_id) == (secretary_id, case_id)
        assert event.changes == {"withdrawn": [False, True], "withdrawn_reason": [None, REASON]}
        item = db.session.get(TreatmentItem, item_id)
        assert (item.withdrawn_by_id, item.withdrawn_reason) == (secretary_id, REASON)
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "panel_referral", AuditEvent.case_id == case_id,
            AuditEvent.action == AuditAction.VIEW)) >= 1    # the form page showing the case is logged too
