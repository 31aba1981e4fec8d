"""PDF rendering with WeasyPrint, as tagged PDF/A-2a that is also PDF/UA-1 (a structure tree, the language and
the title shown; fonts embedded and an sRGB output intent, so the filed letter is already in an archival format), and
joining PDFs into one that keeps the parts' structure (join_tagged). Templates may load files from app/static/pdf
only: nothing from the network or elsewhere on disk ends up in a document."""
import re
import threading
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from flask import render_template
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject, NumberObject, TextStringObject
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

PDF_ASSETS = Path(__file__).parent / "static" / "pdf"


class StaticOnlyFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not path.is_relative_to(PDF_ASSETS):
            raise ValueError(f"PDF resource refused: {url}")
        return super().fetch(url, headers)


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One font configuration per thread, reused by every rendering in it: setting one up is a third of the
    time of rendering a letter (WeasyPrint's objects are not shared between threads)."""
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config


def render_pdf(template: str, **context) -> bytes:
    return pdf_from_html(render_template(template, **context))


def pdf_from_html(html: str) -> bytes:
    """The PDF of an HTML document already rendered (e.g. a letter shown as a preview first)."""
    return HTML(string=html, base_url=str(PDF_ASSETS) + "/", url_fetcher=StaticOnlyFetcher()).write_pdf(
        font_config=_font_config(), pdf_variant=PDF_VARIANT, finisher=_declare_pdf_ua)


# PDF/A-2 level a ("accessible") is the archival format the Noark 5 deposit takes (Arkivverket's
# arkivformatforskriften: PDF/A-2) with the tagging PDF/UA-1 asks for, so one rendering serves both.
PDF_VARIANT = "pdf/a-2a"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PDFA_ID = "http://www.aiim.org/pdfa/ns/id/"
PDFUA_ID = "http://www.aiim.org/pdfua/ns/id/"
for _prefix, _uri in (("x", "adobe:ns:meta/"), ("rdf", RDF), ("pdfaid", PDFA_ID), ("pdfuaid", PDFUA_ID),
                      ("dc", "http://purl.org/dc/elements/1.1/"), ("pdf", "http://ns.adobe.com/pdf/1.3/")):
    ElementTree.register_namespace(_prefix, _uri)


def _declare_pdf_ua(document, pdf) -> None:
    """Add the PDF/UA-1 identification (ISO 14289-1 § 5: pdfuaid:part in the XMP metadata) next to the PDF/A
    one: WeasyPrint writes one variant's identification, and PDF/A-2a is tagged as PDF/UA requires."""
    stream = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    content = b"".join(stream.stream)
    start, end = content.index(b"<x:xmpmeta"), content.rindex(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    xmpmeta = ElementTree.fromstring(content[start:end])
    for description in xmpmeta.iter(f"{{{RDF}}}Description"):
        if description.get(f"{{{PDFA_ID}}}part"):
            description.set(f"{{{PDFUA_ID}}}part", "1")
    stream.stream = [content[:start] + ElementTree.tostring(xmpmeta) + content[end:]]


PDFA_PART = re.compile(rb"pdfaid:part(?:>|=\")(\d)")
PDFA_CONFORMANCE = re.compile(rb"pdfaid:conformance(?:>|=\")([ABUabu])")
PDFUA_PART = re.compile(rb"pdfuaid:part(?:>|=\")(\d)")


def _xmp(reader: PdfReader) -> bytes:
    """A PDF's XMP metadata, read through its catalogue (the stream is usually compressed); empty if none."""
    metadata = reader.root_object.get("/Metadata")
    return metadata.get_object().get_data() if metadata is not None else b""


def _pdfa_level(reader: PdfReader) -> str | None:
    xmp = _xmp(reader)
    part, conformance = PDFA_PART.search(xmp), PDFA_CONFORMANCE.search(xmp)
    if part is None:
        return None
    return part.group(1).decode() + (conformance.group(1).decode().lower() if conformance else "")


def _identified(content: bytes, identification) -> str | None:
    try:
        return identification(PdfReader(BytesIO(content)))
    except (PdfReadError, KeyError, ValueError):
        return None


def pdfa_level(content: bytes) -> str | None:
    """The PDF/A part and conformance a PDF declares in its XMP metadata ("2a"), or None."""
    return _identified(content, _pdfa_level)


def pdfua_part(content: bytes) -> str | None:
    """The PDF/UA part a PDF declares in its XMP metadata ("1"), or None."""
    def part(reader: PdfReader) -> str | None:
        found = PDFUA_PART.search(_xmp(reader))
        return found.group(1).decode() if found else None
    return _identified(content, part)


def join_tagged(parts: list[PdfReader], *, title: str, lang: str = "nb") -> bytes:
    """One PDF of the parts' pages in order that stays a tagged PDF: each tagged part's structure tree becomes a
    «Part» of the joined document's tree (its parent-tree keys moved past the earlier parts'). pypdf copies pages
    but not structure, hence this. A part without structure (a received PDF that was never tagged) keeps its pages
    and text, untagged. The first part's identification as PDF/A and PDF/UA (its XMP metadata and output intent)
    is kept only when every part is PDF/A, as the app's own letters are: a received scan makes no such promise."""
    writer = PdfWriter()
    structure = _JoinedStructure(writer)
    for reader in parts:
        first = len(writer.pages)
        writer.append(reader, import_outline=False)
        if "/StructTreeRoot" in reader.root_object:
            structure.add(reader, writer.pages[first:])
    catalog = writer.root_object
    catalog[NameObject("/StructTreeRoot")] = structure.root()
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    catalog[NameObject("/Lang")] = TextStringObject(lang)
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    if parts and all(_pdfa_level(reader) for reader in parts):
        for key in ("/Metadata", "/OutputIntents"):
            catalog[NameObject(key)] = parts[0].root_object[key].clone(writer)
    writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


class _JoinedStructure:
    """The structure tree of a joined PDF: one «Document» element whose parts are the parts' trees."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.document = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                          NameObject("/S"): NameObject("/Document"), NameObject("/K"): ArrayObject()})
        self.document_ref = writer._add_object(self.document)
        self.parent_tree, self.role_map, self.next_key = ArrayObject(), DictionaryObject(), 0

    def add(self, reader: PdfReader, copied_pages) -> None:
        """The structure of `reader`, whose pages were copied as `copied_pages`."""
        tree = reader.root_object["/StructTreeRoot"].get_object()
        for name, role in tree.get("/RoleMap", DictionaryObject()).get_object().items():
            self.role_map.setdefault(NameObject(name), role)
        kids = tree.get("/K", ArrayObject())
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            element = kid.get_object()
            element.pop("/P", None)   # the part's own root is not copied
            if element.get("/S") == "/Document":
                element[NameObject("/S")] = NameObject("/Part")
            copied = element.clone(self.writer)
            copied[NameObject("/P")] = self.document_ref
            self.document["/K"].append(copied.indirect_reference)
        offset, keys = self.next_key, [self.next_key]
        for key, value in _number_tree(tree.get("/ParentTree")):
            self.parent_tree.extend([NumberObject(offset + key), value.clone(self.writer)])
            keys.append(offset + key + 1)
        for page, copied in zip(reader.pages, copied_pages, strict=True):
            if "/StructParents" in page:   # pypdf drops it when copying the page
                copied[NameObject("/StructParents")] = NumberObject(offset + page["/StructParents"])
            for annotation, copied_annotation in zip(page.get("/Annots", ()), copied.get("/Annots", ()),
                                                     strict=False):
                if "/StructParent" in annotation.get_object():
                    copied_annotation.get_object()[NameObject("/StructParent")] = NumberObject(
                        offset + annotation.get_object()["/StructParent"])
        self.next_key = max(keys)

    def root(self):
        root = DictionaryObject({
            NameObject("/Type"): NameObject("/StructTreeRoot"), NameObject("/K"): ArrayObject([self.document_ref]),
            NameObject("/ParentTree"): self.writer._add_object(DictionaryObject({NameObject("/Nums"):
                                                                                 self.parent_tree})),
            NameObject("/ParentTreeNextKey"): NumberObject(self.next_key)})
        if self.role_map:
            root[NameObject("/RoleMap")] = self.role_map
        self.document[NameObject("/P")] = self.writer._add_object(root)
        return self.document["/P"]


def _number_tree(node):
    """The (key, value) pairs of a PDF number tree (/Nums, or /Kids of further nodes)."""
    if node is None:
        return
    node = node.get_object()
    numbers = node.get("/Nums", ())
    for index in range(0, len(numbers), 2):
        yield numbers[index], numbers[index + 1]
    for kid in node.get("/Kids", ()):
        yield from _number_tree(kid)
