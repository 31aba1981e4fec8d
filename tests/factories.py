"""Builders of the commands the writing services take, with sensible defaults: a test names only
what it is about and passes the same command object the form would build."""
from datetime import date

from app.methods.assessment_services import TrialRow
from app.methods.commands import (
    MethodDetails,
    NewAgendaItem,
    NewFollowUp,
    NewForumDecision,
    NewMeeting,
    NewMethod,
    NewOrderingDecision,
    NewSubmission,
)
from app.methods.models import DecidedBy, DecisionOutcome, Forum, MethodType, OrderingKind, SubmissionKind

# Nye Metoder


def new_method(title: str = "Endoskopisk ryggkirurgisk prosedyre", received_on: date = date(2024, 3, 4), *,
               method_type: MethodType = MethodType.PROCEDURE,
               submission_kind: SubmissionKind = SubmissionKind.PROPOSAL,
               organisation: str = "Sykehuset Telemark", department: str | None = None,
               contact_person: str | None = None, earlier_reference: str | None = None, reference: str | None = None,
               subject_areas=(), tags=(), **details) -> NewMethod:
    """A method with its first submission; `details` are the other MethodDetails fields."""
    return NewMethod(
        details=MethodDetails(title=title, method_type=method_type, subject_areas=tuple(subject_areas),
                              tags=tuple(tags), **details),
        submission=NewSubmission(kind=submission_kind, organisation=organisation, received_on=received_on,
                                 department=department, contact_person=contact_person),
        earlier_reference=earlier_reference, reference=reference)


def new_meeting(forum: Forum = Forum.BESTILLERFORUM, meeting_date: date = date(2025, 5, 22), **fields) -> NewMeeting:
    return NewMeeting(forum=forum, meeting_date=meeting_date, **fields)


def agenda_item(method, **fields) -> NewAgendaItem:
    """`method` on the agenda as the forum's next item (or `number=`)."""
    return NewAgendaItem(reference=method.reference, **fields)


def ordering_decision(item, kind: OrderingKind = OrderingKind.FULL_HTA, *, assessing_body: str | None = "FHI",
                      aspects=("effekt", "sikkerhet"), **fields) -> NewOrderingDecision:
    """Bestillerforum's decision on agenda item `item` (on the meeting date unless `decided_on=`)."""
    return NewOrderingDecision(agenda_item_id=item.id, kind=kind, assessing_body=assessing_body,
                               aspects=tuple(aspects), **fields)


def forum_decision(item, decided_on: date, outcome: DecisionOutcome = DecisionOutcome.INTRODUCED, *,
                   points=("Metoden innføres.",), amends=None,
                   decided_by: DecidedBy = DecidedBy.BESLUTNINGSFORUM, **fields) -> NewForumDecision:
    """Beslutningsforum's decision on agenda item `item` (None: the medical directors'); an amendment of
    the decision `amends`."""
    return NewForumDecision(decided_by=decided_by, decided_on=decided_on, outcome=outcome, points=tuple(points),
                            agenda_item_id=item.id if item is not None else None,
                            amends_id=amends.id if amends is not None else None, **fields)


def follow_up(title: str = "Interregional arbeidsgruppe", owner: str = "Interregionalt fagdirektørmøte",
              due_on: date = date(2025, 11, 1), *, members=(), mandate_questions=(), **fields) -> NewFollowUp:
    return NewFollowUp(title=title, owner=owner, due_on=due_on, members=tuple(members),
                       mandate_questions=tuple(mandate_questions), **fields)


def trial_row(**fields) -> TrialRow:
    """A row of the assessment's table of ongoing trials; the fields given replace the defaults."""
    defaults = {"population": "Lumbar stenose", "participants": 324,
                "intervention": "Arm 1: Endo-Surgi Plus endoskopisk kirurgi", "control": "Arm 3: Mikrodiskektomi",
                "main_outcome": "Oswestry Disability Index score", "registry_id": "NCT06719037", "country": "Kina",
                "estimated_completion": "09.2025", "recruitment_status": "recruiting"}
    return TrialRow(**{**defaults, **fields})
