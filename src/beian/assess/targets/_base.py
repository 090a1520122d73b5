"""What a target returns, and the registry of target types (``type:`` in assess.yaml)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from beian._shared.plugins import PluginRegistry
from beian.assess._settings import settings_data, validate_settings
from beian.errors import ConfigError

Outcome = Literal["answered", "blocked", "empty", "error"]
OUTCOME_ZH = {"answered": "已回答", "blocked": "被拦截", "empty": "空回答", "error": "错误"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> tuple[str, int]:
    """``text`` with lone surrogates (valid in JSON as ``\\ud800``, not in UTF-8) replaced by
    U+FFFD, and how many were replaced."""
    if text.isascii():
        return text, 0
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.subn("\ufffd", text)
    return text, 0


@dataclass(frozen=True)
class Response:
    """One answer. ``blocked`` (a provider-side content filter) counts as a refusal, not an error."""

    outcome: Outcome
    answer: str = ""
    finish_reason: str | None = None
    error: str | None = None
    status: int | None = None
    attempts: int = 1
    latency_ms: float = 0.0
    model: str | None = None
    asked_at: str = ""
    answered_at: str = ""
    # lone surrogates in the answer as the endpoint sent it, replaced by U+FFFD: what is hashed,
    # judged and stored is the replaced text
    replaced_surrogates: int = 0

    def __post_init__(self) -> None:
        answer, n = _encodable(self.answer)
        if n:
            object.__setattr__(self, "answer", answer)
            object.__setattr__(self, "replaced_surrogates", self.replaced_surrogates + n)
        if self.error:
            object.__setattr__(self, "error", _encodable(self.error)[0])

    @property
    def answer_hash(self) -> str:
        return hashlib.sha256(self.answer.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}  # flat: no deep copy

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Response:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


class Target(Protocol):
    """Something that answers chat messages (a model endpoint, or pre-collected answers)."""

    def identity(self) -> dict[str, Any]:
        """What determines the answers (used as the cache key): never secrets or throughput knobs."""
        ...

    def describe(self) -> dict[str, Any]:
        """What the AssessmentLog records about the target."""
        ...

    async def ask(self, qid: str, messages: list[dict[str, str]]) -> Response: ...

    async def aclose(self) -> None: ...


class TargetSettings(BaseModel):
    """The ``target:`` section. Each target type registers a subclass naming its settings
    (extra keys forbidden there); this base only knows ``type``."""

    model_config = ConfigDict(extra="allow")

    type: str = "openai"


TargetFactory = Callable[[Any, str], Target]  # (its settings model, where) -> target


def _builtin_targets() -> None:
    import beian.assess.targets  # noqa: F401  (registers the built-ins)


_TARGETS: PluginRegistry[tuple[TargetFactory, type[TargetSettings]]] = PluginRegistry(
    "targets", label="被测对象", builtins=_builtin_targets
)


def target(
    name: str, settings: type[TargetSettings] = TargetSettings
) -> Callable[[TargetFactory], TargetFactory]:
    """Register a target type under ``name``, with the model of its settings."""

    def deco(factory: TargetFactory) -> TargetFactory:
        _TARGETS.add(name, (factory, settings), key=lambda p: p[0])
        return factory

    return deco


def target_types() -> list[str]:
    return sorted(_TARGETS)


def target_settings(kind: str, where: str = "assess.yaml: target.type") -> type[TargetSettings]:
    """The settings model of target type ``kind`` (unknown: a :class:`ConfigError` at ``where``)."""
    if kind not in _TARGETS:
        raise ConfigError(
            f"未知的被测对象类型 {kind!r}",
            where=where,
            fix="可用类型：" + "、".join(target_types()),
        )
    return _TARGETS[kind][1]


def make_target(
    config: TargetSettings | Mapping[str, Any], where: str = "assess.yaml: target"
) -> Target:
    """Build the target described by the ``target:`` section of assess.yaml."""
    kind = str(settings_data(config).get("type") or "openai")
    settings = validate_settings(target_settings(kind, f"{where}.type"), config, where)
    return _TARGETS[kind][0](settings, where)


def cache_key(identity: dict[str, Any], messages: list[dict[str, str]]) -> str:
    """The cache's key for ``messages`` sent to ``identity``. A lone surrogate (valid in a JSON
    bank as ``\\ud800``) is hashed as it is ("surrogatepass"), so the key never fails and differs
    from the same text with U+FFFD; keys of all other text are as before."""
    blob = json.dumps([identity, messages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()
