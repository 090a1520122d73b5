"""What every §8.1 check reads: the library, the edition's figures, the day, and shared facts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from beian.findings import Finding
from beian.lexicon._lexicon import Lexicon
from beian.standards import Edition

__all__ = ["AuditContext", "Check", "examples"]

T = TypeVar("T")

_LIST_MAX = 20  # findings listing examples show at most this many


@dataclass
class AuditContext:
    """One audit's input. A fact several places need (the per-risk counts: for the findings
    and for :class:`LibraryAudit`) is computed once through :meth:`fact`."""

    lexicon: Lexicon
    edition: Edition
    today: date
    common_words: frozenset[str] = frozenset()  # extra words (already keyed), beyond the builtin
    _facts: dict[Callable[..., Any], Any] = field(default_factory=dict, repr=False)

    def fact(self, compute: Callable[[AuditContext], T]) -> T:
        if compute not in self._facts:
            self._facts[compute] = compute(self)
        return cast(T, self._facts[compute])


Check = Callable[[AuditContext], Iterable[Finding]]


def examples(items: list[str]) -> str:
    """At most twenty items, and how many there are when there are more."""
    shown = "、".join(items[:_LIST_MAX])
    return shown + (f" 等 {len(items)} 个" if len(items) > _LIST_MAX else "")
