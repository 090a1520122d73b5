"""Every evasion form the whole-text scan catches is caught when it arrives in stream chunks
split at any position, and no character of it is released first.

The release protocol of :meth:`Lexicon.scan_stream` as a stream screener follows it: scan the
held text (with a few released characters of context before it), stop at a hit that starts in
the held part, else release everything before the unfinished tail; at the end, scan the rest.
"""

from __future__ import annotations

import random

import pytest

from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

from .stream_forms import ALLOW, ENTRIES, FORMS, chunkings, texts

LEX = Lexicon.from_entries(ENTRIES, allow=ALLOW)
CONTEXT = 8  # released characters kept before the held tail (as the gateway does)


def stream(lex: Lexicon, chunks: list[str]) -> tuple[int, bool]:
    """Characters released, and whether the stream was blocked."""
    buf, head, released = "", 0, 0  # buf: released context (head chars) + held text
    for piece in chunks:
        buf += piece
        hits, pending = lex.scan_stream(buf)
        if any(h.start >= head for h in hits):
            return released, True
        to = max(head, pending)
        released += to - head
        keep = max(0, to - CONTEXT)
        buf, head = buf[keep:], to - keep
    if any(h.start >= head for h in lex.scan(buf)):  # the end: scan what is held
        return released, True
    return released + len(buf) - head, False


def test_every_form_is_a_hit_of_the_whole_text() -> None:
    for kind, form in FORMS:
        assert LEX.scan("今天" + form + "。"), (kind, form)


@pytest.mark.parametrize("kind", sorted({k for k, _ in FORMS}))
def test_any_chunking_gives_the_whole_text_verdict_and_releases_no_hit(kind: str) -> None:
    rng = random.Random(kind)
    blocked_any = clean_any = 0
    for text in texts(rng, kind, 60):
        whole = LEX.scan(text)
        first = min((h.start for h in whole), default=len(text))
        for chunks in chunkings(rng, text):
            released, blocked = stream(LEX, chunks)
            assert blocked is bool(whole), (text, chunks)
            assert released <= first, (text, chunks, released)  # not one character of a hit
            if not blocked:
                assert released == len(text)
        blocked_any += bool(whole)
        clean_any += not whole
    assert blocked_any >= 15 and clean_any >= 10  # both verdicts were exercised


@pytest.mark.parametrize("pad", [0, 60])  # short and long normalization paths
def test_leet_forms_after_a_collapsed_repeat_are_found_where_they_stand(pad: int) -> None:
    """A repeat collapsed before a leet form (天天, 好好) must not shift where its run is looked
    for: the whole-text scan missed it, while a stream chunk without the repeat found it."""
    for form, at in [("zhik3shui", "zhik3shui"), ("k@nr3n", "k@nr3n"), ("$eq1ng", "$eq1ng")]:
        text = "天天气很好好，" + "正常" * pad + "，" + form + "。"
        hits = LEX.scan(text)
        assert [(h.text, h.start) for h in hits] == [(at, text.index(at))], text


# (case, keyword, config, text, whole-text verdict): a form whose verdict depends on the
# character after it (a condition on the words around it, a CR LF cut in two) gets the
# whole-text verdict in chunks
NEXT_CHARACTER = [
    ("lookalike-two-straddles", "赌博", {"lookalike_two": True}, "在睹博得了", False),
    ("lookalike-two-alone", "赌博", {"lookalike_two": True}, "在睹博。", True),
    ("lookalike-two-long-word", "快三", {"lookalike_two": True}, "迟疑不决三夫", False),
    ("lookalike-two-symbol", "代孕", {"lookalike_two": True}, "找伐❤孕渠道", True),
    ("initials-model-number", "百家乐", {}, "新款BJL-300空气", False),
    ("initials-before-a-hyphen", "百家乐", {}, "新款BJL-哈", True),
    ("clause-comma", "老虎机", {}, "打老虎，机会", False),
    ("full-radical-makes-a-word", "私刑", {}, "私开刀片", False),
    ("full-radical-alone", "私刑", {}, "私开刀。", True),
    ("crlf", "恐怖袭击", {}, "恐怖\r\n袭击", True),
    ("crlf-long", "恐怖袭击", {}, "正常" * 40 + "恐怖\r\n袭击", True),
    ("crlf-blank-line", "恐怖袭击", {}, "恐怖\r\n\r\n袭击", False),
]


@pytest.mark.parametrize(
    ("case", "keyword", "config", "text", "hit"),
    NEXT_CHARACTER,
    ids=[c[0] for c in NEXT_CHARACTER],
)
def test_a_verdict_that_waits_for_the_next_character_is_the_whole_text_one(
    case: str, keyword: str, config: dict[str, bool], text: str, hit: bool
) -> None:
    lex = Lexicon.from_entries([KeywordEntry(keyword, "A1a")], config=LexiconConfig(**config))
    whole = lex.scan(text)
    assert bool(whole) is hit
    first = min((h.start for h in whole), default=len(text))
    for chunks in chunkings(random.Random(case), text):
        released, blocked = stream(lex, chunks)
        assert blocked is hit, chunks
        assert released <= first, (chunks, released)
