"""BA-DOS-031/032: the launch date leaves room for the public notice (one calendar, one setting)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from beian.config import BeianConfig
from beian.dossier import check_dossier
from beian.errors import ConfigError
from tests.dossier._helpers import load, save

# Fixed clocks inside and outside the years the holiday schedule covers.
COVERED = dt.datetime(2025, 9, 26, 12, tzinfo=dt.UTC)  # a Friday before National Day
# 7 working days after 2025-09-26: Sep 28 (make-up Sunday), 29, 30, Oct 9, 10, 11 (Sat), 13.
EARLIEST = dt.date(2025, 10, 13)
UNCOVERED = dt.datetime(2099, 3, 2, 12, tzinfo=dt.UTC)

CASES: list[tuple[str, dt.datetime, str | None, dict[str, object] | None, list[str]]] = [
    ("exactly after the notice", COVERED, EARLIEST.isoformat(), None, []),
    ("one day short", COVERED, "2025-10-12", None, ["BA-DOS-031"]),
    ("in the past", COVERED, "2024-01-01", None, ["BA-DOS-031"]),
    ("no date", COVERED, None, None, []),
    (
        "shorter notice from the registry setting",
        COVERED,
        "2025-10-10",
        {"registry": {"policy": {"notice_working_days": 5}}},
        [],
    ),
    (
        "longer notice from the registry setting",
        COVERED,
        EARLIEST.isoformat(),
        {"registry": {"policy": {"notice_working_days": 8}}},
        ["BA-DOS-031"],
    ),
    ("year without a schedule: said, not guessed", UNCOVERED, "2099-12-01", None, ["BA-DOS-032"]),
]


def _codes(
    d: Path, now: dt.datetime, launch: str | None, cfg: dict[str, object] | None
) -> list[str]:
    data = load(d)
    data["service"]["launch_date"] = launch
    save(d, data)
    config = BeianConfig.model_validate(cfg) if cfg is not None else None
    report = check_dossier(d, config=config, now=now, only=["launch_date"])
    return [f.code for f in report.findings]


@pytest.mark.parametrize(
    ("name", "now", "launch", "cfg", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_launch_date(
    example: Path,
    name: str,
    now: dt.datetime,
    launch: str | None,
    cfg: dict[str, object] | None,
    expected: list[str],
) -> None:
    assert _codes(example, now, launch, cfg) == expected


def test_old_dossier_setting_is_refused(example: Path) -> None:
    cfg = {"dossier": {"public_notice_working_days": 7}}
    with pytest.raises(ConfigError) as exc:
        _codes(example, COVERED, EARLIEST.isoformat(), cfg)
    assert "registry.policy.notice_working_days" in (exc.value.fix or "")
