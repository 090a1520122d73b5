"""Moderation after the keyword library: the model stages and the policy that rules on findings.

Stages in order of cost — the keyword library (``screening``), the classifier
(:class:`ClassifierStage`, in-process) and the guard model (:class:`GuardStage`, one HTTP call)
— each give a :class:`Finding` (risk codes, level, score, model). :meth:`Moderation.rule` turns
a finding into a :class:`Ruling` by the first matching rule of ``moderation.policy`` (risk code,
category or ``*``; level; stage), else ``unsafe_action`` / ``controversial_action`` / the guard's
``fail_mode``: ``block`` (the refusal), ``substitute`` (an approved answer, 代答, matched by risk
code and question similarity; a block when none fits), ``flag`` (allowed, recorded for human
review) or ``allow``. In dry-run mode a ruling on a model stage's finding, or on keyword hits
in an answer, is recorded and not enforced (keyword hits in a question are). Every
ruling is recorded with the exchange as a :class:`~._screening.Decision` with the stage, the
check, the model and the score.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from beian.gateway._moderation_config import ModerationConfig, PolicyRule
from beian.gateway._screening import Decision
from beian.gateway._stage_classifier import ClassifierStage, Finding
from beian.gateway._stage_guard import GuardStage, Turns
from beian.gateway._substitutes import Substitute, SubstituteLibrary, load_substitutes

__all__ = ["Finding", "Moderation", "Ruling", "StageCost", "build_moderation"]

ENFORCED = ("block", "substitute")
# how a caller runs a CPU-bound call: (size, fn, *args) → awaitable result (the gateway's
# offload puts large ones in its screening threads)
Offload = Callable[..., Awaitable[Any]]


async def _inline(size: int, fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


@dataclass(frozen=True)
class Ruling:
    """What the policy does with one finding."""

    action: str  # "block" | "substitute" | "flag" | "allow"
    finding: Finding
    substitute: Substitute | None = None
    similarity: float | None = None
    dry_run: bool = False
    note: str = ""  # recorded after the finding's own note

    def in_stream(self) -> Ruling:
        """As enforced in a stream under way: text already sent cannot be answered instead,
        so a substitute is a block (and recorded as one, naming the approved answer)."""
        if self.action != "substitute":
            return self
        sub = f"（代答 {self.substitute.id} 未发出）" if self.substitute is not None else ""
        return replace(self, action="block", substitute=None, similarity=None,
                       note=f"流式按拦截处理{sub}")  # fmt: skip

    @property
    def stops(self) -> bool:
        """The exchange is stopped (blocked or answered with the substitute)."""
        return self.action in ENFORCED and not self.dry_run

    def decision(self) -> Decision:
        f = self.finding
        notes = [f.note] if f.note else []
        if self.substitute is not None:
            notes.append(f"代答 {self.substitute.id}（相似度 {self.similarity:.2f}）")
        if self.note:
            notes.append(self.note)
        if self.dry_run and self.action in ENFORCED:
            notes.append("试运行：未执行")
        return Decision(
            f.stage, self.action, f.risks, len(f.risks), check=f.check, model=f.model,
            score=f.score, level=f.level, note="；".join(notes),
        )  # fmt: skip


@dataclass
class StageCost:
    """Time spent per stage in this process (for ``/metrics`` and the benchmark)."""

    calls: int = 0
    seconds: float = 0.0


def _matches(rule: PolicyRule, f: Finding) -> bool:
    if rule.stage not in ("*", f.stage) or rule.level not in ("*", f.level):
        return False
    return rule.risk == "*" or any(r == rule.risk or r[:2] == rule.risk for r in f.risks)


@dataclass
class Moderation:
    """The model stages and the policy in force (replaced as a whole on reload)."""

    config: ModerationConfig
    classifier: ClassifierStage | None = None
    guard: GuardStage | None = None
    substitutes: SubstituteLibrary = field(default_factory=lambda: SubstituteLibrary([]))
    costs: dict[str, StageCost] = field(default_factory=dict)
    metrics: Any = None  # the gateway's Metrics: per-check latency histograms

    @property
    def input_models(self) -> bool:
        return bool(
            (self.classifier and self.classifier.cfg.input) or (self.guard and self.guard.cfg.input)
        )

    @property
    def output_models(self) -> bool:
        return bool(
            (self.classifier and self.classifier.cfg.output)
            or (self.guard and self.guard.cfg.output)
        )

    @property
    def output_guard(self) -> GuardStage | None:
        return self.guard if self.guard is not None and self.guard.cfg.output else None

    def rule(self, f: Finding, question: str = "") -> Ruling:
        cfg = self.config
        action = next((r.action for r in cfg.policy if _matches(r, f)), None)
        if action is None:
            if f.level == "error":
                action = self.guard.cfg.fail_mode if self.guard else "block"
            else:
                action = cfg.unsafe_action if f.level == "unsafe" else cfg.controversial_action
        # a dry run tries the policy out on the model stages and on keyword hits in answers;
        # keyword hits in questions are enforced (nothing has been asked of the model yet)
        dry = cfg.dry_run and (f.check != "keyword" or f.stage == "output")
        if action == "substitute":
            found = self.substitutes.match(f.risks, question)
            if found is not None and found[1] >= cfg.substitute_min_score:
                return Ruling("substitute", f, found[0], found[1], dry)
            action = "block"  # no approved answer fits: the refusal
        return Ruling(action, f, dry_run=dry)

    def timed(self, name: str, started: float) -> None:
        c = self.costs.setdefault(name, StageCost())
        took = time.perf_counter() - started
        c.calls += 1
        c.seconds += took
        if self.metrics is not None:
            self.metrics.stage(name, took)

    async def ask_guard(
        self, question: str, answer: str | None, stage: str, context: Turns = ()
    ) -> Finding | None:
        assert self.guard is not None
        started = time.perf_counter()
        try:
            return await self.guard.check(question, answer, stage, context)
        finally:
            self.timed(f"guard_{stage}", started)

    def classify(self, texts: Sequence[str], stage: str) -> Finding | None:
        if self.classifier is None:
            return None
        started = time.perf_counter()
        try:
            return self.classifier.check(texts, stage)
        finally:
            self.timed(f"classifier_{stage}", started)

    async def classify_input(
        self, question: str, texts: Sequence[str], offload: Offload = _inline
    ) -> Ruling | None:
        """The classifier on every text of the request (through ``offload``: a large request
        is classified off the event loop); the ruling on what it found."""
        c = self.classifier
        if c is None or not c.cfg.input:
            return None
        f = await offload(sum(map(len, texts)), self.classify, texts, "input")
        return None if f is None else self.rule(f, question)

    async def guard_input(self, question: str, context: Turns = ()) -> Ruling | None:
        """The guard model on the question after the earlier turns in ``context`` (prompt
        moderation); the ruling on what it found."""
        if self.guard is None or not self.guard.cfg.input or not question.strip():
            return None
        f = await self.ask_guard(question, None, "input", context)
        return None if f is None else self.rule(f, question)

    async def check_answer(
        self, question: str, answer: str, offload: Offload = _inline
    ) -> list[Ruling]:
        """The model stages on a whole answer: the classifier per sentence, then the guard."""
        out: list[Ruling] = []
        c = self.classifier
        if c is not None and c.cfg.output:
            f = await offload(len(answer), self.classify, sentences(answer), "output")
            if f is not None:
                out.append(self.rule(f, question))
                if out[-1].stops:
                    return out
        g = self.output_guard
        if g is not None and answer.strip():
            f = await self.ask_guard(question, answer, "output")
            if f is not None:
                out.append(self.rule(f, question))
        return out

    async def aclose(self) -> None:
        if self.guard is not None:
            await self.guard.aclose()


_ENDS = frozenset("。！？!?；;\n…")


def sentence_end(text: str) -> int:
    """Where the last complete sentence of ``text`` ends (0 when none has)."""
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in _ENDS or (ch == "." and (i + 1 == len(text) or text[i + 1] == " ")):
            # a full stop at the very end may be a decimal point: wait for what follows
            if ch == "." and i + 1 == len(text):
                continue
            return i + 1
    return 0


def sentences(text: str) -> list[str]:
    """``text`` cut after every sentence end (the last piece may be unfinished)."""
    out: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in _ENDS or (ch == "." and text[i + 1 : i + 2] == " "):
            if text[start : i + 1].strip():
                out.append(text[start : i + 1])
            start = i + 1
    if text[start:].strip():
        out.append(text[start:])
    return out


def build_moderation(config: ModerationConfig, base_dir: Path | None = None) -> Moderation:
    """Load the classifier model, the guard preset and the approved answers named in
    ``config`` (ConfigError / InputError naming the file when one cannot be read)."""
    base = base_dir or Path.cwd()
    classifier = ClassifierStage(config.classifier) if config.classifier else None
    guard = GuardStage(config.guard, base) if config.guard else None
    library = load_substitutes(config.substitutes)
    return Moderation(config, classifier, guard, library)
