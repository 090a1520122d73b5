"""Plugin registries: one duplicate rule, and entry points for every kind of plugin."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from beian._shared.plugins import ENTRY_POINT_GROUPS, PluginRegistry
from beian.errors import ConfigError


def _pack(root: Path, groups: dict[str, str], module: str, code: str) -> None:
    """A pack installed on ``root`` the way pip installs one: a module and its dist-info."""
    (root / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = root / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    eps = "".join(f"[{g}]\n{module} = {module}\n" for g in groups.values())
    (info / "entry_points.txt").write_text(eps, encoding="utf-8")


PACK = """
from beian.assess import importer
from beian.assess.judges import AnswerJudge, judge
from beian.assess.targets import target
from beian.dossier import register_exporter, rule
from beian.label.carriers.text import TextCarrier
from beian.label import register_carrier
from beian.pii import RegexRecognizer, register
import re


@judge("pack_judge")
class PackJudge(AnswerJudge):
    def judge(self, x):
        return None


@target("pack_target")
def pack_target(cfg, where):
    raise NotImplementedError


@rule("pack_rule", title="示例规则", aspect="合规性", codes=[])
def pack_rule(ctx):
    return []


@register_exporter("示例.txt", "service_agreement")
def pack_export(ctx, src, dst):
    dst.write_text("x")


@importer("pack_format")
def pack_format(path, fields):
    yield from ()


@register
class PackRecognizer(RegexRecognizer):
    entity_type = "PACK_ID"
    name = "pack_id"
    pattern = re.compile(r"PK-\\d{6}")


@register_carrier
class PackCarrier(TextCarrier):
    name = "pack_text"
    suffixes = (".packtxt",)
"""

PROBE = """
from beian.assess import importer_names
from beian.assess.judges import judge_names
from beian.assess.targets import target_types
from beian.dossier import EXPORTERS, load_rules
from beian.label import all_carriers
from beian.pii import recognizer_classes

print("judges", "pack_judge" in judge_names())
print("targets", "pack_target" in target_types())
print("rules", "pack_rule" in load_rules())
print("exporters", "示例.txt" in EXPORTERS)
print("recognizers", "pack_id" in recognizer_classes())
print("carriers", "pack_text" in all_carriers())
print("importers", "pack_format" in importer_names())
"""


def test_an_installed_pack_adds_every_kind_of_plugin(tmp_path: Path) -> None:
    _pack(tmp_path, ENTRY_POINT_GROUPS, "beian_pack", PACK)
    src = str(Path(__file__).resolve().parents[2] / "src")
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={"PYTHONPATH": f"{tmp_path}:{src}", "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert out.returncode == 0, out.stderr
    found = dict(line.split() for line in out.stdout.splitlines())
    assert found == {kind: "True" for kind in ENTRY_POINT_GROUPS}


class Base:
    pass


def _other() -> type[Base]:
    class Base:  # another class under the same name, from elsewhere
        pass

    return Base


def test_one_duplicate_rule() -> None:
    reg: PluginRegistry[type[object]] = PluginRegistry("judges", label="评判器")
    reg.add("x", Base)
    reg.add("x", Base)  # the same plugin again (a re-import): fine
    with pytest.raises(ValueError, match=r"taken by tests\._shared\.test_plugins\.Base"):
        reg.add("x", _other())
    assert reg.names() == ["x"] and reg["x"] is Base


def test_a_broken_pack_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _pack(tmp_path, {"judges": "beian.judges"}, "broken_pack", "raise ImportError('no numpy 9')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg: PluginRegistry[type[object]] = PluginRegistry("judges", label="评判器")
    with pytest.raises(ConfigError) as exc:
        reg.names()
    assert "broken_pack" in exc.value.what and "beian.judges" in (exc.value.where or "")
