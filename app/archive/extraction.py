"""The Noark 5 archive extraction (arkivuttrekk, Noark 5 v5.0): the XML files of one period, built from the
case core's rows as they stand.

- `arkivstruktur.xml`: arkiv → arkivdel per module → klassifikasjonssystem → klasse per case kind (with its
  kassasjon) → saksmappe per case opened in the period (saksdato) → journalpost per post, a plain
  registrering for a document filed on no post → dokumentbeskrivelse → dokumentobjekt per stored version.
- `endringslogg.xml`: the audit log's field changes to those cases and their posts after registration.
- `loependeJournal.xml` and `offentligJournal.xml`: the posts journaled in the period; the public one with the
  public titles and screened parties masked.

Codes are written as their readable text, as the catalogue asks of an extraction (docs/archive.md). Every
systemID is a UUID derived from the row's id, so extracting the same period twice gives the same IDs.
"""
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from lxml import etree
from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import User
from app.cases.interface import (
    ACCESS_LABELS,
    FOLLOW_UP_METHODS,
    SCREENING_BASIS_PERSONAL,
    ArchiveClass,
    Case,
    CaseStatus,
    CaseStatusChange,
    DisposalDecision,
    Document,
    DocumentVersion,
    JournalEntry,
    JournalEntryType,
    PublicPost,
    journal_party,
    party_screening_text,
    post_screening,
    public_journal_entries,
    read_version,
)
from app.core.audit import AuditAction, AuditEvent
from app.core.regions import UNITS
from app.errors import DomainError
from app.extensions import db
from app.pdf import pdfa_level

NOARK = "http://www.arkivverket.no/standarder/noark5/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SYSTEM_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://helsesak.no/noark5")
CREATOR_ID = "helsesak"
CREATOR_NAME = "Helsesak: Nye Metoder, ekspertpanelet og behandling i utlandet"
SYSTEM_USER = "Helsesak"
NO_VALUE = "(ingen verdi)"
MODULE_TITLES = {"methods": "Nye Metoder", "panel": "Ekspertpanelet", "abroad": "Behandling i utlandet",
                 "access": "Innsynskrav", "privacy": "Innsyn i logg"}
FORMATS = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "text/plain": "TXT",
           "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
           "application/vnd.oasis.opendocument.text": "ODT"}
EXTENSIONS = {"PDF": "pdf", "PNG": "png", "JPEG": "jpg", "TXT": "txt", "DOCX": "docx", "XLSX": "xlsx", "ODT": "odt"}
# The audit log's field names and the Noark metadata they change (referanseMetadata, M681).
METADATA_NAMES = {"title": "tittel", "public_title": "offentligTittel", "status": "saksstatus",
                  "responsible_id": "saksansvarlig", "access_code": "tilgangsrestriksjon",
                  "legal_basis": "skjermingshjemmel", "journal_status": "journalstatus",
                  "follow_up_method": "avskrivningsmaate"}
ANNOTATIONS = {"comment", "reason"}   # what a change row says about itself, not a changed value


class ArchiveError(DomainError):
    """The extraction cannot be made (a document missing or changed on disk, a bad output directory)."""


def system_id(kind: str, key) -> str:
    return str(uuid.uuid5(SYSTEM_IDS, f"{kind}:{key}"))


