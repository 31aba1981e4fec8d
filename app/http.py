"""Small HTTP helpers shared by the modules."""
from urllib.parse import quote

from flask import abort

from app.extensions import db


def content_disposition(filename: str) -> str:
    """An attachment header that keeps æøå (RFC 6266) with an ASCII fallback. Quotes, backslashes and
    control characters never reach the header (a file name cannot split or break it)."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"



def owned_or_404(model, row_id: int | None, **owner):
    """The row `row_id` of `model` when it belongs where the URL puts it (e.g. `case_id=case.id`): a journal post,
    a cost or an agenda item of another case, application or meeting is not found, as an unknown id is."""
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None or any(getattr(row, field) != value for field, value in owner.items()):
        abort(404)
    return row
