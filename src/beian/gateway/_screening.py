"""Screening interfaces: what the gateway needs from a keyword matcher and a PII engine.

The gateway depends on two small protocols, not on concrete classes:

* :class:`Scanner` — ``scan(text)`` returns hits with ``start``/``end`` offsets into ``text``
  and a ``risk`` code, and ``max_span`` is the longest stretch of text one hit can cover
  (the hold-back window for streams). :class:`beian.lexicon.Lexicon` satisfies it.
  Policy decisions are taken per risk code, so a scanner must report every hit, those that
  overlap another or lie inside it included (``六合彩`` must not hide ``彩票诈骗`` in
  ``六合彩票诈骗``); one that can select (``overlaps = True``, as the Lexicon, whose default
  ``match`` is leftmost-longest) is asked with ``overlapping=True``.
* :class:`Redactor` — ``redact(text)`` returns the text with personal information masked or
  pseudonymized and the entity types found. :class:`PiiRedactor` adapts ``beian.pii``; its
  ``protect(text)`` also returns the pseudonym token → original value mapping, which the gateway
  uses to put the user's own values back into the answer (``restore_pseudonyms``), and a note
  (type, score, reason) for each entity that scored lower than a clean match of its type (a
  身份证 number with a wrong check digit), so the record says why it was masked.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from beian.crypto import KeyRing
from beian.errors import BeianError, ConfigError
from beian.gateway._config import ScreeningConfig
from beian.pii import PiiConfig

__all__ = [
    "CleanTexts",
    "Decision",
    "Hit",
    "PiiRedactor",
    "Redactor",
    "Scanner",
    "Screening",
    "StreamScanner",
    "build_screening",
    "describe_pii_engine",
    "pii_engine",
]


@runtime_checkable
class Hit(Protocol):
    start: int
    end: int
    risk: str


@runtime_checkable
class Scanner(Protocol):
    @property
    def max_span(self) -> int: ...

    def scan(self, text: str) -> Sequence[Any]: ...


@runtime_checkable
class StreamScanner(Scanner, Protocol):
    """A scanner that also tells where a text's unfinished tail begins: the original offset
    from which text still to come could complete a hit (``len(text)`` when none)."""

    def scan_stream(self, text: str) -> tuple[Sequence[Any], int]: ...


def stream_scanner(scanner: Scanner | None) -> StreamScanner | None:
    """``scanner`` when it can tell where a text's unfinished tail begins (a combined scanner
    only when every part can), else None."""
    if isinstance(scanner, StreamScanner) and getattr(scanner, "streams", True):
        return scanner
    return None


class Redactor(Protocol):
    def redact(self, text: str) -> tuple[str, list[str]]: ...


@dataclass(frozen=True)
class Decision:
    """One screening decision, recorded with the exchange (no content, only codes and counts)."""

    stage: str  # "input" | "output" | "pii"
    action: str  # "block" | "mask" | "pseudonym" | "substitute" | "flag" | "allow"
    risks: tuple[str, ...] = ()
    count: int = 0
    # moderation stages (see beian.gateway._moderation): which check decided, with which
    # model and score; recorded only when set, so older records read the same
    check: str = ""  # "keyword" | "classifier" | "guard"
    model: str = ""
    score: float | None = None
    level: str = ""  # "unsafe" | "controversial" | "error"
    note: str = ""
    # PII: why entities below a clean match's score were masked (see pii_notes); recorded
    # only when there are some
    reasons: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "stage": self.stage,
            "action": self.action,
            "risks": list(self.risks),
            "count": self.count,
        }
        if self.check:
            out.update(check=self.check, model=self.model, score=self.score, level=self.level)
            if self.note:
                out["note"] = self.note
        if self.reasons:
            out["reasons"] = [dict(r) for r in self.reasons]
        return out


# a lone digit (or X) in a reason is part of the value (a check digit written or expected)
_LONE_DIGIT = re.compile(r"(?<![0-9A-Za-z])[0-9Xx](?![0-9A-Za-z])")


def pii_notes(entities: Sequence[Any]) -> list[dict[str, Any]]:
    """A note per entity that carries a reason (it scored lower than a clean match of its
    type): type, score and the reason, with its lone digits masked: a record keeps no part
    of the value."""
    return [
        {"type": str(e.type), "score": float(e.score), "reason": _LONE_DIGIT.sub("*", e.reason)}
        for e in entities
        if getattr(e, "reason", "")
    ]


def tally_notes(notes: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """The notes, each distinct one once with its ``count``, in first-seen order."""
    counts: dict[tuple[str, float, str], int] = {}
    for n in notes:
        key = (n["type"], n["score"], n["reason"])
        counts[key] = counts.get(key, 0) + 1
    return tuple(
        {"type": t, "score": sc, "reason": r, "count": c} for (t, sc, r), c in counts.items()
    )


def _risk_of(hit: Any) -> str:
    risk = getattr(hit, "risk", None)
    return str(getattr(risk, "code", risk) or "未分类")


@dataclass
class Screening:
    """The screeners in force; replaced as a whole on config reload."""

    config: ScreeningConfig
    scanner: Scanner | None = None
    redactor: Redactor | None = None
    sources: list[str] = field(default_factory=list)
    # where the stages' times go (the gateway's Metrics.stage: ``keyword_input``, ``pii_input``,
    # ``keyword_output``); set by the gateway, None outside one
    timer: Callable[[str, float], None] | None = None

    def timed(self, check: str, started: float) -> None:
        """Report the time since ``started`` (``time.perf_counter()``) as ``check``'s."""
        if self.timer is not None:
            self.timer(check, time.perf_counter() - started)

    @property
    def hold_back(self) -> int:
        """Characters held back at the end of a stream until they can no longer start a hit."""
        if self.scanner is None or not self.config.screen_output:
            return 0
        return max(0, int(self.scanner.max_span) - 1)

    def __post_init__(self) -> None:
        # decided once: a Protocol isinstance check is slow per stream chunk
        sc = stream_scanner(self.scanner)
        self._stream_scanner = sc if self.config.screen_output else None
        # every hit, overlapping ones included (see the module docstring)
        self._every = bool(getattr(self.scanner, "overlaps", False))

    def _scan(self, sc: Scanner, text: str) -> Sequence[Any]:
        return sc.scan(text, overlapping=True) if self._every else sc.scan(text)  # type: ignore[call-arg]

    @property
    def streams(self) -> bool:
        """The scanner tells where a text's unfinished tail begins (see ``scan_stream``)."""
        return self._stream_scanner is not None

    def scan_stream(self, text: str, start: int = 0) -> tuple[tuple[str, ...], int]:
        """Risk codes of the hits in ``text`` that start at ``start`` or later, and where its
        unfinished tail begins. Text before ``start`` is context already released: no hit can
        start there (it was scanned with all of its own context), and one that seems to is an
        artefact of the context being cut (an ASCII keyword whose preceding letter was cut)."""
        sc = self._stream_scanner
        if sc is None or not text:
            return (), len(text)
        hits, pending = (
            sc.scan_stream(text, overlapping=True) if self._every else sc.scan_stream(text)  # type: ignore[call-arg]
        )
        if not hits:  # the usual case, once per streamed chunk
            return (), pending
        return tuple(dict.fromkeys(_risk_of(h) for h in hits if h.start >= start)), pending

    def hit_ending_at_end(self, text: str, start: int = 0) -> int | None:
        """Where the first hit of ``text``, read as a whole text, that starts at ``start`` or
        later and ends at its very end begins (None if there is none). A stream must not
        release such a prefix: an ASCII keyword followed by a letter still held back would be
        visible as the keyword if the stream were blocked before that letter left."""
        sc = self._stream_scanner
        if sc is None or not text:
            return None
        ends = [
            int(h.start) for h in self._scan(sc, text) if h.end == len(text) and h.start >= start
        ]
        return min(ends) if ends else None

    def risks(self, text: str, start: int = 0) -> tuple[str, ...]:
        """Risk codes of the keyword hits in ``text`` (empty when clean or no scanner); with
        ``start``, of those that start there or later (see :meth:`scan_stream`)."""
        if self.scanner is None or not text:
            return ()
        hits = self._scan(self.scanner, text)
        return tuple(dict.fromkeys(_risk_of(h) for h in hits if not start or h.start >= start))

    def check_input(self, texts: Sequence[str]) -> Decision | None:
        if not self.config.screen_input:
            return None
        risks: dict[str, None] = {}
        count = 0
        for t in texts:
            found = self.risks(t)
            count += len(found)
            risks.update(dict.fromkeys(found))
        return Decision("input", "block", tuple(risks), count) if risks else None

    def redact(self, text: str) -> tuple[str, list[str]]:
        if self.redactor is None or self.config.pii == "off" or not text:
            return text, []
        return self.redactor.redact(text)

    def protect(self, text: str) -> tuple[str, list[str], dict[str, str], list[dict[str, Any]]]:
        """As :meth:`redact`, plus the token → value mapping and the notes (see
        :func:`pii_notes`) when the redactor gives them.

        A long text is protected a piece at a time (:func:`pieces`): the PII engine's scans are
        single calls that hold the interpreter, and a worker thread must let the event loop
        run between them."""
        if len(text) > PIECE:
            outs = [self._protect(p) for p in pieces(text)]
            mapping = {k: v for o in outs for k, v in o[2].items()}
            return (
                "".join(o[0] for o in outs),
                [t for o in outs for t in o[1]],
                mapping,
                [n for o in outs for n in o[3]],
            )
        return self._protect(text)

    def _protect(self, text: str) -> tuple[str, list[str], dict[str, str], list[dict[str, Any]]]:
        protect = getattr(self.redactor, "protect", None)
        if protect is None or self.config.pii == "off" or not text:
            return (*self.redact(text), {}, [])
        new, types, mapping, *notes = protect(text)  # a redactor's protect may give no notes
        return str(new), list(types), dict(mapping), list(notes[0]) if notes else []