def timestamp(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ArchiveError("Til-datoen kan ikke være før fra-datoen.")

    @property
    def label(self) -> str:
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"


@dataclass(frozen=True)
class DocumentFile:
    """One document version as written to `dokumenter/`."""

    path: str            # relative to the deposit, e.g. "dokumenter/12-1.pdf"
    format: str          # format (M701)
    variant: str         # variantformat (M700)


@dataclass
class Extraction:
    """What an extraction writes: the XML files by name, the document files, and counts per file."""

    period: Period
    made_at: datetime
    xml: dict[str, bytes] = field(default_factory=dict)
    documents: list[DocumentFile] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


class Writer:
    """Element helpers bound to one namespace."""

    def __init__(self, schema: str) -> None:
        self.ns = NOARK + schema

    def root(self, tag: str):
        return etree.Element(f"{{{self.ns}}}{tag}", nsmap={None: self.ns, "xsi": XSI})

    def add(self, parent, tag: str, text=None):
        node = etree.SubElement(parent, f"{{{self.ns}}}{tag}")
        if text is not None:
            node.text = str(text)
        return node

    def add_all(self, parent, pairs: Iterable[tuple[str, object]]) -> None:
        """Child elements in order, leaving out the optional ones without a value."""
        for tag, value in pairs:
            if value is not None and value != "":
                self.add(parent, tag, value)

    def typed(self, parent, tag: str, xsi_type: str):
        node = self.add(parent, tag)
        node.set(f"{{{XSI}}}type", xsi_type)
        return node


def serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


class Source:
    """The rows of one period, read once: the cases opened in it with their posts, documents and changes, the
    posts journaled in it, the archive classes and the users' names."""

    def __init__(self, period: Period) -> None:
        self.period = period
        in_period = and_(Case.case_date >= period.start, Case.case_date <= period.end)
        case_ids = select(Case.id).where(in_period).scalar_subquery()
        self.cases = db.session.scalars(
            select(Case).where(in_period).options(selectinload(Case.journal_entries), selectinload(Case.person))
            .order_by(Case.year, Case.sequence)).all()
        self.journal = db.session.scalars(
            select(JournalEntry).join(Case).where(JournalEntry.journal_date >= period.start,
                                                  JournalEntry.journal_date <= period.end)
            .options(contains_eager(JournalEntry.case).selectinload(Case.person))
            .order_by(JournalEntry.year, JournalEntry.sequence)).all()
        self.public_journal = db.session.scalars(
            public_journal_entries(start=period.start, end=period.end)
            .order_by(JournalEntry.year, JournalEntry.sequence)).all()
        self.documents: dict[int, list[Document]] = defaultdict(list)
        for document in db.session.scalars(select(Document).where(Document.case_id.in_(case_ids))
                                           .order_by(Document.created_at, Document.id)):
            self.documents[document.case_id].append(document)
        self.closed: dict[int, CaseStatusChange] = {}   # the change that closed a case still closed
        for change in db.session.scalars(
                select(CaseStatusChange).where(CaseStatusChange.case_id.in_(case_ids))
                .order_by(CaseStatusChange.id)):
            if change.to_status in (CaseStatus.CLOSED, CaseStatus.DISCARDED):
                self.closed[change.case_id] = change
            else:
                self.closed.pop(change.case_id, None)
        self.classes = {archive_class.kind: archive_class for archive_class in db.session.scalars(
            select(ArchiveClass).order_by(ArchiveClass.code))}
        self.users = dict(db.session.execute(select(User.id, User.name)).all())
        self.changes = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE,
                                     AuditEvent.case_id.in_(case_ids)).order_by(AuditEvent.id)).all()
        self.entry_ids = {entry.id for case in self.cases for entry in case.journal_entries}

    def user(self, user_id: int | None) -> str:
        return self.users.get(user_id) or SYSTEM_USER


def _unit(code: str) -> str:
    return UNITS.get(code, code)


def _access(code: str) -> str:
    return ACCESS_LABELS.get(code, code)


@dataclass(frozen=True)
class Party:
    """A post's correspondence party; a post without one has its unit as the internal party (the journals
    name one on every post)."""

    type: str
    name: str
    street: str | None = None
    postal_code: str | None = None
    postal_place: str | None = None
    screened: bool = False

    @classmethod
    def of(cls, entry: JournalEntry) -> "Party":
        party_type, name = journal_party(entry)
        return cls(party_type.label, name, entry.party_street, entry.party_postal_code, entry.party_postal_place,
                   entry.party_screened)


def document_file(document: Document, version: DocumentVersion) -> tuple[DocumentFile, bytes]:
    """The stored version and its bytes, checked against its checksum; its archival format is stated as it is
    (a PDF/A file says so in its XMP metadata), never converted."""
    try:
        content = read_version(version)
    except Exception as error:   # missing on disk or in the database, or changed: the storage's own error
        raise ArchiveError(f"Sak {document.case.number}: dokumentet «{document.title}» (versjon "
                           f"{version.version_number}) mangler eller er endret i dokumentlageret, og uttrekket "
                           "er stoppet.") from error
    name = FORMATS.get(version.mime_type, version.mime_type)
    variant = "Produksjonsformat"
    if name == "PDF" and (pdfa := pdfa_level(content)):
        name, variant = f"PDF/A-{pdfa}", "Arkivformat"
    extension = EXTENSIONS.get(FORMATS.get(version.mime_type, ""), "bin")
    return DocumentFile(f"dokumenter/{document.id}-{version.version_number}.{extension}", name, variant), content


