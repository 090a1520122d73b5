"""Working days: the State Council schedule with make-up working weekends, and loaded years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from beian._shared.workdays import WorkingCalendar, load_schedule_file, parse_schedule
from beian.errors import InputError

D = dt.date


def test_notice_approved_2025_09_26_ends_across_national_day() -> None:
    # 2025 National Day + Mid-Autumn: Oct 1-8 off; Sun Sep 28 and Sat Oct 11 are working days.
    cal = WorkingCalendar()
    assert cal.is_workday(D(2025, 9, 28)) and cal.is_workday(D(2025, 10, 11))
    assert not cal.is_workday(D(2025, 10, 8))
    # Day 1..7: Sep 28, 29, 30, Oct 9, 10, 11, 13.
    assert cal.add_working_days(D(2025, 9, 26), 7) == D(2025, 10, 13)
    assert cal.working_days_between(D(2025, 9, 26), D(2025, 10, 13)) == 7


@pytest.mark.parametrize(("start", "n", "end"), [
    (D(2025, 1, 24), 3, D(2025, 2, 5)),   # Spring Festival: Sun Jan 26 is a make-up workday
    (D(2024, 4, 30), 1, D(2024, 5, 6)),   # Labour Day 2024: May 1-5 off
    (D(2024, 5, 10), 1, D(2024, 5, 11)),  # Sat May 11 2024 is a make-up workday
    (D(2023, 6, 21), 1, D(2023, 6, 25)),  # Dragon Boat 2023: Jun 22-24 off, Sun Jun 25 works
    (D(2025, 11, 28), 1, D(2025, 12, 1)),  # plain weekend
])
def test_add_working_days(start: dt.date, n: int, end: dt.date) -> None:
    assert WorkingCalendar().add_working_days(start, n) == end


def test_year_outside_package_is_an_error_not_a_guess() -> None:
    with pytest.raises(InputError) as exc:
        WorkingCalendar().add_working_days(D(2026, 12, 28), 7)  # runs into 2027
    assert "2027" in exc.value.what and "calendar load" in (exc.value.fix or "")


def test_loaded_schedule_fills_a_missing_year(tmp_path: Path) -> None:
    f = tmp_path / "2027.yaml"
    f.write_text("year: 2027\nsource: 国务院办公厅通知（测试）\n"
                 "holidays: [2027-01-01, 2027-02-05..2027-02-11]\n"
                 "workdays: [2027-02-13]\n", encoding="utf-8")
    sched = load_schedule_file(f)
    cal = WorkingCalendar.with_schedules([sched])
    assert not cal.is_workday(D(2027, 2, 8))
    assert cal.is_workday(D(2027, 2, 13))  # a Saturday
    assert cal.add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 12)
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.parametrize(("data", "needle"), [
    ({"holidays": ["2027-01-01"]}, "year"),
    ({"year": 2027, "holidays": []}, "节假日"),
    ({"year": 2027, "holidays": ["2027-13-01"]}, "日期"),
    ({"year": 2027, "holidays": ["2026-01-01"]}, "不属于"),
    ({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}, "同时"),
    ({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2027-01-04"]}, "本来就是工作日"),
])
def test_bad_schedules_are_refused(data: dict[str, object], needle: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_schedule(data)
    assert needle in exc.value.what
