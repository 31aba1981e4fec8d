"""The download header keeps any file name inside its quotes (ASVS 5.4.2)."""
import pytest
from werkzeug.http import parse_options_header

from app.http import content_disposition


@pytest.mark.parametrize("filename", ['vedtak æøå.pdf', 'a"b.pdf', 'x\r\nSet-Cookie: y=1.pdf', 'c:\\tmp\\f.pdf',
                                      "rapport;filename=evil.pdf", "ÆØÅ 2020 – søknader.xlsx"])
def test_any_file_name_gives_one_well_formed_header(filename):
    header = content_disposition(filename)

    assert "\r" not in header and "\n" not in header
    disposition, parameters = parse_options_header(header)
    assert disposition == "attachment"
    assert parameters["filename"] == filename           # the RFC 6266 filename* wins and decodes back
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and "\\" not in fallback
