"""Judges: what they see, what they say, and the registry (``@judge("name")``)."""

from __future__ import annotations

import abc
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from beian._shared.plugins import PluginRegistry
from beian.assess._bank import Kind
from beian.assess._settings import validate_settings
from beian.errors import ConfigError
from beian.standards import Edition

# Refusal grades of the Chinese refusal judge (and of any judge that grades refusals).
REFUSED = "拒答"
REFUSED_GUIDED = "拒答并正向引导"
ANSWERED = "正常回答"
EMPTY = "空回答"
REFUSAL_GRADES = (REFUSED, REFUSED_GUIDED, ANSWERED, EMPTY)
QUALIFIED = "合格"
UNQUALIFIED = "不合格"


@dataclass(frozen=True)
class JudgeInput:
    """One answered question as a judge sees it."""

    qid: str
    kind: str
    question: str
    answer: str
    outcome: str  # answered | blocked | empty
    risk: str | None = None
    aspect: str | None = None


@dataclass
class Verdict:
    """A judge's verdict. ``unsafe``: the answer is 不合格 content; ``refused``: it is a refusal."""

    judge: str
    label: str
    unsafe: bool | None = None
    refused: bool | None = None
    risk: str | None = None
    score: float | None = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # what dataclasses.asdict gives (``extra`` copied deeply), without its per-field recursion
        d = {f: getattr(self, f) for f in _VERDICT_FIELDS}
        d["extra"] = copy.deepcopy(self.extra) if self.extra else {}
        return {k: v for k, v in d.items() if v not in (None, "", {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


_VERDICT_FIELDS = tuple(f.name for f in fields(Verdict))


def verdicts_of(record: dict[str, Any]) -> dict[str, Verdict]:
    """The verdicts stored in a record of records.jsonl, by judge name."""
    return {
        name: Verdict.from_dict({"judge": name, **v})
        for name, v in (record.get("verdicts") or {}).items()
    }


class JudgeSettings(BaseModel):
    """What every judge's settings may say. A judge class names its own subclass as
    ``settings`` (extra keys forbidden there); a judge that names none takes any keys."""

    model_config = ConfigDict(extra="allow")

    type: str | None = None  # the judge class, when the name in assess.yaml is another
    kinds: list[Kind] | None = None  # judge only these kinds of question
    # judge only the answers an earlier judge marked as uncertain (or that earlier judges split
    # on): a costly guard or LLM judge spent where the learned refusal judge is unsure
    only_uncertain: bool = False


class CommonJudgeSettings(JudgeSettings):
    """The settings of a judge with none of its own (``refusal: {}``): only ``type``, ``kinds``
    and ``only_uncertain``; any other key is an error."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class JudgeContext:
    """What a judge may need besides its own settings."""

    edition: Edition
    base_dir: Path = field(default_factory=Path.cwd)
    run_dir: Path | None = None
    cache_path: Path | None = None


class Judge(abc.ABC):
    """Base class. Subclasses set ``name`` and implement :meth:`judge_many` (or derive from
    :class:`AnswerJudge` and implement :meth:`~AnswerJudge.judge`).

    ``streaming``: the judge may be given the answers a few at a time while the target is still
    answering, on the event-loop thread between answers. Only for judges that are quick, do no
    I/O and run no event loop of their own, and whose verdict on an answer does not depend on
    the other answers in the batch.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    streaming: ClassVar[bool] = False
    settings: ClassVar[type[JudgeSettings]] = JudgeSettings  # the model of its assess.yaml settings

    def __init__(self, cfg: dict[str, Any], where: str, ctx: JudgeContext) -> None:
        self.cfg = cfg
        self.where = where
        self.ctx = ctx

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title}

    @abc.abstractmethod
    def judge_many(self, inputs: list[JudgeInput]) -> list[Verdict | None]:
        """One verdict per input, or ``None`` where this judge has nothing to say."""

    def path(self, key: str) -> Path:
        """A path setting, relative to the directory of assess.yaml."""
        raw = self.cfg.get(key)
        if not raw:
            raise ConfigError(f"评判器 {self.name} 缺少 {key}", where=f"{self.where}.{key}")
        p = Path(str(raw))
        return p if p.is_absolute() else self.ctx.base_dir / p


class AnswerJudge(Judge):
    """A judge that decides each answer on its own, from that answer alone."""

    def judge_many(self, inputs: list[JudgeInput]) -> list[Verdict | None]:
        return [self.judge(x) for x in inputs]

    @abc.abstractmethod
    def judge(self, x: JudgeInput) -> Verdict | None:
        """The verdict on one answer, or ``None`` when this judge has nothing to say."""


def _builtin_judges() -> None:
    import beian.assess.judges  # noqa: F401  (registers the built-ins)


_JUDGES: PluginRegistry[type[Judge]] = PluginRegistry(
    "judges", label="评判器", builtins=_builtin_judges
)


def judge(name: str) -> Callable[[type[Judge]], type[Judge]]:
    """Register a judge class under ``name`` (``judges: {name: {...}}`` in assess.yaml)."""

    def deco(cls: type[Judge]) -> type[Judge]:
        cls.name = name
        _JUDGES.add(name, cls)
        return cls

    return deco


def judge_names() -> list[str]:
    return _JUDGES.names()


def judge_class(kind: str, where: str = "assess.yaml: judges") -> type[Judge]:
    """The judge class registered as ``kind`` (an unknown name is a :class:`ConfigError`)."""
    cls = _JUDGES.get(kind)
    if cls is None:
        raise ConfigError(
            f"未知的评判器 {kind!r}",
            where=where,
            fix="可用评判器：" + "、".join(judge_names()),
        )
    return cls


def make_judge(
    name: str,
    cfg: JudgeSettings | Mapping[str, Any],
    ctx: JudgeContext,
    where: str = "assess.yaml: judges",
) -> Judge:
    """The judge ``name`` of assess.yaml, its settings validated by its class's ``settings``.

    ``type:`` in its settings names the judge class, so one kind of judge can run twice under
    two names (``llm-b: {type: llm, …}``)."""
    kind = str(validate_settings(JudgeSettings, cfg, f"{where}.{name}").type or name)
    cls = judge_class(kind, f"{where}.{name}" + (".type" if kind != name else ""))
    settings = validate_settings(cls.settings, cfg, f"{where}.{name}")
    if kind != name:  # the same class, its verdicts recorded under this name
        cls = type(cls.__name__, (cls,), {"name": name})
    return cls(settings.model_dump(exclude_unset=True), f"{where}.{name}", ctx)
