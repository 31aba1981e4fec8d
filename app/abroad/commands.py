"""What each writing step of treatment abroad is given: one frozen value per step, built by the page's form
(`to_command()`, which the JSON API reuses), by the demo data and by the tests alike. Text arrives stripped,
with empty text as None; the services check the rules, not the spelling."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.abroad.models import (
    ApprovingBody,
    BoardOutcome,
    CostCategory,
    Decision,
    DecisionItem,
    ForwardedTo,
    OfficeOutcome,
    Stream,
    TreatmentClass,
)
from app.forms import Upload


@dataclass(frozen=True, kw_only=True)
class ApplicationFacts:
    """The registered facts of an application, typed at registration and corrected later alike."""

    stream: Stream
    received_on: date
    treatment_class: TreatmentClass
    icd10: str
    reference: str | None = None
    applicant: str | None = None
    referring_doctor: str | None = None
    referring_hospital: str | None = None
    requested_treatment: str | None = None
    requested_where: str | None = None
    method_reference: str | None = None
    confirm_duplicate: bool = False   # saved although a possible duplicate was shown (services.PossibleDuplicate)


@dataclass(frozen=True, kw_only=True)
class NewApplication(ApplicationFacts):
    """An application, or a referral in the particle-therapy and Nordic-protocol streams, with its patient."""

    national_id: str | None
    patient_name: str
    birth_date: date | None
    municipality: str | None
    home_region: str
    street: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None


@dataclass(frozen=True, kw_only=True)
class OpinionRequest:
    requested_from: str
    question: str
    requested_on: date
    due_on: date


@dataclass(frozen=True, kw_only=True)
class OpinionReceived:
    received_on: date
    conclusion: str
    file: Upload | None = None   # the specialist's statement, filed with the incoming post


@dataclass(frozen=True, kw_only=True)
class PartDecision:
    """One item of what was asked, as a partial grant decides it: granted, or refused with the reason. A refused
    hospital names the hospital of the register granted instead, and its country."""

    item: DecisionItem
    granted: bool
    reason: str | None = None
    instead_hospital: str | None = None
    instead_country: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewDecision:
    """The first-instance decision; a withdrawal needs neither legal basis nor reasoning. A partial grant itemises
    what was asked in `parts` (only it does)."""

    decision: Decision
    decided_on: date
    legal_basis: str | None = None
    reasoning: str | None = None
    attachments: tuple[int, ...] = ()   # documents of the case sent with the letter, listed as «Vedlegg»
    parts: tuple[PartDecision, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ExperimentalBasis:
    """What a grant of experimental treatment rests on: the trial's registry ID, or the exception's grounds."""
    trial_registry_id: str | None = None
    exception_grounds: str | None = None


@dataclass(frozen=True, kw_only=True)
class Forwarding:
    """An application sent on to the scheme or body it belongs to, with the letter telling the patient why."""

    forwarded_to: ForwardedTo
    forwarded_on: date
    reason: str
    body_name: str | None = None     # the body, when it is «Annen instans»


@dataclass(frozen=True, kw_only=True)
class PgdApproval:
    """The approving body's answer on a PGD application (granted or denied), as the office records it."""

    decision: Decision
    decided_on: date
    approving_body: ApprovingBody
    approval_reference: str | None = None


@dataclass(frozen=True, kw_only=True)
class TreatmentPlan:
    hospital: str
    country: str
    planned_start: date | None = None
    planned_end: date | None = None
    travel_arrangements: str | None = None
    stay_arrangements: str | None = None
    companion: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewCost:
    """A cost as typed: amount and exchange rate may be text with a decimal comma; the service parses them."""

    entry_date: date
    category: CostCategory
    amount: str | Decimal
    currency: str
    exchange_rate: str | Decimal | None = None
    invoice_reference: str | None = None
    file: Upload | None = None   # the invoice, filed as an incoming post


@dataclass(frozen=True, kw_only=True)
class NewAppeal:
    received_on: date
    notified_on: date
    grounds: str | None = None
    file: Upload | None = None   # the patient's appeal letter, filed with the incoming post


@dataclass(frozen=True, kw_only=True)
class LateAppealAssessment:
    consider: bool
    assessment: str
    decided_on: date | None = None   # the dismissal's date (avvisningsvedtak), when it is not considered


@dataclass(frozen=True, kw_only=True)
class Reconsideration:
    outcome: OfficeOutcome
    decided_on: date
    reasoning: str


@dataclass(frozen=True, kw_only=True)
class BoardDecision:
    outcome: BoardOutcome
    decided_on: date
    board_reference: str | None = None
    summary: str | None = None                 # what a partial reversal changed; why the board quashed or dismissed
    new_decision_due_on: date | None = None    # quashed: the office's deadline for the new decision


@dataclass(frozen=True, kw_only=True)
class AppealWithdrawal:
    withdrawn_on: date
    file: Upload | None = None   # the patient's letter (or the board's notice), filed with the incoming post


@dataclass(frozen=True, kw_only=True)
class ApplicationCorrection(ApplicationFacts):
    """The registered facts of an application as they should have been, and why they are corrected."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class OpinionCorrection:
    """A medical opinion's registered facts as they should have been; the answer's only once it is received."""

    requested_from: str
    question: str
    reason: str
    received_on: date | None = None
    conclusion: str | None = None


@dataclass(frozen=True, kw_only=True)
class CostReversal:
    reason: str


@dataclass(frozen=True, kw_only=True)
class PhraseText:
    """An office's standard phrase: a short title to pick it by, and the text inserted into a letter."""

    title: str
    text: str
