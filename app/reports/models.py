"""A report order and a published report. A report order: who asked for which report, year and region, and
when. The row is the order's lasting record (the list of a user's orders, paged and sorted like every list); the
job that builds it, its progress and its files live in the job queue for ORDER_TTL, after which the order is shown
as expired."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db


class ReportOrder(db.Model):
    __tablename__ = "report_orders"
    __table_args__ = (Index("ix_report_orders_user_ordered", "user_id", "ordered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    region: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[dict] = mapped_column(JSON, default=dict)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ordered_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublishedReport(db.Model):
    """A report as it was published: its tables as figures (small numbers suppressed, app.reports.publishing), the
    PDF and the XLSX, with when and by whom. Never changed: a correction is the next version, with a note."""

    __tablename__ = "report_publications"
    __table_args__ = (UniqueConstraint("kind", "year", "region", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    region: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)        # what a correction corrects (required from version 2)
    threshold: Mapped[int]                                # cells under it were suppressed
    figures: Mapped[list] = mapped_column(JSON)           # the tables as published (publishing.table_figures)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)

    published_by = relationship("User")
