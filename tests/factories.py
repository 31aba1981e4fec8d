"""Builders of the commands the services take, with valid defaults: a test names only the values it is about
(`panel_referral(icd10="C99.9")`) and passes the command to the service, as the views do."""
from dataclasses import replace
from datetime import date

from app.abroad import commands as abroad
from app.abroad.models import BoardOutcome, CostCategory, Decision, OfficeOutcome, Stream, TreatmentClass
from app.abroad.services import LEGAL_BASIS
from app.demo import synthetic_national_id
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
from app.panel import commands as panel
from app.panel.models import Advice, Classification, ContributionKind, Outcome, ReferralStatus, RefusalGround

# Expert panel

_REFERRAL = panel.NewReferral(
    national_id=None, patient_name="Hanne Hagen", birth_date=date(1971, 5, 5), municipality="5001 Trondheim",
    home_region="helse-midt-norge", referring_trust="Helse Møre og Romsdal HF", referring_department="Kreftavdelingen",
    referring_doctor="Lege Lise Lund", referred_on=date(2026, 10, 1),
    regional_review_by="Kreftklinikken, St. Olavs hospital", regional_review_on=date(2026, 9, 25), icd10="C56",
    condition="Residiverende eggstokkreft med spredning", treatments_tried="Tre linjer kjemoterapi uten varig effekt",
    question="Finnes det aktuelle kliniske studier eller off-label behandling?")


def panel_referral(**overrides) -> panel.NewReferral:
    """A referral from a local trust, reviewed with the regional hospital, referred on 1 October 2026."""
    return replace(_REFERRAL, **overrides)


def panel_referral_from_regional_hospital(**overrides) -> panel.NewReferral:
    """A referral from St. Olavs hospital itself, so no review with the regional hospital is asked for."""
    return panel_referral(**{"referring_trust": "St. Olavs hospital HF",
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
        advice=Advice.MENTIONED_EXCEPTION_SCHEME, evidence_of_effect="Fase II-studie med respons hos 38 prosent."),
        **overrides)


def panel_withdrawal(reason: str = "Registrert ved en feil.") -> panel.ItemWithdrawal:
    return panel.ItemWithdrawal(reason=reason)


def panel_statement(**overrides) -> panel.NewStatement:
    """A statement sent today."""
    return replace(panel.NewStatement(sent_on=date.today(), summary="Råd", outcome=Outcome.OFF_LABEL), **overrides)


def panel_refusal(**overrides) -> panel.EndReferral:
    """A refusal as outside the mandate: established treatment has not been tried, today."""
    return replace(panel.EndReferral(
        status=ReferralStatus.REFUSED, ground=RefusalGround.ESTABLISHED_NOT_TRIED, ended_on=date.today(),
        reason="Andrelinjebehandling etter nasjonalt handlingsprogram er ikke prøvd."), **overrides)


def panel_contribution(**overrides) -> panel.NewContribution:
    """A member's draft of the findings and advice on question 2."""
    return replace(panel.NewContribution(
        question=2, kind=ContributionKind.DRAFT, findings="Medlemmets funn: en studie i Sverige er aktuell.",
        advice="Medlemmets råd: vurder inklusjon i studien."), **overrides)


def panel_feedback(**overrides) -> panel.NewFeedback:
    return replace(panel.NewFeedback(received_on=date.today(), followed="yes", summary="Rådet ble fulgt."),
                   **overrides)


def panel_principled_question(**overrides) -> panel.NewPrincipledQuestion:
    return replace(panel.NewPrincipledQuestion(raised_on=date.today(), text="Dekning av studiedeltakelse i utlandet"),
                   **overrides)


# Nye Metoder


def new_method(title: str = "Endoskopisk ryggkirurgisk prosedyre", received_on: date = date(2024, 3, 4), *,
               method_type: MethodType = MethodType.PROCEDURE,
               submission_kind: SubmissionKind = SubmissionKind.PROPOSAL,
               organisation: str = "Sykehuset Telemark", department: str | None = None,
               contact_person: str | None = None, earlier_reference: str | None = None, reference: str | None = None,
               subject_areas=(), tags=(), confirm_duplicate: bool = True, **details) -> NewMethod:
    """A method with its first submission; `details` are the other MethodDetails fields. Confirmed as no
    duplicate unless told (the suites register many similar methods; tests/methods/test_possible_duplicates.py
    tests the rule)."""
    return NewMethod(
        details=MethodDetails(title=title, method_type=method_type, subject_areas=tuple(subject_areas),
                              tags=tuple(tags), **details),
        submission=NewSubmission(kind=submission_kind, organisation=organisation, received_on=received_on,
                                 department=department, contact_person=contact_person),
        earlier_reference=earlier_reference, reference=reference, confirm_duplicate=confirm_duplicate)


def new_meeting(forum: Forum = Forum.BESTILLERFORUM, meeting_date: date = date(2025, 5, 22), **fields) -> NewMeeting:
    return NewMeeting(forum=forum, meeting_date=meeting_date, **fields)


