"""The hold-back window: a keyword split across stream chunks never reaches the client."""

from __future__ import annotations

import random
import time

import openai
import pytest

from beian.gateway import Exchange, RunningGateway, Screening, ScreeningConfig, StreamScreener
from beian.gateway._relay import ChunkWriter
from beian.lexicon import Lexicon

from .conftest import KEYWORDS, KeywordScanner, MakeGateway, keyword_screening, records, sdk

TEXT = "这是一段很长的正常回答，然后出现违禁词语，后面还有更多内容。"
BEFORE = TEXT[: TEXT.index("违禁词语")]


def feed_all(pieces: list[str]) -> tuple[str, bool]:
    s = StreamScreener(keyword_screening(ScreeningConfig(pii="off")))
    out = []
    for p in pieces:
        r = s.feed(p)
        if r is None:
            return "".join(out), True
        out.append(r)
    tail = s.finish()
    return "".join(out) + (tail or ""), tail is None


def split(text: str, rng: random.Random) -> list[str]:
    cuts = sorted(rng.sample(range(1, len(text)), rng.randint(0, min(12, len(text) - 1))))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


@pytest.mark.parametrize("seed", range(200))
def test_random_splits_never_leak(seed: int) -> None:
    rng = random.Random(seed)
    kw = rng.choice([k for k, _ in KEYWORDS])
    text = "正常内容" * rng.randint(0, 3) + kw + "后文" * rng.randint(0, 3)
    sent, blocked = feed_all(split(text, rng))
    assert blocked and kw not in sent and text.startswith(sent)
    assert len(sent) <= text.index(kw)  # not even the keyword's first character left


@pytest.mark.parametrize("seed", range(50))
def test_clean_text_is_released_unchanged(seed: int) -> None:
    rng = random.Random(seed)
    # keyword prefixes (违禁词, 赌博网, 制造) but never a whole keyword
    text = "".join(
        rng.choice(["正常", "回答", "违禁词", "赌博网", "制造"]) for _ in range(rng.randint(1, 30))
    )
    assert not any(k in text for k, _ in KEYWORDS)
    sent, blocked = feed_all(split(text, random.Random(seed + 1000)))
    assert not blocked and sent == text


def test_window_is_max_span_minus_one() -> None:
    s = StreamScreener(keyword_screening(ScreeningConfig(pii="off")))
    assert s.window == 3  # the longest keyword has 4 characters
    assert s.feed("一二三四五") == "一二"  # the last 3 may still start a keyword
    assert s.feed("六") == "三"
    assert s.finish() == "四五六"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7])
def test_split_keyword_through_the_gateway(make_gateway: MakeGateway, chunk: int) -> None:
    g = make_gateway(screening={"screen_input": False}, labels={"explicit": False})
    stream = sdk(g).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": f"[demo:say={TEXT}][demo:chunk={chunk}]"}],
        stream=True,
    )
    received, reasons = "", []
    for ev in stream:
        for ch in ev.choices:
            received += ch.delta.content or ""
            reasons.append(ch.finish_reason)
    assert BEFORE.startswith(received)  # no character of the keyword reached the client
    if chunk == 1:  # with one-character chunks all text before the keyword was released
        assert received == BEFORE
    assert reasons[-1] == "content_filter"
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and rec.decisions[0]["risks"] == ["A1a"]
    assert rec.sent == received and "违禁词语" in rec.response


def test_clean_stream_with_one_char_chunks(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening={"screen_input": False}, labels={"explicit": False})
    text = "完全正常的回答，没有任何问题。"
    stream = sdk(g).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": f"[demo:say={text}][demo:chunk=1]"}],
        stream=True,
    )
    assert "".join(ev.choices[0].delta.content or "" for ev in stream if ev.choices) == text


def test_stream_without_scanner_passes_through(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening={"screen_output": False, "screen_input": False})
    stream = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": f"[demo:say={TEXT}]"}], stream=True
    )
    text = "".join(ev.choices[0].delta.content or "" for ev in stream if ev.choices)
    assert text.startswith(TEXT)


def test_sdk_iterates_to_the_end_after_block(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening={"screen_input": False})
    with sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": f"[demo:say={TEXT}]"}], stream=True
    ) as stream:
        events = list(stream)
    assert events[-1].choices[0].finish_reason == "content_filter"
    assert isinstance(events[-1], openai.types.chat.ChatCompletionChunk)


def test_keyword_completed_in_the_held_tail_is_caught_at_the_end() -> None:
    scanner = KeywordScanner([("长长的关键词", "A1a"), ("短词", "A2a")])  # window 5
    s = StreamScreener(Screening(config=ScreeningConfig(pii="off"), scanner=scanner))
    assert s.feed("前文短") == "" and s.feed("词") == ""  # held, not yet scanned
    assert s.finish() is None and s.blocked == ("A2a",)
    assert s.sent_text == ""


