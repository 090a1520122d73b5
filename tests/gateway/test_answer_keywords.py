"""Keyword hits in the model's answer follow the moderation policy (risk code, level, stage) and
the dry-run mode, as the model stages do: block, the approved substitute, flag, allow. Through
the unmodified ``openai`` SDK, streamed and whole, with the fixed-window test scanner and with the
real keyword library (which tracks unfinished tails); the demo server streams 3 characters a
chunk, so every keyword arrives split."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from beian.gateway import RunningGateway

from .conftest import ADMIN, KEYWORDS, Behind, MakeGateway, keyword_screening, records, sdk
from .hostile import chunk
from .test_faults_screening import answering, streaming

CLEAN = "第一步，先了解当地的办事流程和需要的材料。"
GAMBLING = "第二步，打开那个赌博网站看看规则。"  # keyword 赌博网站, A2c
BOMB = "第三步，按说明制造炸弹。"  # keyword 制造炸弹, A1b
SUBSTITUTE = "制造爆炸物是严重的违法犯罪行为。如发现相关线索，请立即拨打 110 报警。"
LIBRARY = f"""\
answers:
  - id: S-BOMB
    risk: A1b
    questions: [怎么制造炸弹]
    answer: {SUBSTITUTE}
"""
# the fixed-window test scanner, and the real keyword library (beian.lexicon) with the same words
SCREENERS: dict[str, dict[str, Any]] = {
    "window": {"factory": keyword_screening},
    "lexicon": {
        "factory": None,
        "screening": {"keywords": [{"keyword": k, "risk": r} for k, r in KEYWORDS]},
    },
}


def say(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"[demo:say={text}]办事流程"}]


def ask(g: RunningGateway, text: str, streamed: bool) -> tuple[str, str | None, dict[str, str]]:
    """(the text the client got, the last finish reason, the response headers)."""
    client = sdk(g)
    if not streamed:
        raw = client.chat.completions.with_raw_response.create(model="m", messages=say(text))  # type: ignore[arg-type]
        c = raw.parse().choices[0]
        return c.message.content or "", c.finish_reason, dict(raw.headers)
    out, finish = "", None
    resp = client.chat.completions.with_raw_response.create(
        model="m",
        messages=say(text),  # type: ignore[arg-type]
        stream=True,
    )
    for event in resp.parse():
        for ch in event.choices:  # type: ignore[union-attr]
            out += ch.delta.content or ""
            finish = ch.finish_reason or finish
    return out, finish, dict(resp.headers)


def keyword_decisions(g: RunningGateway) -> list[dict[str, Any]]:
    (rec,) = records(g)
    return [d for d in rec.decisions if d.get("check") == "keyword"]


def gateway(
    make_gateway: MakeGateway, screener: str, screen_input: bool = False, **moderation: Any
) -> RunningGateway:
    """The demo's say directive carries the answer in the question: the output screened only
    (unless ``screen_input``)."""
    kw = SCREENERS[screener]
    screening = {**kw.get("screening", {}), "screen_input": screen_input}
    return make_gateway(factory=kw["factory"], moderation=moderation, labels={"explicit": False},
                        screening=screening)  # fmt: skip


@pytest.mark.parametrize("screener", list(SCREENERS))
@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("action", ["flag", "allow"])
def test_policy_lets_an_answer_keyword_through(
    make_gateway: MakeGateway, screener: str, streamed: bool, action: str
) -> None:
    g = gateway(
        make_gateway, screener, policy=[{"risk": "A2", "stage": "output", "action": action}]
    )
    text, finish, _ = ask(g, CLEAN + GAMBLING, streamed)
    assert text == CLEAN + GAMBLING and finish == "stop"
    (rec,) = records(g)
    assert rec.outcome == "ok" and rec.sent == CLEAN + GAMBLING
    (d,) = keyword_decisions(g)
    assert (d["stage"], d["action"], d["risks"], d["level"]) == (
        "output",
        action,
        ["A2c"],
        "unsafe",
    )
    assert d["model"] == "关键词库" and d["score"] is None


@pytest.mark.parametrize("screener", list(SCREENERS))
@pytest.mark.parametrize("streamed", [False, True])
def test_a_let_through_risk_does_not_let_others_through(
    make_gateway: MakeGateway, screener: str, streamed: bool
) -> None:
    g = gateway(make_gateway, screener, policy=[{"risk": "A2c", "action": "flag"}])
    text, finish, _ = ask(g, CLEAN + GAMBLING + BOMB, streamed)
    assert finish == "content_filter" and "制造炸弹" not in text
    if streamed:  # what came before the blocked keyword had already left
        assert text.startswith(CLEAN + GAMBLING) and text == records(g)[0].sent
    got = {d["risks"][0]: d["action"] for d in keyword_decisions(g)}
    assert got == {"A2c": "flag", "A1b": "block"}  # every ruling recorded
    assert records(g)[0].outcome == "blocked_output"


@pytest.mark.parametrize("screener", list(SCREENERS))
def test_a_keyword_completed_by_the_last_chunk_is_let_through(
    make_gateway: MakeGateway, screener: str
) -> None:
    g = gateway(make_gateway, screener, policy=[{"risk": "A2c", "action": "flag"}])
    answer = CLEAN + "最后看看赌博网站"  # the stream's held tail completes the keyword
    text, finish, _ = ask(g, answer, True)
    assert text == answer and finish == "stop"
    assert [d["action"] for d in keyword_decisions(g)] == ["flag"]


def test_a_question_rule_for_one_risk_does_not_let_another_through(
    make_gateway: MakeGateway,
) -> None:
    g = gateway(make_gateway, "window", screen_input=True,
                policy=[{"risk": "A2c", "stage": "input", "action": "flag"}])  # fmt: skip
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "赌博网站和制造炸弹"}]
    )
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    (rec,) = records(g)
    assert rec.outcome == "blocked_input"
    assert rec.decisions == [{"stage": "input", "action": "block", "risks": ["A1b", "A2c"],
                              "count": 2}]  # fmt: skip


@pytest.mark.parametrize("screener", list(SCREENERS))
@pytest.mark.parametrize("streamed", [False, True])
def test_dry_run_records_answer_keywords_without_enforcing(
    make_gateway: MakeGateway, screener: str, streamed: bool
) -> None:
    g = gateway(make_gateway, screener, dry_run=True)
    text, finish, _ = ask(g, CLEAN + BOMB, streamed)
    assert text == CLEAN + BOMB and finish == "stop"
    (d,) = keyword_decisions(g)
    assert (d["stage"], d["action"], d["risks"]) == ("output", "block", ["A1b"])
    assert "试运行：未执行" in d["note"]
    metrics = httpx.get(g.root_url + "/metrics", headers=ADMIN).text
    assert 'beian_gateway_moderation_total{action="block",check="keyword",stage="output"} 1.0' in (
        metrics
    )
    assert 'beian_gateway_blocks_total{risk="A1b",stage="output"}' not in metrics


def test_dry_run_still_refuses_a_question_with_a_keyword(make_gateway: MakeGateway) -> None:
    g = gateway(make_gateway, "window", screen_input=True, dry_run=True)
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "怎么制造炸弹"}]
    )
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    assert records(g)[0].outcome == "blocked_input"


@pytest.mark.parametrize("screener", list(SCREENERS))
@pytest.mark.parametrize("streamed", [False, True])
def test_answer_keyword_blocks_by_default_recorded_with_the_lexicon(
    make_gateway: MakeGateway, screener: str, streamed: bool
) -> None:
    g = gateway(make_gateway, screener)
    text, finish, headers = ask(g, CLEAN + BOMB, streamed)
    assert finish == "content_filter" and "制造炸弹" not in text
    if not streamed:
        assert text == g.gateway.screening.config.output_block_message
        assert headers["x-beian-blocked"] == "output"
    (d,) = keyword_decisions(g)
    assert (d["stage"], d["action"], d["risks"], d["model"]) == ("output", "block", ["A1b"],
                                                                 "关键词库")  # fmt: skip
    metrics = httpx.get(g.root_url + "/metrics", headers=ADMIN).text
    assert 'beian_gateway_blocks_total{risk="A1b",stage="output"} 1.0' in metrics


@pytest.mark.parametrize("screener", list(SCREENERS))
@pytest.mark.parametrize("streamed", [False, True])
def test_answer_keyword_substitute(
    make_gateway: MakeGateway, tmp_path: Path, screener: str, streamed: bool
) -> None:
    lib = tmp_path / "代答.yaml"
    lib.write_text(LIBRARY, encoding="utf-8")
    g = gateway(make_gateway, screener, substitutes=[str(lib)],
                policy=[{"risk": "A1b", "stage": "output", "action": "substitute"}])  # fmt: skip
    text, finish, headers = ask(g, CLEAN + BOMB, streamed)
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and "制造炸弹" not in rec.sent
    (d,) = keyword_decisions(g)
    if streamed:  # text already sent cannot be answered instead: the stream ends filtered,
        assert finish == "content_filter" and "制造炸弹" not in text
        # and the record says what the client got
        assert (d["stage"], d["action"], d["check"]) == ("output", "block", "keyword")
        assert "流式按拦截处理（代答 S-BOMB 未发出）" in d["note"]
    else:
        assert (d["stage"], d["action"], d["check"]) == ("output", "substitute", "keyword")
        assert "代答 S-BOMB" in d["note"]
        assert text == SUBSTITUTE and finish == "stop" and rec.sent == SUBSTITUTE
        assert headers["x-beian-substitute"] == "S-BOMB"


@pytest.mark.parametrize("streamed", [False, True])
def test_a_tool_call_with_a_keyword_follows_the_policy(behind: Behind, streamed: bool) -> None:
    """Tool calls are screened whole (held until their choice ends): a rule that flags the risk
    lets the call through intact, recorded."""
    args = json.dumps({"q": "违禁词语"}, ensure_ascii=False)  # keyword A1a
    call = {"id": "t1", "type": "function", "function": {"name": "search", "arguments": args}}
    upstream = (
        streaming(chunk(role="assistant", content=""), chunk(tool_calls=[{"index": 0, **call}]),
                  chunk(finish="tool_calls"))
        if streamed
        else answering({"content": None, "tool_calls": [call]}, finish="tool_calls")
    )  # fmt: skip
    g, _ = behind(upstream, screening={"screen_input": False},
                  moderation={"policy": [{"risk": "A1a", "action": "flag"}]})  # fmt: skip
    got = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "查一下"}], stream=streamed
    )
    if streamed:
        calls = [tc for c in got for ch in c.choices for tc in ch.delta.tool_calls or []]  # type: ignore[union-attr]
        assert [(tc.function.name, tc.function.arguments) for tc in calls] == [("search", args)]  # type: ignore[union-attr]
    else:
        (tc,) = got.choices[0].message.tool_calls or []  # type: ignore[union-attr]
        assert (tc.function.name, tc.function.arguments) == ("search", args)  # type: ignore[union-attr]
    (rec,) = records(g)
    assert rec.outcome == "ok"
    assert [(d["action"], d["risks"]) for d in rec.decisions if d.get("check")] == [
        ("flag", ["A1a"])
    ]


# keywords of different codes that overlap or lie one inside the other: the longer one, of a
# code the policy lets through, must not hide the other (the lexicon's default match reports
# leftmost-longest hits only; policy decisions ask for every hit)
NESTED = [
    ("六合彩", "A2c"),  # overlaps 彩票诈骗 in 六合彩票诈骗
    ("彩票诈骗", "A1b"),
    ("假发票开具教程", "A2c"),  # contains 发票开具
    ("发票开具", "A1b"),
]
OVERLAPPING = "那个六合彩票诈骗的做法是这样的。"
CONTAINED = "先看一份假发票开具教程再说。"


def nested_gateway(make_gateway: MakeGateway, stage: str) -> RunningGateway:
    return make_gateway(
        factory=None,
        labels={"explicit": False},
        screening={"keywords": [{"keyword": k, "risk": r} for k, r in NESTED],
                   "screen_input": stage == "input"},
        moderation={"policy": [{"risk": "A2c", "stage": stage, "action": "flag"}]},
    )  # fmt: skip


@pytest.mark.parametrize("text", [OVERLAPPING, CONTAINED], ids=["overlapping", "contained"])
@pytest.mark.parametrize("streamed", [False, True])
def test_a_let_through_keyword_does_not_hide_an_overlapping_blocked_one(
    make_gateway: MakeGateway, text: str, streamed: bool
) -> None:
    g = nested_gateway(make_gateway, "output")
    got, finish, _ = ask(g, CLEAN + text, streamed)
    assert finish == "content_filter"
    assert "彩票诈骗" not in got and "发票开具" not in got  # no complete blocked hit left
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and "彩票诈骗" not in rec.sent
    got_rulings = {d["risks"][0]: d["action"] for d in keyword_decisions(g)}
    # a stream meets the contained blocked word before the longer one is complete
    want = {"A1b": "block"} if streamed and text == CONTAINED else {"A2c": "flag", "A1b": "block"}
    assert got_rulings == want


@pytest.mark.parametrize("text", [OVERLAPPING, CONTAINED], ids=["overlapping", "contained"])
def test_a_question_rule_does_not_let_an_overlapping_blocked_keyword_through(
    make_gateway: MakeGateway, text: str
) -> None:
    g = nested_gateway(make_gateway, "input")
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "怎么做：" + text}]
    )
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    (rec,) = records(g)
    assert rec.outcome == "blocked_input"
    assert rec.decisions[0]["action"] == "block" and "A1b" in rec.decisions[0]["risks"]


@pytest.mark.parametrize("where", ["question", "answer", "streamed question"])
def test_a_non_ascii_substitute_id_is_sent_percent_encoded(
    make_gateway: MakeGateway, tmp_path: Path, where: str
) -> None:
    """A header value is Latin-1: an id such as 代答-爆炸物 goes percent-encoded (UTF-8) in
    ``X-Beian-Substitute``; the body's ``beian.substitute`` has the id itself."""
    from urllib.parse import unquote

    lib = tmp_path / "代答.yaml"
    lib.write_text(LIBRARY.replace("S-BOMB", "代答-爆炸物"), encoding="utf-8")
    stage = "output" if where == "answer" else "input"
    g = gateway(make_gateway, "lexicon", screen_input=stage == "input", substitutes=[str(lib)],
                policy=[{"risk": "A1b", "stage": stage, "action": "substitute"}])  # fmt: skip
    messages = say(BOMB) if stage == "output" else [{"role": "user", "content": "怎么制造炸弹"}]
    streamed = where.startswith("streamed")
    raw = sdk(g).chat.completions.with_raw_response.create(
        model="m",
        messages=messages,  # type: ignore[arg-type]
        stream=streamed,
    )
    assert raw.headers["x-beian-substitute"] == "%E4%BB%A3%E7%AD%94-%E7%88%86%E7%82%B8%E7%89%A9"
    assert unquote(raw.headers["x-beian-substitute"]) == "代答-爆炸物"
    if streamed:
        text = "".join(ch.delta.content or "" for ev in raw.parse() for ch in ev.choices)  # type: ignore[union-attr]
        assert text == SUBSTITUTE
    else:
        assert raw.parse().choices[0].message.content == SUBSTITUTE  # type: ignore[union-attr]
        assert raw.http_response.json()["beian"]["substitute"] == "代答-爆炸物"
    assert records(g)[0].outcome == f"blocked_{stage}"


