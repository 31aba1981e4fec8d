"""Builders of the commands the services take, with valid defaults: a test names only the values it is about
(`panel_referral(icd10="C99.9")`) and passes the command to the service, as the views do."""
from dataclasses import replace
from datetime import date

from app.panel import commands as panel
from app.panel.models import Advice, Classification, Outcome

# Expert panel

_REFERRAL = panel.NewReferral(
    national_id=None, patient_name="Hanne Hagen", birth_date=date(1971, 5, 5), municipality="5001 Trondheim",
    home_region="helse-midt-norge", referring_trust="Helse Møre og Romsdal HF", referring_department="Kreftavdelingen",
    referring_doctor="Lege Lise Lund", referred_on=date(2026, 10, 1), from_regional_hospital=False,
    regional_review_by="Kreftklinikken, St. Olavs hospital", regional_review_on=date(2026, 9, 25), icd10="C56",
    condition="Residiverende eggstokkreft med spredning", treatments_tried="Tre linjer kjemoterapi uten varig effekt",
    question="Finnes det aktuelle kliniske studier eller off-label behandling?")


def panel_referral(**overrides) -> panel.NewReferral:
    """A referral from a local trust, reviewed with the regional hospital, referred on 1 October 2026."""
    return replace(_REFERRAL, **overrides)


def panel_referral_from_regional_hospital(**overrides) -> panel.NewReferral:
    """A referral from St. Olavs hospital itself, so no review with the regional hospital is asked for."""
    return panel_referral(**{"referring_trust": "St. Olavs hospital HF", "from_regional_hospital": True,
                             "regional_review_by": None, "regional_review_on": None, **overrides})


def panel_member(**overrides) -> panel.MemberDetails:
    """An active member appointed by Helse Vest from 2024, without a login."""
    return replace(panel.MemberDetails(
        name="Anna Onkolog", specialty="Onkologi", hospital="Haukeland", appointing_region="helse-vest",
        term_start=date(2024, 1, 1), term_end=None, active=True, user_id=None), **overrides)


def panel_expert(**overrides) -> panel.NewExpert:
    return replace(panel.NewExpert(
        name="Eva Ekspert", specialty="Gynekologisk onkologi", hospital="Radiumhospitalet"), **overrides)


def panel_answer(question: int, **overrides) -> panel.AnswerText:
    """Findings and advice on `question`, numbered after it."""
    return replace(panel.AnswerText(
        question=question, findings=f"Funn {question}", advice=f"Råd {question}"), **overrides)


def panel_item(**overrides) -> panel.NewItem:
    """An off-label treatment under question 3, mentioned with reference to the exception scheme."""
    return replace(panel.NewItem(
        question=3, treatment="Legemiddel X", classification=Classification.OFF_LABEL,
        advice=Advice.MENTIONED_EXCEPTION_SCHEME), **overrides)


def panel_withdrawal(reason: str = "Registrert ved en feil.") -> panel.ItemWithdrawal:
    return panel.ItemWithdrawal(reason=reason)


def panel_statement(**overrides) -> panel.NewStatement:
    """A statement to the referring doctor, sent today."""
    return replace(panel.NewStatement(
        recipients=("Lege Lise Lund",), sent_on=date.today(), summary="Råd", outcome=Outcome.OFF_LABEL), **overrides)


def panel_feedback(**overrides) -> panel.NewFeedback:
    return replace(panel.NewFeedback(received_on=date.today(), followed="yes", summary="Rådet ble fulgt."),
                   **overrides)


def panel_principled_question(**overrides) -> panel.NewPrincipledQuestion:
    return replace(panel.NewPrincipledQuestion(raised_on=date.today(), text="Dekning av studiedeltakelse i utlandet"),
                   **overrides)
