"""The only part of Nye Metoder other modules may import: a method's status in plain
dataclasses, and a signal when a decision is recorded or amended."""
import re
from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import or_, select

from app.db import LabelledEnum
from app.errors import DomainError
from app.extensions import db
from app.methods.models import DecisionOutcome, ForumDecision, Method, MethodStatus
from app.methods.signals import decision_recorded

__all__ = ["MethodRejected", "MethodState", "MethodStatusInfo", "decision_change", "decision_links",
           "decision_recorded", "ensure_not_rejected", "find_methods", "method_references_in", "method_status",
           "methods_named_in"]

# A method ID inside free text: ID2024_090, or with the letter suffix of an imported ID (ID2019_004A).
METHOD_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])ID(?:19|20)\d{2}_\d{3}[A-Z]?(?![A-Za-z0-9])", re.IGNORECASE)
MIN_NAME_LENGTH = 4   # shorter generic or product names would match ordinary words
# Words the register uses in place of a product name («Flere, RIWOspine»): they name no method.
PLACEHOLDER_NAMES = {"flere", "ukjent", "ingen", "diverse", "annet", "ulike"}


class MethodState(LabelledEnum):
    NOT_KNOWN = "not_known", "Ikke vurdert i Nye Metoder"
    UNDER_ASSESSMENT = "under_assessment", "Under vurdering i Nye Metoder"
    INTRODUCED = "introduced", "Innført"
    INTRODUCED_WITH_CONDITIONS = "introduced_with_conditions", "Innført med vilkår/begrensninger"
    NOT_INTRODUCED = "not_introduced", "Ikke innført (Beslutningsforum)"


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


def decision_change(reference: str) -> str:
    """What Beslutningsforum's current decision on a method says and what it replaced, in one sentence for the flag
    on the cases that rest on the method."""
    method = db.session.scalar(select(Method).where(Method.reference == (reference or "").strip()))
    decision = method.current_decision if method is not None else None
    if decision is None:
        return f"Ny beslutning i Nye Metoder for {method.reference} {method.title}." if method else (
            f"Ny beslutning i Nye Metoder for {reference}.")
    text = (f"Ny beslutning i Nye Metoder for {method.reference} {method.title} "
            f"{decision.decided_on:%d.%m.%Y}: {decision.outcome.label}")
    replaced = db.session.get(ForumDecision, decision.supersedes_id) if decision.supersedes_id else None
    if replaced is not None:
        text += f" (endret fra «{replaced.outcome.label}» {replaced.decided_on:%d.%m.%Y})"
    return f"{text}."


def decision_links(text: str | None) -> list[tuple[str, str]]:
    """The public page, at its decision, of each method a flag's text names: decisions are public, so every role
    may follow the link."""
    return [(reference, url_for("public_methods.detail", reference=reference, _anchor="beslutning"))
            for reference in method_references_in(text)]


def find_methods(text: str, limit: int = 20) -> list[MethodStatusInfo]:
    """Methods whose ID, title, generic name, product names or indication contain `text`."""
    pattern = f"%{(text or '').strip()}%"
    methods = db.session.scalars(select(Method).where(or_(
        Method.reference.ilike(pattern), Method.title.ilike(pattern), Method.generic_name.ilike(pattern),
        Method.product_names.ilike(pattern), Method.indication.ilike(pattern),
    )).order_by(Method.year.desc(), Method.sequence.desc()).limit(limit))
    return [_info(method) for method in methods]


def method_references_in(text: str | None) -> list[str]:
    """The method IDs written in a free text, upper-cased, each once, in the order they appear."""
    return list(dict.fromkeys(match.upper() for match in METHOD_ID_IN_TEXT.findall(text or "")))


def method_names(generic_name: str | None, product_names: str | None) -> list[str]:
    """The names a method goes by: its generic name and each product name, leaving out short ones and placeholders."""
    names = [generic_name or "", *re.split(r"[,;/]", product_names or "")]
    return [name.strip() for name in names
            if len(name.strip()) >= MIN_NAME_LENGTH and name.strip().casefold() not in PLACEHOLDER_NAMES]


def methods_named_in(text: str | None) -> list[MethodStatusInfo]:
    """The known methods a free text names: by ID (method_references_in), or by the method's generic name or one
    of its product names as a whole word, whatever the case. find_methods is the other direction (methods whose
    fields contain a search text); this finds the methods a treatment description is about."""
    text = (text or "").strip()
    if not text:
        return []
    found = {reference: method_status(reference) for reference in method_references_in(text)}
    named = db.session.execute(select(Method.reference, Method.generic_name, Method.product_names).where(
        or_(Method.generic_name.is_not(None), Method.product_names.is_not(None)))).all()
    for reference, generic_name, product_names in named:
        if reference not in found and any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
                                          for name in method_names(generic_name, product_names)):
            found[reference] = method_status(reference)
    return [status for status in found.values() if status.reference is not None]


def ensure_not_rejected(reference: str) -> MethodStatusInfo:
    """Raise MethodRejected when Beslutningsforum decided not to introduce the method."""
    status = method_status(reference)
    if status.state is MethodState.NOT_INTRODUCED:
        raise MethodRejected(f"Beslutningsforum besluttet {status.decided_on:%d.%m.%Y} at metoden "
                             f"{status.reference} ikke skal innføres.")
    return status
