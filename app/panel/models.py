"""Expert panel tables (panel_*): members, referrals, the four assessment questions and their
treatment items, the advisory statement, feedback and principled questions (the panel's mandate)."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.interface import CaseStatus
from app.db import LabelledEnum, Versioned, utcnow
from app.extensions import db


class ReferralStatus(LabelledEnum):
    RECEIVED = "received", "Mottatt"
    UNDER_ASSESSMENT = "under_assessment", "Til vurdering"
    STATEMENT_SENT = "statement_sent", "Uttalelse sendt"
    REFUSED = "refused", "Avvist (utenfor mandatet)"
    WITHDRAWN = "withdrawn", "Trukket"
    CLOSED = "closed", "Avsluttet"

    @property
    def case_status(self) -> CaseStatus:
        """The core case's status (saksstatus) that follows from this one."""
        return {ReferralStatus.RECEIVED: CaseStatus.CREATED, ReferralStatus.UNDER_ASSESSMENT: CaseStatus.IN_PROGRESS,
                ReferralStatus.STATEMENT_SENT: CaseStatus.FINISHED_BY_CASEWORKER,
                ReferralStatus.REFUSED: CaseStatus.CLOSED, ReferralStatus.WITHDRAWN: CaseStatus.CLOSED,
                ReferralStatus.CLOSED: CaseStatus.CLOSED}[self]


class RefusalGround(LabelledEnum):
    """Why a referral is outside the panel's mandate (S4 part I and part IV)."""

    GROUP_LEVEL = "group_level", "Spørsmålet gjelder behandlingsmetoder på gruppenivå"
    NEW_METHOD = "new_method", "Spørsmålet gjelder innføring av en ny metode"
    ESTABLISHED_NOT_TRIED = "established_not_tried", "Aktuell etablert behandling er ikke prøvd"

    @property
    def mandate(self) -> str:
        """The mandate's words the refusal rests on, quoted in the letter."""
        if self is RefusalGround.ESTABLISHED_NOT_TRIED:
            return ("Mandatet del I: Ekspertpanelet skal gi medisinskfaglige vurderinger om behandlingsalternativer "
                    "for alvorlig syke enkeltmennesker der alle aktuelle etablerte behandlingsformer allerede er "
                    "utprøvd eller igangsatt uten tilstrekkelig effekt.")
        return ("Mandatet del IV: Ekspertpanelet skal ikke behandle spørsmål om innføring av nye metoder, eller bruk "
                "av behandlingsmetoder på gruppenivå.")


class ContributionKind(LabelledEnum):
    DRAFT = "draft", "Utkast"
    COMMENT = "comment", "Kommentar"


class Classification(LabelledEnum):
    """How documented a treatment is. The national guide to experimental treatment separates accepted off-label use
    of a drug (established practice, not experimental) from off-label use whose effect and safety are not
    documented enough for ordinary treatment, which is experimental treatment."""

    ESTABLISHED = "established", "Etablert behandling"
    CLINICAL_TRIAL = "clinical_trial", "I klinisk studie"
    EXPERIMENTAL = "experimental", "Utprøvende utenfor studie"
    OFF_LABEL = "off_label", "Akseptert off-label-bruk"
    OFF_LABEL_EXPERIMENTAL = "off_label_experimental", "Utprøvende off-label-bruk utenfor studie"
    UNDOCUMENTED = "undocumented", "Udokumentert"

    @property
    def experimental_outside_study(self) -> bool:
        return self in (Classification.EXPERIMENTAL, Classification.OFF_LABEL_EXPERIMENTAL)

    @property
    def off_label(self) -> bool:
        return self in (Classification.OFF_LABEL, Classification.OFF_LABEL_EXPERIMENTAL)


class Advice(LabelledEnum):
    RECOMMENDED = "recommended", "Anbefales"
    NOT_RECOMMENDED = "not_recommended", "Anbefales ikke"
    MENTIONED_EXCEPTION_SCHEME = "mentioned_exception_scheme", "Omtalt, med henvisning til unntaksordningen"


class Outcome(LabelledEnum):
    """The outcome category the annual report counts."""

    ESTABLISHED_NORWAY = "established_norway", "Videre etablert behandling i Norge"
    ESTABLISHED_ABROAD = "established_abroad", "Videre etablert behandling i utlandet"
    STUDY_NORWAY = "study_norway", "Klinisk studie i Norge"
    STUDY_ABROAD = "study_abroad", "Klinisk studie i utlandet"
    OFF_LABEL = "off_label", "Off-label behandling"
    NO_FURTHER_TREATMENT = "no_further_treatment", "Ingen videre behandling anbefalt"


