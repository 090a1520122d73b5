"""``beian label`` as a user runs it: directories, summaries, JSON output and exit codes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

USCC = "91110108551385082Q"


def test_add_show_verify_directory(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    work = tmp_path / "out"
    (work / "sub").mkdir(parents=True)
    for name in ("sample.png", "sample.wav", "sample.md"):
        shutil.move(make_sample(name), work / ("sub" if name.endswith(".md") else "") / name)
    (work / "notes.xyz").write_text("ignored", encoding="utf-8")

    r = cli("label", "add", str(work), "--producer", USCC)
    assert r.returncode == 0, r.stderr
    assert "已添加 3，未变化 0，失败 0" in r.stdout
    r = cli("label", "add", str(work), "--producer", USCC)
    assert "已添加 0，未变化 3，失败 0" in r.stdout

    r = cli("label", "show", str(work / "sample.png"), "--format", "json")
    shown = json.loads(r.stdout)
    assert shown["carrier"] == "PNG"
    assert shown["label"]["AIGC"]["ContentProducer"] == "0011" + USCC + "00000"

    r = cli("label", "verify", str(work), "--format", "json")
    assert r.returncode == 0 and all(x["ok"] for x in json.loads(r.stdout))

    md = work / "sub" / "sample.md"
    md.write_text(md.read_text(encoding="utf-8").replace("正文", "改过的正文"), encoding="utf-8")
    r = cli("label", "verify", str(work))
    assert r.returncode == 1
    assert "BA-LBL-005" in r.stdout and "未通过 1" in r.stdout


def test_signed_labels_with_keygen(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_sample("sample.jpg")
    assert cli("label", "keygen", "-o", "k.pem").returncode == 0
    assert cli("label", "keygen", "-o", "other.pem").returncode == 0
    assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
    r = cli("label", "add", str(path), "-p", USCC, "--key", "k.pem", "--digest", "sm3")
    assert r.returncode == 0, r.stderr
    assert cli("label", "verify", str(path), "--pubkey", "k.pem.pub").returncode == 0
    r = cli("label", "verify", str(path), "--pubkey", "other.pem.pub")
    assert r.returncode == 1 and "BA-LBL-006" in r.stdout


def test_errors_are_reported_not_dropped(
    cli: Callable[..., CompletedProcess[str]], tmp_path: Path, make_sample: Callable[..., Path]
) -> None:
    good = make_sample("sample.gif")
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    r = cli("label", "add", str(good), str(bad), "-p", USCC)
    assert r.returncode == 2
    assert "已添加 1，未变化 0，失败 1" in r.stdout
    assert "错误：" in r.stderr and "修复：" in r.stderr and str(bad) in r.stderr
    r = cli("label", "add", str(good), "-p", "91110108551385082A")
    assert r.returncode == 2 and "统一社会信用代码" in r.stderr
    r = cli("label", "add", str(tmp_path / "missing.png"), "-p", USCC)
    assert r.returncode == 2 and "不存在" in r.stderr


def test_readme_label_line_works(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    """The README's `beian label add 图片.png --producer <USCC> --explicit` line, as written."""
    import re

    readme = Path(__file__).resolve().parents[2] / "README.md"
    line = next(x for x in readme.read_text(encoding="utf-8").splitlines() if "label add" in x)
    args = line.split("#")[0].split()[1:]  # after ".venv/bin/beian"
    uscc = args[args.index("--producer") + 1]
    assert re.fullmatch(r"[0-9A-Z]{18}", uscc)
    image = make_sample("sample.png", name="图片.png")
    r = cli(*[str(image) if a == "图片.png" else a for a in args])
    assert r.returncode == 0, r.stderr
    assert "已添加 1" in r.stdout and "含显式标识" in r.stdout
    shown = json.loads(cli("label", "show", str(image), "--format", "json").stdout)
    assert shown["label"]["AIGC"]["ContentProducer"] == "0011" + uscc + "00000"


def test_producer_placeholder_error_names_the_forms(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path]
) -> None:
    image = make_sample("sample.png")
    r = cli("label", "add", str(image), "--producer", "统一社会信用代码")
    assert r.returncode == 2
    assert "18 位统一社会信用代码" in r.stderr and "27 位" in r.stderr
    assert "含非法字符" not in r.stderr
