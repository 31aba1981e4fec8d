"""Document storage backends and upload checks."""
import hashlib

import pytest

from app.cases import documents
from app.errors import InvalidInput

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(params=["local", "database"])
def storage_kind(request, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_STORAGE", request.param)
    monkeypatch.setitem(app.config, "DOCUMENT_DIR", str(tmp_path))
    return request.param


def test_both_backends_store_by_checksum_and_return_the_same_bytes(app_ctx, storage_kind):
    store = documents.storage()
    digest = hashlib.sha256(PDF).hexdigest()
    store.put(digest, PDF)
    store.put(digest, PDF)  # idempotent: the same content is stored once
    assert store.get(digest) == PDF


def test_local_backend_writes_under_a_fanned_out_path(tmp_path):
    digest = hashlib.sha256(PDF).hexdigest()
    documents.LocalDirectoryStorage(tmp_path).put(digest, PDF)
    assert (tmp_path / digest[:2] / digest[2:4] / digest).read_bytes() == PDF
    assert not list(tmp_path.rglob("tmp*"))  # the temporary file was renamed into place


@pytest.mark.parametrize(("filename", "content", "message"), [
    ("tom.pdf", b"", "tom"),
    ("notat.txt", b"\x00\x01binary", "ren tekstfil"),
    ("notat.txt", "blåbær".encode("latin-1"), "UTF-8"),
    ("skjema.docx", PDF, "stemmer ikke med filtypen .docx"),
    ("skript.html", b"<script>", "Filtypen er ikke tillatt"),
])
def test_refused_uploads(app_ctx, filename, content, message):
    with pytest.raises(InvalidInput, match=message) as refused:
        documents.check_file(filename, content)
    assert refused.value.field == "file"


def test_size_limit(app_ctx, app, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 1024 * 1024)
    with pytest.raises(InvalidInput, match="for stor"):
        documents.check_file("stor.pdf", PDF + b"0" * 1024 * 1024)


def test_accepted_types(app_ctx):
    assert documents.check_file("brev.PDF", PDF) == "application/pdf"
    assert documents.check_file("notat.txt", "Blåbærsyltetøy".encode()) == "text/plain"
