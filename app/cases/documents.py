"""Documents on a case: checked uploads, SHA-256 checksums, versions instead of overwrites.

File contents sit behind one small storage interface, addressed by their SHA-256: a local
directory by default, or the database when several app servers must share the files.
"""
import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

import filetype
from flask import current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.cases.models import Case, Document, DocumentVersion, JournalEntry, StoredFile
from app.cases.services import actor_id, ensure_open
from app.core import audit
from app.core.audit import AuditAction
from app.errors import InvalidInput
from app.extensions import db

# What caseworkers receive and send: PDF, images, office documents and plain text.
ALLOWED_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
}


class DocumentStorage(Protocol):
    def put(self, sha256: str, content: bytes) -> None: ...
    def get(self, sha256: str) -> bytes: ...


class LocalDirectoryStorage:
    """Files under a directory, fanned out by the first hash characters; written atomically.

    A file is written before the transaction that records it commits, so a committed version always has its
    file. When that transaction does not commit, a file it created is removed again (a patient's document must
    not stay on disk with no record of it), unless another transaction has used the same file since: every
    put() of an existing file moves its modification time on, and a file is only removed while it still has the
    time it was created with. A lock file orders the checks of concurrent processes."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    @contextmanager
    def _lock(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    def _touch(path: Path) -> int | None:
        """Mark an existing file as used again (its new modification time); None when there is no file."""
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        modified = stat.st_mtime_ns + 1
        os.utime(path, ns=(stat.st_atime_ns, modified))
        return modified

    def _track(self, path: Path, modified: int, *, created: bool) -> None:
        """Remember a file this transaction created (and its time, also after it uses the file again)."""
        if not has_app_context():   # outside one there is no transaction to tie the file to
            return
        files = db.session.info.setdefault(_CREATED_FILES, {})
        if created or path in files:
            files[path] = (self, modified)

    def put(self, sha256: str, content: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            with self._lock():
                if (modified := self._touch(path)) is not None:
                    self._track(path, modified, created=False)
                    return
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(content)
        with self._lock():
            if (modified := self._touch(path)) is not None:
                os.unlink(handle.name)
                self._track(path, modified, created=False)
                return
            os.replace(handle.name, path)
            modified = path.stat().st_mtime_ns
        self._track(path, modified, created=True)

    def discard(self, path: Path, modified: int) -> None:
        """Remove a file put() created in a transaction that did not commit, unless it has been used since."""
        with self._lock():
            try:
                if path.stat().st_mtime_ns == modified:
                    path.unlink()
            except FileNotFoundError:
                pass

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()


_CREATED_FILES = "documents.created_files"   # Session.info: files created in the session's transaction


@event.listens_for(Session, "after_commit")
def _keep_created_files(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_CREATED_FILES, None)


@event.listens_for(Session, "after_transaction_end")
def _discard_uncommitted_files(session: Session, transaction) -> None:
    """The outermost transaction ended without a commit (rolled back or closed): its new files go too."""
    if transaction.parent is None:
        for path, (local_storage, modified) in session.info.pop(_CREATED_FILES, {}).items():
            local_storage.discard(path, modified)


class DatabaseStorage:
    """Files in the database, inside the same transaction as the document rows."""

    def put(self, sha256: str, content: bytes) -> None:
        if db.session.get(StoredFile, sha256) is None:
            db.session.add(StoredFile(sha256=sha256, content=content))

    def get(self, sha256: str) -> bytes:
        return db.session.execute(select(StoredFile.content).where(StoredFile.sha256 == sha256)).scalar_one()


def storage() -> DocumentStorage:
    kind = current_app.config["DOCUMENT_STORAGE"]
    if kind == "database":
        return DatabaseStorage()
    if kind == "local":
        return LocalDirectoryStorage(current_app.config["DOCUMENT_DIR"])
    raise RuntimeError(f"DOCUMENT_STORAGE must be 'local' or 'database', not {kind!r}")


def check_file(filename: str, content: bytes) -> str:
    """Return the MIME type after checking size, extension and the file's actual content."""
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    if not content:
        raise InvalidInput("Filen er tom.", field="file")
    if len(content) > limit:
        raise InvalidInput(f"Filen er for stor. Største tillatte størrelse er {limit // (1024 * 1024)} MB.",
                           field="file")
    extension = Path(filename or "").suffix.lower().lstrip(".")
    expected = ALLOWED_TYPES.get(extension)
    if expected is None:
        raise InvalidInput("Filtypen er ikke tillatt. Tillatt: " + ", ".join(sorted(ALLOWED_TYPES)) + ".",
                           field="file")
    if expected == "text/plain":
        if filetype.guess(content) is not None or b"\x00" in content:
            raise InvalidInput("Filen er ikke en ren tekstfil.", field="file")
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("Tekstfiler må være lagret som UTF-8.", field="file") from None
        return expected
    detected = filetype.guess_mime(content)
    if detected != expected:
        raise InvalidInput(f"Innholdet i filen stemmer ikke med filtypen .{extension}.", field="file")
    return expected


