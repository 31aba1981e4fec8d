"""Treatment-abroad tables (abroad_*): applications and referrals, medical opinions, cost entries and
appeals (pasient- og brukerrettighetsloven § 2-4a; appeals under forvaltningsloven §§ 28-31).

Every step keeps its own date, because the annual statistics count each step in the year it happened.
The first-instance decision is kept apart from the current status: a refusal reversed on appeal is
granted now, but still counts as refused in the year's first-instance figures.
"""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    column,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.interface import CaseStatus
from app.db import LabelledEnum, Versioned, utcnow
from app.extensions import db


class Stream(LabelledEnum):
    APPLICATION = "application", "Søknad (pbrl. § 2-4a)"
    PGD = "pgd", "Preimplantasjonsdiagnostikk (PGD)"
    PARTICLE_THERAPY = "particle_therapy", "Partikkelterapi"
    NORDIC_DRUG_PROTOCOL = "nordic_drug_protocol", "Nordisk legemiddelprotokoll for barn"
    # S3 § 4: the offices' common application and refund form; the treatment has already been given
    REFUND = "refund", "Refusjon etter behandling (felles søknads- og refusjonsskjema)"

    @property
    def has_decision(self) -> bool:
        """Particle therapy and the Nordic protocols are referred by others; the office administers them. An
        application, PGD and a refund after treatment included, is decided one by one."""
        return self in (Stream.APPLICATION, Stream.PGD, Stream.REFUND)

    @property
    def office_decides(self) -> bool:
        """PGD is approved by others (S3 § 4.1, § 5.2: PGD-nemnda until 30.6.2020, then Oslo
        universitetssykehus or St. Olavs hospital); the office records their approval and administers the
        treatment abroad, with no decision letter of its own and no appeal to Klagenemnda."""
        return self in (Stream.APPLICATION, Stream.REFUND)


PGD_BOARD_LAST_DAY = date(2020, 6, 30)   # S3 § 5.2: the PGD board's approvals ended on 1 July 2020


class ApprovingBody(LabelledEnum):
    """Who approves PGD (bioteknologiloven; S3 § 5.2)."""

    PGD_BOARD = "pgd_board", "Preimplantasjonsdiagnostikknemnda (PGD-nemnda)"
    OUS = "ous", "Oslo universitetssykehus"
    ST_OLAV = "st_olav", "St. Olavs hospital"

    def approves_on(self, day: date) -> bool:
        """The board approved up to 30.6.2020; the two hospitals from 1.7.2020."""
        return (day <= PGD_BOARD_LAST_DAY) is (self is ApprovingBody.PGD_BOARD)


class TreatmentClass(LabelledEnum):
    ESTABLISHED = "established", "Etablert behandling"
    TRIAL = "trial", "Utprøvende, i klinisk studie"
    EXPERIMENTAL = "experimental", "Utprøvende, utenfor klinisk studie"

    @property
    def experimental(self) -> bool:
        return self is not TreatmentClass.ESTABLISHED


class ApplicationStatus(LabelledEnum):
    RECEIVED = "received", "Mottatt"
    IN_PREPARATION = "in_preparation", "Under saksforberedelse"
    GRANTED = "granted", "Innvilget"
    DENIED = "denied", "Avslått"
    WITHDRAWN = "withdrawn", "Trukket"
    REFERRED = "referred", "Henvist – administreres av kontoret"
    COMPLETED = "completed", "Behandling avsluttet"
    FORWARDED = "forwarded", "Oversendt rett instans"

    @property
    def case_status(self) -> CaseStatus:
        """The core case's status (saksstatus) that follows from this one. A decided application stays open for
        its treatment, costs and appeals, so it is «Ferdig fra saksbehandler», not closed; a referral is
        administered by the office."""
        if self is ApplicationStatus.RECEIVED:
            return CaseStatus.CREATED
        if self in (ApplicationStatus.IN_PREPARATION, ApplicationStatus.REFERRED):
            return CaseStatus.IN_PROGRESS
        return CaseStatus.FINISHED_BY_CASEWORKER


