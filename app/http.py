"""Small HTTP helpers shared by the modules."""
from urllib.parse import quote


def content_disposition(filename: str) -> str:
    """An attachment header that keeps æøå (RFC 6266) with an ASCII fallback."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