class ArkivstrukturWriter:
    def __init__(self, source: Source, extraction: Extraction, progress: Callable[[int], None],
                 store: Callable[[str, bytes], None]) -> None:
        self.source = source
        self.extraction = extraction
        self.progress = progress
        self.store = store
        self.w = Writer("arkivstruktur")
        self.counts: dict[str, int] = defaultdict(int)

    def build(self) -> bytes:
        w, period, made = self.w, self.source.period, timestamp(self.extraction.made_at)
        arkiv = w.root("arkiv")
        w.add_all(arkiv, [("systemID", system_id("arkiv", CREATOR_ID)), ("tittel", "Helsesak"),
                          ("beskrivelse", f"Arkivuttrekk for perioden {period.label}"),
                          ("arkivstatus", "Avsluttet"), ("dokumentmedium", "Elektronisk arkiv"),
                          ("opprettetDato", made), ("opprettetAv", SYSTEM_USER),
                          ("avsluttetDato", made), ("avsluttetAv", SYSTEM_USER)])
        creator = w.add(arkiv, "arkivskaper")
        w.add_all(creator, [("arkivskaperID", CREATOR_ID), ("arkivskaperNavn", CREATOR_NAME)])
        by_module: dict[str, list[Case]] = defaultdict(list)
        for case in self.source.cases:
            by_module[case.kind.module].append(case)
        done = 0
        for module, title in MODULE_TITLES.items():
            self.counts["arkivdel"] += 1
            arkivdel = w.add(arkiv, "arkivdel")
            w.add_all(arkivdel, [
                ("systemID", system_id("arkivdel", f"{module}:{period.start}:{period.end}")),
                ("tittel", f"{title} {period.label}"), ("arkivdelstatus", "Avsluttet periode"),
                ("dokumentmedium", "Elektronisk arkiv"), ("opprettetDato", made), ("opprettetAv", SYSTEM_USER),
                ("avsluttetDato", made), ("avsluttetAv", SYSTEM_USER),
                ("arkivperiodeStartDato", period.start.isoformat()),
                ("arkivperiodeSluttDato", period.end.isoformat())])
            classes = [archive_class for kind, archive_class in self.source.classes.items() if kind.module == module]
            if not classes:
                continue
            scheme = w.add(arkivdel, "klassifikasjonssystem")
            w.add_all(scheme, [("systemID", system_id("klassifikasjonssystem", f"{module}:{period.start}")),
                               ("klassifikasjonstype", "Egendefinert"), ("tittel", f"Saksarter, {title}"),
                               ("opprettetDato", made), ("opprettetAv", SYSTEM_USER)])
            for archive_class in classes:
                klasse = self._klasse(scheme, archive_class, made)
                for case in (case for case in by_module[module] if case.kind is archive_class.kind):
                    self._saksmappe(klasse, case, archive_class)
                    done += 1
                    self.progress(done)
        self.extraction.counts["arkivstruktur.xml"] = dict(self.counts)
        return serialise(arkiv)

    def _klasse(self, scheme, archive_class: ArchiveClass, made: str):
        w = self.w
        self.counts["klasse"] += 1
        klasse = w.add(scheme, "klasse")
        decision = archive_class.disposal.label + (
            f" etter {archive_class.retention_years} år" if archive_class.retention_years else "")
        w.add_all(klasse, [("systemID", system_id("klasse", archive_class.code)), ("klasseID", archive_class.code),
                           ("tittel", archive_class.title),
                           ("beskrivelse", f"Kassasjonsvedtak: {decision} ({archive_class.disposal_authority})."),
                           ("opprettetDato", made), ("opprettetAv", SYSTEM_USER)])
        return klasse

    def _saksmappe(self, klasse, case: Case, archive_class: ArchiveClass) -> None:
        w, source = self.w, self.source
        self.counts["mappe"] += 1
        mappe = w.typed(klasse, "mappe", "saksmappe")
        closing = source.closed.get(case.id)
        closed_at = closing.at if closing is not None else None
        w.add_all(mappe, [("systemID", system_id("case", case.id)), ("mappeID", case.number),
                          ("tittel", case.title), ("offentligTittel", case.public_title),
                          ("dokumentmedium", "Elektronisk arkiv"),
                          ("opprettetDato", timestamp(case.created_at)),
                          ("opprettetAv", source.user(case.created_by_id)),
                          ("avsluttetDato", timestamp(closed_at or self.extraction.made_at)),
                          ("avsluttetAv", SYSTEM_USER if closing is None else source.user(closing.by_id))])
        if case.patient is not None:
            part = w.add(mappe, "part")
            w.add_all(part, [("partNavn", case.patient.name), ("partRolle", "Pasient"),
                             ("postadresse", case.patient.street), ("postnummer", case.patient.postal_code),
                             ("poststed", case.patient.postal_place)])
        if closed_at is None:
            note = w.add(mappe, "merknad")
            w.add_all(note, [("merknadstekst", f"Saken var «{case.status.label}» da uttrekket ble laget."),
                             ("merknadstype", "Uttrekk"), ("merknadsdato", timestamp(self.extraction.made_at)),
                             ("merknadRegistrertAv", SYSTEM_USER)])
        if archive_class.disposal is DisposalDecision.DISPOSE and closed_at is not None:
            kassasjon = w.add(mappe, "kassasjon")
            w.add_all(kassasjon, [("kassasjonsvedtak", archive_class.disposal.label),
                                  ("kassasjonshjemmel", archive_class.disposal_authority),
                                  ("bevaringstid", archive_class.retention_years or 0),
                                  ("kassasjonsdato", _years_after(closed_at.date(),
                                                                  archive_class.retention_years or 0).isoformat())])
        if case.is_screened:
            screened = ["Skjerming tittel mappe - utvalgte ord"]
            if case.patient is not None:
                screened.append("Skjerming navn part i sak")
            self._skjerming(mappe, _access(case.access_code), case.legal_basis or SCREENING_BASIS_PERSONAL,
                            screened, whole_documents=True)
        loose = [document for document in source.documents[case.id] if document.journal_entry_id is None]
        for entry in case.journal_entries:
            self._journalpost(mappe, entry, [d for d in source.documents[case.id] if d.journal_entry_id == entry.id])
        for document in loose:
            self._registrering(mappe, case, document)
        w.add_all(mappe, [("saksaar", case.year), ("sakssekvensnummer", case.sequence),
                          ("saksdato", case.case_date.isoformat()), ("administrativEnhet", _unit(case.unit)),
                          ("saksansvarlig", source.user(case.responsible_id) if case.responsible_id
                           else _unit(case.unit)),
                          ("saksstatus", case.status.label)])

    def _skjerming(self, parent, access: str, basis: str, screened: list[str], *, whole_documents: bool) -> None:
        skjerming = self.w.add(parent, "skjerming")
        self.w.add_all(skjerming, [("tilgangsrestriksjon", access), ("skjermingshjemmel", basis)])
        for what in screened:
            self.w.add(skjerming, "skjermingMetadata", what)
        if whole_documents:
            self.w.add(skjerming, "skjermingDokument", "Skjerming av hele dokumentet")

    def _registration_head(self, parent, xsi_type: str | None, key: str, created: datetime, created_by: int | None):
        w = self.w
        self.counts["registrering"] += 1
        node = w.typed(parent, "registrering", xsi_type) if xsi_type else w.add(parent, "registrering")
        w.add_all(node, [("systemID", system_id("registrering", key)), ("opprettetDato", timestamp(created)),
                         ("opprettetAv", self.source.user(created_by)), ("arkivertDato", timestamp(created)),
                         ("arkivertAv", self.source.user(created_by))])
        return node

    def _journalpost(self, mappe, entry: JournalEntry, documents: list[Document]) -> None:
        w = self.w
        self.counts["journalpost"] += 1
        post = self._registration_head(mappe, "journalpost", f"journal:{entry.id}", entry.created_at,
                                       entry.created_by_id)
        if (screening := post_screening(entry)) is not None:
            self._skjerming(post, screening.access, screening.basis, list(screening.what),
                            whole_documents=entry.case.is_screened)
        for number, document in enumerate(documents, start=1):
            self._dokumentbeskrivelse(post, document, number, kind="Brev" if entry.entry_type in (
                JournalEntryType.INCOMING, JournalEntryType.OUTGOING) else "Notat")
        w.add_all(post, [("registreringsID", entry.registration_number), ("tittel", entry.title),
                         ("offentligTittel", entry.public_title)])
        party = Party.of(entry)
        korrespondansepart = w.add(post, "korrespondansepart")
        w.add_all(korrespondansepart, [("korrespondanseparttype", party.type), ("korrespondansepartNavn", party.name),
                                       ("postadresse", party.street), ("postnummer", party.postal_code),
                                       ("poststed", party.postal_place)])
        w.add_all(post, [("journalaar", entry.year), ("journalsekvensnummer", entry.sequence),
                         ("journalpostnummer", entry.number_in_case), ("journalposttype", entry.entry_type.label),
                         ("journalstatus", entry.journal_status.label), ("journaldato", entry.journal_date.isoformat()),
                         ("dokumentetsDato", entry.document_date.isoformat() if entry.document_date else None),
                         ("antallVedlegg", max(len(documents) - 1, 0)), ("journalenhet", _unit(entry.case.unit))])
        if entry.follow_up_done_at is not None:
            avskrivning = w.add(post, "avskrivning")
            w.add_all(avskrivning, [
                ("avskrivningsdato", entry.follow_up_done_at.date().isoformat()),
                ("avskrevetAv", self.source.user(entry.follow_up_by_id)),
                ("avskrivningsmaate", FOLLOW_UP_METHODS.get(entry.follow_up_method, entry.follow_up_method))])

    def _registrering(self, mappe, case: Case, document: Document) -> None:
        """A document filed on the case but on no journal post: a plain registrering (Noark's basic record)."""
        node = self._registration_head(mappe, None, f"document:{document.id}", document.created_at,
                                       document.created_by_id)
        if case.is_screened:
            self._skjerming(node, _access(case.access_code), case.legal_basis or SCREENING_BASIS_PERSONAL,
                            ["Skjerming tittel dokumentbeskrivelse"], whole_documents=True)
        self._dokumentbeskrivelse(node, document, 1, kind="Dokument")
        self.w.add(node, "tittel", document.title)

    def _dokumentbeskrivelse(self, parent, document: Document, number: int, *, kind: str) -> None:
        w, source = self.w, self.source
        self.counts["dokumentbeskrivelse"] += 1
        description = w.add(parent, "dokumentbeskrivelse")
        w.add_all(description, [
            ("systemID", system_id("dokumentbeskrivelse", document.id)), ("dokumenttype", kind),
            ("dokumentstatus", "Dokumentet er ferdigstilt"), ("tittel", document.title),
            ("opprettetDato", timestamp(document.created_at)), ("opprettetAv", source.user(document.created_by_id)),
            ("tilknyttetRegistreringSom", "Hoveddokument" if number == 1 else "Vedlegg"),
            ("dokumentnummer", number), ("tilknyttetDato", timestamp(document.created_at)),
            ("tilknyttetAv", source.user(document.created_by_id))])
        for version in document.versions:
            stored, content = document_file(document, version)
            self.store(stored.path, content)
            self.extraction.documents.append(stored)
            self.counts["dokumentobjekt"] += 1
            objekt = w.add(description, "dokumentobjekt")
            w.add_all(objekt, [
                ("systemID", system_id("dokumentobjekt", version.id)), ("versjonsnummer", version.version_number),
                ("variantformat", stored.variant), ("format", stored.format), ("formatDetaljer", version.mime_type),
                ("opprettetDato", timestamp(version.created_at)), ("opprettetAv", source.user(version.created_by_id)),
                ("referanseDokumentfil", stored.path), ("sjekksum", version.sha256), ("sjekksumAlgoritme", "SHA256"),
                ("filstoerrelse", version.size_bytes)])


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:   # 29 February
        return day.replace(year=day.year + years, day=28)


