"""The last step of ``beian demo``: the bundled example provider's complete filing package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beian.dossier._build import BuildResult, build_package
from beian.dossier._check import CheckReport, check_dossier
from beian.dossier._context import attach_assessment
from beian.dossier._init import init_dossier

if TYPE_CHECKING:
    from beian.config import BeianConfig


@dataclass
class DemoPackage:
    dossier: Path
    report: CheckReport
    build: BuildResult


def build_demo_package(
    out: str | Path,
    assessment: str | Path,
    *,
    config: BeianConfig | None = None,
    now: dt.datetime | None = None,
) -> DemoPackage:
    """Scaffold the example dossier in ``out/dossier`` with the demo's assessment log and build
    ``out/package`` from it.

    The package is built even when the check finds blocking problems (the demo's keyword library
    and banks are deliberately small); they are listed in ``findings.json``.
    """
    out = Path(out)
    dossier = out / "dossier"
    init_dossier(dossier, example=True, force=True)
    # the demo assesses its own model (beian-demo-1), the example dossier describes ShiLiChat
    attach_assessment(dossier, assessment, force=True)
    report = check_dossier(dossier, config=config, now=now)
    return DemoPackage(dossier, report, build_package(report, out / "package", force=True))
