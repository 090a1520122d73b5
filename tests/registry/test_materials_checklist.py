"""The reviewer's checklist asks for every material of the edition's list, the transparency
notice (§7 b)) included, and finds it in a package that `beian build` wrote."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from beian.dossier import build_package, check_dossier
from tests.dossier._helpers import NOW, make_example
from tests.registry.conftest import World, zip_dir


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built")
    out = root / "package"
    build_package(check_dossier(make_example(root), now=NOW), out)
    return out


def _materials(world: World, package: Path) -> dict[str, dict[str, object]]:
    reg, a = world.reg, world.actors
    pid = reg.applications.create(a["other_applicant"], zip_dir(package))
    reg.lifecycle.act(a["other_applicant"], pid, "submit")
    return {
        c["code"]: c
        for c in reg.applications.checklist(a["reviewer"], pid)
        if c["source"] == "package"
    }


def test_the_checklist_finds_the_transparency_notice(world: World, built: Path) -> None:
    items = _materials(world, built)
    assert items["transparency_notice"]["title"] == "材料：服务透明度说明"
    assert {code: c["status"] for code, c in items.items()} == {
        "filing_form": "ok",
        "assessment_report": "ok",
        "service_agreement": "ok",
        "annotation_rules": "ok",
        "keyword_list": "ok",
        "test_banks": "ok",
        "transparency_notice": "ok",
    }


def test_a_package_without_the_notice_is_marked(world: World, built: Path, tmp_path: Path) -> None:
    package = tmp_path / "package"
    shutil.copytree(built, package)
    manifest = json.loads((package / "manifest.json").read_text("utf-8"))
    for f in [f for f in manifest["files"] if f["kind"] == "transparency_notice"]:
        (package / f["path"]).unlink()
        manifest["files"].remove(f)
    (package / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    items = _materials(world, package)
    assert items["transparency_notice"]["status"] == "issue"
    assert items["transparency_notice"]["detail"] == "材料包中缺少此项"
    assert items["service_agreement"]["status"] == "ok"
