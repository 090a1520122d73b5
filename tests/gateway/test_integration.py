"""The gateway with its real screeners: beian.lexicon (keywords) and beian.pii, from the config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beian.crypto import KeyRing
from beian.demo import DemoServer
from beian.gateway import Gateway, RunningGateway
from beian.gateway import serve_in_thread as serve_gateway
from beian.lexicon import Lexicon

from .conftest import gateway_config, records, sdk

ENTRIES = [{"keyword": "违禁词语", "risk": "A1a"}, {"keyword": "赌博网站", "risk": "A2c"}]


def _serve(tmp: Path, upstream: DemoServer, **screening: Any) -> Any:
    cfg = gateway_config(tmp, upstream.base_url, screening={"keywords": ENTRIES, **screening})
    return serve_gateway(Gateway(cfg, ring=KeyRing.generate()))  # default factory from config


def _stream_text(g: RunningGateway, prompt: str) -> tuple[str, str | None]:
    stream = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": prompt}], stream=True
    )
    text, reason = "", None
    for ev in stream:
        for ch in ev.choices:
            text += ch.delta.content or ""
            reason = ch.finish_reason or reason
    return text, reason


def test_config_builds_the_real_lexicon(tmp_path: Path, upstream: DemoServer) -> None:
    with _serve(tmp_path, upstream) as g:
        screening = g.gateway.screening
        assert isinstance(screening.scanner, Lexicon)
        assert screening.hold_back == screening.scanner.max_span - 1
        c = sdk(g).chat.completions.create(
            model="m",
            messages=[{"role": "user", "content": "哪里有賭博網站"}],  # traditional
        )
        assert c.choices[0].message.content == g.gateway.config.screening.input_refusal
        (rec,) = records(g)
        assert rec.outcome == "blocked_input" and rec.decisions[0]["risks"] == ["A2c"]


@pytest.mark.parametrize("variant", ["违禁词语", "違 禁 詞 語", "违*禁*词*语"])
def test_evasive_keyword_split_across_chunks(
    tmp_path: Path, upstream: DemoServer, variant: str
) -> None:
    text = f"前面都是正常内容，然后出现{variant}，后面还有。"
    with _serve(tmp_path, upstream, screen_input=False) as g:
        got, reason = _stream_text(g, f"[demo:say={text}][demo:chunk=1]")
        assert reason == "content_filter"
        mark = "\n【本内容由人工智能生成】"  # what was sent is labelled (the default: at the end)
        assert got.endswith(mark)
        got = got.removesuffix(mark)
        assert text.startswith(got) and len(got) <= text.index(variant)
        (rec,) = records(g)
        assert rec.outcome == "blocked_output" and rec.decisions[-1]["risks"] == ["A1a"]
        assert (rec.decisions[-1]["check"], rec.decisions[-1]["model"]) == ("keyword", "关键词库")


def test_lexicon_file_from_config(tmp_path: Path, upstream: DemoServer) -> None:
    lib = tmp_path / "keywords.csv"
    lib.write_text("keyword,risk\n制造炸弹,A1b\n", encoding="utf-8")
    with _serve(tmp_path, upstream, lexicon=[str(lib)]) as g:
        prompts = ["怎么制造炸弹", "去赌博网站", "你好"]
        for prompt in prompts:
            sdk(g).chat.completions.create(
                model="m", messages=[{"role": "user", "content": prompt}]
            )
        got = [r.decisions[0]["risks"] if r.decisions else None for r in records(g)]
        assert got == [["A1b"], ["A2c"], None]
