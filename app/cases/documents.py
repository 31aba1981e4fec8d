"""Documents on a case: checked uploads, SHA-256 checksums, versions instead of overwrites.

File contents sit behind one small storage interface, addressed by their SHA-256: a local
directory by default, or the database when several app servers must share the files.
"""
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

import filetype
from flask import current_app
from sqlalchemy import select

from app.cases import audit
from app.cases.models import AuditAction, Case, Document, DocumentVersion, JournalEntry, StoredFile
from app.cases.services import ensure_open
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
    """Files under a directory, fanned out by the first hash characters; written atomically."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, sha256: str, content: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(content)
        os.replace(handle.name, path)

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()


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
                              sha256=sha256, created_by_id=actor.id)
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
    document = Document(case=case, case_id=case.id, title=title.strip(), created_by_id=actor.id,
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