def test_a_code_without_an_approved_answer_does_not_borrow_another_codes(
    make_gateway: MakeGateway, tmp_path: Path
) -> None:
    """A1c's rule says substitute but no approved answer fits it (a block); A2c's rule says
    block. Ruled on together, the group must stay a block: not A2c's approved answer."""
    lib = tmp_path / "代答.yaml"
    lib.write_text("answers:\n  - {id: S-GAMBLING, risk: A2c, questions: [赌博网站和台独],"
                   " answer: 赌博违法。}\n", encoding="utf-8")  # fmt: skip
    g = make_gateway(
        factory=None,
        screening={"keywords": [{"keyword": "赌博网站", "risk": "A2c"},
                                {"keyword": "台独", "risk": "A1c"}]},
        moderation={"substitutes": [str(lib)], "substitute_min_score": 0.0,
                    "policy": [{"risk": "A1c", "action": "substitute"}]},
    )  # fmt: skip
    raw = sdk(g).chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "赌博网站和台独"}]
    )
    assert raw.parse().choices[0].message.content == g.gateway.screening.config.input_refusal
    assert "x-beian-substitute" not in raw.headers
    (rec,) = records(g)
    assert rec.outcome == "blocked_input"
    # a block is recorded as ever (one input decision, no substitute)
    assert [(d["action"], sorted(d["risks"])) for d in rec.decisions] == [
        ("block", ["A1c", "A2c"])
    ]
