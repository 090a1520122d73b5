"""The rule registry: every check is a function registered with :func:`rule`.

Installed packs add rules through the entry point group ``beian.rules`` (see
:mod:`beian._shared.plugins`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from beian._shared.plugins import ENTRY_POINT_GROUPS, PluginRegistry
from beian.dossier._context import DossierContext
from beian.findings import Finding, FindingCode, Location

Aspect = Literal["完整性", "合规性", "可行性"]
RuleFunc = Callable[[DossierContext], Iterable[Finding]]
ENTRY_POINT_GROUP = ENTRY_POINT_GROUPS["rules"]


@dataclass(frozen=True)
class Rule:
    """A registered check: its id, what it looks at and the finding codes it may produce."""

    id: str
    title: str
    aspect: Aspect
    codes: tuple[str, ...]
    func: RuleFunc
    foreign: tuple[str, ...] = ()  # code prefixes of another part's findings it relays

    def run(self, ctx: DossierContext) -> list[Finding]:
        found = list(self.func(ctx))
        stray = {
            f.code
            for f in found
            if f.code not in self.codes and not f.code.startswith(self.foreign)
        }
        if stray:
            raise RuntimeError(f"rule {self.id} produced undeclared codes {sorted(stray)}")
        return found


def _builtin_rules() -> None:
    import beian.dossier.rules as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{pkg.__name__}.{mod.name}")


RULES: PluginRegistry[Rule] = PluginRegistry("rules", label="检查规则", builtins=_builtin_rules)


def rule(
    rule_id: str,
    *,
    title: str,
    aspect: Aspect,
    codes: Iterable[FindingCode],
    foreign: tuple[str, ...] = (),
) -> Callable[[RuleFunc], RuleFunc]:
    """Register a check function under ``rule_id``.

    ``codes`` are the finding codes it may produce; ``foreign`` the code prefixes (``BA-LEX-``)
    of another part's findings it relays.
    """

    def deco(func: RuleFunc) -> RuleFunc:
        RULES.add(
            rule_id,
            Rule(rule_id, title, aspect, tuple(c.code for c in codes), func, foreign=foreign),
            key=lambda r: r.func,
        )
        return func

    return deco


def relay(findings: Iterable[Finding], path: Path) -> Iterator[Finding]:
    """Another part's findings, pointed at the attachment ``path`` when they name no file."""
    for f in findings:
        loc = f.location or Location()
        if loc.file is None:
            f = f.model_copy(update={"location": loc.model_copy(update={"file": str(path)})})
        yield f


def load_rules() -> dict[str, Rule]:
    """Every rule: this package's modules and installed packs' (entry points)."""
    return dict(RULES)
