"""Working days by the State Council holiday schedule, including make-up working weekends (调休).

The one calendar of the project (the registry's deadlines, the dossier's launch-date check). The
schedule comes from the maintained ``chinesecalendar`` package. A year the package does not cover
can be loaded from the official notice as a file (:func:`parse_schedule`) until the package
catches up; a date in a year that neither covers is an error, never a guess.

The public notice lasts :func:`notice_working_days` working days: one setting,
``registry.policy.notice_working_days`` in beian.yaml (default 7, the seed process).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beian.errors import ConfigError, InputError

if TYPE_CHECKING:
    from beian.config import BeianConfig

__all__ = [
    "DEFAULT_NOTICE_WORKING_DAYS",
    "WorkingCalendar",
    "YearSchedule",
    "load_schedule_file",
    "notice_working_days",
    "parse_schedule",
]

DEFAULT_NOTICE_WORKING_DAYS = 7


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule: holidays and make-up working days (调休上班)."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = ""

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "source": self.source,
            "holidays": sorted(d.isoformat() for d in self.holidays),
            "workdays": sorted(d.isoformat() for d in self.workdays),
        }


Locate = Callable[[tuple[str | int, ...]], str]  # a key path of the schedule -> where it is


def _dates(raw: object, key: str, locate: Locate, year: int) -> set[dt.date]:
    out: set[dt.date] = set()
    if raw is None:
        return out
    if not isinstance(raw, list):
        raise InputError("应为日期列表", where=locate((key,)),
                         fix="例如 [2027-01-01, 2027-10-01..2027-10-07]")
    for i, item in enumerate(raw):
        text = str(item)
        try:
            if ".." in text:
                a, b = (dt.date.fromisoformat(s.strip()) for s in text.split("..", 1))
                if b < a:
                    raise ValueError
                out.update(a + dt.timedelta(days=k) for k in range((b - a).days + 1))
            else:
                out.add(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise InputError(
                f"无法识别的日期 {text!r}", where=locate((key, i)),
                fix="日期写作 YYYY-MM-DD，区间写作 YYYY-MM-DD..YYYY-MM-DD",
            ) from None
    bad = sorted(d for d in out if d.year != year)
    if bad:
        raise InputError(f"日期 {bad[0]} 不属于 {year} 年", where=locate((key,)),
                         fix="一个文件只放一年的安排")
    return out


def parse_schedule(
    data: Mapping[str, Any], *, where: str = "<schedule>", locate: Locate | None = None
) -> YearSchedule:
    """Parse ``{year, source, holidays: [...], workdays: [...]}`` (dates or ``a..b`` ranges).

    Errors are at ``where:holidays[3]``, or where ``locate`` says a key path was written
    (``file:line field`` for a YAML file)."""
    at = locate or (lambda key: where + "".join(
        f"[{k}]" if isinstance(k, int) else f":{k}" for k in key))  # fmt: skip
    try:
        year = int(data["year"])
    except (KeyError, TypeError, ValueError):
        raise InputError("缺少年份 year", where=at(("year",)), fix="文件顶层写 year: 2027") from None
    holidays = _dates(data.get("holidays"), "holidays", at, year)
    workdays = _dates(data.get("workdays"), "workdays", at, year)
    if not holidays:
        raise InputError("没有任何法定节假日", where=at(("holidays",)),
                         fix="请按国务院办公厅通知填写当年全部放假日期")
    both = holidays & workdays
    if both:
        raise InputError(f"{min(both)} 同时是假日和上班日", where=at(("workdays",)),
                         fix="请核对通知原文")
    weekday_work = sorted(d for d in workdays if d.weekday() < 5)
    if weekday_work:
        raise InputError(f"调休上班日 {weekday_work[0]} 本来就是工作日", where=at(("workdays",)),
                         fix="workdays 只列需要上班的周末")
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), str(data.get("source", "")))


def _package_years() -> frozenset[int]:
    from chinese_calendar import constants

    return frozenset(d.year for d in constants.holidays)


@dataclass
class WorkingCalendar:
    """Working-day arithmetic over the package's data plus loaded yearly schedules."""

    schedules: dict[int, YearSchedule] = field(default_factory=dict)

    @classmethod
    def with_schedules(cls, schedules: Iterable[YearSchedule]) -> WorkingCalendar:
        return cls({s.year: s for s in schedules})

    def covers(self, year: int) -> bool:
        return year in self.schedules or year in _package_years()

    def is_workday(self, day: dt.date) -> bool:
        loaded = self.schedules.get(day.year)
        if loaded is not None:
            return loaded.is_workday(day)
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            years = _package_years()
            raise InputError(
                f"没有 {day.year} 年的法定节假日安排，无法计算工作日",
                where=day.isoformat(),
                fix=(f"chinesecalendar 仅覆盖 {min(years)}–{max(years)} 年；请升级该包（pip install -U "
                     "chinesecalendar），或在备案系统中由管理员用 `beian registry calendar load 文件` "
                     "导入国务院办公厅公布的当年安排"),
            ) from None

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        if n < 1:
            raise ValueError("n must be positive")
        day, count = start, 0
        while count < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``."""
        day, count = start, 0
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def load_schedule_file(path: str | Path) -> YearSchedule:
    """A yearly schedule from a YAML file; errors at ``file:line field``."""
    from beian.io import read_yaml_document

    doc = read_yaml_document(path)
    if not isinstance(doc.data, dict):
        raise InputError("日历文件顶层应为映射", where=str(path), fix="见 docs/registry.md 的示例")
    return parse_schedule(doc.data, where=str(path), locate=lambda key: doc.where(*key))


def notice_working_days(config: BeianConfig | None) -> int:
    """Working days of the public notice: ``registry.policy.notice_working_days`` (default 7).

    The one setting for the figure, read by the registry's deadlines and the dossier's
    launch-date check alike. The old ``dossier.public_notice_working_days`` is refused.
    """
    if config is None:
        return DEFAULT_NOTICE_WORKING_DAYS
    if "public_notice_working_days" in config.section("dossier"):
        raise ConfigError(
            "dossier.public_notice_working_days 已停用",
            where=config.where("dossier", "public_notice_working_days"),
            fix="公示期只在一处设置：registry.policy.notice_working_days（默认 7 个工作日）",
        )
    policy = config.section("registry").get("policy") or {}
    value = (policy.get("notice_working_days", DEFAULT_NOTICE_WORKING_DAYS)
             if isinstance(policy, dict) else DEFAULT_NOTICE_WORKING_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(
            f"公示期应为正整数个工作日，而不是 {value!r}",
            where=config.where("registry", "policy", "notice_working_days"),
            fix="例如 notice_working_days: 7",
        )
    return value
