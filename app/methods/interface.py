"""The only part of Nye Metoder other modules may import: a method's status in plain
dataclasses, and a signal when a decision is recorded or amended."""
import enum
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from app.errors import DomainError
from app.extensions import db
from app.methods.models import DecisionOutcome, Method, MethodStatus
from app.methods.signals import decision_recorded

__all__ = ["MethodRejected", "MethodState", "MethodStatusInfo", "decision_recorded", "ensure_not_rejected",
           "find_methods", "method_status"]


class MethodState(enum.Enum):
    NOT_KNOWN = "not_known"
    UNDER_ASSESSMENT = "under_assessment"
    INTRODUCED = "introduced"
    INTRODUCED_WITH_CONDITIONS = "introduced_with_conditions"
    NOT_INTRODUCED = "not_introduced"

    @property
    def label(self) -> str:
        return {
            MethodState.NOT_KNOWN: "Ikke vurdert i Nye Metoder",
            MethodState.UNDER_ASSESSMENT: "Under vurdering i Nye Metoder",
            MethodState.INTRODUCED: "Innført",
            MethodState.INTRODUCED_WITH_CONDITIONS: "Innført med vilkår/begrensninger",
            MethodState.NOT_INTRODUCED: "Ikke innført (Beslutningsforum)",
        }[self]


@dataclass(frozen=True)
class MethodStatusInfo:
    state: MethodState
    reference: str | None             # "ID2025_102"; None when the method is not known
    title: str | None
    decided_on: date | None           # date of the current decision, if any
    decision_summary: str | None      # the current decision's first point


class MethodRejected(DomainError):
    """Beslutningsforum decided not to introduce the method."""


_OUTCOME_STATES = {
    DecisionOutcome.INTRODUCED: MethodState.INTRODUCED,
    DecisionOutcome.INTRODUCED_WITH_CONDITIONS: MethodState.INTRODUCED_WITH_CONDITIONS,
    DecisionOutcome.NOT_INTRODUCED: MethodState.NOT_INTRODUCED,
}

# Stages with no national assessment going on and no decision: nothing Nye Metoder holds applies.
_INACTIVE = {MethodStatus.NOT_COMMISSIONED, MethodStatus.CLOSED}


def _info(method: Method) -> MethodStatusInfo:
    decision = method.current_decision
    if decision is not None:
        state = _OUTCOME_STATES[decision.outcome]
    elif method.status in _INACTIVE:
        state = MethodState.NOT_KNOWN
    else:
        state = MethodState.UNDER_ASSESSMENT
    return MethodStatusInfo(state=state, reference=method.reference, title=method.title,
                            decided_on=decision.decided_on if decision else None,
                            decision_summary=decision.points[0] if decision and decision.points else None)


def method_status(reference: str) -> MethodStatusInfo:
    """What other modules may know about a method: its state and the current decision's date."""
    method = db.session.scalar(select(Method).where(Method.reference == (reference or "").strip()))
    if method is None:
        return MethodStatusInfo(MethodState.NOT_KNOWN, None, None, None, None)
    return _info(method)


def find_methods(text: str, limit: int = 20) -> list[MethodStatusInfo]:
    """Methods whose ID, title, generic name, product names or indication contain `text`."""
    pattern = f"%{(text or '').strip()}%"
    methods = db.session.scalars(select(Method).where(or_(
        Method.reference.ilike(pattern), Method.title.ilike(pattern), Method.generic_name.ilike(pattern),
        Method.product_names.ilike(pattern), Method.indication.ilike(pattern),
    )).order_by(Method.year.desc(), Method.sequence.desc()).limit(limit))
    return [_info(method) for method in methods]


def ensure_not_rejected(reference: str) -> MethodStatusInfo:
    """Raise MethodRejected when Beslutningsforum decided not to introduce the method."""
    status = method_status(reference)
    if status.state is MethodState.NOT_INTRODUCED:
        raise MethodRejected(f"Beslutningsforum besluttet {status.decided_on:%d.%m.%Y} at metoden "
                             f"{status.reference} ikke skal innføres.")
    return status
