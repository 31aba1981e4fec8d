"""The expert panel's rules, called directly."""
from dataclasses import replace
from datetime import date

import pytest

from app.auth.models import User
from app.cases.models import Case, Deadline, JournalEntry
from app.errors import InvalidInput, InvalidInputs
from app.extensions import db
from app.methods.models import DecisionOutcome, Method
from app.panel import services
from app.panel.models import Advice, Classification, Outcome, PanelMember, ReferralStatus
from tests.conftest import amend_decision, decide_method
from tests.factories import (
    panel_answer,
    panel_expert,
    panel_feedback,
    panel_item,
    panel_member,
    panel_principled_question,
    panel_referral,
    panel_statement,
)


def test_a_local_trust_needs_the_regional_hospital_review(secretary):
    missing = panel_referral(regional_review_by="", regional_review_on=None)
    with pytest.raises(InvalidInput, match="gjennomgått med") as refused:
        services.register_referral(missing, actor=secretary, today=date(2026, 10, 2))
    assert refused.value.field == "regional_review_by"
    assert db.session.query(Case).count() == 0
    from_regional = replace(missing, referring_trust="St. Olavs hospital HF")
    assert services.register_referral(from_regional, actor=secretary, today=date(2026, 10, 2)).id


def test_referral_is_a_screened_case_with_a_14_day_deadline(referral):
    case = db.session.get(Case, referral.case_id)
    assert case.public_title == "Henvisning til ekspertpanelet – ******"
    assert (referral.icd10, referral.status) == ("C56", ReferralStatus.RECEIVED)
    deadline = db.session.get(Deadline, referral.deadline_id)
    assert deadline.due_date == referral.due_on == date(2026, 10, 15)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("icd10", "C99.9", "ikke en gyldig ICD-10-kode"),
    ("referred_on", date(2026, 10, 3), "fram i tid"),
    ("regional_review_on", date(2026, 10, 2), "før henvisningen"),
    ("treatments_tried", " ", "etablert behandling"),
])
def test_bad_referrals_are_refused_and_nothing_is_saved(secretary, field, value, message):
    with pytest.raises(InvalidInput, match=message):
        services.register_referral(panel_referral(**{field: value}), actor=secretary, today=date(2026, 10, 2))
    db.session.rollback()
    assert db.session.query(Case).count() == 0


def test_members_and_experts_are_assigned_and_regions_checked(referral, secretary, make_user):
    member_user = make_user("panel_member")
    members = [services.save_member(None, panel_member(name=name, appointing_region=region, user_id=user),
                                    actor=secretary)
               for name, region, user in [("Anna Onkolog", "helse-vest", member_user),
                                          ("Bjørn Kirurg", "helse-nord", None)]]
    assert services.regions_without_members() == ["helse-sor-ost", "helse-midt-norge"]
    for member in members:
        services.assign_member(referral, member, actor=secretary)
    services.add_expert(referral, panel_expert(name="Dr. Ekspert"), actor=secretary)
    assert [participant.is_expert for participant in referral.participants] == [False, False, True]
    assert referral.status is ReferralStatus.UNDER_ASSESSMENT
    with pytest.raises(InvalidInput, match="allerede med"):
        services.assign_member(referral, members[0], actor=secretary)
    assert [a.user_id for a in db.session.get(Case, referral.case_id).assignments] == [member_user]


TRUST_REQUIREMENTS = {"trust_decided_by": "Fagdirektøren i Helse Bergen", "funding": "Helseforetakets rammer.",
                      "consent": "Skriftlig samtykke etter utvidet informasjon.", "treatment_plan": "Seks kurer.",
                      "knowledge_generation": "Data registreres i kvalitetsregisteret."}


def trial(**overrides):
    return panel_item(question=2, treatment="Studie av PARP-hemmer", classification=Classification.CLINICAL_TRIAL,
                      advice=Advice.RECOMMENDED, country="Sverige", **overrides)


def test_trial_items_need_a_valid_registry_id_and_are_flagged_nordic(referral, secretary):
    with pytest.raises(InvalidInput, match="gyldig studienummer"):
        services.add_item(referral, trial(registry_id="NCT123"), actor=secretary)
    item = services.add_item(referral, trial(registry_id="nct06719037", inclusion_criteria="ECOG 0-1"),
                             actor=secretary)
    assert (item.registry_id, item.nordic) == ("NCT06719037", True)


