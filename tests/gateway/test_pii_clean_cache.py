"""``screening.pii_clean_cache``: a text the PII engine found clean is not analysed again.

The cache must never change what is forwarded: a text with personal information in it is
analysed (and masked) every time, a clean one is forwarded as written, with or without the
cache; only digests are kept, never the text.
"""

from __future__ import annotations

from typing import Any

import pytest

from beian.gateway import ScreeningConfig, build_screening
from beian.gateway._screening import CleanTexts, PiiRedactor

from .conftest import MakeGateway, records, sdk

TEXTS = [
    "介绍一下长城的历史",  # clean
    "我的手机号是13800138000，请回电",  # a phone number
    "请把材料寄到北京市海淀区中关村大街27号",  # an address
    "联系 zhangsan@example.com 获取资料",  # an email
    "今天天气怎么样",  # clean
    "孤立代理\ud800也要能算摘要",  # a lone surrogate (valid JSON, not text)
    "",
]


class _Counting:
    """The engine, counting its analyses."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.calls: list[str] = []

    def analyze(self, text: str) -> Any:
        self.calls.append(text)
        return self.engine.analyze(text)


def _redactor(cache: int) -> tuple[PiiRedactor, _Counting]:
    r = PiiRedactor("mask", engine=ScreeningConfig().pii_engine, clean_cache=cache)
    counting = _Counting(r.engine)
    r.engine = counting
    return r, counting


def test_same_results_with_and_without_the_cache() -> None:
    cached, _ = _redactor(64)
    plain, _ = _redactor(0)
    for _ in range(3):  # the second and third rounds are answered from the cache where clean
        for text in TEXTS:
            assert cached.protect(text) == plain.protect(text), text


def test_clean_text_analysed_once_pii_every_time() -> None:
    r, counting = _redactor(64)
    for _ in range(3):
        for text in TEXTS[:5]:
            r.protect(text)
    analysed = {t: counting.calls.count(t) for t in TEXTS[:5]}
    assert analysed == {
        TEXTS[0]: 1,
        TEXTS[1]: 3,  # found something: never remembered
        TEXTS[2]: 3,
        TEXTS[3]: 3,
        TEXTS[4]: 1,
    }


def test_off_analyses_every_time() -> None:
    r, counting = _redactor(0)
    assert r.clean is None
    for _ in range(3):
        r.protect(TEXTS[0])
    assert counting.calls == [TEXTS[0]] * 3


@pytest.mark.parametrize(
    ("size", "seen", "expect_kept"),
    [
        (2, ["a", "b", "c"], {"b", "c"}),  # the oldest forgotten
        (2, ["a", "b", "a", "c"], {"a", "c"}),  # "a" seen again: "b" is the least recent
        (3, ["a", "a", "a"], {"a"}),
    ],
)
def test_least_recently_seen_forgotten(size: int, seen: list[str], expect_kept: set[str]) -> None:
    c = CleanTexts(size)
    for t in seen:
        if not c.seen(t):
            c.add(t)
    assert len(c) == len(expect_kept)
    assert {t for t in "abc" if c.seen(t)} == expect_kept


def test_only_digests_are_kept() -> None:
    c = CleanTexts(8)
    text = "这段文字不应留在内存里"
    c.add(text)
    (key,) = c._seen
    assert isinstance(key, bytes) and len(key) == 16
    assert text.encode() not in key and key not in text.encode()
    other = CleanTexts(8)  # another process's key: its digests match nothing here
    assert not other.seen(text)


def test_config_sets_the_size_and_a_reload_starts_empty() -> None:
    cfg = ScreeningConfig(pii_clean_cache=5)
    first = build_screening(cfg).redactor
    assert isinstance(first, PiiRedactor) and first.clean is not None
    assert first.clean.size == 5
    first.protect(TEXTS[0])
    again = build_screening(cfg).redactor  # what a reload builds
    assert isinstance(again, PiiRedactor) and again.clean is not None and len(again.clean) == 0
    off = build_screening(ScreeningConfig(pii_clean_cache=0)).redactor
    assert isinstance(off, PiiRedactor) and off.clean is None
    with pytest.raises(ValueError):
        ScreeningConfig(pii_clean_cache=-1)


def test_conversation_turns_resent_are_masked_every_time(make_gateway: MakeGateway) -> None:
    """A conversation sends its earlier turns again: the clean ones are answered from the
    cache, the one with a phone number is masked in every request."""
    g = make_gateway()
    redactor = g.gateway.screening.redactor
    assert isinstance(redactor, PiiRedactor) and redactor.clean is not None
    client = sdk(g)
    turns = ["介绍一下长城的历史", "我的手机号是13800138000，请记下", "今天天气怎么样"]
    messages: list[dict[str, str]] = []
    for turn in turns:
        messages.append({"role": "user", "content": turn})
        answer = client.chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
        messages.append({"role": "assistant", "content": answer.choices[0].message.content or ""})
    recs = sorted(records(g), key=lambda r: r.started)
    assert len(recs) == 3
    for rec in recs[1:]:  # every request from the second on holds the phone number's turn
        forwarded = rec.forwarded
        assert forwarded is not None
        sent = [m["content"] for m in forwarded if m["role"] == "user"]
        assert "13800138000" not in "".join(sent)
        assert sent[0] == turns[0]  # the clean turn forwarded as written
    assert recs[0].forwarded is None  # nothing to protect in the first
