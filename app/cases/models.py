"""The case core's tables: cases, patients, journal, documents, deadlines and the audit log's seals.

Noark 5 names in comments (M-numbers) say which catalogue field a column carries.
"""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, Versioned, utcnow
from app.extensions import db


class CaseKind(LabelledEnum):
    METHOD = "method", "Metodesak"
    PANEL_REFERRAL = "panel_referral", "Henvisning til ekspertpanelet"
    ABROAD_APPLICATION = "abroad_application", "Søknad om behandling i utlandet"
    ABROAD_APPEAL = "abroad_appeal", "Klage, behandling i utlandet"
    # A request from the public to see a post of the journal (offentleglova § 29), registered at the unit that
    # owns the post (app/cases/public_journal.py).
    ACCESS_REQUEST = "access_request", "Innsynskrav"
    # A patient's request for the access log (pasientjournalloven § 18), handled by the admin role (app.admin).
    ACCESS_LOG_REQUEST = "access_log_request", "Innsyn i logg"

    @property
    def module(self) -> str:
        return {CaseKind.METHOD: "methods", CaseKind.PANEL_REFERRAL: "panel",
                CaseKind.ACCESS_REQUEST: "access", CaseKind.ACCESS_LOG_REQUEST: "privacy"}.get(self, "abroad")

    @property
    def concerns_patient(self) -> bool:
        return self not in (CaseKind.METHOD, CaseKind.ACCESS_REQUEST)

    @property
    def page_endpoint(self) -> str | None:
        """The module's page for one case, by case id (methods are found by their reference instead)."""
        return {CaseKind.PANEL_REFERRAL: "panel.referral", CaseKind.ABROAD_APPLICATION: "abroad.application",
                CaseKind.ABROAD_APPEAL: "abroad.appeal",
                CaseKind.ACCESS_LOG_REQUEST: "admin.access_log_request"}.get(self)


class CaseStatus(LabelledEnum):
    """saksstatus (M052)."""

    CREATED = "R", "Opprettet"
    IN_PROGRESS = "B", "Under behandling"
    FINISHED_BY_CASEWORKER = "F", "Ferdig fra saksbehandler"
    CLOSED = "A", "Avsluttet"
    DISCARDED = "U", "Utgår"


class SequenceCounter(db.Model):
    """Per-year counters for case numbers and journal sequence numbers, incremented in the
    same transaction as the row that takes the number: no gaps, no duplicates."""

    __tablename__ = "case_sequence_counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class Patient(Versioned, db.Model):
    __tablename__ = "case_patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    national_id: Mapped[str | None] = mapped_column(String(11), unique=True)  # fødselsnummer or D-number
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date]
    municipality: Mapped[str | None] = mapped_column(String(100))
    home_region: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"


@dataclass(frozen=True)
class RegisteredPatient:
    """The patient as registered on one case: the person (`id`, `national_id`) and the facts the caseworker
    registered with the case. A national ID names one person, whose row is shared by every case about them,
    but what one case shows is what was registered with it, never what another office or the panel
    registered (Normen: need-to-know). `differs` names the facts that disagree with the person's row when
    they were registered (a discrepancy for the data-quality list); it is empty on facts read back from a case."""

    id: int
    national_id: str | None
    name: str
    birth_date: date
    municipality: str | None
    home_region: str
    differs: tuple[str, ...] = ()
    street: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None


