"""Reminders of reports that are due soon, e.g. the expert panel's annual report to the four regional
health authorities by 1 March. Shown on the reports page; the dashboard can include
`reports/_reminders.html` with `report_reminders(current_user)`."""
from dataclasses import dataclass
from datetime import date

from app.reports.registry import ReportKind, readable_kinds

REMIND_DAYS = 45


@dataclass(frozen=True)
class Reminder:
    kind: ReportKind
    year: int
    due_on: date
    days_left: int

    @property
    def text(self) -> str:
        when = "i dag" if self.days_left == 0 else ("i morgen" if self.days_left == 1 else f"om {self.days_left} dager")
        return (f"{self.kind.title}: årsrapporten for {self.year} {self.kind.due_text or 'skal leveres'} "
                f"innen {self.due_on:%d.%m.%Y} ({when}).")


def due_reminders(user, today: date | None = None) -> list[Reminder]:
    """Reports for last year that `user` reads and that fall due within REMIND_DAYS."""
    today = today or date.today()
    reminders = []
    for kind in readable_kinds(user):
        if kind.due_on is None:
            continue
        year = today.year - 1
        due = kind.due_on(year)
        days_left = (due - today).days
        if 0 <= days_left <= REMIND_DAYS:
            reminders.append(Reminder(kind=kind, year=year, due_on=due, days_left=days_left))
    return reminders
