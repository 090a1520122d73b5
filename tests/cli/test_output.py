"""The command line as a person meets it: Chinese help and usage errors, output to a pipe or a
log never wrapped at 80 columns, secrets and URLs printed whole."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from beian.cli._help import translate
from tests.conftest import run_cli


def piped(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI with stdout a pipe and no COLUMNS: as under a service manager or `| tee log`."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "BEIAN_CONFIG")}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "beian", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


ENGLISH = ["Usage:", "Show this message", "Options", "Arguments", "Commands", "[default:",
           "[required]", "<bool>", "<str>", "<int>", "<path>", "list[", "Missing ", "Try '"]  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [("--help",), ("pii", "redact", "--help"), ("lexicon", "scan", "--help"),
     ("gateway", "serve", "--help"), ("label", "add", "--help")],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_help_has_no_english_leftovers(args: tuple[str, ...]) -> None:
    r = run_cli(*args)
    assert r.returncode == 0, r.stderr
    assert "用法：" in r.stdout and "选项" in r.stdout and "显示本帮助并退出" in r.stdout
    assert [w for w in ENGLISH if w in r.stdout] == []


def _help_pages() -> list[tuple[str, ...]]:
    """Every command and group of the CLI, as the arguments before ``--help``."""
    import typer.main

    from beian.cli import app

    pages: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        pages.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return pages


@pytest.mark.parametrize("args", _help_pages(), ids=lambda a: " ".join(a) or "beian")
def test_every_help_page_in_a_pipe_is_whole_and_chinese(args: tuple[str, ...]) -> None:
    from typer.testing import CliRunner

    from beian.cli import app

    # 80 columns, stdout not a terminal: what `beian … --help | less` shows
    r = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": None, "LINES": None})
    assert r.exit_code == 0, r.output
    assert "用法：" in r.output and "显示本帮助并退出" in r.output
    assert [w for w in [*ENGLISH, " range>"] if w in r.output] == []
    cut = [line for line in r.output.splitlines() if re.search(r"…(?!>)", line)]
    assert cut == [], "被截断的帮助文字：\n" + "\n".join(cut)  # "<路径…>" is a list, not a cut
    assert max(map(len, r.output.splitlines())) <= 80


USAGE_ERRORS = [
    # args, what the message says
    (("pii", "redact"), "缺少参数 'source'"),
    (("pii", "redact", "a", "b", "--bogus"), "没有选项 --bogus"),
    (("gateway", "serve", "--port", "x"), "'--port' 的值无效：应为整数"),
    (("nosuch",), "没有命令 'nosuch'"),
    (("lexicon", "scan", "x.txt"), "缺少选项 '--library'"),
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS, ids=lambda a: str(a))
def test_usage_errors_are_chinese(args: tuple[str, ...], message: str) -> None:
    r = run_cli(*args)
    assert r.returncode == 2
    assert message in r.stderr and "用法：" in r.stderr
    assert [w for w in ENGLISH if w in r.stderr] == []


MESSAGES = [
    ("Missing argument 'SOURCE'.", "缺少参数 'SOURCE'。"),
    ("Missing option '--output' / '-o'.", "缺少选项 '--output' / '-o'。"),
    ("No such option: --x (Possible options: --xa, --xb)", "没有选项 --x （可用的选项：--xa, --xb）"),
    ("No such command 'scna'. Did you mean 'scan'?", "没有命令 'scna'。 是否想用 'scan'？"),
    ("Got unexpected extra argument(s) (a b)", "多余的参数（a b）"),
    ("Invalid value for '-n': Value 'x' is not a valid int.", "'-n' 的值无效：'x' 不是有效的整数。"),
    ("Invalid value for 'FILE': Path 'a.txt' does not exist.", "'FILE' 的值无效：'a.txt' 不存在。"),
    ("Invalid value for '--format': 'xml' is not one of 'table', 'json'.",
     "'--format' 的值无效：'xml' 不是 'table', 'json' 之一。"),
    ("Option '--port' requires an argument.", "选项 '--port' 需要一个值。"),
    ("something Typer may add later", "something Typer may add later"),
]  # fmt: skip


@pytest.mark.parametrize(("english", "chinese"), MESSAGES, ids=[m[0][:30] for m in MESSAGES])
def test_translate(english: str, chinese: str) -> None:
    assert translate(english) == chinese


def test_tables_in_a_pipe_keep_every_column() -> None:
    r = piped("standards", "list")
    assert r.returncode == 0, r.stderr
    header = next(line for line in r.stdout.splitlines() if "代码" in line and "风险" in line)
    assert "17种之一" in header  # the last column, which 80 columns squeezed away
    assert max(len(line) for line in r.stdout.splitlines()) > 80
    row = next(line for line in r.stdout.splitlines() if "A1a" in line)
    assert "煽动颠覆国家政权、推翻社会主义制度" in row  # not folded onto a second line


def test_secrets_and_urls_are_printed_whole(tmp_path: Path) -> None:
    from beian.crypto import KeyRing

    KeyRing.generate().save(tmp_path / "keys.json")
    r = piped("registry", "user", "add", "reviewer-with-a-rather-long-name", "--role", "reviewer",
              "--org", "北京市互联网信息办公室（网络安全与信息化委员会办公室）", "--org-kind",
              "registrar", "--province", "北京", "--data-dir", str(tmp_path / "data"),
              "--key-file", str(tmp_path / "keys.json"))  # fmt: skip
    assert r.returncode == 0, r.stderr
    (line,) = [x for x in r.stdout.splitlines() if "otpauth://" in x]
    url = line[line.index("otpauth://"):]
    assert re.fullmatch(r"otpauth://totp/\S+\?secret=[A-Z2-7]+&issuer=\S+", url), url


def test_standards_show_speaks_chinese() -> None:
    figure = run_cli("standards", "show", "lexicon.total_min")
    assert figure.returncode == 0, figure.stderr
    for key in ("参数", "条款", "要求", "数值", "可信度", "来源"):
        assert key in figure.stdout
    assert "≥ 10000" in figure.stdout and "多源一致" in figure.stdout
    assert not re.search(r"\b(name|clause|comparison|confidence|override_source)\b", figure.stdout)
    risk = run_cli("standards", "show", "A1a")
    assert "17种之一" in risk.stdout and "是" in risk.stdout and "True" not in risk.stdout
    clause = run_cli("standards", "show", "8.1")
    assert "证据" in clause.stdout and "文档材料" in clause.stdout and "document" not in clause.stdout
    data = run_cli("standards", "show", "A1a", "--format", "json")  # machines keep the field names
    assert '"core": true' in data.stdout