def endringslogg(source: Source, extraction: Extraction) -> bytes | None:
    """One endring per changed field of a case or post of the extraction; a module's record of a case counts
    as the case's (its saksmappe), with its own field name."""
    w = Writer("endringslogg")
    root = w.root("endringslogg")
    count = 0
    for event in source.changes:
        if event.object_type == "journal_entry" and int(event.object_id or 0) in source.entry_ids:
            unit, prefix = system_id("registrering", f"journal:{event.object_id}"), ""
        elif event.object_type == "journal_entry":
            continue
        else:
            unit = system_id("case", event.case_id)
            prefix = "" if event.object_type == "case" else f"{event.object_type}."
        for name, values in (event.changes or {}).items():
            if name in ANNOTATIONS or not isinstance(values, list) or len(values) != 2:
                continue
            before, after = values
            change = w.add(root, "endring")
            w.add_all(change, [("referanseArkivenhet", unit),
                               ("referanseMetadata", prefix + name if prefix else METADATA_NAMES.get(name, name)),
                               ("endretDato", timestamp(event.at)),
                               ("endretAv", source.user(event.user_id) if event.user_id else SYSTEM_USER),
                               ("tidligereVerdi", _value(before)), ("nyVerdi", _value(after))])
            count += 1
    extraction.counts["endringslogg.xml"] = {"endring": count}
    return serialise(root) if count else None