class Case(Versioned, db.Model):
    """saksmappe: number = saksår (M011) / sakssekvensnummer (M012)."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        # The key a module's row refers to when it keeps a copy of the case's unit for its own lists' access
        # rule (app.cases.access.visible_records): (case_id, unit) must name a case with that unit.
        Index("ux_cases_id_unit", "id", "unit", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    sequence: Mapped[int]
    kind: Mapped[CaseKind] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300))                 # tittel (M020)
    public_title: Mapped[str] = mapped_column(String(300))          # offentligTittel (M025)
    status: Mapped[CaseStatus] = mapped_column(index=True)          # saksstatus (M052)
    unit: Mapped[str] = mapped_column(String(32), index=True)       # administrativEnhet (M305)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # saksansvarlig
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("case_patients.id"), index=True)
    access_code: Mapped[str | None] = mapped_column(String(8))      # tilgangsrestriksjon (M500)
    legal_basis: Mapped[str | None] = mapped_column(String(200))    # skjermingshjemmel (M501)
    case_date: Mapped[date]                                         # saksdato (M100)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # The patient as registered with this case (RegisteredPatient); `person` is the shared row.
    patient_name: Mapped[str | None] = mapped_column(String(200))
    patient_birth_date: Mapped[date | None]
    patient_municipality: Mapped[str | None] = mapped_column(String(100))
    patient_home_region: Mapped[str | None] = mapped_column(String(32))
    patient_street: Mapped[str | None] = mapped_column(String(200))
    patient_postal_code: Mapped[str | None] = mapped_column(String(4))
    patient_postal_place: Mapped[str | None] = mapped_column(String(100))

    person: Mapped[Patient | None] = relationship()
    responsible = relationship("User", foreign_keys=[responsible_id])
    status_changes: Mapped[list["CaseStatusChange"]] = relationship(
        back_populates="case", order_by="CaseStatusChange.id")
    journal_entries: Mapped[list["JournalEntry"]] = relationship(
        back_populates="case", order_by="JournalEntry.number_in_case")
    documents: Mapped[list["Document"]] = relationship(back_populates="case", order_by="Document.id")
    deadlines: Mapped[list["Deadline"]] = relationship(back_populates="case", order_by="Deadline.due_date")
    assignments: Mapped[list["CaseAssignment"]] = relationship(back_populates="case")

    @property
    def is_screened(self) -> bool:
        return self.access_code is not None

    @property
    def patient(self) -> RegisteredPatient | None:
        """The patient as registered with this case (what its pages, letters and the API show)."""
        if self.patient_id is None:
            return None
        return RegisteredPatient(id=self.patient_id, national_id=self.person.national_id, name=self.patient_name,
                                 birth_date=self.patient_birth_date, municipality=self.patient_municipality,
                                 home_region=self.patient_home_region, street=self.patient_street,
                                 postal_code=self.patient_postal_code, postal_place=self.patient_postal_place)

    def __repr__(self) -> str:
        return f"<Case {self.number}>"


class PatientDiscrepancy(Versioned, db.Model):
    """A case registered for a known person (by national ID) with another name, birth date or home region
    than the person's row holds. The case keeps what was registered; the data-quality list (admin) shows
    both sides, which no caseworker may see together."""

    __tablename__ = "case_patient_discrepancies"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("case_patients.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    fields: Mapped[list] = mapped_column(JSON)                      # e.g. ["name", "home_region"]
    registered_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Patient] = relationship()
    case: Mapped[Case] = relationship()


class FactsEntryKind(LabelledEnum):
    CHANGE = "change", "Endring"          # the facts changed from a date (moved, new name)
    CORRECTION = "correction", "Retting"  # the facts were registered wrong (a typo)


class PatientFactsEntry(Versioned, db.Model):
    """One entry of a patient's history, recorded through a case (`case_id`): a change (new facts from
    `valid_from`: name, address, municipality, home region) or a correction of facts registered earlier, with
    its old and new values (`changes`). The facts valid on a date are the newest registration or change valid
    then (app/cases/patient_facts.py); a correction edits what it corrects and stays here as its trace."""

    __tablename__ = "case_patient_facts"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("case_patients.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[FactsEntryKind]
    valid_from: Mapped[date]
    name: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(4))
    postal_place: Mapped[str | None] = mapped_column(String(100))
    municipality: Mapped[str | None] = mapped_column(String(100))
    home_region: Mapped[str | None] = mapped_column(String(32))
    changes: Mapped[dict] = mapped_column(JSON)                    # field -> [old, new]
    reason: Mapped[str] = mapped_column(Text)
    corrected_entry_id: Mapped[int | None] = mapped_column(ForeignKey("case_patient_facts.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recorded_by = relationship("User")
    case: Mapped[Case] = relationship()


class Guardian(Versioned, db.Model):
    """A guardian (verge or foresatt) of a patient, from `valid_from` until `valid_to` (open: still), recorded
    through a case: the letters' addressee instead of the patient (app/cases/patient_facts.letter_addressees)."""

    __tablename__ = "case_patient_guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("case_patients.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(4))
    postal_place: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class CaseStatusChange(db.Model):
    __tablename__ = "case_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_status: Mapped[CaseStatus | None]
    to_status: Mapped[CaseStatus]
    comment: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="status_changes")
    by = relationship("User")


