"""What an import answers: the counts, or every bad cell as «linje N, kolonne C: melding»."""
import secrets
from dataclasses import dataclass, field

from app.db import utcnow

KINDS = {"applications": "søknader og henvisninger", "costs": "kostnader", "appeals": "klager"}


@dataclass(frozen=True)
class RowError:
    line: int | None        # None: the file as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"linje {self.line}, kolonne {self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    batch: str
    rows: int = 0
    created: int = 0
    patients_created: int = 0
    applications_granted: int = 0         # appeals: applications granted by a reversal
    numbers: list[str] = field(default_factory=list)   # the case numbers taken, as ranges per year
    errors: list[RowError] = field(default_factory=list)
    # Lines imported that may register an application again (the same patient and diagnosis within 30 days):
    # the import does not refuse them (a file holds what another system decided), it names them for a check.
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if not self.ok:
            count = len(self.errors)
            return f"Ingenting er importert: filen har {count} feil."
        # How many patients were new is left out: it would tell whether the national IDs were on file.
        text = f"Importerte {self.created} {KINDS[self.kind]}"
        if self.kind == "appeals" and self.applications_granted:
            text += f"; {self.applications_granted} søknader ble innvilget etter klage"
        if self.numbers:
            text += f", saksnummer {', '.join(self.numbers)}"
        if self.warnings:
            text += f". {len(self.warnings)} linjer kan være dobbeltregistreringer; se varslene"
        return text + "."

    def to_dict(self) -> dict:
        return {"kind": self.kind, "batch": self.batch, "rows": self.rows, "created": self.created,
                "patients_created": self.patients_created, "applications_granted": self.applications_granted,
                "numbers": self.numbers, "errors": [[e.line, e.column, e.message] for e in self.errors],
                "warnings": [[w.line, w.column, w.message] for w in self.warnings]}

    @classmethod
    def from_dict(cls, data: dict) -> "ImportResult":
        return cls(**{**data, "errors": [RowError(*error) for error in data["errors"]],
                      "warnings": [RowError(*warning) for warning in data.get("warnings", [])]})


class UnreadableFile(Exception):
    """The file is not a CSV or XLSX table this module can read, or goes past a limit of what it reads; the
    message is bokmål, `line` and `column` say where when there is a place to name."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def new_batch() -> str:
    return f"{utcnow():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
