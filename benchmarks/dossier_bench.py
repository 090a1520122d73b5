"""Filing dossier benchmark (issue 7): check and build times, PDF route vs LibreOffice.

Builds the bundled example dossier with a passing assessment log and times:

- ``check``: every registered rule over the dossier (median of N runs);
- ``pdf_fpdf2``: rendering the 安全评估报告 PDF with fpdf2 and the installed CJK font (the route
  ``beian build`` uses);
- ``pdf_libreoffice``: the baseline, converting the same report's .docx with LibreOffice headless;
- ``build``: the whole package (all documents, manifest, atomic rename).

    .venv/bin/python benchmarks/dossier_bench.py            # 20 checks, 3 renders each
    .venv/bin/python benchmarks/dossier_bench.py --runs 1   # quicker

Writes ``benchmarks/results/dossier.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))  # the tests' example dossier and passing log

from tests.dossier._helpers import NOW, make_example  # noqa: E402

from beian._shared.fonts import find_cjk_font  # noqa: E402
from beian.dossier import (  # noqa: E402
    build_package,
    check_dossier,
    report_document,
)
from beian.dossier.render.docx import render_docx  # noqa: E402
from beian.dossier.render.pdf import render_pdf  # noqa: E402


def _median(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3, help="renders and builds per route")
    ap.add_argument("--checks", type=int, default=20, help="check runs")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="beian-dossier-bench-"))
    try:
        d = make_example(work)
        report = check_dossier(d, now=NOW)
        check_s = _median(lambda: check_dossier(d, now=NOW), args.checks)
        log = report.context.assessment
        assert log is not None and not isinstance(log, Exception)
        doc = report_document(report.context, log, report.findings)
        font = find_cjk_font()
        render_docx(doc, work / "report.docx")
        fpdf_s = _median(lambda: render_pdf(doc, work / "report.pdf", font=font), args.runs)
        lo = shutil.which("libreoffice") or shutil.which("soffice")
        lo_s = None
        if lo:
            cmd = [
                lo,
                f"-env:UserInstallation=file://{work}/lo",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work / "lo-out"),
                str(work / "report.docx"),
            ]
            subprocess.run(cmd, check=True, capture_output=True)  # first start creates the profile
            lo_s = _median(lambda: subprocess.run(cmd, check=True, capture_output=True), args.runs)
        n = iter(range(10**6))
        build_s = _median(lambda: build_package(report, work / f"out{next(n)}"), args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "benchmark": "dossier",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "runs": args.runs,
        "check_ms": round(check_s * 1000, 1),
        "rules": len(report.rules),
        "pdf_fpdf2_s": round(fpdf_s, 2),
        "pdf_libreoffice_s": None if lo_s is None else round(lo_s, 2),
        "fpdf2_vs_libreoffice": None if lo_s is None else round(lo_s / fpdf_s, 2),
        "build_s": round(build_s, 2),
        "font": str(font.path),
    }
    print(f"check ({result['rules']} rules):       {result['check_ms']} ms")
    print(f"report PDF, fpdf2 + CJK font:  {result['pdf_fpdf2_s']} s")
    if lo_s is not None:
        print(
            f"report PDF, LibreOffice (baseline): {result['pdf_libreoffice_s']} s"
            f"  → fpdf2 is {result['fpdf2_vs_libreoffice']}x the baseline's speed"
        )
    print(f"whole package build:           {result['build_s']} s")
    out = ROOT / "results" / "dossier.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {out}")


if __name__ == "__main__":
    main()