OPEN_STATUSES = (ApplicationStatus.RECEIVED, ApplicationStatus.IN_PREPARATION)
# Applications a caseworker still works on: being prepared, or granted/referred and being administered.
ACTIVE_STATUSES = (*OPEN_STATUSES, ApplicationStatus.GRANTED, ApplicationStatus.REFERRED)


class ForwardedTo(LabelledEnum):
    """The scheme an application belongs to when it is not this one (S3 § 1): it is forwarded there, not refused
    (forvaltningsloven § 4, the duty to guide)."""

    HELFO_EEA_REFUND = "helfo_eea_refund", ("Helfo – refusjon av helsehjelp mottatt i et annet EØS-land "
                                            "(pasientrettighetsdirektivet 2011/24/EU)")
    HELFO_S2 = "helfo_s2", "Helfo – forhåndsgodkjent planlagt behandling i et annet EØS-land (blankett S2)"
    HELFO_ABROAD_STAY = "helfo_ftrl_5_24", "Helfo – helsehjelp under opphold i utlandet (folketrygdloven § 5-24)"
    TREATMENT_TRAVEL = "treatment_travel", "Seksjon for behandlingsreiser, Oslo universitetssykehus"
    OTHER = "other", "Annen instans"


class Decision(LabelledEnum):
    GRANTED = "granted", "Innvilget"
    # The treatment is granted, but not all that was asked (DecisionPart says what was refused, and why)
    PARTIAL = "partial", "Delvis innvilget"
    DENIED = "denied", "Avslått"
    WITHDRAWN = "withdrawn", "Trukket"

    @property
    def grants(self) -> bool:
        """The treatment is granted: in full, or in part (the patient is treated abroad either way)."""
        return self in (Decision.GRANTED, Decision.PARTIAL)

    @property
    def status(self) -> "ApplicationStatus":
        """The application's status after the decision: a partial grant is granted, with its refused parts."""
        return ApplicationStatus.GRANTED if self.grants else ApplicationStatus(self.value)


class DecisionItem(LabelledEnum):
    """What an application asks for, itemised as a partial grant decides it (S3 § 1, § 4.1: the treatment, at a
    hospital, with travel and stay covered, and a companion where the patient needs one)."""

    TREATMENT = "treatment", "Behandlingen"
    HOSPITAL = "hospital", "Behandlingsstedet det er søkt om"
    COMPANION = "companion", "Ledsager"
    TRAVEL = "travel", "Reiseutgifter"
    STAY = "stay", "Oppholdsutgifter"


def appeal_refused(decision: "Decision | None", status: ApplicationStatus, stream: Stream, *,
                   named: str = "Søknaden") -> str | None:
    """Why the application's decision cannot be appealed, or None when it can (forvaltningsloven § 28: a party
    may appeal an individual decision). A refusal is appealed while it stands; a grant too (its hospital,
    companion or cover), and a partial grant (its refused parts), while granted or after the treatment. A refusal
    reversed on appeal is not appealed again, nor is a withdrawn or undecided application. PGD is not the office's
    decision, so it is not appealed to Klagenemnda through the office (Stream.office_decides). `named` names the
    application in the message."""
    if stream is Stream.PGD:
        return (f"{named} gjelder preimplantasjonsdiagnostikk (PGD), som godkjennes av PGD-nemnda (til 30.06.2020) "
                "eller Oslo universitetssykehus og St. Olavs hospital, ikke av utenlandskontoret. Godkjenningen kan "
                "ikke påklages til Klagenemnda for behandling i utlandet gjennom kontoret.")
    if decision is Decision.DENIED and status is ApplicationStatus.DENIED:
        return None
    if decision is not None and decision.grants and status in (ApplicationStatus.GRANTED,
                                                                ApplicationStatus.COMPLETED):
        return None
    if decision is Decision.DENIED:
        return (f"{named} er «{status.label.lower()}»: avslaget er omgjort etter klage, og vedtaket kan ikke "
                "påklages på nytt.")
    return f"Bare et vedtak om innvilgelse eller avslag kan påklages. {named} er «{status.label.lower()}»."


