"""What the panel's writing services take: one frozen command each, built by the form's `to_command()`
(which has stripped the text and turned empty fields into None), by the demo data or by a test. The
services check the rules; a command only carries the values."""
from dataclasses import dataclass
from datetime import date

from app.panel.models import Advice, Classification, ContributionKind, Outcome, ReferralStatus, RefusalGround


@dataclass(frozen=True)
class NewReferral:
    national_id: str | None
    patient_name: str
    birth_date: date | None
    municipality: str | None
    home_region: str
    referring_trust: str             # a name in panel_health_trusts
    referring_department: str | None
    referring_doctor: str
    referred_on: date
    regional_review_by: str | None   # who at the regional hospital, required unless from it
    regional_review_on: date | None
    icd10: str
    condition: str
    treatments_tried: str
    question: str
    complete_on: date | None = None  # None: complete when referred
    home_trust: str | None = None    # the trust where the patient lives (panel_health_trusts); None: the referring one


@dataclass(frozen=True)
class MemberDetails:
    """A panel member as registered or edited."""

    name: str
    specialty: str
    hospital: str
    appointing_region: str
    term_start: date
    term_end: date | None
    active: bool
    user_id: int | None   # the member's login, if any


@dataclass(frozen=True)
class NewExpert:
    name: str
    specialty: str
    hospital: str | None


@dataclass(frozen=True)
class AnswerText:
    """The findings and advice on one of the four questions."""

    question: int
    findings: str | None
    advice: str | None


@dataclass(frozen=True)
class NewItem:
    question: int
    treatment: str
    classification: Classification
    advice: Advice
    method_reference: str | None = None
    registry_id: str | None = None
    country: str | None = None
    inclusion_criteria: str | None = None
    note: str | None = None
    evidence_of_effect: str | None = None
    trust_decided_by: str | None = None
    funding: str | None = None
    consent: str | None = None
    treatment_plan: str | None = None
    knowledge_generation: str | None = None


@dataclass(frozen=True)
class ItemWithdrawal:
    reason: str


@dataclass(frozen=True)
class NewStatement:
    """The addressees and copies follow from the referral (services.letter_recipients)."""

    sent_on: date
    summary: str
    outcome: Outcome


@dataclass(frozen=True)
class NewFeedback:
    received_on: date
    followed: str   # a key of services.FOLLOWED
    summary: str


@dataclass(frozen=True)
class NewPrincipledQuestion:
    raised_on: date
    text: str


@dataclass(frozen=True)
class NewContribution:
    """A participating member's draft (findings and advice) or comment on one of the four questions."""

    question: int
    kind: ContributionKind
    findings: str | None = None
    advice: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class EndReferral:
    """Refuse a referral as outside the mandate (with the ground), record that it was withdrawn, or close it."""

    status: ReferralStatus   # REFUSED, WITHDRAWN or CLOSED
    reason: str
    ended_on: date
    ground: RefusalGround | None = None   # required for a refusal