class CaseAssignment(db.Model):
    """Decision-based access (Normen): a user given access to one case, e.g. a panel member."""

    __tablename__ = "case_assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="assignments")
    user = relationship("User", foreign_keys=[user_id])


class JournalEntryType(LabelledEnum):
    """journalposttype (M082)."""

    INCOMING = "I", "Inngående dokument"
    OUTGOING = "U", "Utgående dokument"
    NOTE_WITH_FOLLOW_UP = "N", "Organinternt dokument for oppfølging"
    NOTE = "X", "Organinternt dokument uten oppfølging"

    @property
    def needs_follow_up(self) -> bool:
        return self in (JournalEntryType.INCOMING, JournalEntryType.NOTE_WITH_FOLLOW_UP)


class JournalStatus(LabelledEnum):
    """journalstatus (M053): where the post is in its life. A post is «Journalført» when registered, an
    outgoing letter «Ekspedert» (it is filed when sent), a note without follow-up «Ferdigstilt fra
    saksbehandler», and every post of a closed case «Arkivert» (services.archive_posts)."""

    REGISTERED = "J", "Journalført"
    FINISHED = "F", "Ferdigstilt fra saksbehandler"
    APPROVED = "G", "Godkjent av leder"
    DISPATCHED = "E", "Ekspedert"
    ARCHIVED = "A", "Arkivert"
    DISCARDED = "U", "Utgår"

    @classmethod
    def on_registration(cls, entry_type: JournalEntryType) -> "JournalStatus":
        return {JournalEntryType.OUTGOING: cls.DISPATCHED, JournalEntryType.NOTE: cls.FINISHED}.get(
            entry_type, cls.REGISTERED)


class PartyType(LabelledEnum):
    """korrespondanseparttype (M087)."""

    SENDER = "EA", "Avsender"
    RECIPIENT = "EM", "Mottaker"
    COPY_RECIPIENT = "EK", "Kopimottaker"
    INTERNAL_SENDER = "IA", "Intern avsender"
    INTERNAL_RECIPIENT = "IM", "Intern mottaker"

    @classmethod
    def default_for(cls, entry_type: JournalEntryType) -> "PartyType":
        """The party of an incoming document sent it; the party of any other post receives it."""
        return {JournalEntryType.INCOMING: cls.SENDER, JournalEntryType.OUTGOING: cls.RECIPIENT}.get(
            entry_type, cls.INTERNAL_RECIPIENT)


