"""``Lexicon.scan`` on a text no keyword form can start in returns at once (the stream
screener's first check, used once its index is built): the same hits as the full scan.

A gateway screens every request's texts with ``scan``; most hold no character that folds into
the first character of any keyword form, and the check that says so is the one every streamed
chunk already passes. The reference is a lexicon of the same entries that never streamed (no
index, so every text takes the full scan).
"""

from __future__ import annotations

import random

import pytest

from beian.lexicon import Lexicon, LexiconConfig

from .test_stream_fast import ALLOW, ENTRIES, FILLER, FORMS, RAW, _text

CONFIGS = {
    "default": (ENTRIES, LexiconConfig(), ALLOW),
    "no-collapse": (ENTRIES, LexiconConfig(collapse_repeats=False, lookalike=False), ALLOW),
    "raw": (ENTRIES[2:], LexiconConfig(**dict.fromkeys(RAW, False)), []),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_quiet_scan_equals_the_full_scan(name: str) -> None:
    entries, config, allow = CONFIGS[name]
    warm = Lexicon.from_entries(entries, config, allow=allow)
    warm.scan_stream("预热")  # builds the index: scan may now skip quiet texts
    reference = Lexicon.from_entries(entries, config, allow=allow)
    rng = random.Random(len(name))
    texts = [*FORMS, *FILLER, *(_text(rng) for _ in range(400))]
    quiet = 0
    for text in texts:
        for overlapping in (True, False, None):
            assert warm.scan(text, overlapping=overlapping) == reference.scan(
                text, overlapping=overlapping
            ), (name, text)
        st = warm._compiled()
        idx = warm._prefixes
        assert idx is not None and reference._prefixes is None
        quiet += warm._quiet(st, idx, text)
    assert quiet > 20  # the shortcut was taken, and texts with hits still found them
    assert any(warm.scan(t) for t in texts)
