"""Errors a rule raises; their messages are bokmål and safe to show to the user."""


class DomainError(Exception):
    """A rule refused the action."""

    status_code = 409
    title = "Handlingen ble avvist"


class InvalidInput(DomainError):
    """Input a rule refused; `field` names the input it is about, so a form can show it there."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInputs(InvalidInput):
    """Several inputs refused at once (app.core.checks.Problems): `errors` holds each, with its field; the
    message and field are the first's."""

    def __init__(self, errors: list[InvalidInput]) -> None:
        super().__init__(str(errors[0]), field=errors[0].field)
        self.errors = errors

    def by_field(self) -> dict[str | None, list[str]]:
        """The messages by the field they concern (None: the form as a whole)."""
        messages: dict[str | None, list[str]] = {}
        for error in self.errors:
            messages.setdefault(error.field, []).append(str(error))
        return messages


class InvalidQuery(DomainError):
    """A query parameter of a page or list (a page number, a year, a cursor) that cannot be served."""

    status_code = 400
    title = "Ugyldig forespørsel"


class NotAllowed(DomainError):
    status_code = 403


JOBS_UNAVAILABLE = "Bakgrunnsjobber er midlertidig utilgjengelige. Prøv igjen senere."


class JobsUnavailable(DomainError):
    """The job queue (Redis) cannot be reached: nothing was queued."""

    status_code = 503

    def __init__(self, message: str = JOBS_UNAVAILABLE) -> None:
        super().__init__(message)


class Conflict(DomainError):
    """The action collides with what someone else did first (the same step taken at the same moment, a second
    open appeal): 409, and nothing of it is saved."""

    status_code = 409


class EditConflict(Conflict):
    """Someone else saved the object after this user opened it."""

    status_code = 409

    def __init__(self, message: str = "Saken er endret av en annen bruker etter at du åpnet den. "
                 "Ingenting er lagret. Se gjeldende versjon nedenfor og gjør endringen på nytt.") -> None:
        super().__init__(message)
