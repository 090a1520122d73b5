"""The engine: runs the enabled recognizers, applies thresholds and resolves overlaps."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from operator import attrgetter
from typing import Any, ClassVar

from beian.pii._config import CustomRecognizer, PiiConfig
from beian.pii._registry import Recognizer, clause_before, recognizer_classes
from beian.pii._scan import Scan, ScanPlan
from beian.pii._types import ENTITY_TYPES, Entity

__all__ = ["PiiEngine", "resolve_overlaps"]

# When two candidates overlap with the same score and length, the stricter type wins.
_PRIORITY = {t: i for i, t in enumerate(ENTITY_TYPES)}
_start = attrgetter("start")


class _ConfiguredRecognizer(Recognizer):
    """A :class:`CustomRecognizer` from configuration; its pattern is per instance."""

    boost: ClassVar[float] = 0.1
    window: ClassVar[int] = 12

    def __init__(self, spec: CustomRecognizer) -> None:
        self.spec = spec
        self.instance_pattern = re.compile(spec.pattern)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
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


def _type_of(r: Recognizer) -> str:
    return r.spec.type if isinstance(r, _ConfiguredRecognizer) else r.entity_type


def resolve_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """Keep the best of overlapping candidates: higher score, then longer, then stricter type."""
    by_start = sorted(entities, key=_start)
    if all(a.end <= b.start for a, b in pairwise(by_start)):
        return by_start  # the usual case: nothing overlaps, nothing to rank
    ranked = sorted(
        by_start,
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
        # Names read in full unless pii.fast_names (PiiConfig refuses it with the tagger or
        # context_names, which read those names as features or read more).
        full = not self.config.fast_names
        recognizers: list[Recognizer] = [
            cls()
            for cls in classes.values()
            if self.config.wants(cls.entity_type)
            and cls.context_names in (None, self.config.context_names)
            and cls.full in (None, full)
        ]
        recognizers += [
            _ConfiguredRecognizer(spec)
            for spec in self.config.custom
            if self.config.wants(spec.type)
        ]
        self.recognizers: tuple[Recognizer, ...] = tuple(recognizers)
        anchors = tuple(a for r in recognizers for a in r.anchors)
        self._plan = ScanPlan.of(anchors) if anchors else None
        # Each recognizer with the threshold of its type and what it finds nothing without.
        self._bars = tuple((r, self.config.min_score(_type_of(r)), r.needs) for r in recognizers)
        self._tagger = _tagger_for(self.config)

    def __reduce__(self) -> tuple[Any, ...]:
        return (PiiEngine, (self.config,))

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(map(_type_of, self.recognizers)))

    def candidates(self, text: str) -> list[Entity]:
        """Every candidate above its threshold, before overlap resolution."""
        out: list[Entity] = []
        scan = Scan(text, self._plan)
        lacking: dict[tuple[Any, ...], bool] = {}  # each set of needs, tested once per text
        for rec, bar, needs in self._bars:
            if needs:
                lacks = lacking.get(needs)
                if lacks is None:
                    lacks = lacking[needs] = scan.lacks(needs)
                if lacks:
                    continue
            out += [e for e in rec.find(text, scan) if e.score >= bar]
        return out

    def analyze(self, text: str) -> list[Entity]:
        """Entities in ``text``, non-overlapping, ordered by position."""
        found = self.candidates(text)
        if len(found) >= 2:
            found = resolve_overlaps(found)
        if self._tagger is not None:
            found = self._tagger.merge(text, found)
        return found


def _tagger_for(config: PiiConfig) -> Any:
    """The learned tagger when ``pii.tagger`` is on, for NAME and ADDRESS where wanted and
    where the type's threshold lets its score through; else None."""
    if not config.tagger:
        return None
    from beian.pii._tagger import EngineTagger, Tagger

    types = tuple(
        t
        for t in ("NAME", "ADDRESS")
        if config.wants(t) and config.min_score(t) <= Tagger.default_score
    )
    return EngineTagger(types) if types else None
