"""Filing dossier: the 上线备案表, the pre-submission review and the filing package.

``dossier.yaml`` (see :class:`Dossier`) is scaffolded by :func:`init_dossier`, reviewed by
:func:`check_dossier` (rules in :mod:`beian.dossier.rules`, one per module) and rendered into the
filing package by :func:`build_package`.
"""

from beian._shared.package import PACKAGE_FORMAT, PackageManifest
from beian.dossier._build import BuildResult, build_package
from beian.dossier._check import CheckReport, check_dossier, run_rules
from beian.dossier._context import (
    DOSSIER_FILE,
    DossierContext,
    StagedAssessment,
    attach_assessment,
    load_dossier,
    stage_assessment,
)
from beian.dossier._demo import DemoPackage, build_demo_package
from beian.dossier._exporters import EXPORTERS, register_exporter
from beian.dossier._init import example_path, init_dossier
from beian.dossier._report import report_document
from beian.dossier._schema import Dossier
from beian.dossier._transparency import (
    TRANSPARENCY_TITLE,
    transparency_document,
    write_transparency,
)
from beian.dossier.rules import RULES, Rule, load_rules, rule

__all__ = [
    "DOSSIER_FILE",
    "EXPORTERS",
    "PACKAGE_FORMAT",
    "RULES",
    "TRANSPARENCY_TITLE",
    "BuildResult",
    "CheckReport",
    "DemoPackage",
    "Dossier",
    "DossierContext",
    "PackageManifest",
    "Rule",
    "StagedAssessment",
    "attach_assessment",
    "build_demo_package",
    "build_package",
    "check_dossier",
    "example_path",
    "init_dossier",
    "load_dossier",
    "load_rules",
    "register_exporter",
    "report_document",
    "rule",
    "run_rules",
    "stage_assessment",
    "transparency_document",
    "write_transparency",
]