def agenda_item(method, **fields) -> NewAgendaItem:
    """`method` (or several: a list) on the agenda as the forum's next item (or `number=`)."""
    methods = method if isinstance(method, list | tuple) else [method]
    return NewAgendaItem(references=tuple(each.reference for each in methods), **fields)


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


# Treatment abroad

NORTH_PATIENT_ID = synthetic_national_id(date(1994, 3, 8))

# The annual report's example case: twin-to-twin transfusion syndrome, treated at Rigshospitalet; a Helse Nord
# patient is handled by Helse Sør-Øst's office.
TTTS = abroad.NewApplication(
    national_id=NORTH_PATIENT_ID, patient_name="Nora Nordlys", birth_date=None, municipality="5501 Tromsø",
    home_region="helse-nord", stream=Stream.APPLICATION, received_on=date(2026, 9, 1), applicant="Sykehuslege",
    referring_doctor="Lege Line Lie", referring_hospital="UNN Tromsø",
    requested_treatment="Fetoskopisk laserbehandling av tvilling-til-tvilling transfusjonssyndrom (TTTS)",
    requested_where="Rigshospitalet, København", treatment_class=TreatmentClass.ESTABLISHED, icd10="O43.0")


def abroad_application(**overrides) -> abroad.NewApplication:
    """The TTTS application, with `overrides`."""
    return replace(TTTS, **overrides)


def abroad_opinion_request(**overrides) -> abroad.OpinionRequest:
    return replace(abroad.OpinionRequest(
        requested_from="Fostermedisin, Oslo universitetssykehus", question="Er laserbehandling i utlandet nødvendig?",
        requested_on=date(2026, 9, 2), due_on=date(2026, 9, 12)), **overrides)


def abroad_opinion_received(**overrides) -> abroad.OpinionReceived:
    return replace(abroad.OpinionReceived(
        received_on=date(2026, 9, 10), conclusion="Anbefaler behandling i København."), **overrides)


def abroad_decision(decision: Decision = Decision.GRANTED, **overrides) -> abroad.NewDecision:
    """A decision on the TTTS application, after it was received, with the usual legal basis."""
    return replace(abroad.NewDecision(
        decision=decision, decided_on=date(2026, 9, 11), legal_basis=LEGAL_BASIS,
        reasoning="Tilbudet finnes ikke i Norge."), **overrides)


def abroad_plan(**overrides) -> abroad.TreatmentPlan:
    return replace(abroad.TreatmentPlan(hospital="Rigshospitalet", country="DK"), **overrides)


def abroad_cost(**overrides) -> abroad.NewCost:
    return replace(abroad.NewCost(
        entry_date=date(2026, 10, 1), category=CostCategory.TREATMENT, amount="1000", currency="NOK"), **overrides)


def abroad_appeal(**overrides) -> abroad.NewAppeal:
    """A complaint on time against a refusal of 20.09.2026 the patient received two days later."""
    return replace(abroad.NewAppeal(received_on=date(2026, 10, 1), notified_on=date(2026, 9, 22)), **overrides)


def abroad_late_assessment(consider: bool, **overrides) -> abroad.LateAppealAssessment:
    """Dismissed (consider False) on 16.11.2026, after a complaint that came late."""
    return replace(abroad.LateAppealAssessment(
        consider=consider, assessment="Vurdert etter forvaltningsloven § 31.", decided_on=date(2026, 11, 16)),
        **overrides)


def abroad_reconsideration(outcome: OfficeOutcome = OfficeOutcome.FORWARDED, **overrides) -> abroad.Reconsideration:
    return replace(abroad.Reconsideration(
        outcome=outcome, decided_on=date(2026, 10, 8), reasoning="Kontoret opprettholder avslaget."), **overrides)


def abroad_board_decision(outcome: BoardOutcome = BoardOutcome.UPHELD, **overrides) -> abroad.BoardDecision:
    return replace(abroad.BoardDecision(outcome=outcome, decided_on=date(2026, 11, 2)), **overrides)


def abroad_correction(application, **overrides) -> abroad.ApplicationCorrection:
    """The application's registered facts as they are, with a reason: a test names what it corrects."""
    facts = {name: getattr(application, name) for name in (
        "stream", "received_on", "treatment_class", "icd10", "reference", "applicant", "referring_doctor",
        "referring_hospital", "requested_treatment", "requested_where", "method_reference")}
    return abroad.ApplicationCorrection(**{**facts, "reason": "Skrivefeil ved registreringen.", **overrides})


def abroad_opinion_correction(opinion, **overrides) -> abroad.OpinionCorrection:
    """The opinion's registered facts as they are, with a reason."""
    facts = {"requested_from": opinion.requested_from, "question": opinion.question,
             "received_on": opinion.received_on, "conclusion": opinion.conclusion}
    return abroad.OpinionCorrection(**{**facts, "reason": "Feil fagmiljø registrert.", **overrides})
