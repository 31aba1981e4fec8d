"""The reports' lists, each declared once (app.listing): a user's report orders, and the published reports."""
from sqlalchemy import select

from app.listing import Choice, Column, ListSpec, Number
from app.reports.models import PublishedReport, ReportOrder
from app.reports.orders import readable_orders, readable_rule, with_jobs
from app.reports.registry import report_kinds


def _kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, kind.title) for kind in report_kinds()]


def _by_kind_and_year(model) -> tuple:
    """The filters of a list of reports (orders or publications): the kind and the year."""
    return (Choice("rapport", "Rapport", lambda query, name: query.where(model.kind == name), values=_kind_choices),
            Number("aar", "År", lambda query, year: query.where(model.year == year)))


# The user's orders: no personal data (aggregate reports only), so no audit row for the list.
ORDERS = ListSpec(
    name="report_orders",
    query=readable_orders,
    tiebreak=ReportOrder.id,
    default_sort="-bestilt",
    per_page=20,
    present=with_jobs,
    filters=_by_kind_and_year(ReportOrder),
    columns=(
        Column("rapport", "Rapport"),
        Column("aar", "År", sort=ReportOrder.year),
        Column("omraade", "Område"),
        Column("bestilt", "Bestilt", sort=ReportOrder.ordered_at),
        Column("status", "Status"),
    ),
)


def _published(user):
    return select(PublishedReport).where(readable_rule(user, PublishedReport.kind, PublishedReport.region))


# The published reports the user may read: aggregates with small numbers suppressed, so no audit row for the list.
PUBLISHED = ListSpec(
    name="report_publications",
    query=_published,
    tiebreak=PublishedReport.id,
    default_sort="-publisert",
    per_page=20,
    filters=_by_kind_and_year(PublishedReport),
    columns=(
        Column("rapport", "Rapport"),
        Column("aar", "År", sort=PublishedReport.year),
        Column("omraade", "Område"),
        Column("versjon", "Versjon", sort=PublishedReport.version),
        Column("publisert", "Publisert", sort=PublishedReport.published_at),
        Column("av", "Publisert av"),
        Column("merknad", "Rettelse"),
    ),
)
