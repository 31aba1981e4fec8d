"""Panel members take part: a member on the referral drafts findings and advice or comments, the secretariat
adopts a draft and approves the statement before it is sent, and the statement names who took part. Only the
members on the referral reach it; each step leaves an audit row; the core case status follows the referral's."""
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import Case, CaseStatus
from app.core.audit import AuditEvent
from app.errors import InvalidInput
from app.extensions import db
from app.panel import services
from app.panel.models import QUESTIONS, Contribution, ContributionKind, Referral, Statement
from tests.factories import panel_answer, panel_contribution, panel_expert, panel_member, panel_referral
from tests.pdf import pdf_text

TODAY = date.today()
DRAFT = {"question": "2", "kind": "draft", "findings": "Studien NCT06719037 i Sverige tar inn pasienter.",
         "advice": "Pasienten bør henvises til studien i Sverige.", "comment": ""}
STATEMENT = {"recipients": "Lege Lise Lund", "sent_on": f"{TODAY:%d.%m.%Y}", "summary": "Studie i Sverige.",
             "outcome": "study_abroad"}


@pytest.fixture
def people(app, make_user):
    """The secretariat, a member on the referral (with a login), a member not on it, and the referral's case."""
    secretary_id, member_id, outsider_id = (make_user("panel_secretariat"), make_user("panel_member", name="Mona Med"),
                                            make_user("panel_member"))
    with app.app_context():
        secretary = db.session.get(User, secretary_id)
        referral = services.register_referral(panel_referral(referred_on=TODAY, regional_review_on=TODAY),
                                              actor=secretary, today=TODAY)
        member = services.save_member(None, panel_member(name="Mona Med", user_id=member_id), actor=secretary)
        services.assign_member(referral, member, actor=secretary)
        services.add_expert(referral, panel_expert(), actor=secretary)
        db.session.commit()
        return secretary_id, member_id, outsider_id, referral.case_id


def _referral(case_id: int) -> Referral:
    return db.session.scalar(select(Referral).where(Referral.case_id == case_id))


def _audited(case_id: int, object_type: str) -> list[dict]:
    return [event.changes for event in db.session.scalars(select(AuditEvent).where(
        AuditEvent.case_id == case_id, AuditEvent.object_type == object_type).order_by(AuditEvent.id))]


def test_a_members_draft_is_adopted_approved_and_sent_naming_who_took_part(app, login, people):
    secretary_id, member_id, _outsider, case_id = people
    member = login(member_id)
    page = member.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert f"/ekspertpanelet/saker/{case_id}/bidrag/ny" in page
    response = member.post(f"/ekspertpanelet/saker/{case_id}/bidrag/ny", data=DRAFT)
    assert response.status_code == 302 and response.headers["Location"].endswith("#bidrag")
    comment = member.post(f"/ekspertpanelet/saker/{case_id}/bidrag/ny", data={
        "question": "3", "kind": "comment", "comment": "Off-label er ikke aktuelt her."})
    assert comment.status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(Contribution).where(Contribution.kind == ContributionKind.DRAFT))
        assert (draft.question, draft.author_id, draft.adopted_at) == (2, member_id, None)
        assert [changes["kind"] for changes in _audited(case_id, "panel_contribution")] == [
            [None, "draft"], [None, "comment"]]
        assert _referral(case_id).answer(2) is None          # a draft is not the panel's answer
        draft_id = draft.id

    secretariat = login(secretary_id)
    shown = secretariat.get(f"/ekspertpanelet/saker/{case_id}").get_data(as_text=True)
    assert "Off-label er ikke aktuelt her." in shown and "Mona Med" in shown
    adopted = secretariat.post(f"/ekspertpanelet/saker/{case_id}/bidrag/{draft_id}/ta-inn")
    assert adopted.status_code == 302
    with app.app_context():
        referral = _referral(case_id)
        assert referral.answer(2).advice == DRAFT["advice"]
        assert _audited(case_id, "panel_contribution")[-1] == {"adopted": [False, True]}
        for question in QUESTIONS:
            if question != 2:
                services.save_answer(referral, panel_answer(question), actor=db.session.get(User, secretary_id))
        db.session.commit()

    refused = secretariat.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data=STATEMENT)
    assert refused.status_code == 200 and "Sekretariatet må godkjenne uttalelsen" in refused.get_data(as_text=True)
    assert secretariat.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/godkjenn").status_code == 302
    sent = secretariat.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/ny", data=STATEMENT)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    with app.app_context():
        statement = db.session.scalar(select(Statement))
        assert statement.participants == ["Mona Med, Onkologi, Haukeland",
                                          "Eva Ekspert, Gynekologisk onkologi, Radiumhospitalet"]
        assert any("statement_approved_at" in (changes or {}) for changes in _audited(case_id, "panel_referral"))
        assert db.session.get(Case, case_id).status is CaseStatus.FINISHED_BY_CASEWORKER
        document_id = statement.document_id
    text = pdf_text(secretariat.get(f"/saker/{case_id}/dokumenter/{document_id}/versjoner/1").data)
    assert "Medlemmer og eksperter som deltok i vurderingen" in text and "Mona Med, Onkologi, Haukeland" in text
    assert "Mona Med, Onkologi, Haukeland" in secretariat.get(f"/ekspertpanelet/saker/{case_id}").get_data(
        as_text=True)


