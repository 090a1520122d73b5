"""``beian label show``: the label, the IPTC DigitalSourceType and the C2PA manifest, in Chinese."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest

from beian.label import (
    LabelPayload,
    add_label,
    c2pa_text,
    describe_file,
    export_c2pa,
    source_type_text,
)

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
CODES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = CODES + "trainedAlgorithmicMedia"


@pytest.mark.parametrize(
    ("uri", "text"),
    [
        (None, "无"),
        (TRAINED, "人工智能生成（trainedAlgorithmicMedia）"),
        (
            CODES + "compositeWithTrainedAlgorithmicMedia",
            "含人工智能生成部分的合成内容（compositeWithTrainedAlgorithmicMedia）",
        ),
        (CODES + "digitalCapture", "数码拍摄（digitalCapture）"),
        (CODES + "madeUpCode", f"未知取值（{CODES}madeUpCode）"),
        ("trainedAlgorithmicMedia", "未知取值（trainedAlgorithmicMedia）"),  # not a NewsCodes URI
    ],
)
def test_source_type_text(uri: str | None, text: str) -> None:
    assert source_type_text(uri) == text


@pytest.mark.parametrize(
    ("c2pa", "text"),
    [
        (None, "无"),
        ({"checked": False, "reason": "未安装"}, "未检查（未安装）"),
        (
            {"checked": True, "state": "Valid", "digital_source_type": TRAINED, "aigc": {"x": 1}},
            "有效（证书不在信任列表）（Valid）；来源类型：人工智能生成（trainedAlgorithmicMedia）"
            "；含 AIGC 标识断言",
        ),
        (
            {"checked": True, "state": "Trusted", "digital_source_type": None, "aigc": {"x": 1}},
            "有效且证书可信（Trusted）；含 AIGC 标识断言",
        ),
        (
            {"checked": True, "state": "Invalid", "digital_source_type": None, "aigc": None},
            "无效（Invalid）；无 AIGC 标识断言",
        ),
    ],
)
def test_c2pa_text(c2pa: dict[str, Any] | None, text: str) -> None:
    assert c2pa_text(c2pa) == text


CASES = [  # (sample, write IPTC, export C2PA, expected IPTC URI, expected C2PA state)
    ("sample.jpg", False, False, None, None),
    ("sample.jpg", True, False, TRAINED, None),
    ("sample.png", True, True, TRAINED, "Valid"),
    ("sample.wav", False, True, None, "Valid"),
    ("sample.mp4", False, False, None, None),
    ("sample.md", False, False, None, None),  # no XMP, not a C2PA format
]


@pytest.mark.parametrize(("name", "iptc", "c2pa", "uri", "state"), CASES)
def test_describe_file(
    name: str,
    iptc: bool,
    c2pa: bool,
    uri: str | None,
    state: str | None,
    signing: tuple[Path, Path],
    make_sample: Callable[..., Path],
) -> None:
    path = make_sample(name)
    added = add_label(
        path, PAYLOAD, digital_source_type="trainedAlgorithmicMedia" if iptc else None
    )
    if c2pa:
        export_c2pa(path, cert_chain=signing[0], private_key=signing[1])
    facts = describe_file(path)
    assert facts["label"] == {"AIGC": added.payload.fields_dict()}
    assert facts["iptc_digital_source_type"] == uri
    if state is None:
        assert facts["c2pa"] is None
    else:
        assert facts["c2pa"]["state"] == state
        assert facts["c2pa"]["digital_source_type"] == TRAINED
        assert facts["c2pa"]["aigc"] == facts["label"]


def test_cli_show_iptc_and_c2pa(
    cli: Callable[..., CompletedProcess[str]],
    signing: tuple[Path, Path],
    make_sample: Callable[..., Path],
) -> None:
    path, plain = make_sample("sample.png"), make_sample("sample.jpg")
    assert cli("label", "add", str(path), "-p", "91110108551385082Q", "--iptc").returncode == 0
    assert cli("label", "add", str(plain), "-p", "91110108551385082Q").returncode == 0
    export_c2pa(path, cert_chain=signing[0], private_key=signing[1])

    r = cli("label", "show", str(path), str(plain), env={"COLUMNS": "600"})
    assert r.returncode == 0, r.stderr
    assert "IPTC 来源类型" in r.stdout and "C2PA 清单" in r.stdout
    line = next(x for x in r.stdout.splitlines() if str(path) in x)
    assert "人工智能生成（trainedAlgorithmicMedia）" in line
    assert "有效（证书不在信任列表）（Valid）" in line and "含 AIGC 标识断言" in line
    other = next(x for x in r.stdout.splitlines() if str(plain) in x)
    assert "trainedAlgorithmicMedia" not in other and "Valid" not in other

    shown = json.loads(cli("label", "show", str(path), "--format", "json").stdout)
    assert shown["iptc_digital_source_type"] == TRAINED
    assert shown["c2pa"]["state"] == "Valid"
    assert shown["c2pa"]["aigc"] == shown["label"]


def test_cli_show_reports_a_broken_file_and_goes_on(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    good = make_sample("sample.jpg")
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    r = cli("label", "show", str(bad), str(good), env={"COLUMNS": "600"})
    assert r.returncode == 2
    assert "损坏" in next(x for x in r.stdout.splitlines() if str(bad) in x)
    assert "无标识" in next(x for x in r.stdout.splitlines() if str(good) in x)
    rows = json.loads(cli("label", "show", str(bad), str(good), "--format", "json").stdout)
    assert "error" in rows[0] and rows[1]["label"] is None and rows[1]["c2pa"] is None