def _value(value) -> str:
    if value is None or value == "":
        return NO_VALUE
    return str(value)


def journal(source: Source, extraction: Extraction, *, public: bool) -> bytes | None:
    """The running journal (loependeJournal) of the period's posts, or the public one (offentligJournal) of the
    public journal's posts (app.cases.interface.public_journal_entries); None when there is none."""
    entries = source.public_journal if public else source.journal
    name = "offentligJournal" if public else "loependeJournal"
    extraction.counts[f"{name}.xml"] = {"journalregistrering": len(entries)}
    return journal_xml(source.period, entries, source.classes, source.user, public=public) if entries else None


def journal_xml(period: Period, entries: list[JournalEntry], classes: dict, user_name: Callable[[int | None], str],
                *, public: bool) -> bytes:
    """loependeJournal.xml or offentligJournal.xml of `entries`, which must not be empty (the schemas ask for one
    journalregistrering): the public one shows only what PublicPost shows of a post, and of its case the public
    title and its screening."""
    name = "offentligJournal" if public else "loependeJournal"
    w = Writer(name)
    root = w.root(name)
    head = w.add(root, "journalhode")
    w.add_all(head, [("journalStartDato", period.start.isoformat()), ("journalSluttDato", period.end.isoformat()),
                     ("antallJournalposter", len(entries))])
    creator = w.add(head, "arkivskaper")
    w.add_all(creator, [("arkivskaperID", CREATOR_ID), ("arkivskaperNavn", CREATOR_NAME)])
    for entry in entries:
        case = entry.case
        registration = w.add(root, "journalregistrering")
        if (archive_class := classes.get(case.kind)) is not None:
            klasse = w.add(registration, "klasse")
            w.add_all(klasse, [("klasseID", archive_class.code), ("tittel", archive_class.title)])
        saksmappe = w.add(registration, "saksmappe")
        responsible = user_name(case.responsible_id) if case.responsible_id else _unit(case.unit)
        if public:
            w.add_all(saksmappe, [("mappeID", case.number), ("saksaar", case.year),
                                  ("sakssekvensnummer", case.sequence), ("offentligTittel", case.public_title),
                                  ("administrativEnhet", _unit(case.unit)), ("saksansvarlig", responsible)])
            if case.is_screened:
                w.add_all(saksmappe, [("tilgangsrestriksjon", _access(case.access_code)),
                                      ("skjermingshjemmel", case.legal_basis or SCREENING_BASIS_PERSONAL)])
            _public_post(w, registration, entry)
        else:
            w.add_all(saksmappe, [("mappeID", case.number), ("saksaar", case.year),
                                  ("sakssekvensnummer", case.sequence), ("tittel", case.title),
                                  ("offentligTittel", case.public_title),
                                  ("skjermingMetadata", "Skjerming tittel mappe - utvalgte ord"
                                   if case.is_screened else None),
                                  ("administrativEnhet", _unit(case.unit)), ("saksansvarlig", responsible)])
            _journal_post(w, registration, entry)
    return serialise(root)