class CostCategory(LabelledEnum):
    TREATMENT = "treatment", "Behandling"
    TRAVEL = "travel", "Reise"
    STAY = "stay", "Opphold"
    OTHER = "other", "Annet"

    @property
    def decision_item(self) -> DecisionItem | None:
        """The part of a partial grant that covers costs of this kind (travel and stay are covered as granted)."""
        return {CostCategory.TRAVEL: DecisionItem.TRAVEL, CostCategory.STAY: DecisionItem.STAY}.get(self)


class Application(Versioned, db.Model):
    """An application (or, in the referral streams, a referral) handled by one office."""

    __tablename__ = "abroad_applications"
    __table_args__ = (
        Index("ix_abroad_applications_office_received", "office", "received_on", "id"),
        Index("ix_abroad_applications_region_received", "home_region", "received_on"),
        # The annual report counts a stream's applications received in a year (app/abroad/statistics.py).
        Index("ix_abroad_applications_stream_received", "stream", "received_on"),
        # The office is the case's unit, so the list's access rule can read it here (and use the index above):
        # the database refuses an application whose office is not its case's unit.
        ForeignKeyConstraint(["case_id", "office"], ["cases.id", "cases.unit"], onupdate="CASCADE",
                             name="fk_abroad_applications_case_office"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)   # external / legacy reference
    stream: Mapped[Stream] = mapped_column(index=True)
    home_region: Mapped[str] = mapped_column(String(32))     # the patient's region when the application came
    office: Mapped[str] = mapped_column(String(32))          # the office that handles it
    received_on: Mapped[date]
    child: Mapped[bool]                                       # younger than 18 on the received date
    applicant: Mapped[str | None] = mapped_column(String(200))
    referring_doctor: Mapped[str | None] = mapped_column(String(200))
    referring_hospital: Mapped[str | None] = mapped_column(String(200))
    requested_treatment: Mapped[str | None] = mapped_column(Text)
    requested_where: Mapped[str | None] = mapped_column(String(200))
    treatment_class: Mapped[TreatmentClass]
    # What a grant of experimental treatment rests on (ensure_may_be_granted): the trial's registry ID, or for
    # treatment outside a trial the grounds of the exception.
    trial_registry_id: Mapped[str | None] = mapped_column(String(32))
    exception_grounds: Mapped[str | None] = mapped_column(Text)
    icd10: Mapped[str] = mapped_column(String(8))
    icd10_chapter: Mapped[str] = mapped_column(String(8))     # "O00-O99": the statistics group by it
    method_reference: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(index=True)
    # The first-instance decision
    decision: Mapped[Decision | None]
    decided_on: Mapped[date | None]
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    # PGD: `decision` and `decided_on` are the approving body's (Stream.office_decides), with its reference
    approving_body: Mapped[ApprovingBody | None]
    approval_reference: Mapped[str | None] = mapped_column(String(60))
    reasoning: Mapped[str | None] = mapped_column(Text)
    method_check: Mapped[dict | None] = mapped_column(JSON)   # the Nye Metoder status shown at the decision
    letter_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    # Forwarded to the scheme it belongs to (app/abroad/forwarding.py); the letter is `letter_document_id`
    forwarded_to: Mapped[ForwardedTo | None]
    forwarded_to_name: Mapped[str | None] = mapped_column(String(200))    # the body, when OTHER
    forwarded_on: Mapped[date | None]
    forwarding_reason: Mapped[str | None] = mapped_column(Text)
    # A Nye Metoder decision the caseworker must look at
    flag: Mapped[str | None] = mapped_column(Text)
    flagged_at: Mapped[datetime | None]
    # After a grant (or for a referral): where and how. `hospital_id` is the register's hospital; `hospital` its
    # name as the plan or the import gave it.
    hospital_id: Mapped[int | None] = mapped_column(ForeignKey("abroad_hospitals.id"), index=True)
    hospital: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))    # ISO 3166 alpha-2
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]
    travel_arrangements: Mapped[str | None] = mapped_column(Text)
    stay_arrangements: Mapped[str | None] = mapped_column(Text)
    companion: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    opinions: Mapped[list["MedicalOpinion"]] = relationship(order_by="MedicalOpinion.requested_on")
    costs: Mapped[list["CostEntry"]] = relationship(order_by="(CostEntry.entry_date, CostEntry.id)")
    appeals: Mapped[list["Appeal"]] = relationship(back_populates="application", order_by="Appeal.received_on")
    decision_notes: Mapped[list["DecisionNote"]] = relationship(order_by="DecisionNote.id")
    decision_parts: Mapped[list["DecisionPart"]] = relationship(order_by="DecisionPart.id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def appealable(self) -> bool:
        return appeal_refused(self.decision, self.status, self.stream) is None

    @property
    def treatment_may_be_planned(self) -> bool:
        return self.status in (ApplicationStatus.GRANTED, ApplicationStatus.REFERRED, ApplicationStatus.COMPLETED)

    @property
    def reversed_cost_ids(self) -> set[int]:
        """The costs a reversal has credited."""
        return {cost.reverses_id for cost in self.costs if cost.reverses_id is not None}

    @property
    def total_nok(self) -> Decimal:
        return sum((cost.amount_nok for cost in self.costs), Decimal(0))


class ForeignHospital(Versioned, db.Model):
    """A hospital abroad in the offices' register (S3 § 3.3, § 4.1): the treatment plan and the import name it, so
    the annual report counts a hospital once, however its name was spelt. `agreements` are the offices'
    agreements with it (settlement, SOPs for referral, discharge, reporting and payment)."""

    __tablename__ = "abroad_hospitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))    # ISO 3166 alpha-2; unknown for an imported name
    city: Mapped[str | None] = mapped_column(String(100))
    agreements: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    names: Mapped[list["HospitalName"]] = relationship(back_populates="hospital", order_by="HospitalName.spelling")


class HospitalName(Versioned, db.Model):
    """A spelling of a hospital's name, as typed or imported, mapped to the register by its normalised form
    (app/abroad/hospitals.py). A mapping made by the data migration or an import waits for the office's review."""

    __tablename__ = "abroad_hospital_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    normalised: Mapped[str] = mapped_column(String(200), unique=True)
    spelling: Mapped[str] = mapped_column(String(200))
    hospital_id: Mapped[int] = mapped_column(ForeignKey("abroad_hospitals.id"), index=True)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    hospital: Mapped[ForeignHospital] = relationship(back_populates="names")


class MedicalOpinion(Versioned, db.Model):
    """A request to a Norwegian specialist community for its opinion on the application."""

    __tablename__ = "abroad_medical_opinions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("abroad_applications.id"), index=True)
    requested_from: Mapped[str] = mapped_column(String(300))
    question: Mapped[str] = mapped_column(Text)
    requested_on: Mapped[date]
    due_on: Mapped[date]
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("case_deadlines.id"))
    received_on: Mapped[date | None]
    conclusion: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))   # the statement as received
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CostEntry(db.Model):
    """One cost. Statistics count it in the year of `entry_date`, for the application's home region.

    A cost is never deleted or changed: a wrong one is corrected by a reversal (a credit with the negative
    amount) that names the entry it reverses. An entry has at most one reversal, and a reversal is not reversed;
    a negative amount exists only as a reversal (the database holds both rules)."""

    __tablename__ = "abroad_cost_entries"
    __table_args__ = (
        CheckConstraint("(reverses_id IS NULL AND amount > 0 AND amount_nok > 0) OR "
                        "(reverses_id IS NOT NULL AND amount < 0 AND amount_nok < 0)",
                        name="negative_only_as_reversal"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("abroad_applications.id"), index=True)
    entry_date: Mapped[date] = mapped_column(index=True)
    category: Mapped[CostCategory]
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    amount_nok: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    invoice_reference: Mapped[str | None] = mapped_column(String(100))
    invoice_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))   # the invoice filed
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("abroad_cost_entries.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)          # why a reversal was booked
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class DecisionNote(db.Model):
    """A fact the first-instance decision rests on (diagnosis, received date, type of case) corrected after the
    decision: the decision stands as made, and this note tells what changed, when, by whom and why."""

    __tablename__ = "abroad_decision_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("abroad_applications.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(300))
    new_value: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    created_by = relationship("User")


