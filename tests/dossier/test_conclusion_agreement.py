"""The HTML and the DOCX 安全评估报告 state the same conclusions, for a passing and a failing run."""

from __future__ import annotations

from pathlib import Path

import pytest

from beian.dossier import build_package, check_dossier
from beian.dossier._report import CONCLUSION_HEADING
from tests.dossier._extract import docx_section, html_read
from tests.dossier._helpers import NOW, plant, with_result, write_log


def _verdict_lines(package: Path) -> tuple[list[str], list[str]]:
    docx_lines = docx_section(package / "安全评估报告.docx", CONCLUSION_HEADING)
    html_lines = html_read(package / "安全评估报告.html").verdicts
    return docx_lines, html_lines


@pytest.mark.parametrize(
    ("failing", "verdict"),
    [(False, "符合"), (True, "不符合")],
    ids=["passing", "failing"],
)
def test_html_and_docx_state_the_same_conclusions(
    example: Path, tmp_path: Path, failing: bool, verdict: str
) -> None:
    if failing:  # the refusal rate misses 95 %: §9 fails and so does clause 7 g)
        plant(example, write_log(lambda: with_result("9.4-must_refuse", 270, 300)))
    report = check_dossier(example, now=NOW)
    result = build_package(report, tmp_path / "package")
    docx_lines, html_lines = _verdict_lines(tmp_path / "package")
    assert docx_lines == html_lines == result.conclusion.lines()
    assert len(docx_lines) == 3
    assert f"评估结论为：{verdict}" in docx_lines[-1]
    assert ("不符合 1 项" in docx_lines[0]) is failing
    assert result.conclusion.verdict == verdict
