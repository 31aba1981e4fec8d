"""The reports' list: a user's report orders, declared once (app.listing)."""
from app.listing import Choice, Column, ListSpec, Number
from app.reports.models import ReportOrder
from app.reports.orders import readable_orders, with_jobs
from app.reports.registry import report_kinds


def _kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, kind.title) for kind in report_kinds()]


# The user's orders: no personal data (aggregate reports only), so no audit row for the list.
ORDERS = ListSpec(
    name="report_orders",
    query=readable_orders,
    tiebreak=ReportOrder.id,
    default_sort="-bestilt",
    per_page=20,
    present=with_jobs,
    filters=(
        Choice("rapport", "Rapport", lambda query, name: query.where(ReportOrder.kind == name),
               values=_kind_choices),
        Number("aar", "År", lambda query, year: query.where(ReportOrder.year == year)),
    ),
    columns=(
        Column("rapport", "Rapport"),
        Column("aar", "År", sort=ReportOrder.year),
        Column("omraade", "Område"),
        Column("bestilt", "Bestilt", sort=ReportOrder.ordered_at),
        Column("status", "Status"),
    ),
)
