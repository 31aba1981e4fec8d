"""What the writing services of Nye Metoder take: one frozen command each, built by the form's
`to_command()` (which has stripped the text and turned empty fields into None), by the demo data or
by a test. The services check the rules; a command only carries the values."""
from dataclasses import dataclass
from datetime import date

from app.methods.models import (
    DecidedBy,
    DecisionOutcome,
    Forum,
    MemberRole,
    MethodStatus,
    MethodType,
    NominatingBody,
    OrderingKind,
    SubmissionKind,
)


@dataclass(frozen=True)
class MethodDetails:
    """What describes a method: given when it is registered, changed on the method page."""

    title: str
    method_type: MethodType
    subject_areas: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    generic_name: str | None = None
    atc_code: str | None = None
    product_names: str | None = None
    manufacturers: str | None = None
    indication: str | None = None


@dataclass(frozen=True)
class StatusChange:
    to_status: MethodStatus
    on: date
    comment: str | None = None


@dataclass(frozen=True)
class NewSubmission:
    kind: SubmissionKind
    organisation: str
    received_on: date
    department: str | None = None
    contact_person: str | None = None


@dataclass(frozen=True)
class NewMethod:
    details: MethodDetails
    submission: NewSubmission           # the first one
    earlier_reference: str | None = None
    reference: str | None = None        # an existing ID (import); None gives the next free one
    confirm_duplicate: bool = False     # registered although similar methods were shown (services.PossibleDuplicates)


@dataclass(frozen=True)
class NewInput:
    sender: str
    received_on: date
    summary: str | None = None


@dataclass(frozen=True)
class NewMeeting:
    forum: Forum
    meeting_date: date
    proposal_deadline: date | None = None
    input_deadline: date | None = None
    minutes: str | None = None
    confirm_weekend: bool = False       # a meeting on a Saturday or Sunday is created only when confirmed


@dataclass(frozen=True)
class NewAgendaItem:
    references: tuple[str, ...]         # the IDs of the methods the item covers
    number: int | None = None           # None gives the forum's next number this year
    title: str | None = None            # None gives the methods' IDs and titles


@dataclass(frozen=True)
class NewOrderingDecision:
    agenda_item_id: int
    kind: OrderingKind
    decided_on: date | None = None      # None gives the meeting date
    assessing_body: str | None = None
    aspects: tuple[str, ...] = ()
    due_on: date | None = None
    reasoning: str | None = None
    whole_item: bool = False            # the same decision for every method on the agenda item


@dataclass(frozen=True)
class NewReport:
    title: str
    delivered_on: date
    document_id: int | None = None      # the stored file on the method's case
    published: bool = False             # the file may be served on the public pages (CommissionReport.published)


@dataclass(frozen=True)
class NewPriceNote:
    received_on: date
    content: str


@dataclass(frozen=True)
class NewForumDecision:
    """A decision of Beslutningsforum (or the medical directors); with `amends_id` an amendment."""

    decided_by: DecidedBy
    decided_on: date
    outcome: DecisionOutcome
    points: tuple[str, ...]
    agenda_item_id: int | None = None
    preamble: str | None = None
    conditions: str | None = None
    valid_from: date | None = None      # None gives the decision date
    amends_id: int | None = None
    whole_item: bool = False            # the same decision for every method on the agenda item


@dataclass(frozen=True)
class NewFollowUp:
    title: str
    owner: str
    due_on: date
    members: tuple[dict, ...] = ()      # {"name": ..., "role": ...}
    mandate_questions: tuple[str, ...] = ()
    secretariat: str | None = None
    reporting_line: str | None = None


@dataclass(frozen=True)
class ReportQuestion:
    """One of a working group's report questions («Effekter på kvalitet og pasientsikkerhet») and its
    sub-questions; a question without sub-questions is answered as a whole."""

    title: str
    sub_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkingGroupDetails:
    """What describes a working group: its methods, mandate, approval, basis document and report questions."""

    title: str
    references: tuple[str, ...]         # the IDs of the methods the group covers
    reports_to: str
    mandate: str | None = None
    secretariat: str | None = None
    due_on: date | None = None
    approved_on: date | None = None     # composition and mandate approved by Interregionalt fagdirektørmøte
    basis_document_lead: str | None = None
    basis_document_id: int | None = None
    questions: tuple[ReportQuestion, ...] = ()


@dataclass(frozen=True)
class NewMember:
    name: str
    role: MemberRole
    position: str | None = None
    nominated_by: NominatingBody | None = None
    nominating_organisation: str | None = None


@dataclass(frozen=True)
class ReportAnswers:
    """The report's answers by slot («1.2»: question 1, sub-question 2; «3»: question 3 as a whole); with
    `delivered_on` the report is delivered, and every slot must be answered."""

    answers: tuple[tuple[str, str], ...]
    delivered_on: date | None = None
