"""``rights.calendar_files``: resolved beside the config, read once at start (and on a reload),
a bad file refused there with its ``file:line``; ``gateway check`` sees it, the transparency page
and placeholder complaint channels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from beian.crypto import KeyRing
from beian.errors import ConfigError
from beian.gateway import Gateway, GatewayConfig, check_config, load_gateway_config
from beian.gateway._rights import due_date
from beian.standards import load_edition

from .conftest import ADMIN_TOKEN, PRODUCER

KEY_ENV = {"BEIAN_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
GOOD = "year: 2031\nholidays:\n  - 2031-01-01\n  - 2031-01-02\nworkdays: []\n"
BAD = "year: 2031\nholidays:\n  - 2031-01-01\n  - 2031-02-30\n"  # line 4: no such date


def _config_file(tmp: Path, **sections: Any) -> Path:
    data: dict[str, Any] = {
        "upstream": {"base_url": "http://127.0.0.1:9/v1"},
        "records": {"path": "gw.db"},
        "labels": {"content_producer": PRODUCER},
        "admin_token": ADMIN_TOKEN,
        **sections,
    }
    path = tmp / "conf" / "gateway.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), "utf-8")
    return path


def test_calendar_files_are_relative_to_the_config_folder(tmp_path: Path) -> None:
    path = _config_file(tmp_path, rights={"calendar_files": ["cal2031.yaml"]})
    (path.parent / "cal2031.yaml").write_text(GOOD, "utf-8")
    cfg = load_gateway_config(path)
    assert cfg.rights.calendar_files == [str(path.parent / "cal2031.yaml")]
    gw = Gateway(cfg, ring=KeyRing.generate())
    try:
        assert gw.rights.calendar.covers(2031)
        # the loaded schedule counts: 2031-01-01/02 are holidays, so the 1st working day after
        # 2030-12-31 is Friday 2031-01-03, and nothing is an estimate
        assert due_date(dt.date(2030, 12, 31), 1, gw.rights.calendar) == (
            dt.date(2031, 1, 3),
            False,
        )
    finally:
        gw.close()


@pytest.mark.parametrize(("content", "where"), [(None, "calendar_files[0]"), (BAD, "cal.yaml:4")])
def test_a_missing_or_bad_calendar_stops_the_start(
    tmp_path: Path, content: str | None, where: str
) -> None:
    path = _config_file(tmp_path, rights={"calendar_files": ["cal.yaml"]})
    if content is not None:
        (path.parent / "cal.yaml").write_text(content, "utf-8")
    with pytest.raises(ConfigError) as caught:
        Gateway(load_gateway_config(path), ring=KeyRing.generate())
    err = caught.value
    assert where in str(err.where)
    assert "rights.calendar_files[0]" in err.what
    assert not (path.parent / "gw.db").exists()  # refused before the records were opened


def test_a_bad_calendar_fails_the_reload_and_keeps_the_old_one(tmp_path: Path) -> None:
    path = _config_file(tmp_path, rights={"calendar_files": ["cal.yaml"]})
    cal = path.parent / "cal.yaml"
    cal.write_text(GOOD, "utf-8")
    gw = Gateway(load_gateway_config(path), ring=KeyRing.generate())
    try:
        before = gw.rights.calendar
        cal.write_text(BAD, "utf-8")
        result = gw.reload()
        assert not result.ok and "cal.yaml:4" in result.message
        assert gw.rights.calendar is before
        cal.write_text(GOOD.replace("2031-01-02", "2031-01-03"), "utf-8")
        assert gw.reload().ok
        assert not gw.rights.calendar.is_workday(dt.date(2031, 1, 3))
    finally:
        gw.close()


def _codes(tmp: Path, data: dict[str, Any], wanted: set[str]) -> list[str]:
    cfg = GatewayConfig.from_mapping(
        {"labels": {"content_producer": PRODUCER}, **data}
    ).resolve_paths(tmp)
    return [f.code for f in check_config(cfg, load_edition(), environ=KEY_ENV) if f.code in wanted]


FILES = {"BA-GW-008", "BA-GW-019"}
CASES = [
    # name, config, files (name -> bytes), codes
    ("calendar present and good", {"rights": {"calendar_files": ["c.yaml"]}},
     {"c.yaml": GOOD.encode()}, []),
    ("calendar missing", {"rights": {"calendar_files": ["c.yaml"]}}, {}, ["BA-GW-008"]),
    ("calendar malformed", {"rights": {"calendar_files": ["c.yaml"]}}, {"c.yaml": BAD.encode()},
     ["BA-GW-019"]),
    ("transparency page present", {"transparency": {"page": "t.html"}},
     {"t.html": "<p>说明</p>".encode()}, []),
    ("transparency page missing", {"transparency": {"page": "t.html"}}, {}, ["BA-GW-008"]),
    ("transparency page unreadable (not text)", {"transparency": {"page": "t.html"}},
     {"t.html": b"\xff\xfe\x00\xd8\x00\x00garbage\x00\x81"}, ["BA-GW-019"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_check_sees_the_calendar_and_the_transparency_page(
    tmp_path: Path, name: str, data: dict[str, Any], files: dict[str, bytes], expected: list[str]
) -> None:
    for fname, body in files.items():
        (tmp_path / fname).write_bytes(body)
    assert _codes(tmp_path, data, FILES) == expected


def test_check_finding_names_the_calendar_line(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(BAD, "utf-8")
    cfg = GatewayConfig.from_mapping(
        {"labels": {"content_producer": PRODUCER}, "rights": {"calendar_files": ["c.yaml"]}}
    ).resolve_paths(tmp_path)
    (found,) = [f for f in check_config(cfg, load_edition(), environ=KEY_ENV)
                if f.code == "BA-GW-019"]  # fmt: skip
    assert "c.yaml:4" in found.message and found.fix


CHANNELS = [
    # name, complaints section, codes
    ("real channels", {"phone": "010-8765 4321", "email": "ts@provider.com.cn"}, []),
    ("the docs' example phone", {"phone": "400-000-0000", "email": "ts@provider.com.cn"},
     ["BA-GW-020"]),
    ("the docs' example email", {"phone": "010-8765 4321", "email": "report@example.cn"},
     ["BA-GW-020"]),
    ("both examples", {"phone": "400-000-0000", "email": "report@example.cn"},
     ["BA-GW-020", "BA-GW-020"]),
    ("marked 示例", {"phone": "示例电话"}, ["BA-GW-020"]),
    ("one digit repeated", {"phone": "1111-1111"}, ["BA-GW-020"]),
    ("no channel at all is an info, not a placeholder", {}, ["BA-GW-006"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "complaints", "expected"), CHANNELS, ids=[c[0] for c in CHANNELS])
def test_placeholder_complaint_channels(
    tmp_path: Path, name: str, complaints: dict[str, str], expected: list[str]
) -> None:
    found = check_config(
        GatewayConfig.from_mapping(
            {"labels": {"content_producer": PRODUCER}, "complaints": complaints}
        ),
        load_edition(), environ=KEY_ENV,
    )  # fmt: skip
    assert [f.code for f in found if f.code in {"BA-GW-006", "BA-GW-020"}] == expected
    for f in found:
        if f.code == "BA-GW-020":
            assert f.fix and str(f.location.field).startswith("complaints.")
