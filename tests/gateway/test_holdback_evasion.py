"""The gateway's stream screener with a lexicon: every evasion form (leet, styled initials,
numbered separators, Unihan variants, mixed forms, ...) split across chunks at any position is
blocked exactly when the whole answer has a hit, and not one character of it leaves first."""

from __future__ import annotations

import random

import pytest

from beian.gateway import Screening, ScreeningConfig, StreamScreener
from beian.lexicon import Lexicon
from tests.lexicon.stream_forms import ALLOW, ENTRIES, FORMS, chunkings, texts

SCREENING = Screening(
    config=ScreeningConfig(pii="off"), scanner=Lexicon.from_entries(ENTRIES, allow=ALLOW)
)


def feed(chunks: list[str]) -> tuple[str, bool]:
    s = StreamScreener(SCREENING)
    sent = ""
    for piece in chunks:
        out = s.feed(piece)
        if out is None:
            return sent, True
        sent += out
    tail = s.finish()
    return sent + (tail or ""), tail is None


@pytest.mark.parametrize("kind", sorted({k for k, _ in FORMS}))
def test_split_evasion_forms_never_leak(kind: str) -> None:
    lex = SCREENING.scanner
    assert isinstance(lex, Lexicon)
    rng = random.Random("gateway-" + kind)
    blocked_any = 0
    for text in texts(rng, kind, 30):
        whole = lex.scan(text)
        first = min((h.start for h in whole), default=len(text))
        for chunks in chunkings(rng, text):
            sent, blocked = feed(chunks)
            assert blocked is bool(whole), (text, chunks)
            assert text.startswith(sent) and len(sent) <= first, (text, chunks, sent)
            assert blocked or sent == text
        blocked_any += bool(whole)
    assert blocked_any >= 8