def _lexicon_screener() -> StreamScreener:
    lex = Lexicon.from_entries(KEYWORDS)
    return StreamScreener(Screening(config=ScreeningConfig(pii="off"), scanner=lex))


def test_lexicon_releases_clean_text_at_once_and_holds_only_a_possible_start() -> None:
    s = _lexicon_screener()
    assert s.screening.streams and s.screening.hold_back > 3  # its fixed window would be wide
    assert s.feed("今天天气很好，") == "今天天气很好，"  # nothing could start a keyword
    assert s.feed("我们去制") == "我们去"  # 制 may begin 制造炸弹
    assert s.feed("作") == "制作"  # 制作 cannot
    assert s.feed("违禁词") == ""  # may begin 违禁词语
    assert s.feed("以外") == "违禁词以外"
    assert s.finish() == "" and s.sent_text == "今天天气很好，我们去制作违禁词以外"


@pytest.mark.parametrize("seed", range(100))
def test_lexicon_random_splits_never_leak_and_release_everything_before(seed: int) -> None:
    rng = random.Random(seed)
    kw = rng.choice(["违禁词语", "違 禁 詞 語", "违违禁词语", "赌*博*网*站", "制造炸弹"])
    text = "正常的内容，" * rng.randint(0, 3) + kw + "后文" * rng.randint(0, 3)
    s = _lexicon_screener()
    sent, offset = "", 0  # offset: where the piece being fed starts in the text
    for piece in split(text, rng):
        out = s.feed(piece)
        if out is None:
            break
        sent += out
        offset += len(piece)
    else:
        assert s.finish() is None
    assert s.blocked
    # every clean character before the keyword left, except those of the piece that completed it
    assert sent == text[: min(offset, text.index(kw))]


def test_answer_in_the_final_chunk_alone_still_gets_the_label(gateway: RunningGateway) -> None:
    """An upstream may send all its text together with ``finish_reason`` in one chunk."""
    writer = ChunkWriter(gateway.gateway, Exchange(id="r1", started=0.0))
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
             "choices": [{"index": 0, "delta": {"content": "完整的回答。"},
                          "finish_reason": "stop"}]}  # fmt: skip
    data = writer.chunk(chunk)
    suffix = gateway.gateway.labeller.suffix
    assert suffix.endswith("【本内容由人工智能生成】")
    assert data["choices"][0]["delta"]["content"] == "完整的回答。" + suffix
    assert "aigc_label" in data  # the implicit label, bound to the text as sent


ASCII_WORDS = ["gun", "guns", "shotgun", "bomb", "bombs", "a", "the", "gun.", "gun,", "x", "sex",
               "toy", "toys", " ", ". ", "\u200b", "1", "违禁", "词语"]  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_ascii_keywords_in_streams_match_the_whole_text(seed: int) -> None:
    """Word-boundary keywords: a stream is blocked exactly when the whole answer has a hit, and
    what left before a block never ends in a keyword (a letter that breaks its boundary was
    still held back: the client would read the keyword)."""
    lex = Lexicon.from_entries([("gun", "A1"), ("bomb", "A2"), ("sex toy", "A3"), ("违禁词语", "A4")])
    screening = Screening(config=ScreeningConfig(pii="off"), scanner=lex)
    for case in range(300):
        rng = random.Random(seed * 1000 + case)
        text = "".join(rng.choice(ASCII_WORDS) + rng.choice(["", " "]) for _ in range(12))
        s, out, blocked = StreamScreener(screening), [], False
        for piece in split(text, rng):
            got = s.feed(piece)
            if got is None:
                blocked = True
                break
            out.append(got)
        if not blocked:
            tail = s.finish()
            blocked = tail is None
            out.append(tail or "")
        sent = "".join(out)
        assert blocked is bool(lex.scan(text)), text
        assert not lex.scan(sent) and text.startswith(sent), (text, sent)


def test_a_tail_held_by_endless_invisible_characters_is_blocked_not_rescanned_forever() -> None:
    """Only invisible characters can keep a possible keyword open for long: each piece would
    rescan the whole tail (quadratic time). Past the hold limit the stream is blocked."""
    from beian.gateway._holdback import HOLD_LIMIT, HOLD_RISK

    lex = Lexicon.from_entries([("违禁词语", "A1a")])
    s = StreamScreener(Screening(config=ScreeningConfig(pii="off"), scanner=lex))
    assert s.feed("正常的话，违") == "正常的话，"
    t0 = time.perf_counter()
    for _ in range(HOLD_LIMIT // 64 + 2):
        if s.feed("\u200b" * 64) is None:
            break
    assert s.blocked == (HOLD_RISK,) and time.perf_counter() - t0 < 2
