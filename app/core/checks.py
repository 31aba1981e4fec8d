"""The checks every writing service runs on a command's values, each refusing with a bokmål message shown at
the field it names (InvalidInput). The forms have stripped the text already; the services check again so that
the API, the import and a test calling the service directly meet the same rule."""
from datetime import date

from app.errors import InvalidInput


def require(value, field: str, message: str) -> None:
    """A required value: neither missing nor blank text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(message, field=field)


def require_fields(command, messages: dict[str, str]) -> None:
    """require() for each field of `command` named in `messages`, refusing at the first one left blank."""
    for field, message in messages.items():
        require(getattr(command, field), field, message)


def not_in_future(day: date, field: str, what: str, today: date | None = None) -> None:
    """A date that has happened: `what` («Mottatt-datoen») names it in the message."""
    if day > (today or date.today()):
        raise InvalidInput(f"{what} kan ikke være fram i tid.", field=field)
