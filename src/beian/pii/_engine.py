"""The engine: runs the enabled recognizers, applies thresholds and resolves overlaps."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from beian.errors import ConfigError
from beian.pii._config import CustomRecognizer, PiiConfig
from beian.pii._registry import Recognizer, Trigger, clause_before, recognizer_classes
from beian.pii._types import ENTITY_TYPES, Entity

__all__ = ["PiiEngine", "resolve_overlaps"]

# When two candidates overlap with the same score and length, the stricter type wins.
_PRIORITY = {t: i for i, t in enumerate(ENTITY_TYPES)}


class _ConfiguredRecognizer(Recognizer):
    """A :class:`CustomRecognizer` from configuration; its pattern is per instance."""

    boost: ClassVar[float] = 0.1
    window: ClassVar[int] = 12

    def __init__(self, spec: CustomRecognizer) -> None:
        self.spec = spec
        self.instance_pattern = re.compile(spec.pattern)

    def find(self, text: str, windows: Iterable[tuple[int, int]] | None = None) -> Iterator[Entity]:
        spec = self.spec
        for m in self.instance_pattern.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            score = spec.score
            if spec.context and any(
                w in clause_before(text, start, self.window) for w in spec.context
            ):
                score = round(min(1.0, score + self.boost), 4)
            yield Entity(spec.type, start, end, m.group(), score, f"custom:{spec.type}")


def resolve_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """Keep the best of overlapping candidates: higher score, then longer, then stricter type."""
    ranked = sorted(
        entities,
        key=lambda e: (-e.score, -(e.end - e.start), _PRIORITY.get(e.type, 99), e.start),
    )
    starts: list[int] = []
    kept: list[Entity] = []
    for e in ranked:
        i = bisect.bisect_left(starts, e.start)
        if i > 0 and kept[i - 1].end > e.start:
            continue
        if i < len(kept) and kept[i].start < e.end:
            continue
        starts.insert(i, e.start)
        kept.insert(i, e)
    return kept


class PiiEngine:
    """Finds personal information in text.

    Cheap to build (the recognizers' patterns are compiled once per process), safe to share
    between threads (nothing is mutated after ``__init__``) and picklable (it pickles as its
    configuration and is rebuilt in the receiving process).
    """

    def __init__(self, config: PiiConfig | None = None) -> None:
        self.config = config or PiiConfig()
        classes = recognizer_classes()
        known = set(ENTITY_TYPES) | {c.type for c in self.config.custom}
        for t in (*(self.config.enabled or ()), *self.config.disabled, *self.config.thresholds):
            if t not in known:
                raise ConfigError(
                    f"未知的个人信息类型：{t}",
                    where="配置段 pii",
                    fix=f"可用类型：{', '.join(sorted(known))}",
                )
        recognizers: list[Recognizer] = [
            cls() for cls in classes.values() if self.config.wants(cls.entity_type)
        ]
        recognizers += [
            _ConfiguredRecognizer(spec)
            for spec in self.config.custom
            if self.config.wants(spec.type)
        ]
        self.recognizers: tuple[Recognizer, ...] = tuple(recognizers)
        self._triggers = tuple({r.trigger for r in recognizers if r.trigger is not None})
        self._min = {t: self.config.min_score(t) for t in known}

    def __reduce__(self) -> tuple[Any, ...]:
        return (PiiEngine, (self.config,))

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(
                r.spec.type if isinstance(r, _ConfiguredRecognizer) else r.entity_type
                for r in self.recognizers
            )
        )

    def candidates(self, text: str) -> list[Entity]:
        """Every candidate above its threshold, before overlap resolution."""
        out: list[Entity] = []
        minimum = self._min
        windows: dict[Trigger, list[tuple[int, int]]] = {t: t.windows(text) for t in self._triggers}
        for rec in self.recognizers:
            found = rec.find(text) if rec.trigger is None else rec.find(text, windows[rec.trigger])
            for e in found:
                if e.score >= minimum.get(e.type, self.config.threshold):
                    out.append(e)
        return out

    def analyze(self, text: str) -> list[Entity]:
        """Entities in ``text``, non-overlapping, ordered by position."""
        found = self.candidates(text)
        if len(found) < 2:
            return found
        return resolve_overlaps(found)
