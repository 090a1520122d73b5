"""Model stages on a streamed answer: text held per sentence, only as long as needed.

A :class:`SentenceGate` sits after the keyword hold-back of one text field. The text the keyword
screener releases is held until a sentence ends (。！？；, a line break, or ``max_hold``
characters without one); the completed sentences go through the classifier at once and leave
in the same chunk. With the guard on output, they are queued instead (:attr:`pending`): the
relay asks the guard about the answer so far before that chunk leaves (:meth:`review`), so a
sentence is held for one guard call, and clean text before it has already gone. A sentence a
model stops ends the stream with ``content_filter``; the ruling is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from beian.gateway._moderation import Moderation, Ruling, sentence_end, sentences

if TYPE_CHECKING:
    from beian.gateway._store import Exchange

__all__ = ["SentenceGate", "conversation", "last_question", "record_ruling"]

MAX_HOLD = 300  # characters held at most while waiting for a sentence to end


def _text_of(m: Any) -> str:
    c = m.get("content")
    if isinstance(c, str):
        return c
    if isinstance(c, list):
        return "".join(str(p.get("text") or "") for p in c if isinstance(p, dict))
    return ""


def _last_user(messages: list[Any]) -> int | None:
    """Index of the last user message with text (a last message left empty, or holding only
    images, must not hide the turns before it from the guard), else of the last user message."""
    last = None
    for i in range(len(messages) - 1, -1, -1):
        m = messages[i]
        if isinstance(m, dict) and m.get("role") == "user":
            if _text_of(m).strip():
                return i
            last = i if last is None else last
    return last


def last_question(body: dict[str, Any]) -> str:
    """The text of the last user message with text of a chat request ("" when none)."""
    messages = body.get("messages") or []
    i = _last_user(messages)
    return "" if i is None else _text_of(messages[i])


def conversation(body: dict[str, Any], budget: int) -> tuple[str, list[tuple[str, str]]]:
    """The last user message with text of a chat request and the user and assistant turns
    before it (oldest first; system, developer and tool messages left out) that fit in
    ``budget`` characters: user turns first, most recent first, then assistant turns with what
    is left (an assistant turn is the client's word for what the model said: a long one must
    not push the user's own earlier words out); the turn that crosses the budget keeps its end,
    after an ellipsis."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    last = _last_user(messages)
    if last is None:
        return "", []
    turns = [(i, str(m.get("role")), _text_of(m)) for i, m in enumerate(messages[:last])
             if m.get("role") in ("user", "assistant")]  # fmt: skip
    kept: dict[int, tuple[str, str]] = {}
    left = budget
    for wanted in ("user", "assistant"):
        for i, role, text in reversed(turns):
            if role != wanted or not text.strip():
                continue
            if len(text) > left:
                if left < 2:  # no room for more than the ellipsis
                    break
                text = "…" + text[len(text) - left + 1 :]
            kept[i] = (role, text)
            left -= len(text)
    return _text_of(messages[last]), [kept[i] for i in sorted(kept)]


def record_ruling(ex: Exchange, ruling: Ruling, metrics: Any | None = None) -> None:
    """Add the ruling's decision to the exchange's record (once per distinct decision)."""
    d = ruling.decision().to_json()
    if d not in ex.decisions:
        ex.decisions.append(d)
    if metrics is not None:
        f = ruling.finding
        metrics.moderation.labels(f.stage, f.check, ruling.action).inc()
        if ruling.stops:
            for risk in f.risks:
                metrics.blocks.labels(f.stage, risk).inc()


class SentenceGate:
    """One streamed text field behind the keyword screener."""

    def __init__(self, moderation: Moderation, ex: Exchange, question: str,
                 metrics: Any | None = None) -> None:  # fmt: skip
        self.m = moderation
        self.ex = ex
        self.question = question
        self.metrics = metrics
        self.held = ""
        self.checked = ""  # the answer so far that the guard passed (its context)
        self.pending = ""  # released to the chunk being built, not yet passed by the guard
        self.classify = moderation.classifier is not None and moderation.classifier.cfg.output
        self.guard = moderation.output_guard

    def feed(self, text: str, final: bool = False) -> str | Ruling:
        """The completed sentences of what was held plus ``text`` (all of it when ``final``),
        or the ruling that stops the stream."""
        self.held += text
        cut = len(self.held) if final else sentence_end(self.held)
        if not cut:
            if len(self.held) < MAX_HOLD:
                return ""
            cut = len(self.held)
        out, self.held = self.held[:cut], self.held[cut:]
        if self.classify:
            f = self.m.classify(sentences(out), "output")
            if f is not None:
                ruling = self.m.rule(f, self.question).in_stream()
                record_ruling(self.ex, ruling, self.metrics)
                if ruling.stops:
                    return ruling
        if self.guard is not None:
            self.pending += out
        return out

    async def review(self) -> Ruling | None:
        """Ask the guard about the answer so far, if a sentence waits; the stopping ruling."""
        if self.guard is None or not self.pending.strip():
            return None
        answer = self.checked + self.pending
        self.checked, self.pending = answer, ""
        f = await self.m.ask_guard(self.question, answer, "output")
        if f is None:
            return None
        ruling = self.m.rule(f, self.question).in_stream()
        record_ruling(self.ex, ruling, self.metrics)
        return ruling if ruling.stops else None
