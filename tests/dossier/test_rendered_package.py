"""The demo package as a regulator reads it: every DOCX converted by LibreOffice, read back as text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from beian.dossier import build_demo_package
from tests.dossier._helpers import NOW, passing_log
from tests.support.office import libreoffice_convert

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="needs LibreOffice (soffice) and poppler (pdftotext)",
)


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("rendered")
    log = root / "assessment.json"
    passing_log().save(log)
    out = root / "demo"
    build_demo_package(out, log, now=NOW)
    package = out / "package"
    pdfs = root / "pdf"
    docx = sorted(package.glob("*.docx"))
    libreoffice_convert(docx, "pdf", pdfs, profile=root / "lo")
    texts = {p.stem + ".docx": _pdf_text(pdfs / f"{p.stem}.pdf") for p in docx}
    texts["安全评估报告.pdf"] = _pdf_text(package / "安全评估报告.pdf")
    return package, texts


def test_every_document_is_readable_chinese(rendered: tuple[Path, dict[str, str]]) -> None:
    _, texts = rendered
    assert len(texts) == 5
    for name, text in texts.items():
        for bad in (
            "None",
            "True",
            "False",
            "{",
            "/tmp/",
            "/work/",
            "/home/",
            "in_house",
            "可信度",
        ):
            assert bad not in text, (name, bad)
        assert not re.search(r"(?<![\d.-])\d+\.0(?![\d.])", text), name
        assert "草稿" in text, name  # the demo has blocking findings


def test_form_uses_integers_and_chinese_enums(rendered: tuple[Path, dict[str, str]]) -> None:
    text = rendered[1]["上线备案表.docx"]
    assert re.search(r"关键词库更新周期.*\s7\s", text)
    assert "自有团队" in text
    assert "不适用（不面向未成年人）" in text


def test_one_conclusion_across_docx_and_pdf(rendered: tuple[Path, dict[str, str]]) -> None:
    package, texts = rendered
    conclusions = {
        name: re.findall(r"评估结论为：(不符合|符合)", re.sub(r"\s+", "", t))
        for name, t in texts.items()
        if name.startswith("安全评估报告")
    }
    assert conclusions["安全评估报告.docx"] == conclusions["安全评估报告.pdf"] == ["不符合"]
    manifest = json.loads((package / "manifest.json").read_text("utf-8"))
    assert manifest["draft"] is True


def test_docx_is_marked_simplified_chinese(rendered: tuple[Path, dict[str, str]]) -> None:
    import zipfile

    package, _ = rendered
    styles = zipfile.ZipFile(package / "上线备案表.docx").read("word/styles.xml").decode()
    assert 'w:eastAsia="zh-CN"' in styles and "ja-JP" not in styles
    document = zipfile.ZipFile(package / "安全评估报告.docx").read("word/document.xml").decode()
    assert "<w:tblHeader" in document
