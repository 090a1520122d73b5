"""``beian check``: run every registered rule over a dossier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from beian.dossier._context import DossierContext
from beian.dossier.rules import Rule, load_rules
from beian.errors import InputError
from beian.findings import Finding, has_blocking

if TYPE_CHECKING:
    from beian.config import BeianConfig


@dataclass
class CheckReport:
    """The findings of one check and the rules that produced them."""

    context: DossierContext
    rules: list[Rule]
    findings: list[Finding]

    @property
    def blocking(self) -> bool:
        return has_blocking(self.findings)

    def findings_json(self) -> list[dict[str, object]]:
        return [f.model_dump(mode="json") for f in self.findings]


def _order(f: Finding) -> tuple[int, str, str, int]:
    loc = f.location
    return (
        -f.severity.rank,
        f.code,
        (loc.file or "") if loc else "",
        (loc.line or 0) if loc else 0,
    )


def run_rules(ctx: DossierContext, only: Iterable[str] | None = None) -> CheckReport:
    """Run the registered rules (all, or those named in ``only``) over ``ctx``."""
    registry = load_rules()
    wanted = list(only) if only is not None else sorted(registry)
    unknown = [r for r in wanted if r not in registry]
    if unknown:
        raise InputError(
            f"未知的检查规则：{'、'.join(unknown)}",
            fix="可用规则：" + "、".join(sorted(registry)),
        )
    rules = [registry[r] for r in wanted]
    findings: list[Finding] = []
    for r in rules:
        findings.extend(ctx.edition.cite_findings(r.run(ctx)))
    findings.sort(key=_order)
    return CheckReport(context=ctx, rules=rules, findings=findings)


def check_dossier(
    path: str | Path,
    *,
    config: BeianConfig | None = None,
    now: dt.datetime | None = None,
    only: Iterable[str] | None = None,
) -> CheckReport:
    """Load ``path`` (a dossier directory or its ``dossier.yaml``) and run the rules."""
    return run_rules(DossierContext.load(path, config=config, now=now), only)
