from datetime import UTC, date, datetime

from app.formatting import as_amount, as_date, as_datetime


def test_bokmal_formats(app_ctx):
    assert as_date(date(2026, 3, 1)) == "01.03.2026"
    assert as_datetime(datetime(2026, 7, 1, 10, 5, tzinfo=UTC)) == "01.07.2026 kl. 12:05"  # Oslo, summer
    assert as_amount(1234567).replace("\xa0", " ") == "1 234 567"
    assert as_date(None) == as_amount(None) == ""
