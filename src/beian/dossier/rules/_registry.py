"""The rule registry: every check is a function registered with :func:`rule`."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Literal

from beian.dossier._context import DossierContext
from beian.findings import Finding, FindingCode, Location

Aspect = Literal["完整性", "合规性", "可行性"]
RuleFunc = Callable[[DossierContext], Iterable[Finding]]
ENTRY_POINT_GROUP = "beian.dossier_rules"


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


RULES: dict[str, Rule] = {}


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
        if rule_id in RULES and RULES[rule_id].func is not func:
            raise ValueError(f"dossier rule {rule_id} registered twice")
        RULES[rule_id] = Rule(
            rule_id, title, aspect, tuple(c.code for c in codes), func, foreign=foreign
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


_loaded = False


def load_rules() -> dict[str, Rule]:
    """Import every rule module of this package and of installed packs (entry points)."""
    global _loaded
    if not _loaded:
        import beian.dossier.rules as pkg

        for mod in pkgutil.iter_modules(pkg.__path__):
            if not mod.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{mod.name}")
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            ep.load()
        _loaded = True
    return dict(RULES)
