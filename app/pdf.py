"""PDF rendering with WeasyPrint. Templates may load files from app/static/pdf only: nothing
from the network or elsewhere on disk ends up in a document."""
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import render_template
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
        font_config=_font_config())
