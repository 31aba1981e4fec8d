"""Small HTTP helpers shared by the modules."""
from urllib.parse import quote


def content_disposition(filename: str) -> str:
    """An attachment header that keeps æøå (RFC 6266) with an ASCII fallback. Quotes, backslashes and
    control characters never reach the header (a file name cannot split or break it)."""
    fallback = "".join(char if " " <= char <= "~" and char not in '"\\' else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

