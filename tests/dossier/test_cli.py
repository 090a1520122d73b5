"""``beian init | check | build`` run as a user would, in a subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.dossier._helpers import make_example

Cli = Callable[..., subprocess.CompletedProcess[str]]


def test_init_scaffolds_a_commented_template(cli: Cli, tmp_path: Path) -> None:
    r = cli("init", "d")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "d" / "dossier.yaml").read_text("utf-8")
    for field in (
        "uscc:",
        "filing_number:",
        "training_compute:",
        "inference_compute:",
        "minors:",
        "response_days:",
        "labelling:",
        "keyword_list:",
        "assessment:",
    ):
        assert field in text
    assert "统一社会信用代码" in text  # commented in Chinese
    assert (tmp_path / "d" / "service_agreement.md").is_file()
    again = cli("init", "d")
    assert again.returncode == 2 and "--force" in again.stderr
    assert cli("init", "d", "--force").returncode == 0


def test_check_of_a_fresh_template_blocks(cli: Cli, tmp_path: Path) -> None:
    cli("init", "d")
    r = cli("check", "d", "--format", "json")
    assert r.returncode == 1
    codes = {f["code"] for f in json.loads(r.stdout)}
    assert {"BA-DOS-001", "BA-DOS-023", "BA-DOS-028"} <= codes


def test_check_clean_example_exits_zero(cli: Cli, tmp_path: Path) -> None:
    d = make_example(tmp_path)
    r = cli("check", str(d))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "阻断 0" in r.stdout
    assert json.loads(cli("check", str(d), "-f", "json").stdout) == []


def test_check_one_rule(cli: Cli, tmp_path: Path) -> None:
    d = make_example(tmp_path)
    text = (
        (d / "dossier.yaml").read_text("utf-8").replace("91110108MA01C0RP1J", "91110108MA01C0RP1K")
    )
    (d / "dossier.yaml").write_text(text, "utf-8")
    r = cli("check", str(d), "--rule", "uscc", "-f", "json")
    assert r.returncode == 1
    [f] = json.loads(r.stdout)
    assert f["code"] == "BA-DOS-003"
    line = text.splitlines().index("  uscc: 91110108MA01C0RP1K") + 1
    assert f["location"]["line"] == line
    assert cli("check", str(d), "--rule", "nope").returncode == 2


def test_yaml_syntax_error_has_file_and_line(cli: Cli, tmp_path: Path) -> None:
    cli("init", "d")
    p = tmp_path / "d" / "dossier.yaml"
    lines = p.read_text("utf-8").splitlines()
    i = next(n for n, s in enumerate(lines) if s.startswith("  name:"))
    lines[i] = '  name: "unclosed'
    p.write_text("\n".join(lines), "utf-8")
    r = cli("check", "d")
    assert r.returncode == 2
    assert "YAML 语法错误" in r.stderr and "dossier.yaml:" in r.stderr


def test_schema_error_has_file_and_line(cli: Cli, tmp_path: Path) -> None:
    cli("init", "d")
    p = tmp_path / "d" / "dossier.yaml"
    text = p.read_text("utf-8")
    text = text.replace("  modes: []", "  modes: [app, fax]").replace(
        "minors: false", "minors: 也许"
    )
    p.write_text(text, "utf-8")
    lines = text.splitlines()
    modes = next(n for n, s in enumerate(lines) if s.startswith("  modes:")) + 1
    minors = next(n for n, s in enumerate(lines) if s.strip().startswith("minors: 也许")) + 1
    r = cli("check", "d")
    assert r.returncode == 2
    assert f"dossier.yaml:{modes} service.modes.1" in r.stderr
    assert f"dossier.yaml:{minors} service.scope.minors" in r.stderr


def test_unknown_field_is_reported_where_it_is(cli: Cli, tmp_path: Path) -> None:
    cli("init", "d")
    p = tmp_path / "d" / "dossier.yaml"
    text = p.read_text("utf-8").replace("  address: ", "  adress: ")
    p.write_text(text, "utf-8")
    line = (
        text.splitlines().index(next(s for s in text.splitlines() if s.startswith("  adress:"))) + 1
    )
    r = cli("check", "d")
    assert r.returncode == 2 and f"dossier.yaml:{line} provider.adress" in r.stderr


def test_build_refuses_blocking_unless_draft(cli: Cli, tmp_path: Path) -> None:
    d = make_example(tmp_path)
    text = (
        (d / "dossier.yaml").read_text("utf-8").replace("response_days: 7", "response_days: null")
    )
    (d / "dossier.yaml").write_text(text, "utf-8")
    r = cli("build", str(d), "-o", "pkg")
    assert r.returncode == 1 and "未生成" in r.stderr
    assert not (tmp_path / "pkg").exists()
    r = cli("build", str(d), "-o", "pkg", "--draft")
    assert r.returncode == 1, r.stderr
    findings = json.loads((tmp_path / "pkg" / "findings.json").read_text("utf-8"))
    assert [f["code"] for f in findings] == ["BA-DOS-023"]
    # a second build replaces the package only with --force
    assert cli("build", str(d), "-o", "pkg", "--draft").returncode == 2
    assert cli("build", str(d), "-o", "pkg", "--draft", "--force").returncode == 1
    assert (
        json.loads((tmp_path / "pkg" / "manifest.json").read_text("utf-8"))["format"]
        == "beian-package/1"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier", "pkg"]


def _md5(p: Path) -> str:
    import hashlib

    return hashlib.md5(p.read_bytes()).hexdigest()


def _write_run(tmp_path: Path, **kw: object) -> Path:
    from tests.dossier._helpers import passing_log

    log = passing_log(**kw)  # type: ignore[arg-type]
    log.extra["run_marker"] = "from-run"  # differs from the dossier's copy
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    log.save(run / "assessment.json")
    return run


def _foreign_model(tmp_path: Path) -> Path:
    run = _write_run(tmp_path)
    data = json.loads((run / "assessment.json").read_text("utf-8"))
    data["target"]["model"] = "OtherChat"
    (run / "assessment.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return run


def _foreign_edition(tmp_path: Path) -> Path:
    from beian.standards import load_edition

    return _write_run(tmp_path, edition=load_edition("tc260-003-2024"))


def _corrupt(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    (run / "assessment.json").write_text('{"edition": ', "utf-8")
    return run


@pytest.mark.parametrize(
    ("make_run", "undeclared", "message"),
    [
        (lambda t: t / "nowhere", False, "找不到或无法读取评估记录"),
        (_corrupt, False, "评估记录不是有效的 JSON"),
        (_write_run, True, "备案材料未声明评估记录"),
        (_foreign_model, False, "评估运行的模型为 OtherChat，备案材料的模型为 ShiLiChat"),
        (_foreign_edition, False, "评估运行按标准版本 tc260-003-2024 进行"),
    ],
    ids=["missing-run", "corrupt-log", "no-attachment", "foreign-model", "foreign-edition"],
)
def test_build_run_refusals_leave_the_log_alone(
    cli: Cli, tmp_path: Path, make_run: Callable[[Path], Path], undeclared: bool, message: str
) -> None:
    from tests.dossier._helpers import load, save

    d = make_example(tmp_path)
    if undeclared:
        data = load(d)
        data["attachments"]["assessment"] = None
        save(d, data)
    before = _md5(d / "assessment.json")
    run = make_run(tmp_path)
    r = cli("build", str(d), "--run", str(run), "-o", "pkg")
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert "评估记录已更新" not in r.stdout
    assert _md5(d / "assessment.json") == before
    assert not (tmp_path / "pkg").exists()


def test_build_run_force_run_takes_a_foreign_run(cli: Cli, tmp_path: Path) -> None:
    d = make_example(tmp_path)
    run = _foreign_model(tmp_path)
    r = cli("build", str(d), "--run", str(run), "-o", "pkg", "--force-run")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "评估记录已更新" in r.stdout
    assert (d / "assessment.json").read_bytes() == (run / "assessment.json").read_bytes()


def test_build_run_replaces_the_log_only_when_the_build_goes_ahead(
    cli: Cli, tmp_path: Path
) -> None:
    d = make_example(tmp_path)
    text = (
        (d / "dossier.yaml").read_text("utf-8").replace("response_days: 7", "response_days: null")
    )
    (d / "dossier.yaml").write_text(text, "utf-8")
    before = _md5(d / "assessment.json")
    run = _write_run(tmp_path)
    refused = cli("build", str(d), "--run", str(run), "-o", "pkg")
    assert refused.returncode == 1 and "未生成材料包" in refused.stderr
    assert "评估记录已更新" not in refused.stdout
    assert _md5(d / "assessment.json") == before  # a refused build leaves it byte-identical
    draft = cli("build", str(d), "--run", str(run), "-o", "pkg", "--draft")
    assert draft.returncode == 1 and "评估记录已更新" in draft.stdout, draft.stderr
    assert (d / "assessment.json").read_bytes() == (run / "assessment.json").read_bytes()
    # the same log again: nothing copied, nothing said
    again = cli("build", str(d), "--run", str(run), "-o", "pkg", "--draft", "--force")
    assert again.returncode == 1 and "评估记录已更新" not in again.stdout, again.stderr
