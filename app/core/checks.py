"""The checks every writing service runs on a command's values, each refusing with a bokmål message shown at
the field it names (InvalidInput). The forms have stripped the text already; the services check again so that
the API, the import and a test calling the service directly meet the same rule."""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from app.errors import InvalidInput, InvalidInputs

REVIEW_NOTE_MAX = 250   # a flag's review note becomes a journal post's title (300 characters with its lead-in)


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


class Problems:
    """Every refused input of one command, so that a form shows all of them in one round instead of the first:
    each independent check runs inside `check()`, and `done()` raises what was refused (nothing when all
    passed). A check whose input is missing (None, the form has refused the field already) is left out by its
    caller."""

    def __init__(self) -> None:
        self.errors: list[InvalidInput] = []

    @contextmanager
    def check(self) -> Iterator[None]:
        """Collect what the block refuses (each input of a check that refuses several at once)."""
        try:
            yield
        except InvalidInputs as errors:
            self.errors.extend(errors.errors)
        except InvalidInput as error:
            self.errors.append(error)

    def refused(self, field: str) -> bool:
        """Whether a check about `field` has refused it already (a later check on it would only repeat it)."""
        return any(error.field == field for error in self.errors)

    def done(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise InvalidInputs(self.errors)
