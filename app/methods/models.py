"""Nye Metoder tables (method_*): methods, submissions, input, the suitability assessment,
forum meetings, Bestillerforum's ordering decisions and commissions, Beslutningsforum's
decisions (amended as new versions, never overwritten) and their follow-up assignments."""
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.interface import CaseStatus
from app.db import LabelledEnum, Versioned, utcnow
from app.extensions import db


class MethodType(LabelledEnum):
    DRUG = "legemidler", "Legemidler"
    DEVICE = "utstyr", "Medisinsk utstyr, diagnostikk og tester"
    PROCEDURE = "prosedyrer", "Prosedyrer og organisatoriske tiltak"


class MethodStatus(LabelledEnum):
    """Stages a method passes through: proposal, input, suitability assessment, ordering in Bestillerforum,
    the national assessment, price negotiation, clearance and Beslutningsforum's decision."""

    RECEIVED = "received", "Forslag mottatt"
    OPEN_FOR_INPUT = "open_for_input", "Åpen for innspill"
    SUITABILITY = "suitability", "Egnethetsvurdering pågår"
    AWAITING_ORDERING = "awaiting_ordering", "Til behandling i Bestillerforum"
    NOT_COMMISSIONED = "not_commissioned", "Ikke bestilt"
    ASSESSMENT = "assessment", "Metodevurdering pågår"
    PRICE_NEGOTIATION = "price_negotiation", "Prisforhandling"
    CLEARANCE = "clearance", "Til klarering i Bestillerforum"
    FOR_DECISION = "for_decision", "Til beslutning"
    DECIDED = "decided", "Beslutning fattet"
    REASSESSMENT = "reassessment", "Revurdering"
    CLOSED = "closed", "Avsluttet"

    @property
    def case_status(self) -> CaseStatus:
        """The core case's status (saksstatus) that follows from this one."""
        if self is MethodStatus.RECEIVED:
            return CaseStatus.CREATED
        if self in (MethodStatus.DECIDED, MethodStatus.NOT_COMMISSIONED):
            return CaseStatus.FINISHED_BY_CASEWORKER
        return CaseStatus.CLOSED if self is MethodStatus.CLOSED else CaseStatus.IN_PROGRESS


class SubmissionKind(LabelledEnum):
    PROPOSAL = "forslag", "Forslag"
    REQUEST = "anmodning", "Anmodning om vurdering"
    ALERT = "metodevarsel", "Metodevarsel"


class Forum(LabelledEnum):
    BESTILLERFORUM = "bestillerforum", "Bestillerforum"
    BESLUTNINGSFORUM = "beslutningsforum", "Beslutningsforum"


class OrderingKind(LabelledEnum):
    """What Bestillerforum may decide for a method: a national assessment of one of three kinds, a local
    mini-HTA, another commission, or nothing."""

    FULL_HTA = "full_hta", "Fullstendig metodevurdering"
    SINGLE_TECHNOLOGY = "single_technology", "Metodevurdering basert på innsendt dokumentasjon"
    SIMPLIFIED = "simplified", "Forenklet metodevurdering"
    MINI_HTA_LOCAL = "mini_hta_local", "Mini-metodevurdering (lokalt)"
    NOT_COMMISSIONED = "not_commissioned", "Ikke bestilt"
    OTHER_COMMISSION = "other_commission", "Annet oppdrag"

    @property
    def commissions(self) -> bool:
        """Whether the decision starts a national commission."""
        return self in (OrderingKind.FULL_HTA, OrderingKind.SINGLE_TECHNOLOGY, OrderingKind.SIMPLIFIED,
                        OrderingKind.OTHER_COMMISSION)


class DecisionOutcome(LabelledEnum):
    INTRODUCED = "introduced", "Innføres"
    INTRODUCED_WITH_CONDITIONS = "introduced_with_conditions", "Innføres med vilkår/begrensninger"
    NOT_INTRODUCED = "not_introduced", "Innføres ikke"


