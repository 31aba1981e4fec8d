"""The app's PDFs are tagged PDF/A-2a that also say PDF/UA-1: a letter is accessible when sent and already in
an archival format when filed; a joined bundle keeps that only when every part has it."""
from io import BytesIO

from pypdf import PdfReader, PdfWriter

from app.pdf import join_tagged, pdf_from_html, pdfa_level, pdfua_part
from tests.pdf import pdf_text

LETTER = ("<html lang='nb'><head><title>Vedtak om behandling i utlandet</title></head>"
          "<body><h1>Vedtak</h1><p>Søknaden er innvilget.</p></body></html>")


def _untagged_scan() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_letter_is_pdf_a_2a_and_pdf_ua_1_with_its_title_language_and_structure():
    pdf = pdf_from_html(LETTER)
    assert pdfa_level(pdf) == "2a" and pdfua_part(pdf) == "1"
    reader = PdfReader(BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nb" and bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == "Vedtak om behandling i utlandet"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"   # PDF/A's colour space, sRGB
    fonts = [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
             for font in reader.pages[0]["/Resources"]["/Font"].values()]
    assert fonts and all({"/FontFile2", "/FontFile3"} & set(descriptor) for descriptor in fonts)   # embedded
    assert "Søknaden er innvilget." in pdf_text(pdf)


def test_a_bundle_of_the_apps_letters_keeps_both_identifications():
    letter = pdf_from_html(LETTER)
    joined = join_tagged([PdfReader(BytesIO(letter)), PdfReader(BytesIO(letter))], title="Klagesak")
    assert pdfa_level(joined) == "2a" and pdfua_part(joined) == "1"
    assert "/OutputIntents" in PdfReader(BytesIO(joined)).trailer["/Root"]


def test_a_bundle_with_an_untagged_received_pdf_claims_neither():
    joined = join_tagged([PdfReader(BytesIO(pdf_from_html(LETTER))), PdfReader(BytesIO(_untagged_scan()))],
                         title="Klagesak")
    assert pdfa_level(joined) is None and pdfua_part(joined) is None
    assert PdfReader(BytesIO(joined)).trailer["/Root"]["/Lang"] == "nb"


def test_what_is_not_a_pdf_declares_nothing():
    assert pdfa_level(b"ikke en pdf") is None and pdfua_part(b"ikke en pdf") is None