PIECE = 8192  # characters protected at a time (see Screening.protect)
_BREAKS = ("\n", "。", "！", "？", "；", ". ", " ")


def pieces(text: str, size: int = PIECE) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters, each ending at a line break, a
    sentence end or a space where there is one in its second half (personal information does
    not span those), else cut hard."""
    out = []
    while len(text) > size:
        window = text[size // 2 : size]
        cut = next((size // 2 + i + len(b) for b in _BREAKS if (i := window.rfind(b)) >= 0), size)
        out.append(text[:cut])
        text = text[cut:]
    out.append(text)
    return out


class CleanTexts:
    """Texts in which the PII engine found nothing, the ``size`` most recently seen.

    The engine's answer depends on the text alone (and on the engine, which a reload replaces
    together with this memory), so a text seen clean is clean again: a system prompt, or the
    earlier turns of a conversation that each of its requests sends again, is analysed once.
    Only a digest of each text is kept (BLAKE2b, 128 bits, keyed with a per-process random key:
    nothing of the text, and no digest another process could match), never one in which
    something was found. Thread-safe (the screening threads protect large requests).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._key = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, text: str) -> bytes:
        data = text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, digest_size=16, key=self._key).digest()

    def seen(self, text: str) -> bool:
        """Whether ``text`` was found clean before (and is now the most recently seen)."""
        d = self._digest(text)
        with self._lock:
            if d not in self._seen:
                return False
            self._seen.move_to_end(d)
            return True

    def add(self, text: str) -> None:
        d = self._digest(text)
        with self._lock:
            self._seen[d] = None
            if len(self._seen) > self.size:
                self._seen.popitem(last=False)

    def __len__(self) -> int:
        return len(self._seen)