class SimplifiedApproach(LabelledEnum):
    """The sub-type of ordering recommendation 3 (a simplified methodological approach): the form's drop-down
    list («Velg et element.» in S2), as the simplified assessments Bestillerforum orders are published."""

    EFFECT_SAFETY = "effekt_sikkerhet", "Effekt og sikkerhet"
    COSTS = "kostnader", "Kostnader og budsjettkonsekvenser"
    EFFECT_SAFETY_COSTS = "effekt_sikkerhet_kostnader", "Effekt, sikkerhet og kostnader"


class DecidedBy(LabelledEnum):
    BESLUTNINGSFORUM = "beslutningsforum", "Beslutningsforum"
    MEDICAL_DIRECTORS = "fagdirektorene", "Fagdirektørene i de regionale helseforetakene"


class Method(Versioned, db.Model):
    __tablename__ = "method_methods"
    __table_args__ = (UniqueConstraint("year", "sequence", "suffix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)   # ID2025_102
    year: Mapped[int]
    sequence: Mapped[int]
    suffix: Mapped[str] = mapped_column(String(1), default="")
    title: Mapped[str] = mapped_column(String(300))
    generic_name: Mapped[str | None] = mapped_column(String(300))
    atc_code: Mapped[str | None] = mapped_column(String(7), index=True)   # a drug's ATC code, e.g. L01FF02
    product_names: Mapped[str | None] = mapped_column(Text)
    manufacturers: Mapped[str | None] = mapped_column(Text)
    indication: Mapped[str | None] = mapped_column(Text)              # bruksområde
    method_type: Mapped[MethodType]
    subject_areas: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[MethodStatus] = mapped_column(index=True)
    earlier_method_id: Mapped[int | None] = mapped_column(ForeignKey("method_methods.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    earlier_method: Mapped["Method | None"] = relationship(remote_side=[id])
    submissions: Mapped[list["Submission"]] = relationship(back_populates="method", order_by="Submission.received_on")
    inputs: Mapped[list["MethodInput"]] = relationship(back_populates="method", order_by="MethodInput.received_on")
    status_changes: Mapped[list["MethodStatusChange"]] = relationship(order_by="MethodStatusChange.id")
    assessment: Mapped["SuitabilityAssessment | None"] = relationship(back_populates="method")
    ordering_decisions: Mapped[list["OrderingDecision"]] = relationship(
        back_populates="method", order_by="OrderingDecision.decided_on")
    commissions: Mapped[list["Commission"]] = relationship(back_populates="method", order_by="Commission.id")
    decisions: Mapped[list["ForumDecision"]] = relationship(
        back_populates="method", order_by="ForumDecision.decided_on, ForumDecision.id",
        foreign_keys="ForumDecision.method_id")
    comments: Mapped[list["MethodComment"]] = relationship(order_by="MethodComment.id")
    price_notes: Mapped[list["PriceNote"]] = relationship(order_by="PriceNote.received_on")

    @property
    def current_decision(self) -> "ForumDecision | None":
        superseded = {decision.supersedes_id for decision in self.decisions}
        current = [decision for decision in self.decisions if decision.id not in superseded]
        return current[-1] if current else None

    def __repr__(self) -> str:
        return f"<Method {self.reference}>"


class MethodStatusChange(db.Model):
    __tablename__ = "method_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    on: Mapped[date]
    from_status: Mapped[MethodStatus | None]
    to_status: Mapped[MethodStatus]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)


class Submission(db.Model):
    """A proposal, a supplier's request or a method alert that brought the method in."""

    __tablename__ = "method_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    kind: Mapped[SubmissionKind]
    organisation: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    received_on: Mapped[date]

    method: Mapped[Method] = relationship(back_populates="submissions")


class MethodInput(db.Model):
    """Innspill: input anyone may send at any stage."""

    __tablename__ = "method_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    received_on: Mapped[date]
    sender: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)

    method: Mapped[Method] = relationship(back_populates="inputs")


class MethodComment(db.Model):
    """A Bestillerforum member's (or the secretariat's) comment on a method; internal."""

    __tablename__ = "method_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author = relationship("User")


class SuitabilityAssessment(Versioned, db.Model):
    """Egnethetsvurdering: every field of the FHI/DMP form (laid out in app/methods/assessment_layout.py)."""

    __tablename__ = "method_suitability_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), unique=True)
    author_body: Mapped[str] = mapped_column(String(8))              # FHI or DMP
    document_version: Mapped[str] = mapped_column(String(20), default="1.0")
    # 1. Status og oppsummering
    summary: Mapped[str | None] = mapped_column(Text)
    pico_population: Mapped[str | None] = mapped_column(Text)
    pico_comparator: Mapped[str | None] = mapped_column(Text)
    pico_intervention: Mapped[str | None] = mapped_column(Text)
    pico_outcome: Mapped[str | None] = mapped_column(Text)
    suggested_experts: Mapped[str | None] = mapped_column(Text)
    approvals: Mapped[list] = mapped_column(JSON, default=list)      # markedsforingstillatelse, fda, ce
    approval_comment: Mapped[str | None] = mapped_column(Text)
    financing: Mapped[list] = mapped_column(JSON, default=list)      # spesialisthelsetjenesten, folketrygd, ...
    usage_stage: Mapped[list] = mapped_column(JSON, default=list)    # under_utvikling, under_innforing, revurdering
    usage_comment: Mapped[str | None] = mapped_column(Text)
    usage_scope: Mapped[list] = mapped_column(JSON, default=list)    # brukes_i_norge, brukes_i_eu, ...
    recommendation: Mapped[int | None]                               # 1, 2 or 3
    recommended_aspects: Mapped[list] = mapped_column(JSON, default=list)
    simplified_approach: Mapped[SimplifiedApproach | None]
    recommendation_comment: Mapped[str | None] = mapped_column(Text)
    # 2. Punktoppsummering
    points_method: Mapped[str | None] = mapped_column(Text)
    points_documentation: Mapped[str | None] = mapped_column(Text)
    points_health_economics: Mapped[str | None] = mapped_column(Text)
    points_recommendation: Mapped[str | None] = mapped_column(Text)
    links: Mapped[str | None] = mapped_column(Text)
    # 3. Beskrivelse av metoden
    description_principle: Mapped[str | None] = mapped_column(Text)
    description_benefit: Mapped[str | None] = mapped_column(Text)
    description_safety: Mapped[str | None] = mapped_column(Text)
    description_population: Mapped[str | None] = mapped_column(Text)
    description_current_treatment: Mapped[str | None] = mapped_column(Text)
    description_health_economics: Mapped[str | None] = mapped_column(Text)
    # 4. Dokumentasjonsgrunnlag
    relevant_studies: Mapped[str | None] = mapped_column(Text)
    hta_national: Mapped[str | None] = mapped_column(Text)
    hta_international: Mapped[str | None] = mapped_column(Text)
    systematic_reviews_count: Mapped[int | None]
    method_alerts: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    method: Mapped[Method] = relationship(back_populates="assessment")
    trials: Mapped[list["OngoingTrial"]] = relationship(order_by="OngoingTrial.id", cascade="all, delete-orphan")
    references: Mapped[list["AssessmentReference"]] = relationship(
        order_by="AssessmentReference.position", cascade="all, delete-orphan")


class AssessmentReference(Versioned, db.Model):
    """An entry of the assessment's numbered reference list: the text cites it as [position] (or [1, 3], [2–4])."""

    __tablename__ = "method_assessment_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("method_suitability_assessments.id"), index=True)
    position: Mapped[int]                                            # its number in the list, 1…n
    citation: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))             # an address, or a DOI (10.1000/xyz)