class JournalEntry(Versioned, db.Model):
    """journalpost: registration number = case number + "-" + number in case (M004)."""

    __tablename__ = "case_journal_entries"
    __table_args__ = (UniqueConstraint("case_id", "number_in_case"), UniqueConstraint("year", "sequence"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    number_in_case: Mapped[int]                                     # journalpostnummer (M015)
    year: Mapped[int]                                               # journalaar (M013)
    sequence: Mapped[int]                                           # journalsekvensnummer (M014)
    entry_type: Mapped[JournalEntryType]
    journal_status: Mapped[JournalStatus]                           # journalstatus (M053)
    journal_date: Mapped[date]                                      # journaldato (M101)
    document_date: Mapped[date | None]                              # dokumentetsDato (M103)
    party_name: Mapped[str | None] = mapped_column(String(200))     # korrespondansepartNavn (M400)
    party_type: Mapped[PartyType | None]                            # korrespondanseparttype (M087)
    party_street: Mapped[str | None] = mapped_column(String(200))   # postadresse (M406)
    party_postal_code: Mapped[str | None] = mapped_column(String(4))  # postnummer (M407)
    party_postal_place: Mapped[str | None] = mapped_column(String(100))  # poststed (M408)
    # skjermingMetadata (M502) «Skjerming navn avsender/mottaker»: the party is screened on its own, e.g. the
    # patient as the sender of an application, while the post's public title may still be shown.
    party_screened: Mapped[bool] = mapped_column(default=False, server_default=false())
    title: Mapped[str] = mapped_column(String(300))
    public_title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    follow_up_done_at: Mapped[datetime | None]                      # avskrivningsdato (M617)
    follow_up_method: Mapped[str | None] = mapped_column(String(8))  # avskrivningsmaate (M619)
    follow_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="journal_entries")
    documents: Mapped[list["Document"]] = relationship(back_populates="journal_entry")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def registration_number(self) -> str:
        return f"{self.case.number}-{self.number_in_case}"

    @property
    def awaits_follow_up(self) -> bool:
        return self.entry_type.needs_follow_up and self.follow_up_done_at is None


class DisposalDecision(LabelledEnum):
    """kassasjonsvedtak (M450)."""

    KEEP = "B", "Bevares"
    DISPOSE = "K", "Kasseres"
    REVIEW_LATER = "V", "Vurderes senere"


class ArchiveClass(db.Model):
    """klasse (M002) in the simple class scheme: one class per case kind, so each module's cases are filed
    under its own classes, with the disposal decision (kassasjon, M450-M453) an extraction states for them.
    The trust's archive plan (bevarings- og kassasjonsplan) sets the decisions; the migration's values are the
    defaults it is asked to confirm."""

    __tablename__ = "case_archive_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[CaseKind] = mapped_column(unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)      # klasseID (M002)
    title: Mapped[str] = mapped_column(String(200))                 # tittel (M020)
    disposal: Mapped[DisposalDecision]                              # kassasjonsvedtak (M450)
    retention_years: Mapped[int | None]                             # bevaringstid (M452), with K
    disposal_authority: Mapped[str] = mapped_column(String(200))    # kassasjonshjemmel (M453)


class Document(db.Model):
    """dokumentbeskrivelse; its files are versions (dokumentobjekt), never overwritten."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("case_journal_entries.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="documents")
    journal_entry: Mapped[JournalEntry | None] = relationship(back_populates="documents")
    versions: Mapped[list["DocumentVersion"]] = relationship(   # selectin: a document list costs one query more
        back_populates="document", order_by="DocumentVersion.version_number", lazy="selectin")

    @property
    def current_version(self) -> "DocumentVersion":
        return self.versions[-1]


class DocumentVersion(db.Model):
    __tablename__ = "case_document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("case_documents.id"), index=True)
    version_number: Mapped[int]                                     # versjonsnummer (M005)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100))             # mimeType (M716)
    size_bytes: Mapped[int]                                         # filstoerrelse (M707)
    sha256: Mapped[str] = mapped_column(String(64))                 # sjekksum (M705), SHA-256 (M706)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    document: Mapped[Document] = relationship(back_populates="versions")
    created_by = relationship("User")


class StoredFile(db.Model):
    """File contents for the database storage backend, addressed by their SHA-256."""

    __tablename__ = "case_stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Deadline(Versioned, db.Model):
    __tablename__ = "case_deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date] = mapped_column(index=True)
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="deadlines")
    responsible = relationship("User", foreign_keys=[responsible_id])

    def is_overdue(self, today: date) -> bool:
        return self.done_at is None and self.due_date < today


class SavedFilter(db.Model):
    """A list's filter, search and sort saved under a name by one user: the list's endpoint and the
    query string of its URL. It holds no personal data, and sharing it is sharing the link."""

    __tablename__ = "case_saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "endpoint", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))   # led by the unique constraint's index
    endpoint: Mapped[str] = mapped_column(String(64))               # the list's route, e.g. "abroad.applications"
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(2000))                # "status=B&sort=tittel", no paging
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditSeal(db.Model):
    """The hash chain over the audit log: each sealed event's hash covers its content and the previous
    seal's hash, so a changed, removed or reordered row breaks the chain (app/cases/audit_chain.py).
    Append-only in the database, like the log itself."""

    __tablename__ = "audit_seals"

    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), unique=True)
    row_hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(default=utcnow)

