"""The case's documents for Klagenemnda as one PDF: a list of every document of the application's case and the
appeal's (title, case, date, format, whether it is in the file), then each PDF document's pages in the order they
were filed. A document that is no PDF, or a PDF that cannot be read, is listed as sent separately: the board gets
it as it is stored.

The bundle is a tagged PDF (PDF/UA): the list is rendered as PDF/UA, and each part's structure tree is kept as a
part of the bundle's (app.pdf.join_tagged). The app's own letters are tagged; a received PDF that was never tagged
keeps its pages and text, but brings no structure (docs/architecture.md, PDFs)."""
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from app.abroad.models import Appeal
from app.cases.interface import Case, FiledDocument, filed_contents, get_case
from app.pdf import join_tagged, render_pdf

PDF = "application/pdf"


@dataclass(frozen=True)
class BundledDocument:
    document: FiledDocument
    pages: int | None          # None: not in the file (not a PDF, or unreadable)


def board_bundle(case: Case, appeal: Appeal) -> tuple[bytes, list[BundledDocument]]:
    """The bundle's PDF and what it lists."""
    application_case = get_case(appeal.application.case_id)
    readers, listed = [], []
    for document, content in filed_contents(application_case, case):
        reader = _readable(content) if document.mime_type == PDF else None
        listed.append(BundledDocument(document, len(reader.pages) if reader else None))
        if reader:
            readers.append(reader)
    title = f"Saksdokumenter til Klagenemnda – klage {case.number}"
    cover = PdfReader(BytesIO(render_pdf("abroad/pdf/board_bundle_list.html", title=title, case=case,
                                         application_case=application_case, listed=listed)))
    return join_tagged([cover, *readers], title=title), listed


def _readable(content: bytes) -> PdfReader | None:
    try:
        reader = PdfReader(BytesIO(content))
        len(reader.pages)
    except (PyPdfError, ValueError, OSError):
        return None
    return reader