class PiiRedactor:
    """Adapts ``beian.pii`` (engine + prepared ``Deidentifier``) to :class:`Redactor`.

    ``pseudonym`` needs the key ring: the same value gets the same token across requests.
    ``clean_cache``: how many texts found clean are remembered (:class:`CleanTexts`; 0: none).
    """

    def __init__(
        self,
        operator: str,
        keyring: KeyRing | None = None,
        engine: PiiConfig | None = None,
        clean_cache: int = 0,
    ) -> None:
        pii = _import("beian.pii", "screening.pii")
        self.operator = operator
        self.engine = pii_engine(engine)
        self.clean = CleanTexts(clean_cache) if clean_cache > 0 else None
        try:
            self.deidentifier = pii.Deidentifier(operator, keyring=keyring)
        except BeianError as exc:
            raise ConfigError(exc.what, where="screening.pii", fix=exc.fix) from None

    def redact(self, text: str) -> tuple[str, list[str]]:
        return self.protect(text)[:2]

    def protect(self, text: str) -> tuple[str, list[str], dict[str, str], list[dict[str, Any]]]:
        clean = self.clean
        if clean is not None and clean.seen(text):
            return text, [], {}, []
        entities = self.engine.analyze(text)
        if not entities:
            if clean is not None:
                clean.add(text)
            return text, [], {}, []
        out = self.deidentifier.apply(text, entities)
        types = [str(e.type) for e in entities]
        return str(out.text), types, dict(out.mapping), pii_notes(entities)


def pii_engine(config: PiiConfig | None) -> Any:
    """The engine ``screening.pii_engine`` asks for: the process-wide default engine when it
    is the default, else one built from it (the tagger's model read now: unreadable, no start)."""
    pii = _import("beian.pii", "screening.pii")
    if config is None or config == pii.PiiConfig():
        return pii.default_engine()
    try:
        return pii.PiiEngine(config)
    except ConfigError as exc:
        where = (
            f"screening.pii_engine.tagger（{exc.where}）" if exc.where else "screening.pii_engine"
        )
        raise ConfigError(
            exc.what,
            where=where,
            fix="重新安装 genai-beian 以恢复该模型文件，或把 screening.pii_engine.tagger 设为 false",
        ) from None


