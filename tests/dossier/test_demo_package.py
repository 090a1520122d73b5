from __future__ import annotations

import json
from pathlib import Path

from beian.dossier import build_demo_package
from tests.dossier._helpers import NOW, passing_log


def test_demo_package_from_an_assessment_log(tmp_path: Path) -> None:
    log = tmp_path / "run" / "assessment.json"
    log.parent.mkdir()
    passing_log().save(log)
    out = tmp_path / "demo-out"
    result = build_demo_package(out, log, now=NOW)
    assert (out / "dossier" / "dossier.yaml").is_file()
    manifest = json.loads((out / "package" / "manifest.json").read_text("utf-8"))
    assert manifest["service"]["model_name"] == "ShiLiChat"
    names = {f["path"] for f in manifest["files"]}
    assert {"上线备案表.docx", "安全评估报告.pdf", "assessment.json", "findings.json"} <= names
    findings = json.loads((out / "package" / "findings.json").read_text("utf-8"))
    assert findings == [f.model_dump(mode="json") for f in result.report.findings]
    assert sorted(p.name for p in out.iterdir()) == ["dossier", "package"]
