"""GB 45438 labels on generated text, from :mod:`beian.label`.

The explicit label is :func:`beian.label.explicit_text_mark` (``【notice】`` before or after the
answer). A stream cannot be labelled after the fact, so the label's two halves are cut from the
same function's output and sent with the first / last content. The implicit label is a
:class:`beian.label.LabelPayload`; :func:`beian.label.label_text` binds it to the exact text the
client received (``ReservedCode1``), so anyone holding the answer and the label can check it
with :func:`beian.label.verify_text_label`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from beian.errors import ConfigError, InputError
from beian.gateway._config import LabelsConfig
from beian.label import (
    LabelPayload,
    explicit_text_mark,
    label_text,
    load_private_key,
    text_code,
)
from beian.label.explicit.text import TextPosition

__all__ = ["Labeller"]

_CUT = "\x00"  # never in a notice: where the answer goes inside explicit_text_mark's output
# a produce id (the gateway's record id) put as it is between the bytes around it in the
# unbound label's JSON: characters that JSON leaves as they are and GB 45438 allows
_PLAIN_ID = re.compile(r"[0-9A-Za-z_.:-]{1,128}")
_SLOT = "beian-produce-id-slot"


@dataclass(frozen=True)
class Labeller:
    """Adds the explicit label at the configured position and builds the implicit payload."""

    config: LabelsConfig
    prefix: str = field(init=False, default="")
    suffix: str = field(init=False, default="")
    _base: LabelPayload | None = field(init=False, default=None)
    _key: Any = field(init=False, default=None)
    _around: tuple[str, str] = field(init=False, default=("", ""))
    # the unbound label's canonical fields (what ReservedCode1 covers) around a plain produce
    # id, and its fields: a bound label of a plain id is built from them (see _bound_fields)
    _canon: tuple[bytes, bytes] = field(init=False, default=(b"", b""))
    _fields: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        c = self.config
        try:
            if c.explicit:
                pos: TextPosition = "prefix" if c.position == "start" else "suffix"
                before, after = explicit_text_mark(_CUT, pos, c.notice).split(_CUT)
                object.__setattr__(self, "prefix", before)
                object.__setattr__(self, "suffix", after)
            if c.implicit:
                if not c.content_producer:
                    raise InputError(
                        "隐式标识需要服务提供者编码（ContentProducer）",
                        where="content_producer",
                        fix="写入 0011 + 统一社会信用代码 + 5 位后缀"
                        "（beian.label.producer_code_from_uscc），或关闭 labels.implicit",
                    )
                base = LabelPayload(Label="1", ContentProducer=c.content_producer)
                object.__setattr__(self, "_base", base)
                slotted = base.with_(ProduceID=_SLOT)
                head, _, tail = slotted.to_json().partition(_SLOT)
                object.__setattr__(self, "_around", (head, tail))
                c_head, _, c_tail = slotted.canonical_fields().partition(_SLOT.encode())
                object.__setattr__(self, "_canon", (c_head, c_tail))
                object.__setattr__(self, "_fields", base.fields_dict())
            if c.signing_key:
                object.__setattr__(self, "_key", load_private_key(c.signing_key))
        except InputError as exc:
            raise ConfigError(exc.what, where=f"labels: {exc.where}", fix=exc.fix) from None

    def apply(self, text: str) -> str:
        """The whole text with the explicit label (non-streaming responses)."""
        return f"{self.prefix}{text}{self.suffix}"

    def payload(self, produce_id: str, text: str | None = None) -> dict[str, Any] | None:
        """The implicit label; bound to ``text`` (the answer as sent) when it is given."""
        if text is not None and self._base is not None and _PLAIN_ID.fullmatch(produce_id):
            return {"AIGC": self._bound_fields(produce_id, text)}  # once per answer
        p = self._payload(produce_id, text)
        return None if p is None else {"AIGC": p.fields_dict()}  # what to_json() reads back as

    def _bound_fields(self, produce_id: str, text: str) -> dict[str, str]:
        """``label_text(text, base with ProduceID=produce_id).fields_dict()``, the same fields,
        for a plain ``produce_id`` (one that JSON and GB 45438 take as it is): its canonical
        fields are the template's bytes around it, and no payload is built or validated twice
        (the base was validated once; the id and the code are within the allowed characters)."""
        head, tail = self._canon
        canonical = head + produce_id.encode() + tail
        code = text_code(text, canonical, self._key, "sha256")  # label_text's default
        return {**self._fields, "ProduceID": produce_id, "ReservedCode1": code}

    def header_value(self, produce_id: str, text: str | None = None) -> str | None:
        if self._base is None:
            return None
        if text is None and _PLAIN_ID.fullmatch(produce_id):  # once per request: no rebuild
            return produce_id.join(self._around)
        p = self._payload(produce_id, text)
        return None if p is None else p.to_json()  # printable ASCII, fit for a header

    def _payload(self, produce_id: str, text: str | None) -> LabelPayload | None:
        if self._base is None:
            return None
        p = self._base.with_(ProduceID=produce_id)
        if text is not None:
            p = label_text(text, p, key=self._key)
        return p

    def bound(self, produce_id: str, text: str) -> tuple[str, dict[str, Any]] | None:
        """The implicit label bound to ``text``, as the header's value and as the body's
        object (one label built, not parsed back from its JSON)."""
        if self._base is not None and _PLAIN_ID.fullmatch(produce_id):
            label = {"AIGC": self._bound_fields(produce_id, text)}
            return json.dumps(label, separators=(",", ":"), ensure_ascii=True), label  # to_json
        p = self._payload(produce_id, text)
        return None if p is None else (p.to_json(), {"AIGC": p.fields_dict()})

    def header(self, produce_id: str, text: str | None = None) -> tuple[str, str] | None:
        value = self.header_value(produce_id, text)
        return None if value is None else (self.config.header, value)
