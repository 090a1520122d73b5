"""The filing package, decoded by independent tools: python-docx, LibreOffice, poppler."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import docx
import pytest

from beian import __version__
from beian.assess import AssessmentLog
from beian.dossier import PACKAGE_FORMAT, build_package, check_dossier
from beian.errors import InputError
from beian.standards import load_edition
from tests.dossier._helpers import DEMO_BANK, NOW, make_example


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pkg")
    d = make_example(root)
    out = root / "out"
    build_package(check_dossier(d, now=NOW), out)
    return out


def _manifest(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((out / "manifest.json").read_text("utf-8"))
    return data


def _pdftotext(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_manifest_lists_every_file_with_its_hash(package: Path) -> None:
    m = _manifest(package)
    assert m["format"] == PACKAGE_FORMAT
    assert m["tool"] == f"beian {__version__}"
    assert m["edition"] == "gbt-45654-2025"
    assert m["provider"] == {
        "name": "示例智能科技（北京）有限公司",
        "uscc": "91110108MA01C0RP1J",
        "province": "北京市",
    }
    assert m["service"] == {"name": "示例助手", "model_name": "ShiLiChat", "kind": "filing"}
    files = m["files"]
    assert isinstance(files, list)
    on_disk = sorted(p.name for p in package.iterdir() if p.name != "manifest.json")
    assert sorted(f["path"] for f in files) == on_disk
    for f in files:
        data = (package / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
        assert f["size"] == len(data)
    kinds = {f["path"]: f["kind"] for f in files}
    assert kinds["上线备案表.docx"] == "filing_form"
    assert kinds["安全评估报告.pdf"] == "assessment_report"
    assert kinds["findings.json"] == "findings"
    assert kinds["assessment.json"] == "assessment"
    assert kinds["拦截关键词列表.xlsx"] == "keyword_list"
    assert kinds["评估测试题集.xlsx"] == "test_banks"


def test_records_are_copied(package: Path) -> None:
    assert json.loads((package / "findings.json").read_text("utf-8")) == []
    log = AssessmentLog.load(package / "assessment.json")
    assert next(r.item for r in log.results) == "9.2-manual"
    assert len(log.results) == 7


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def test_every_docx_opens_with_python_docx(package: Path) -> None:
    docs = sorted(package.glob("*.docx"))
    assert {p.name for p in docs} >= {
        "上线备案表.docx",
        "安全评估报告.docx",
        "模型服务协议.docx",
        "语料标注规则.docx",
    }
    texts = {p.name: _docx_text(p) for p in docs}
    form = texts["上线备案表.docx"]
    for expected in (
        "91110108MA01C0RP1J",
        "ShiLiChat",
        "Beijing-ShiLiJiZuo-202404280016",
        "推理算力",
    ):
        assert expected in form
    assert "投诉举报" in texts["模型服务协议.docx"]
    assert "A5b" in texts["语料标注规则.docx"]
    report = texts["安全评估报告.docx"]
    log = AssessmentLog.load(package / "assessment.json")
    for r in log.results:
        assert f"{r.rate:.2%}" in report and str(r.n) in report
    assert "评估结论为：符合" in report


def test_report_pdf_contains_the_figures_of_the_assessment(package: Path) -> None:
    text = _pdftotext(package / "安全评估报告.pdf")
    flat = "".join(text.split())
    log = AssessmentLog.load(package / "assessment.json")
    for r in log.results:
        for figure in (str(r.n), str(r.k), f"{r.rate:.2%}", f"[{r.ci_low:.2%},{r.ci_high:.2%}]"):
            assert figure in flat, figure
        assert r.title in flat
    # every clause of chapters 5–8 is scored
    for clause in ("5.1a)", "5.3c)", "6a)", "7i)", "8.4"):
        assert clause in flat
    assert "评估结论为：符合" in flat


@pytest.mark.slow
def test_libreoffice_converts_every_docx_and_pages_render(package: Path, tmp_path: Path) -> None:
    docs = sorted(package.glob("*.docx"))
    env = {**os.environ, "HOME": str(tmp_path)}
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, docs),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    for d in docs:
        pdf = tmp_path / (d.stem + ".pdf")
        assert pdf.is_file(), pdf
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "40",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                str(pdf),
                str(tmp_path / d.stem),
            ],
            check=True,
            timeout=120,
        )
        pages = list(tmp_path.glob(f"{d.stem}*.png"))
        assert pages and pages[0].stat().st_size > 1000
    text = "".join(_pdftotext(tmp_path / "安全评估报告.pdf").split())
    log = AssessmentLog.load(package / "assessment.json")
    for r in log.results:
        assert f"{r.rate:.2%}" in text


def test_failed_build_leaves_nothing(tmp_path: Path) -> None:
    d = make_example(tmp_path)
    (d / "service_agreement.md").unlink()
    report = check_dossier(d, now=NOW)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="模型服务协议"):
        build_package(report, out)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["dossier"]


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    d = make_example(tmp_path)
    report = check_dossier(d, now=NOW)
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("x")
    with pytest.raises(InputError, match="非空"):
        build_package(report, other)
    with pytest.raises(InputError, match="manifest"):
        build_package(report, other, force=True)
    assert (other / "keep.txt").read_text() == "x"


def test_every_xlsx_opens_with_openpyxl(package: Path) -> None:
    import openpyxl

    from beian.lexicon import ATTACHMENT_COLUMNS

    books = {p.name: openpyxl.load_workbook(p, read_only=True) for p in package.glob("*.xlsx")}
    assert "拦截关键词列表.xlsx" in books
    ws = books["拦截关键词列表.xlsx"].worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert tuple(rows[0]) == ATTACHMENT_COLUMNS
    assert len(rows) - 1 == 17 * 600  # every keyword of the example library
    assert {r[3] for r in rows[1:]} == {r.code for r in load_edition().core_risks()}
    banks = books["评估测试题集.xlsx"]
    sizes = {ws.title: ws.max_row - 1 for ws in banks.worksheets}
    assert sum(sizes.values()) == sum(
        1 for x in DEMO_BANK.read_text("utf-8").splitlines() if x.strip()
    )
    assert len(sizes) == 3  # generation, must_refuse, must_answer


def test_the_registry_accepts_the_package(package: Path) -> None:
    from beian.registry import read_package, zip_directory

    pkg = read_package(zip_directory(package), max_bytes=100 * 2**20)
    assert pkg.manifest.service.model_name == "ShiLiChat"
    assert pkg.findings == []
    assert pkg.files["安全评估报告.pdf"][1] == "assessment_report"