QUESTIONS = {
    1: "Er adekvat etablert behandling gitt, eller er det aktuelt med ytterligere etablert behandling i Norge "
       "eller utlandet?",
    2: "Er det aktuelle kliniske studier eller utprøvende behandling i Norge eller i utlandet, fortrinnsvis i "
       "Norden?",
    3: "Er det aktuelt med off-label behandling med legemidler der det finnes dokumentert effekt?",
    4: "Hva med udokumentert behandling som pasienten selv har innhentet informasjon om og ønsker vurdert?",
}


class HealthTrust(db.Model):
    """A health trust (or a hospital with an agreement with a regional health authority) that may refer to the
    panel, with its health region. The region's regional hospital is the trust with `regional_hospital` set (the
    hospital's name): the mandate (S4 part III) asks a referral from any other trust to have been reviewed with it.
    Reference data, kept by migrations."""

    __tablename__ = "panel_health_trusts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str] = mapped_column(String(32))
    regional_hospital: Mapped[str | None] = mapped_column(String(200))

    @property
    def is_regional_hospital(self) -> bool:
        return self.regional_hospital is not None


class PanelMember(Versioned, db.Model):
    """A member appointed by a regional health authority's medical director."""

    __tablename__ = "panel_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(200))
    hospital: Mapped[str] = mapped_column(String(200))
    appointing_region: Mapped[str] = mapped_column(String(32))
    term_start: Mapped[date]
    term_end: Mapped[date | None]
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)


class Referral(Versioned, db.Model):
    __tablename__ = "panel_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    referring_trust: Mapped[str] = mapped_column(String(200))
    # The trusts chosen from panel_health_trusts (None: registered as free text before the list, not matched).
    referring_trust_id: Mapped[int | None] = mapped_column(ForeignKey("panel_health_trusts.id"))
    home_trust_id: Mapped[int | None] = mapped_column(ForeignKey("panel_health_trusts.id"))
    referring_department: Mapped[str | None] = mapped_column(String(200))
    referring_doctor: Mapped[str] = mapped_column(String(200))
    referred_on: Mapped[date]
    from_regional_hospital: Mapped[bool]
    regional_review_by: Mapped[str | None] = mapped_column(String(300))
    regional_review_on: Mapped[date | None]
    icd10: Mapped[str] = mapped_column(String(8))
    condition: Mapped[str] = mapped_column(Text)
    treatments_tried: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    complete_on: Mapped[date]                       # the 14-day answer deadline counts from here
    due_on: Mapped[date]
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("case_deadlines.id"))
    status: Mapped[ReferralStatus] = mapped_column(index=True)
    outcome: Mapped[Outcome | None]
    flag: Mapped[str | None] = mapped_column(Text)   # a Nye Metoder decision the secretariat must look at
    flagged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The secretariat's approval of the statement as it stands (answers and treatments); a later change to them
    # withdraws it, and the statement is sent only when approved.
    statement_approved_at: Mapped[datetime | None]
    statement_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    participants: Mapped[list["Participant"]] = relationship(order_by="Participant.id")
    answers: Mapped[list["Answer"]] = relationship(order_by="Answer.question")
    items: Mapped[list["TreatmentItem"]] = relationship(order_by="TreatmentItem.id")
    statements: Mapped[list["Statement"]] = relationship(order_by="Statement.id")
    feedback: Mapped[list["Feedback"]] = relationship(order_by="Feedback.received_on")
    principled_questions: Mapped[list["PrincipledQuestion"]] = relationship(order_by="PrincipledQuestion.id")
    contributions: Mapped[list["Contribution"]] = relationship(order_by="Contribution.id")
    statement_approved_by = relationship("User", foreign_keys=[statement_approved_by_id])
    referring_trust_record: Mapped[HealthTrust | None] = relationship(foreign_keys=[referring_trust_id])
    home_trust: Mapped[HealthTrust | None] = relationship(foreign_keys=[home_trust_id])
    ending: Mapped["Ending | None"] = relationship(uselist=False)

    def answer(self, question: int) -> "Answer | None":
        return next((answer for answer in self.answers if answer.question == question), None)

    @property
    def current_items(self) -> list["TreatmentItem"]:
        """The items the statement gives: those not withdrawn."""
        return [item for item in self.items if not item.withdrawn]


