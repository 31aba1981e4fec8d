from datetime import date

import pytest

from app.cases.workdays import add_working_days, holiday_name, is_working_day, next_working_day


@pytest.mark.parametrize(("day", "working"), [
    (date(2025, 4, 17), False),  # Skjærtorsdag
    (date(2025, 4, 18), False),  # Langfredag
    (date(2025, 4, 21), False),  # Andre påskedag
    (date(2025, 4, 22), True),
    (date(2025, 5, 1), False),
    (date(2025, 5, 17), False),  # a Saturday and Grunnlovsdag
    (date(2025, 5, 29), False),  # Kristi himmelfartsdag
    (date(2025, 6, 9), False),   # Andre pinsedag
    (date(2025, 12, 24), True),  # Christmas Eve is a working day by law
    (date(2025, 12, 26), False),
    (date(2025, 11, 22), False),  # Saturday
    (date(2025, 11, 24), True),
])
def test_working_days(day, working):
    assert is_working_day(day) is working


def test_holidays_have_bokmal_names():
    assert holiday_name(date(2026, 4, 3)) == "Langfredag"


def test_a_deadline_on_easter_moves_past_the_whole_easter():
    assert next_working_day(date(2026, 4, 2)) == date(2026, 4, 7)
    assert next_working_day(date(2026, 4, 7)) == date(2026, 4, 7)


def test_adding_working_days_skips_weekends_and_holidays():
    assert add_working_days(date(2025, 12, 23), 3) == date(2025, 12, 30)
    assert add_working_days(date(2025, 11, 21), 1) == date(2025, 11, 24)