class OngoingTrial(Versioned, db.Model):
    """A row of table 4.2 Pågående kliniske studier."""

    __tablename__ = "method_ongoing_trials"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("method_suitability_assessments.id"), index=True)
    population: Mapped[str] = mapped_column(Text)
    participants: Mapped[int | None]
    intervention: Mapped[str] = mapped_column(Text)
    control: Mapped[str | None] = mapped_column(Text)
    main_outcome: Mapped[str | None] = mapped_column(Text)
    # NCT06719037, EudraCT 2020-001234-12, EU CT 2023-500001-12-00
    registry_id: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(100))
    estimated_completion: Mapped[str | None] = mapped_column(String(20))   # "09.2025"
    recruitment_status: Mapped[str | None] = mapped_column(String(100))


class Meeting(Versioned, db.Model):
    __tablename__ = "method_meetings"
    __table_args__ = (UniqueConstraint("forum", "meeting_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    forum: Mapped[Forum]
    meeting_date: Mapped[date]
    proposal_deadline: Mapped[date | None]
    input_deadline: Mapped[date | None]
    minutes: Mapped[str | None] = mapped_column(Text)

    agenda_items: Mapped[list["AgendaItem"]] = relationship(back_populates="meeting", order_by="AgendaItem.number")
    papers: Mapped[list["MeetingPaper"]] = relationship(back_populates="meeting", order_by="MeetingPaper.id")

    @property
    def label(self) -> str:
        return f"{self.forum.label} {self.meeting_date:%d.%m.%Y}"

    @property
    def published(self) -> list["MeetingPaper"]:
        """The papers the public pages may show: the latest filing of each kind, when it was published."""
        latest = {paper.kind: paper for paper in self.papers}
        return [paper for paper in latest.values() if paper.published]


class MeetingPaperKind(LabelledEnum):
    NOTICE = "innkalling", "Innkalling og saksliste"
    MINUTES = "protokoll", "Protokoll"


class MeetingPaper(db.Model):
    """A meeting's papers as filed: the notice with the agenda and the items' suitability assessments, or the
    minutes (protokoll) after the meeting. The PDF is filed in the journal of each agenda method's case
    (`document_ids`); a published paper is one the public pages show (Meeting.published), as a public copy
    rendered without named experts, draft assessments or the printer's name (meeting_papers.render_public_paper)."""

    __tablename__ = "method_meeting_papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("method_meetings.id"), index=True)
    kind: Mapped[MeetingPaperKind]
    filed_on: Mapped[date]
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published: Mapped[bool] = mapped_column(default=True)
    document_ids: Mapped[list] = mapped_column(JSON, default=list)

    meeting: Mapped[Meeting] = relationship(back_populates="papers")

    @property
    def title(self) -> str:
        return f"{self.kind.label} – {self.meeting.label}"


# The methods an agenda item covers: one item may take up several methods together (S1: «Sak 031-2025» covers
# ID2022_131, ID2022_132 and ID2022_133).
agenda_item_methods = Table(
    "method_agenda_item_methods", db.metadata,
    Column("agenda_item_id", ForeignKey("method_agenda_items.id", ondelete="CASCADE"), primary_key=True),
    Column("method_id", ForeignKey("method_methods.id"), primary_key=True, index=True),
)


class AgendaItem(db.Model):
    """Sak NNN-YYYY: numbered per forum and year, covering one or more methods. An item taken up again at a
    later meeting («Saken ble på nytt tatt opp») is a new row on that meeting that keeps the number and points
    to the item it resumes; only a first hearing takes a number."""

    __tablename__ = "method_agenda_items"
    __table_args__ = (
        Index("uq_method_agenda_items_forum_year_number", "forum", "year", "number", unique=True,
              sqlite_where=text("resumes_id IS NULL"), postgresql_where=text("resumes_id IS NULL")),
        UniqueConstraint("meeting_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("method_meetings.id"), index=True)
    forum: Mapped[Forum]
    year: Mapped[int]
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    resumes_id: Mapped[int | None] = mapped_column(ForeignKey("method_agenda_items.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    methods: Mapped[list[Method]] = relationship(secondary=agenda_item_methods, order_by=Method.reference)
    resumes: Mapped["AgendaItem | None"] = relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"Sak {self.number:03d}-{self.year}"

    @property
    def references(self) -> str:
        """«ID2022_131, ID2022_132, ID2022_133»."""
        return ", ".join(method.reference for method in self.methods)


class OrderingDecision(db.Model):
    """Bestillerforum's decision on what to commission for a method; one per method on the agenda item."""

    __tablename__ = "method_ordering_decisions"
    __table_args__ = (UniqueConstraint("agenda_item_id", "method_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("method_agenda_items.id"))
    kind: Mapped[OrderingKind]
    assessing_body: Mapped[str | None] = mapped_column(String(100))
    aspects: Mapped[list] = mapped_column(JSON, default=list)
    due_on: Mapped[date | None]
    reasoning: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    method: Mapped[Method] = relationship(back_populates="ordering_decisions")
    agenda_item: Mapped[AgendaItem] = relationship()


class Commission(Versioned, db.Model):
    """An assessment or report Bestillerforum commissioned, and what was delivered."""

    __tablename__ = "method_commissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    ordering_decision_id: Mapped[int | None] = mapped_column(ForeignKey("method_ordering_decisions.id"))
    kind: Mapped[OrderingKind]
    assessing_body: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date]
    due_on: Mapped[date | None]
    delivered_on: Mapped[date | None]

    method: Mapped[Method] = relationship(back_populates="commissions")
    reports: Mapped[list["CommissionReport"]] = relationship(order_by="CommissionReport.id")


class CommissionReport(db.Model):
    """A delivered report. Its title and date are always published; its file (`document_id`, on the method's
    case) only when the secretariat marks it `published`: the version delivered may hold confidential prices
    (offl. § 13), so a file is internal until someone has said it is the public version."""

    __tablename__ = "method_commission_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("method_commissions.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    delivered_on: Mapped[date]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    published: Mapped[bool] = mapped_column(default=False, server_default=false())


class PriceNote(db.Model):
    """Sykehusinnkjøp's price note: confidential (offl. § 13 jf. fvl. § 13 første ledd nr. 2);
    only the Nye Metoder secretariat sees it."""

    __tablename__ = "method_price_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    received_on: Mapped[date]
    content: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ForumDecision(db.Model):
    """A Beslutningsforum decision. An amendment is a new row that supersedes the old one."""

    __tablename__ = "method_forum_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("method_methods.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("method_agenda_items.id"))
    decided_by: Mapped[DecidedBy]
    decided_on: Mapped[date]
    outcome: Mapped[DecisionOutcome]
    preamble: Mapped[str | None] = mapped_column(Text)
    points: Mapped[list] = mapped_column(JSON, default=list)
    conditions: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date | None]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("method_forum_decisions.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    method: Mapped[Method] = relationship(back_populates="decisions", foreign_keys=[method_id])
    agenda_item: Mapped[AgendaItem | None] = relationship()
    supersedes: Mapped["ForumDecision | None"] = relationship(remote_side=[id])
    follow_ups: Mapped[list["FollowUpAssignment"]] = relationship(back_populates="decision",
                                                                  order_by="FollowUpAssignment.id")


class FollowUpAssignment(Versioned, db.Model):
    """Work a decision orders, e.g. an inter-regional working group with a mandate and deadline."""

    __tablename__ = "method_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("method_forum_decisions.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(300))
    members: Mapped[list] = mapped_column(JSON, default=list)           # [{"name": ..., "role": ...}]
    mandate_questions: Mapped[list] = mapped_column(JSON, default=list)
    secretariat: Mapped[str | None] = mapped_column(String(300))
    reporting_line: Mapped[str | None] = mapped_column(String(300))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="open")     # open, delivered, cancelled
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("case_deadlines.id"))

    decision: Mapped[ForumDecision] = relationship(back_populates="follow_ups")


class MemberRole(LabelledEnum):
    """Where a person sits in a working group (S1: the leader and members, the reference group that is heard
    underway, and the resource group the group may call on)."""

    LEADER = "leder", "Leder"
    MEMBER = "medlem", "Medlem"
    REFERENCE_GROUP = "referansegruppe", "Referansegruppe"
    RESOURCE_GROUP = "ressursgruppe", "Ressursgruppe"


class NominatingBody(LabelledEnum):
    """Who proposed a member (S1: the regional health authorities, the professional societies, a national
    competence service, the regional user committees, the union representatives)."""

    RHF = "rhf", "Regionalt helseforetak (RHF)"
    HF = "hf", "Helseforetak (HF)"
    PROFESSIONAL = "fagmiljo", "Fagmiljø eller fagmedisinsk forening"
    COMPETENCE_SERVICE = "kompetansetjeneste", "Nasjonal kompetansetjeneste"
    USER_ORGANISATION = "brukerorganisasjon", "Brukerorganisasjon eller brukerutvalg"
    UNION = "tillitsvalgte", "Tillitsvalgte"
    OTHER = "annet", "Annet"


# The methods a working group covers: one group may cover several (S1: ID2022_131, ID2022_132 and ID2022_133).
working_group_methods = Table(
    "method_working_group_methods", db.metadata,
    Column("working_group_id", ForeignKey("method_working_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("method_id", ForeignKey("method_methods.id"), primary_key=True, index=True),
)


class WorkingGroup(Versioned, db.Model):
    """An inter-regional working group the medical directors appoint (S1): its mandate and composition, approved
    by «Interregionalt fagdirektørmøte»; the basis document (grunnlagsdokument, a document on one of its methods'
    cases) and who leads writing it; and its report, the mandate's questions with sub-questions, each answered.
    `report_questions` is [{"title": ..., "sub_questions": [...]}]; `report_answers` maps «1.2» (question 1,
    sub-question 2) to the answer."""

    __tablename__ = "method_working_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    mandate: Mapped[str | None] = mapped_column(Text)
    reports_to: Mapped[str] = mapped_column(String(300))
    secretariat: Mapped[str | None] = mapped_column(String(300))
    due_on: Mapped[date | None]
    approved_on: Mapped[date | None]        # composition and mandate approved by Interregionalt fagdirektørmøte
    basis_document_lead: Mapped[str | None] = mapped_column(String(300))
    basis_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    report_questions: Mapped[list] = mapped_column(JSON, default=list)
    report_answers: Mapped[dict] = mapped_column(JSON, default=dict)
    report_delivered_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    methods: Mapped[list[Method]] = relationship(secondary=working_group_methods, order_by=Method.reference)
    members: Mapped[list["WorkingGroupMember"]] = relationship(
        back_populates="working_group", order_by="WorkingGroupMember.id", cascade="all, delete-orphan")

    @property
    def references(self) -> str:
        """«ID2022_131, ID2022_132, ID2022_133»."""
        return ", ".join(method.reference for method in self.methods)

    def __repr__(self) -> str:
        return f"<WorkingGroup {self.id} {self.title[:40]}>"


class WorkingGroupMember(db.Model):
    """A person in a working group, with the body that nominated them. Staff's names: shown to logged-in readers
    of the methods only, never on the public pages."""

    __tablename__ = "method_working_group_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    working_group_id: Mapped[int] = mapped_column(ForeignKey("method_working_groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(300))       # «Regional fagdirektør, Helse Midt-Norge RHF»
    role: Mapped[MemberRole]
    nominated_by: Mapped[NominatingBody | None]
    nominating_organisation: Mapped[str | None] = mapped_column(String(200))   # «Norsk kirurgisk forening»

    working_group: Mapped[WorkingGroup] = relationship(back_populates="members")