class DecisionPart(db.Model):
    """One item of what was asked, as a partial grant decided it (Decision.PARTIAL): granted, or refused with the
    reason the letter gives. A refused hospital names the hospital granted instead (from the register). Written
    once, with the decision; an appeal that reverses the refusal leaves the first-instance record as it was."""

    __tablename__ = "abroad_decision_parts"
    __table_args__ = (
        UniqueConstraint("application_id", "item"),
        CheckConstraint("granted OR reason IS NOT NULL", name="refused_with_reason"),
        CheckConstraint("instead_hospital_id IS NULL OR (item = 'hospital' AND NOT granted)",
                        name="instead_only_for_refused_hospital"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("abroad_applications.id"), index=True)
    item: Mapped[DecisionItem]
    granted: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)          # why it was refused
    instead_hospital_id: Mapped[int | None] = mapped_column(ForeignKey("abroad_hospitals.id"))

    instead_hospital: Mapped[ForeignHospital | None] = relationship()


class AppealStatus(LabelledEnum):
    RECEIVED = "received", "Til behandling ved kontoret"
    DISMISSED_LATE = "dismissed_late", "Avvist – for sent"
    REVERSED_BY_OFFICE = "reversed_by_office", "Omgjort av kontoret"
    FORWARDED = "forwarded", "Oversendt Klagenemnda"
    UPHELD_BY_BOARD = "upheld_by_board", "Stadfestet av nemnda"
    REVERSED_BY_BOARD = "reversed_by_board", "Omgjort av nemnda"
    PARTLY_REVERSED_BY_BOARD = "partly_reversed_by_board", "Delvis omgjort av nemnda"
    QUASHED_BY_BOARD = "quashed_by_board", "Opphevet og sendt tilbake av nemnda"
    DISMISSED_BY_BOARD = "dismissed_by_board", "Avvist av nemnda"
    WITHDRAWN = "withdrawn", "Trukket"

    @property
    def case_status(self) -> CaseStatus:
        """The appeal case's status (saksstatus): under way while at the office or at Klagenemnda, finished when
        decided, closed (avsluttet) when the patient withdraws it: nothing more will be done in it."""
        if self is AppealStatus.RECEIVED:
            return CaseStatus.CREATED
        if self is AppealStatus.WITHDRAWN:
            return CaseStatus.CLOSED
        return CaseStatus.IN_PROGRESS if self is AppealStatus.FORWARDED else CaseStatus.FINISHED_BY_CASEWORKER


