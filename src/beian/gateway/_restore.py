"""Putting the user's own values back where the answer repeats a pseudonym token.

With ``pii: pseudonym`` the model sees ``<手机号_1a2b3c4d>`` instead of the user's number; when
its answer repeats the token, the user should read their number, not the token. A streamed
answer can split a token across chunks, so the end of each released piece that could still
become a token (``<`` and at most a token's length of non-space characters with no ``>`` yet) is
held until the next piece or the end of the stream.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Restorer", "restore"]

# "<" + type (≤ 24) + "_" + 8 hex digits + ">" (beian.pii's pseudonym tokens)
_TOKEN_MAX = 35


def restore(text: str, mapping: dict[str, str]) -> str:
    """``text`` with every token of ``mapping`` replaced by its value (others left alone)."""
    if not mapping or "<" not in text:
        return text
    from beian.pii import reidentify  # only with pii: pseudonym, which needs beian.pii

    return reidentify(text, mapping=mapping)


def _unfinished(text: str) -> int:
    """Where a token that is not complete yet may start at the end of ``text`` (or its length)."""
    i = text.rfind("<")
    if i < 0 or len(text) - i >= _TOKEN_MAX:
        return len(text)
    tail = text[i + 1 :]
    if ">" in tail or "<" in tail or any(c.isspace() for c in tail):
        return len(text)
    return i


@dataclass
class Restorer:
    """Restores tokens in one streamed choice; :meth:`feed` returns what may be sent now."""

    mapping: dict[str, str]
    held: str = field(default="")

    def feed(self, text: str) -> str:
        text = self.held + text
        cut = _unfinished(text)
        self.held = text[cut:]
        return restore(text[:cut], self.mapping)

    def finish(self) -> str:
        text, self.held = self.held, ""
        return restore(text, self.mapping)