@pytest.mark.parametrize("classification", [Classification.EXPERIMENTAL, Classification.OFF_LABEL_EXPERIMENTAL,
                                            Classification.UNDOCUMENTED])
def test_experimental_outside_a_study_and_undocumented_treatment_are_never_recommended(referral, secretary,
                                                                                      classification):
    with pytest.raises(InvalidInput, match="kan ikke anbefales") as refused:
        services.add_item(referral, panel_item(classification=classification, advice=Advice.RECOMMENDED,
                                               **TRUST_REQUIREMENTS), actor=secretary)
    assert refused.value.field == "advice"


def test_off_label_advice_records_its_evidence_of_effect(referral, secretary):
    with pytest.raises(InvalidInput, match="dokumentasjonen av effekt") as refused:
        services.add_item(referral, panel_item(evidence_of_effect=None), actor=secretary)
    assert refused.value.field == "evidence_of_effect"
    declined = services.add_item(referral, panel_item(evidence_of_effect=None, advice=Advice.NOT_RECOMMENDED),
                                 actor=secretary)
    assert declined.evidence_of_effect is None


def test_advice_pointing_to_experimental_treatment_outside_a_study_records_what_the_trust_needs(referral, secretary):
    """The guide to experimental treatment: who decides, funding, stricter consent, a treatment plan and knowledge
    generation; every missing one is named in one round."""
    experimental = panel_item(classification=Classification.EXPERIMENTAL, advice=Advice.MENTIONED_EXCEPTION_SCHEME)
    with pytest.raises(InvalidInputs) as refused:
        services.add_item(referral, experimental, actor=secretary)
    assert {error.field for error in refused.value.errors} == set(services.TRUST_REQUIREMENTS)
    item = services.add_item(referral, replace(experimental, **TRUST_REQUIREMENTS), actor=secretary)
    assert item.trust_decided_by == "Fagdirektøren i Helse Bergen"


def test_a_method_not_introduced_cannot_be_recommended_but_may_be_mentioned(referral, secretary, method_with_outcome):
    method_with_outcome(DecisionOutcome.NOT_INTRODUCED)
    with pytest.raises(InvalidInput, match="16.06.2025 at ID2024_090 .* ikke skal innføres") as refused:
        services.add_item(referral, panel_item(advice=Advice.RECOMMENDED, method_reference="ID2024_090"),
                          actor=secretary)
    assert refused.value.field == "advice"
    item = services.add_item(referral, panel_item(method_reference="ID2024_090"), actor=secretary)
    assert item.methods_check == {"reference": "ID2024_090", "state": "not_introduced", "decided_on": "2025-06-16"}


def test_a_method_under_assessment_cannot_be_recommended(referral, secretary, method_with_outcome):
    method_with_outcome(None)
    with pytest.raises(InvalidInput, match="under vurdering i Nye Metoder"):
        services.add_item(referral, panel_item(advice=Advice.RECOMMENDED, method_reference="ID2024_090"),
                          actor=secretary)


def test_an_introduced_method_may_be_recommended(referral, secretary, method_with_outcome):
    method_with_outcome(DecisionOutcome.INTRODUCED)
    item = services.add_item(referral, panel_item(question=1, classification=Classification.ESTABLISHED,
                                                  advice=Advice.RECOMMENDED, method_reference="ID2024_090"),
                             actor=secretary)
    assert item.methods_check["state"] == "introduced"


def _answer_all(referral, secretary):
    for question in (1, 2, 3, 4):
        services.save_answer(referral, panel_answer(question), actor=secretary)


