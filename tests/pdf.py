"""Reading the text of a generated PDF (poppler's pdftotext, installed by scripts/setup.sh)."""
import subprocess


def pdf_text(pdf: bytes) -> str:
    """The document's text with whitespace collapsed, so a test can look for whole sentences."""
    output = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(output.decode("utf-8").split())