# An appeal under way: at the office, or forwarded to Klagenemnda. One decision has at most one.
OPEN_APPEAL_STATUSES = (AppealStatus.RECEIVED, AppealStatus.FORWARDED)
_OPEN_APPEAL = column("status").in_([status.value for status in OPEN_APPEAL_STATUSES])


class OfficeOutcome(LabelledEnum):
    REVERSED = "reversed", "Omgjort – kontoret innvilger"
    FORWARDED = "forwarded", "Opprettholdt og oversendt Klagenemnda"
    # Not a choice of the reconsideration: set by the § 31 assessment (assess_late_appeal), a decision of its own
    DISMISSED_LATE = "dismissed_late", "Avvist – klagen kom for sent (forvaltningsloven § 31)"


RECONSIDERATION_OUTCOMES = (OfficeOutcome.REVERSED, OfficeOutcome.FORWARDED)


class BoardOutcome(LabelledEnum):
    """Klagenemnda's decision (forvaltningsloven § 34): it upholds, reverses in whole or in part, quashes and sends
    the case back to the office for a new decision, or dismisses the complaint without trying it."""

    UPHELD = "upheld", "Stadfestet"
    REVERSED = "reversed", "Omgjort"
    PARTLY_REVERSED = "partly_reversed", "Delvis omgjort"
    QUASHED = "quashed", "Opphevet og sendt tilbake til kontoret"
    DISMISSED = "dismissed", "Avvist"

    @property
    def grants(self) -> bool:
        """A reversal, whole or partial, of a refusal grants the application (what is granted is the board's)."""
        return self in (BoardOutcome.REVERSED, BoardOutcome.PARTLY_REVERSED)

    @property
    def status(self) -> AppealStatus:
        return {BoardOutcome.UPHELD: AppealStatus.UPHELD_BY_BOARD,
                BoardOutcome.REVERSED: AppealStatus.REVERSED_BY_BOARD,
                BoardOutcome.PARTLY_REVERSED: AppealStatus.PARTLY_REVERSED_BY_BOARD,
                BoardOutcome.QUASHED: AppealStatus.QUASHED_BY_BOARD,
                BoardOutcome.DISMISSED: AppealStatus.DISMISSED_BY_BOARD}[self]