def test_the_statement_needs_all_four_answers_and_is_journaled(referral, secretary):
    services.save_answer(referral, panel_answer(1, findings="Etablert behandling er gitt.", advice=None),
                         actor=secretary)
    with pytest.raises(InvalidInput, match="spørsmål 2, 3, 4 mangler"):
        services.send_statement(referral, panel_statement(), actor=secretary, pdf=b"%PDF-1.4\n%%EOF")
    _answer_all(referral, secretary)
    with pytest.raises(InvalidInput, match="må godkjenne uttalelsen"):
        services.send_statement(referral, panel_statement(), actor=secretary, pdf=b"%PDF-1.4\n%%EOF")
    services.approve_statement(referral, actor=secretary)
    statement = services.send_statement(
        referral, panel_statement(summary="Panelet anbefaler studie i Sverige.", outcome=Outcome.STUDY_ABROAD),
        actor=secretary, pdf=b"%PDF-1.4\n%%EOF")
    entry = db.session.get(JournalEntry, statement.journal_entry_id)
    assert entry.entry_type.value == "U" and "Lege Lise Lund" in entry.party_name
    assert entry.documents[0].current_version.mime_type == "application/pdf"
    assert (referral.status, referral.outcome) == (ReferralStatus.STATEMENT_SENT, Outcome.STUDY_ABROAD)
    assert db.session.get(Deadline, referral.deadline_id).done_at is not None
    with pytest.raises(InvalidInput, match="kan ikke endres"):
        services.save_answer(referral, panel_answer(1, findings="x", advice=None), actor=secretary)


def test_feedback_and_principled_questions(referral, secretary):
    with pytest.raises(InvalidInput, match="etter at uttalelsen er sendt"):
        services.record_feedback(referral, panel_feedback(summary="x"), actor=secretary)
    _answer_all(referral, secretary)
    services.approve_statement(referral, actor=secretary)
    services.send_statement(referral, panel_statement(), actor=secretary,
                            pdf=b"%PDF-1.4\n%%EOF")
    feedback = services.record_feedback(referral, panel_feedback(
        followed="partly", summary="Off-label ble avslått av kostnadshensyn."), actor=secretary)
    assert feedback.followed == "partly"
    question = services.add_principled_question(
        referral, panel_principled_question(text="Kostnad som grunn til å avslå off-label-råd"), actor=secretary)
    assert referral.principled_questions == [question]


def test_a_nye_metoder_decision_flags_open_referrals_about_the_method(referral, secretary, method_with_outcome,
                                                                    make_user):
    method_with_outcome(None, reference="ID2024_091")
    services.add_item(referral, panel_item(method_reference="ID2024_091"), actor=secretary)
    assert referral.flag is None
    secretariat = db.session.get(User, make_user("methods_secretariat"))
    method = db.session.query(Method).filter_by(reference="ID2024_091").one()
    decide_method(method, DecisionOutcome.INTRODUCED, secretariat, on=date(2025, 9, 22))
    db.session.refresh(referral)
    assert "ID2024_091" in referral.flag and "22.09.2025" in referral.flag and "Innføres" in referral.flag


def test_a_changed_decision_flags_a_referral_whose_statement_is_sent_and_the_review_is_journalled(
        referral, secretary, method_with_outcome, make_user):
    """The statement rests on the decision too: the secretariat decides whether the hospital gets a letter."""
    method = method_with_outcome(DecisionOutcome.INTRODUCED, reference="ID2024_091")
    services.add_item(referral, panel_item(method_reference="ID2024_091"), actor=secretary)
    referral.status = ReferralStatus.STATEMENT_SENT
    amend_decision(method, DecisionOutcome.NOT_INTRODUCED, db.session.get(User, make_user("methods_secretariat")),
                   on=date(2026, 10, 26))
    db.session.refresh(referral)
    assert "endret fra «Innføres» 16.06.2025" in referral.flag
    assert "Uttalelsen er sendt: vurder om sykehuset skal få brev" in referral.flag
    services.review_method_flag(referral, "Brev til sykehuset om den nye beslutningen.", actor=secretary)
    assert referral.flag is None
    titles = db.session.scalars(db.select(JournalEntry.title).where(JournalEntry.case_id == referral.case_id)).all()
    assert "Ny beslutning i Nye Metoder vurdert: Brev til sykehuset om den nye beslutningen." in titles


def test_member_terms_are_checked(secretary):
    with pytest.raises(InvalidInput, match="slutte før"):
        services.save_member(None, panel_member(name="A", specialty="B", hospital="C", term_start=date(2025, 1, 1),
                                                term_end=date(2024, 1, 1)), actor=secretary)
    assert db.session.query(PanelMember).count() == 0