class Participant(db.Model):
    """A panel member or a co-opted expert working on one referral."""

    __tablename__ = "panel_participants"
    __table_args__ = (UniqueConstraint("referral_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("panel_members.id"))
    expert_name: Mapped[str | None] = mapped_column(String(200))
    expert_specialty: Mapped[str | None] = mapped_column(String(200))
    expert_hospital: Mapped[str | None] = mapped_column(String(200))

    member: Mapped[PanelMember | None] = relationship()

    @property
    def is_expert(self) -> bool:
        return self.member_id is None


class Answer(Versioned, db.Model):
    """Findings and advice on one of the mandate's four questions."""

    __tablename__ = "panel_answers"
    __table_args__ = (UniqueConstraint("referral_id", "question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    question: Mapped[int]
    findings: Mapped[str | None] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)


class Contribution(db.Model):
    """A participating member's draft of the findings and advice on one question, or a comment on it. The
    secretariat adopts a draft into the panel's answer; drafts and comments are kept as written."""

    __tablename__ = "panel_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    question: Mapped[int]
    kind: Mapped[ContributionKind]
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    findings: Mapped[str | None] = mapped_column(Text)
    advice: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    adopted_at: Mapped[datetime | None]
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author = relationship("User", foreign_keys=[author_id])


class TreatmentItem(db.Model):
    """A treatment considered under one of the questions, classified, with the panel's advice and
    the Nye Metoder check made when it was recorded."""

    __tablename__ = "panel_treatment_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    question: Mapped[int]
    treatment: Mapped[str] = mapped_column(String(300))
    classification: Mapped[Classification]
    advice: Mapped[Advice]
    method_reference: Mapped[str | None] = mapped_column(String(16))    # the Nye Metoder method concerned
    registry_id: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(100))
    nordic: Mapped[bool] = mapped_column(default=False)
    inclusion_criteria: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    evidence_of_effect: Mapped[str | None] = mapped_column(Text)        # off-label advice: what documents the effect
    # Experimental treatment outside a study that the advice points to: what the trust must have in place.
    trust_decided_by: Mapped[str | None] = mapped_column(String(200))
    funding: Mapped[str | None] = mapped_column(Text)
    consent: Mapped[str | None] = mapped_column(Text)
    treatment_plan: Mapped[str | None] = mapped_column(Text)
    knowledge_generation: Mapped[str | None] = mapped_column(Text)
    methods_check: Mapped[dict | None] = mapped_column(JSON)            # {"state": ..., "decided_on": ...}
    # Items are never changed or deleted; a wrong one is withdrawn (with a reason) and a corrected one recorded.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Statement(db.Model):
    """The advisory statement sent to the treating doctor and the trusts involved."""

    __tablename__ = "panel_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    sent_on: Mapped[date]
    recipients: Mapped[list] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("case_journal_entries.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who took part, as named in the letter: "name, specialty, hospital" of each member and co-opted expert.
    participants: Mapped[list | None] = mapped_column(JSON, default=list)   # None: sent before they were kept
    copies: Mapped[list | None] = mapped_column(JSON)   # «Kopi til» (the mandate, part V); None: sent before


class Ending(db.Model):
    """How a referral ended without (or after) the statement: refused as outside the mandate, withdrawn, or
    closed. Each is set by services.end_referral with a reason and a letter filed on the case."""

    __tablename__ = "panel_referral_endings"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), unique=True)
    status: Mapped[ReferralStatus]
    ground: Mapped[RefusalGround | None]
    reason: Mapped[str] = mapped_column(Text)
    ended_on: Mapped[date]
    recipients: Mapped[list] = mapped_column(JSON)
    copies: Mapped[list] = mapped_column(JSON)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("case_journal_entries.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(db.Model):
    """How the treating doctor followed the advice."""

    __tablename__ = "panel_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    received_on: Mapped[date]
    followed: Mapped[str] = mapped_column(String(16))      # yes, partly, no
    summary: Mapped[str] = mapped_column(Text)


class PrincipledQuestion(db.Model):
    """A new question of principle a case raised (listed in the annual report)."""

    __tablename__ = "panel_principled_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("panel_referrals.id"), index=True)
    raised_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