def _post_head(w: Writer, registration, entry: JournalEntry):
    post = w.add(registration, "journalpost")
    w.add_all(post, [("systemID", system_id("registrering", f"journal:{entry.id}")),
                     ("registreringsID", entry.registration_number), ("journalaar", entry.year),
                     ("journalsekvensnummer", entry.sequence), ("journalpostnummer", entry.number_in_case)])
    return post


def _post_dates(w: Writer, post, entry: JournalEntry) -> None:
    w.add_all(post, [("journaldato", entry.journal_date.isoformat()),
                     ("dokumentetsDato", entry.document_date.isoformat() if entry.document_date else None)])
    if entry.follow_up_done_at is not None:
        w.add_all(post, [("avskrivningsdato", entry.follow_up_done_at.date().isoformat()),
                         ("avskrivningsmaate", FOLLOW_UP_METHODS.get(entry.follow_up_method,
                                                                     entry.follow_up_method))])
    w.add(post, "administrativEnhet", _unit(entry.case.unit))


def _journal_post(w: Writer, registration, entry: JournalEntry) -> None:
    """A post of the running journal: its title, and its party named even when screened (with the screening)."""
    post = _post_head(w, registration, entry)
    screening = post_screening(entry)
    w.add(post, "tittel", entry.title)
    w.add(post, "offentligTittel", entry.public_title)
    if screening is not None:
        w.add(post, "skjermingMetadata", "; ".join(screening.what))
    _post_dates(w, post, entry)
    if screening is not None:
        w.add_all(post, [("tilgangsrestriksjon", screening.access), ("skjermingshjemmel", screening.basis)])
    party = Party.of(entry)
    korrespondansepart = w.add(post, "korrespondansepart")
    w.add_all(korrespondansepart, [("korrespondanseparttype", party.type), ("korrespondansepartNavn", party.name)])
    if party.screened:
        w.add(korrespondansepart, "skjermingMetadata", party_screening_text(entry))