class Appeal(Versioned, db.Model):
    """A complaint against a decision (a refusal, or a grant's terms): its own case (klagesak) at the office that
    decided."""

    __tablename__ = "abroad_appeals"
    __table_args__ = (
        # One appeal under way per decision (at the office or with Klagenemnda), enforced by the database, so
        # two requests registering an appeal at the same moment cannot both succeed.
        Index("uq_abroad_appeals_open_application", "application_id", unique=True,
              sqlite_where=_OPEN_APPEAL, postgresql_where=_OPEN_APPEAL),
        # The appeal list's access rule reads the office here, as the application list's does (its count and page
        # use the index below without joining cases); the database keeps the office equal to the case's unit.
        Index("ix_abroad_appeals_office_received", "office", "received_on", "id"),
        ForeignKeyConstraint(["case_id", "office"], ["cases.id", "cases.unit"], onupdate="CASCADE",
                             name="fk_abroad_appeals_case_office"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("abroad_applications.id"), index=True)
    office: Mapped[str] = mapped_column(String(32))          # the office that handles it: the case's unit
    # The decision complained of, as it was when the complaint came: a decision quashed by Klagenemnda is replaced
    # by the office's new one on the application, and this appeal still concerns (and is counted by) the first.
    appealed_decision: Mapped[Decision]
    appealed_decided_on: Mapped[date]
    received_on: Mapped[date] = mapped_column(index=True)
    notified_on: Mapped[date]                  # when the patient received the decision letter
    deadline_on: Mapped[date]                  # four weeks later, on a working day
    late: Mapped[bool]
    late_assessment: Mapped[str | None] = mapped_column(Text)   # forvaltningsloven § 31
    consider_late: Mapped[bool | None]
    grounds: Mapped[str | None] = mapped_column(Text)
    letter_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))   # the complaint filed
    status: Mapped[AppealStatus] = mapped_column(index=True)
    office_outcome: Mapped[OfficeOutcome | None]
    office_decided_on: Mapped[date | None]     # the reversal, or the forward to the board
    office_reasoning: Mapped[str | None] = mapped_column(Text)
    forwarding_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    # The office's own decision letter to the patient: the § 31 dismissal (avvisningsvedtak) or the reversal (§ 33)
    office_letter_document_id: Mapped[int | None] = mapped_column(ForeignKey("case_documents.id"))
    board_outcome: Mapped[BoardOutcome | None]
    board_decided_on: Mapped[date | None]
    board_reference: Mapped[str | None] = mapped_column(String(40))
    # What a partial reversal changed, why the board quashed or dismissed
    board_summary: Mapped[str | None] = mapped_column(Text)
    # Quashed: the office's deadline for the new decision, on the application's case
    new_decision_deadline_id: Mapped[int | None] = mapped_column(ForeignKey("case_deadlines.id"))
    withdrawn_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="appeals")
    new_decision_deadline = relationship("Deadline")

    @property
    def against_grant(self) -> bool:
        """The complaint is against a grant (its terms), not a refusal: a reversal changes the grant."""
        return self.appealed_decision is Decision.GRANTED

    @hybrid_property
    def awaiting_late_assessment(self) -> bool:
        return self.late and self.consider_late is None

    @awaiting_late_assessment.inplace.expression
    @classmethod
    def _awaiting_late_assessment(cls):
        """The same in SQL: the appeal list's page reads it as a column."""
        return and_(cls.late, cls.consider_late.is_(None))

    @property
    def at_office(self) -> bool:
        return self.status is AppealStatus.RECEIVED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPEAL_STATUSES


class StandardPhrase(Versioned, db.Model):
    """A standard phrase an office keeps for its letters (title and text), inserted into a decision's reasoning
    on the decision form. Each office has its own, edited by its caseworkers."""

    __tablename__ = "abroad_standard_phrases"
    __table_args__ = (UniqueConstraint("office", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
