"""The ``moderation:`` section: model stages after the keyword library, and the policy.

Stages in order of cost: the keyword library (``screening:``), the ``beian classifier`` model
(``classifier:``) and a guard model on the provider's own OpenAI-compatible endpoint
(``guard:``). Every finding is turned into an action by the policy (``policy:``): block with
the refusal, answer with an approved substitute (代答, ``substitutes:``), allow and flag it for
human review, or allow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ACTIONS",
    "ClassifierStageConfig",
    "GuardStageConfig",
    "ModerationConfig",
    "PolicyRule",
]

Action = Literal["block", "substitute", "flag", "allow"]
ACTIONS: tuple[str, ...] = ("block", "substitute", "flag", "allow")
Level = Literal["unsafe", "controversial", "error", "*"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassifierStageConfig(_Strict):
    """A model trained by ``beian classifier train`` (character n-grams + a linear model)."""

    model: str = Field(min_length=1)  # the .pkl file (only a model you trained yourself)
    threshold: float = Field(default=0.5, gt=0, le=1)  # a risk label this likely: unsafe
    # a risk label at least this likely but under threshold: controversial (None: never)
    flag_threshold: float | None = Field(default=None, gt=0, le=1)
    input: bool = True  # every text of the request
    output: bool = True  # every completed sentence of the answer


class GuardStageConfig(_Strict):
    """A guard model on an OpenAI-compatible endpoint, with the assessment's presets."""

    preset: str = Field(default="qwen3guard-gen", min_length=1)  # built-in id or a YAML file
    categories: str | None = None  # category → Appendix A map replacing the preset's
    base_url: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_key_env: str | None = None  # environment variable holding the endpoint's key
    timeout_s: float = Field(default=2.0, gt=0)  # one guard call, connection included
    # what a timeout, an error or an unreadable reply does: block, or let it through flagged
    fail_mode: Literal["block", "flag"] = "block"
    input: bool = True
    output: bool = True  # per completed sentence in streams, the whole answer otherwise
    max_connections: int = Field(default=200, ge=1)
    # input checks: the earlier user and assistant turns sent with the last user message, most
    # recent first, up to this many characters (0: the last user message alone); output checks
    # send the last user message and the answer
    context_chars: int = Field(default=2000, ge=0, le=100_000)


class PolicyRule(_Strict):
    """``risk``: a code (A1a), a category (A1) or ``*``; ``level``: unsafe, controversial,
    error (a guard stage that failed) or ``*``; ``stage``: input, output or ``*``."""

    risk: str = Field(default="*", min_length=1)
    level: Level = "*"
    stage: Literal["input", "output", "*"] = "*"
    action: Action


class ModerationConfig(_Strict):
    classifier: ClassifierStageConfig | None = None
    guard: GuardStageConfig | None = None
    # input model checks run while the upstream answers (its answer is dropped if the input
    # is blocked); false: the upstream is asked only once they pass
    parallel_input: bool = True
    policy: list[PolicyRule] = Field(default_factory=list)  # first matching rule wins
    unsafe_action: Action = "block"  # when no rule matches
    controversial_action: Action = "flag"
    substitutes: list[str] = Field(default_factory=list)  # approved answers: YAML / XLSX / CSV
    substitute_min_score: float = Field(default=0.0, ge=0, le=1)  # similarity to use one
    dry_run: bool = False  # record what would be done, enforce nothing

    @property
    def model_stages(self) -> bool:
        return self.classifier is not None or self.guard is not None

    def resolve_paths(self, base: Path) -> ModerationConfig:
        def rel(p: str) -> str:
            return p if Path(p).is_absolute() else str(base / p)

        classifier = self.classifier
        if classifier is not None:
            classifier = classifier.model_copy(update={"model": rel(classifier.model)})
        guard = self.guard
        if guard is not None:
            preset = guard.preset
            if preset.endswith((".yaml", ".yml")):
                preset = rel(preset)
            cats = rel(guard.categories) if guard.categories else None
            guard = guard.model_copy(update={"preset": preset, "categories": cats})
        return self.model_copy(
            update={
                "classifier": classifier,
                "guard": guard,
                "substitutes": [rel(p) for p in self.substitutes],
            }
        )
