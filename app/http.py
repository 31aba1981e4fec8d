"""Small HTTP helpers shared by the modules."""
from urllib.parse import quote

from flask import abort, request


def content_disposition(filename: str) -> str:
    """An attachment header that keeps æøå (RFC 6266) with an ASCII fallback. Quotes, backslashes and
    control characters never reach the header (a file name cannot split or break it)."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# C0 control characters no keyboard types into a field; tab, line feed and carriage return are text.
_CONTROL_CHARACTERS = {chr(code) for code in range(32)} - {"\t", "\n", "\r"}


def _has_control_character(value) -> bool:
    if isinstance(value, str):
        return not _CONTROL_CHARACTERS.isdisjoint(value)
    if isinstance(value, dict):
        return any(_has_control_character(key) or _has_control_character(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_control_character(item) for item in value)
    return False


def refuse_control_characters() -> None:
    """A query, form or JSON value with a NUL or another control character is refused with 400 before any
    view sees it: PostgreSQL cannot store NUL in text, and no field of the app takes such characters."""
    sources = [request.args]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sources.append(request.form)
    values: list = [text for source in sources for key, items in source.lists() for text in (key, *items)]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if _has_control_character(values):
        abort(400)