def _public_post(w: Writer, registration, entry: JournalEntry) -> None:
    """A post of the public journal: what PublicPost shows of it, and nothing else."""
    public = PublicPost.of(entry)
    post = _post_head(w, registration, entry)
    w.add(post, "offentligTittel", public.title)
    if public.screening is not None:
        w.add(post, "skjermingMetadata", "; ".join(public.screening.what))
    _post_dates(w, post, entry)
    if public.screening is not None:
        w.add_all(post, [("tilgangsrestriksjon", public.screening.access),
                         ("skjermingshjemmel", public.screening.basis)])
    korrespondansepart = w.add(post, "korrespondansepart")
    w.add_all(korrespondansepart, [("korrespondanseparttype", public.party_type),
                                   ("korrespondansepartNavn", public.party_name)])


def public_journal_xml(period: Period, *, unit: str | None = None) -> bytes | None:
    """The public journal of `unit` (every unit: None) for the period as offentligJournal.xml, the format eInnsyn
    takes; None when the period has no public post."""
    entries = db.session.scalars(public_journal_entries(start=period.start, end=period.end, unit=unit)
                                 .order_by(JournalEntry.year, JournalEntry.sequence)).all()
    if not entries:
        return None
    classes = {archive_class.kind: archive_class for archive_class in db.session.scalars(select(ArchiveClass))}
    users = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_({entry.case.responsible_id for entry in entries if entry.case.responsible_id}))).all())
    return journal_xml(period, entries, classes, lambda user_id: users.get(user_id) or SYSTEM_USER, public=True)


def extract(period: Period, *, made_at: datetime, store: Callable[[str, bytes], None],
            progress: Callable[[int, int], None] | None = None) -> Extraction:
    """Build the extraction's XML files (the deposit writes them, app/archive/deposit.py), handing each document
    file to `store(path, content)` as it is read, so no more than one is held at a time. `progress(done,
    total)` is called per case. Raises ArchiveError when a document cannot be read."""
    source = Source(period)
    extraction = Extraction(period=period, made_at=made_at, cases=list(source.cases))
    total = len(source.cases)
    report = (lambda done: progress(done, total)) if progress else (lambda done: None)
    extraction.xml["arkivstruktur.xml"] = ArkivstrukturWriter(source, extraction, report, store).build()
    optional = {"endringslogg.xml": endringslogg(source, extraction),
                "loependeJournal.xml": journal(source, extraction, public=False),
                "offentligJournal.xml": journal(source, extraction, public=True)}
    for name, content in optional.items():
        if content is None:
            extraction.notes.append(f"{name} er ikke med: perioden har ingen "
                                    f"{'endringer' if name == 'endringslogg.xml' else 'journalposter'}.")
        else:
            extraction.xml[name] = content
    if not source.cases:
        extraction.notes.append(f"Ingen saker ble opprettet i perioden {period.label}: arkivdelene er tomme.")
    return extraction

