"""Bokmål display formats: dates dd.mm.åååå, times in Oslo time, amounts with spaces."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal

OSLO = ZoneInfo("Europe/Oslo")


def as_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "dd.MM.yyyy")
    return format_date(value, "dd.MM.yyyy")


def as_local_date(value: datetime | None) -> date | None:
    """The Oslo calendar day of a stored moment (naive values are UTC, as SQLite returns them), for exports."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(OSLO).date()


def as_datetime(value: datetime | None) -> str:
    return format_datetime(value, "dd.MM.yyyy 'kl.' HH:mm") if value else ""


def as_amount(value: int | float | None) -> str:
    return format_decimal(value, "#,##0") if value is not None else ""


def as_money(value) -> str:
    """An amount with øre, e.g. 12 345,50."""
    return format_decimal(value, "#,##0.00") if value is not None else ""


def as_rate(value) -> str:
    """An exchange rate with up to six decimals, e.g. 1,4567."""
    return format_decimal(value, "0.######") if value is not None else ""


def as_yes_no(value) -> str:
    """«ja» or «nei», as a file's yes/no column reads."""
    return "ja" if value else "nei"


def register_filters(app: Flask) -> None:
    app.add_template_filter(as_date, "date")
    app.add_template_filter(as_datetime, "datetime")
    app.add_template_filter(as_amount, "amount")
    app.add_template_filter(as_money, "money")
    app.add_template_filter(as_rate, "rate")