def _store_version(document: Document, filename: str, content: bytes, actor) -> DocumentVersion:
    mime_type = check_file(filename, content)
    sha256 = hashlib.sha256(content).hexdigest()
    storage().put(sha256, content)
    version = DocumentVersion(document=document, version_number=len(document.versions) + 1,
                              filename=Path(filename).name[:255], mime_type=mime_type, size_bytes=len(content),
                              sha256=sha256, created_by_id=actor_id(actor))
    db.session.add(version)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "document_version", version.id, case=document.case, user=actor,
                        changes={"filename": [None, version.filename], "sha256": [None, sha256]})
    return version


def attach_document(case: Case, *, title: str, filename: str, content: bytes, actor,
                    journal_entry: JournalEntry | None = None) -> Document:
    """Add a document (first version) to a case, optionally to one of its journal posts."""
    ensure_open(case)
    if not (title or "").strip():
        raise InvalidInput("Fyll inn dokumenttittel.", field="title")
    if journal_entry is not None and journal_entry.case_id != case.id:
        raise InvalidInput("Journalposten hører ikke til denne saken.", field="journal_entry_id")
    document = Document(case=case, case_id=case.id, title=title.strip(), created_by_id=actor_id(actor),
                        journal_entry=journal_entry)
    db.session.add(document)
    db.session.flush()
    _store_version(document, filename, content, actor)
    return document


def add_version(document: Document, *, filename: str, content: bytes, actor) -> DocumentVersion:
    """A new version of an existing document; earlier versions stay as they were."""
    ensure_open(document.case)
    return _store_version(document, filename, content, actor)


def read_version(version: DocumentVersion) -> bytes:
    """The stored bytes, verified against the recorded checksum."""
    content = storage().get(version.sha256)
    if hashlib.sha256(content).hexdigest() != version.sha256:
        raise RuntimeError(f"Checksum mismatch for document version {version.id}")
    return content


@dataclass(frozen=True)
class FiledDocument:
    """A document on a case as a letter lists it: its title, the case, the date of its journal post (or None)
    and its latest version's type."""

    id: int
    title: str
    case_number: str
    dated: date | None
    mime_type: str


def filed_documents(*cases: Case) -> list[FiledDocument]:
    """The documents of `cases`, in the order they were filed, each by its latest version."""
    documents = db.session.scalars(
        select(Document).where(Document.case_id.in_([case.id for case in cases]))
        .order_by(Document.created_at, Document.id)).all()
    numbers = {case.id: case.number for case in cases}
    return [FiledDocument(document.id, document.title, numbers[document.case_id],
                          document.journal_entry.document_date or document.journal_entry.journal_date
                          if document.journal_entry else None, document.versions[-1].mime_type)
            for document in documents if document.versions]


def filed_contents(*cases: Case) -> list[tuple[FiledDocument, bytes]]:
    """The documents of `cases` with their latest version's bytes (checksum verified), in the order they were
    filed: for a bundle of a case's documents. The caller logs what it hands out."""
    documents = db.session.scalars(
        select(Document).where(Document.case_id.in_([case.id for case in cases]))
        .order_by(Document.created_at, Document.id)).all()
    by_id = {filed.id: filed for filed in filed_documents(*cases)}
    return [(by_id[document.id], read_version(document.versions[-1])) for document in documents if document.versions]
