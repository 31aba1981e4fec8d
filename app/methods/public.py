"""What Nye Metoder publishes about a method (the public pages, their feeds and the JSON API read it here), so
that every public path shows the same things and nothing more.

Published: the method's facts, its stages with their dates, the forums' decisions, the commissions and their
delivered reports (a report's file only when marked published), the suitability assessment once it has gone to
Bestillerforum (before that it is a draft), and the published papers of the meetings that had the method on their
agenda. Never: price notes, comments, the proposer's contact person and department, status-change comments, input
summaries, the suggested experts of the assessment (named people), users or anything from the case core."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from app.extensions import db
from app.listing import matching
from app.methods.lists import PUBLIC_METHODS
from app.methods.models import (
    AgendaItem,
    Commission,
    CommissionReport,
    ForumDecision,
    Meeting,
    MeetingPaper,
    Method,
    MethodStatus,
    MethodStatusChange,
    SuitabilityAssessment,
    agenda_item_methods,
)

FEED_LENGTH = 50   # the site-wide feed's newest changes


@dataclass(frozen=True)
class PublicChange:
    """One published change to a method: a new stage, a decision (or an amended one) or a delivered report.
    `key` tells it apart from the method's other changes (the feed entry's id)."""

    reference: str
    method_title: str
    on: date
    key: str
    title: str
    text: str = ""


def assessment_published_on(method: Method) -> date | None:
    """The day the suitability assessment went to Bestillerforum with the meeting papers (the method's stage
    «Til behandling i Bestillerforum», or Bestillerforum's decision when that stage was not recorded): from then
    on it is published; before, it is a draft and never shown."""
    days = [change.on for change in method.status_changes if change.to_status is MethodStatus.AWAITING_ORDERING]
    days += [decision.decided_on for decision in method.ordering_decisions]
    return min(days) if days else None


def published_assessment(method: Method) -> SuitabilityAssessment | None:
    return method.assessment if method.assessment is not None and assessment_published_on(method) else None


def published_papers(method: Method) -> list[MeetingPaper]:
    """The published papers (Meeting.published) of the meetings that had the method on their agenda, oldest
    meeting first."""
    meeting_ids = (select(AgendaItem.meeting_id)
                   .join(agenda_item_methods, agenda_item_methods.c.agenda_item_id == AgendaItem.id)
                   .where(agenda_item_methods.c.method_id == method.id))
    meetings = db.session.scalars(select(Meeting).where(Meeting.id.in_(meeting_ids))
                                  .order_by(Meeting.meeting_date, Meeting.id))
    return [paper for meeting in meetings for paper in meeting.published]


def published_reports(method: Method) -> list[CommissionReport]:
    """The method's delivered reports whose file may be downloaded: marked published, with a file."""
    return [report for commission in method.commissions for report in commission.reports
            if report.published and report.document_id]


def _status_change(change: MethodStatusChange, method: Method) -> PublicChange:
    # The change's comment is internal: only the stage and its date are published.
    return PublicChange(method.reference, method.title, change.on, f"status-{change.id}",
                        f"{method.reference}: {change.to_status.label}")


def decision_text(decision: ForumDecision) -> str:
    """The decision in full as published: its points, then its conditions."""
    text = "\n".join(decision.points)
    if decision.conditions:
        text += f"\n\nVilkår: {decision.conditions}"
    return text


def _decision(decision: ForumDecision, method: Method) -> PublicChange:
    what = "Endret beslutning" if decision.supersedes_id else "Beslutning"
    return PublicChange(method.reference, method.title, decision.decided_on, f"beslutning-{decision.id}",
                        f"{method.reference}: {what} – {decision.outcome.label}", decision_text(decision))


def _report(report: CommissionReport, method: Method) -> PublicChange:
    return PublicChange(method.reference, method.title, report.delivered_on, f"rapport-{report.id}",
                        f"{method.reference}: Rapport levert", report.title)


def _newest_first(changes) -> list[PublicChange]:
    return sorted(changes, key=lambda change: (change.on, change.key), reverse=True)


def method_changes(method: Method) -> list[PublicChange]:
    """The method's published changes, newest first."""
    changes = [_status_change(change, method) for change in method.status_changes]
    changes += [_decision(decision, method) for decision in method.decisions]
    changes += [_report(report, method) for commission in method.commissions for report in commission.reports]
    return _newest_first(changes)


def last_updated(method: Method) -> date:
    """«Sist oppdatert»: the day of the method's newest published change (it has one: its registration)."""
    return max(change.on for change in method_changes(method))


def list_changes(args, user) -> tuple[list[PublicChange], dict]:
    """The newest published changes of the methods the public list's filters in `args` (a query string) select,
    of every method when none is in force, and the filter values in force (a value the list cannot use is left
    out, as on the list): the filtered feed's and the API's."""
    methods, values = matching(PUBLIC_METHODS, args, user)
    return recent_changes(among=methods if values else None), values


def recent_changes(limit: int = FEED_LENGTH, among: Select | None = None) -> list[PublicChange]:
    """The newest published changes of all methods, or of those `among` selects (a filtered public list's
    methods): the newest `limit` of each kind, merged."""
    def narrowed(query: Select) -> Select:
        if among is None:
            return query
        # A subquery in FROM, so that nothing in the list's filters is correlated with the outer query.
        followed = among.with_only_columns(Method.id).subquery()
        return query.where(Method.id.in_(select(followed.c.id)))

    statuses = db.session.execute(narrowed(
        select(MethodStatusChange, Method).join(Method, Method.id == MethodStatusChange.method_id)
        .order_by(MethodStatusChange.on.desc(), MethodStatusChange.id.desc()).limit(limit)))
    decisions = db.session.execute(narrowed(
        select(ForumDecision, Method).join(Method, Method.id == ForumDecision.method_id)
        .order_by(ForumDecision.decided_on.desc(), ForumDecision.id.desc()).limit(limit)))
    reports = db.session.execute(narrowed(
        select(CommissionReport, Method).join(Commission, Commission.id == CommissionReport.commission_id)
        .join(Method, Method.id == Commission.method_id)
        .order_by(CommissionReport.delivered_on.desc(), CommissionReport.id.desc()).limit(limit)))
    changes = [_status_change(*row) for row in statuses] + [_decision(*row) for row in decisions]
    changes += [_report(*row) for row in reports]
    return _newest_first(changes)[:limit]