def describe_pii_engine(config: ScreeningConfig) -> str:
    """What finds personal information, in a line for ``gateway check`` and the start banner."""
    if config.pii == "off":
        return "个人信息保护已关闭（screening.pii: off）"
    e = config.pii_engine
    parts = ["规则识别器"]
    if e.context_names:
        parts.append("上下文姓名规则（context_names）")
    if e.fast_names:
        parts[0] = "规则识别器（快速姓名规则 fast_names，少读五种姓名）"
    if e.tagger:
        parts.append("学习式姓名/地址标注器（tagger）")
    bars = [f"阈值 {e.threshold:g}"] + [f"{t} {v:g}" for t, v in sorted(e.thresholds.items())]
    extra = [f"停用 {'、'.join(e.disabled)}"] if e.disabled else []
    extra += [f"仅启用 {'、'.join(e.enabled)}"] if e.enabled is not None else []
    extra += [f"自定义 {len(e.custom)} 条"] if e.custom else []
    mode = "掩码" if config.pii == "mask" else "假名化"
    return f"个人信息识别：{' + '.join(parts)}；{'，'.join(bars + extra)}；处理方式：{mode}"


class CombinedScanner:
    """Several scanners as one: all hits, the widest window."""

    def __init__(self, parts: Sequence[Scanner]) -> None:
        self.parts = list(parts)

    @property
    def max_span(self) -> int:
        return max(int(p.max_span) for p in self.parts)

    @property
    def streams(self) -> bool:
        return all(isinstance(p, StreamScanner) for p in self.parts)

    @property
    def overlaps(self) -> bool:
        """Every part takes ``overlapping`` (see :class:`Scanner`)."""
        return all(getattr(p, "overlaps", False) for p in self.parts)

    def scan(self, text: str, **kw: Any) -> list[Any]:
        return [h for p in self.parts for h in p.scan(text, **kw)]

    def scan_stream(self, text: str, **kw: Any) -> tuple[list[Any], int]:
        hits: list[Any] = []
        pending = len(text)
        for p in self.parts:
            if not isinstance(p, StreamScanner):
                raise TypeError("scan_stream needs every part to support it (see .streams)")
            found, start = p.scan_stream(text, **kw)
            hits.extend(found)
            pending = min(pending, start)
        return hits, pending


def _import(module: str, where: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"未安装模块 {module}，无法启用该配置项",
            where=where,
            fix=f"请升级 beian 到包含 {module} 的版本，或在配置中关闭该项",
        ) from None


def load_lexicon(paths: Sequence[str]) -> Scanner:
    """The keyword libraries of ``screening.lexicon`` as the gateway loads them: a malformed line
    refuses the whole load (the gateway has no ``--lenient``), at ``file:line``."""
    lexicon = _import("beian.lexicon", "screening.lexicon")
    try:
        loaded: Scanner = lexicon.Lexicon.load(paths)
    except BeianError as exc:
        raise type(exc)(
            exc.what, where=exc.where,
            fix="修正以上各行后重试（网关不跳过有错的行，没有 --lenient）",
        ) from None  # fmt: skip
    return loaded


def build_screening(config: ScreeningConfig, keyring: KeyRing | None = None) -> Screening:
    """Load the keyword library and the PII engine named in the config."""
    scanner: Scanner | None = None
    sources: list[str] = []
    if config.lexicon or config.keywords:
        lexicon = _import("beian.lexicon", "screening.lexicon")
        entries = [(e.keyword, e.risk) for e in config.keywords]
        parts: list[Scanner] = []
        if config.lexicon:
            parts.append(load_lexicon(config.lexicon))
        if entries:
            parts.append(lexicon.Lexicon.from_entries(entries))
        scanner = parts[0] if len(parts) == 1 else CombinedScanner(parts)
        sources = [*config.lexicon, *(["<inline>"] if entries else [])]
    redactor = (
        PiiRedactor(config.pii, keyring, config.pii_engine, config.pii_clean_cache)
        if config.pii != "off"
        else None
    )
    # compile the matcher (and the prefix index streams use) and load the lazy tables now,
    # not on the first request
    streaming = stream_scanner(scanner)
    if streaming is not None:
        streaming.scan_stream(_WARM_UP)
    elif scanner is not None:
        scanner.scan(_WARM_UP)
    if redactor is not None:
        redactor.redact(_WARM_UP)
    return Screening(config=config, scanner=scanner, redactor=redactor, sources=sources)


_WARM_UP = "预热：張三 13800138000 北京市海淀区 zhangsan@example.com"