def test_only_a_member_on_the_referral_drafts(app, login, people):
    secretary_id, _member, outsider_id, case_id = people
    for user_id in (outsider_id, secretary_id):   # not on the referral; the secretariat adopts, it does not draft
        for method in ("GET", "POST"):
            response = login(user_id).open(f"/ekspertpanelet/saker/{case_id}/bidrag/ny", method=method, data=DRAFT)
            assert response.status_code == 404
    with app.app_context():
        with pytest.raises(InvalidInput, match="Bare medlemmer som er satt på saken"):
            services.add_contribution(_referral(case_id), panel_contribution(),
                                      actor=db.session.get(User, secretary_id))
        assert db.session.scalar(select(Contribution.id)) is None
    # The members' own routes of the secretariat are not theirs.
    member = login(people[1])
    assert member.post(f"/ekspertpanelet/saker/{case_id}/uttalelse/godkjenn").status_code == 403


def test_an_empty_draft_or_comment_is_refused_at_its_field(app, login, people):
    _secretary, member_id, _outsider, case_id = people
    member = login(member_id)
    empty = member.post(f"/ekspertpanelet/saker/{case_id}/bidrag/ny", data={**DRAFT, "findings": "", "advice": ""})
    assert empty.status_code == 200 and 'id="findings-error"' in empty.get_data(as_text=True)
    assert "Skriv funn eller råd i utkastet." in empty.get_data(as_text=True)
    comment = member.post(f"/ekspertpanelet/saker/{case_id}/bidrag/ny", data={"question": "1", "kind": "comment"})
    assert 'id="comment-error"' in comment.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Contribution.id)) is None


def test_a_change_after_the_approval_withdraws_it(app_ctx, people):
    secretary_id, _member, _outsider, case_id = people
    secretary, referral = db.session.get(User, secretary_id), _referral(case_id)
    with pytest.raises(InvalidInput, match="spørsmål 1, 2, 3, 4 mangler funn"):
        services.approve_statement(referral, actor=secretary)
    for question in QUESTIONS:
        services.save_answer(referral, panel_answer(question), actor=secretary)
    services.approve_statement(referral, actor=secretary)
    assert referral.statement_approved_by_id == secretary.id
    services.save_answer(referral, panel_answer(1, findings="Endret funn."), actor=secretary,
                         expected_version=referral.answer(1).version)
    assert referral.statement_approved_at is None
    last = [changes for changes in _audited(case_id, "panel_referral") if changes][-1]
    assert last["statement_approved_at"][1] is None


def test_the_case_status_follows_the_referral(app_ctx, secretary):
    referral = services.register_referral(panel_referral(), actor=secretary, today=date(2026, 10, 2))
    case = db.session.get(Case, referral.case_id)
    assert case.status is CaseStatus.CREATED
    services.add_expert(referral, panel_expert(), actor=secretary)   # an expert alone starts no assessment
    assert case.status is CaseStatus.CREATED
    services.save_answer(referral, panel_answer(1), actor=secretary)
    assert case.status is CaseStatus.IN_PROGRESS


def test_a_contribution_shows_every_error_in_one_round(app, login, people):
    """The form's own check (no question chosen) and the service's rule (an empty draft) together."""
    _secretary, member_id, _outsider, case_id = people
    response = login(member_id).post(f"/ekspertpanelet/saker/{case_id}/bidrag/ny", data={
        "question": "", "kind": "draft", "findings": "", "advice": ""})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="question-error"' in html and 'id="findings-error"' in html
    with app.app_context():
        assert db.session.scalar(select(Contribution.id)) is None
