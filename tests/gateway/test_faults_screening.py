"""Fault injection, screening: everything the client receives and everything sent upstream is
screened, labelled and recorded; shapes the gateway does not know are refused or dropped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from beian.label import verify_text_label

from ..conftest import run_cli
from .conftest import PRODUCER, Behind, records, sdk
from .hostile import Received, chunk, completion, event, reply, sse_head

KW = "违禁词语"  # a keyword of the test screening (risk A1a)
SUFFIX = "\n【本内容由人工智能生成】"


def chat(content: Any = "你好", **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": content}], **extra}


def answering(message: dict[str, Any], **extra: Any) -> Any:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield reply(200, json.dumps(completion(message, **extra), ensure_ascii=False).encode())

    return behave


def streaming(*chunks: Any, done: bool = True) -> Any:
    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        yield sse_head()
        for c in chunks:
            yield event(c)
        if done:
            yield event("[DONE]")

    return behave


def sse_events(text: str) -> list[Any]:
    out: list[Any] = []
    for block in text.split("\n\n"):
        if block.startswith("data: "):
            out.append(block[6:] if block[6:] == "[DONE]" else json.loads(block[6:]))
    return out


# -- what the client receives -----------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        {"content": None, "reasoning_content": f"先想想：{KW}"},
        {"content": "好", "reasoning": f"思考{KW}"},
        {"content": None, "refusal": f"我不能谈{KW}"},
        {"content": [{"type": "text", "text": "分片"}, {"type": "text", "text": KW}]},
        {"content": None, "tool_calls": [{"id": "t1", "type": "function", "function": {
            "name": "search", "arguments": json.dumps({"q": KW})}}]},
        {"content": None, "tool_calls": [{"id": "t1", "type": "function", "function": {
            "name": "search", "arguments": json.dumps({"q": KW}, ensure_ascii=True)}}]},
        {"content": None, "function_call": {"name": "f", "arguments": KW}},
    ],
    ids=["reasoning_content", "reasoning", "refusal", "parts", "tool_args", "escaped_args",
         "function_call"],
)
def test_every_field_of_a_whole_answer_is_screened(behind: Behind, message: dict[str, Any]) -> None:
    g, _ = behind(answering(message), screening={"screen_input": False})
    r = httpx.post(g.base_url + "/chat/completions", json=chat())
    assert r.status_code == 200 and KW not in r.text and "\\u8fdd" not in r.text
    choice = r.json()["choices"][0]
    assert choice["finish_reason"] == "content_filter"
    assert choice["message"] == {"role": "assistant",
                                 "content": g.gateway.config.screening.output_block_message}
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and any(d["stage"] == "output" for d in rec.decisions)


@pytest.mark.parametrize(
    "delta",
    [
        {"reasoning_content": f"想{KW}"},
        {"refusal": KW},
        {"tool_calls": [{"index": 0, "id": "t", "type": "function",
                         "function": {"name": "f", "arguments": json.dumps({"q": KW})}}]},
        {"tool_calls": [{"index": 0, "id": "t", "type": "function", "function": {
            "name": "f", "arguments": json.dumps({"q": KW}, ensure_ascii=True)}}]},
    ],
    ids=["reasoning_content", "refusal", "tool_args", "escaped_args"],
)
def test_every_field_of_a_stream_is_screened(behind: Behind, delta: dict[str, Any]) -> None:
    g, _ = behind(streaming(chunk(role="assistant", content=""), chunk(**delta),
                            chunk(finish="stop")), screening={"screen_input": False})  # fmt: skip
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=True))
    assert KW not in r.text and "\\u8fdd" not in r.text
    events = sse_events(r.text)
    assert events[-1] == "[DONE]" and events[-2]["choices"][0]["finish_reason"] == "content_filter"
    (rec,) = records(g)
    assert rec.outcome == "blocked_output"


def test_stream_content_as_parts_is_refused_not_passed_on(behind: Behind) -> None:
    """A delta whose content is an array of parts (a shape the stream relay does not screen)
    ends the stream with an error event; nothing of it reaches the client; recorded."""
    parts = [{"type": "text", "text": "分片"}, {"type": "text", "text": KW}]
    g, _ = behind(streaming(chunk(role="assistant", content="前面"), chunk(content=parts),
                            chunk(finish="stop")), screening={"screen_input": False})  # fmt: skip
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=True))
    assert KW not in r.text and "分片" not in r.text
    assert sse_events(r.text)[-1]["error"]["code"] == "upstream_malformed"
    (rec,) = records(g)
    assert rec.outcome == "upstream_error"


def test_clean_reasoning_and_tool_calls_are_labelled_and_recorded(behind: Behind) -> None:
    args = json.dumps({"city": "北京"}, ensure_ascii=False)
    message = {"content": "查好了", "reasoning_content": "想一想",
               "tool_calls": [{"id": "t1", "type": "function",
                               "function": {"name": "weather", "arguments": args}}]}  # fmt: skip
    g, _ = behind(answering(message))
    raw = sdk(g).chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "天气"}]
    )
    msg = raw.parse().choices[0].message
    assert msg.content == "查好了" + SUFFIX
    assert msg.model_extra["reasoning_content"] == "想一想" + SUFFIX
    assert msg.tool_calls[0].function.arguments == args  # JSON left intact
    (rec,) = records(g)
    sent = f"想一想{SUFFIX}\n查好了{SUFFIX}\nweather\n{args}"
    assert rec.sent == sent and verify_text_label(sent, raw.headers["x-aigc-label"]).ok


def test_stream_tool_calls_are_held_whole_and_labels_cover_every_field(behind: Behind) -> None:
    g, _ = behind(streaming(
        chunk(role="assistant", reasoning_content="想"),
        chunk(reasoning_content="好了"),
        chunk(tool_calls=[{"index": 0, "id": "t1", "type": "function",
                           "function": {"name": "weather", "arguments": '{"ci'}}]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": 'ty": "北京"}'}}]),
        chunk(finish="tool_calls"),
    ))  # fmt: skip
    out = list(sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "天气"}], stream=True))  # fmt: skip
    calls = [tc for ev in out for ch in ev.choices for tc in (ch.delta.tool_calls or [])]
    assert len(calls) == 1 and calls[0].function.arguments == '{"city": "北京"}'
    reasoning = "".join((ch.delta.model_extra or {}).get("reasoning_content") or ""
                        for ev in out for ch in ev.choices)  # fmt: skip
    assert reasoning == "想好了" + SUFFIX
    label = [ev.model_extra["aigc_label"] for ev in out if (ev.model_extra or {}).get("aigc_label")]
    (rec,) = records(g)
    assert len(label) == 1 and verify_text_label(rec.sent, json.dumps(label[0])).ok


def test_unknown_answer_fields_are_dropped_not_passed_through(behind: Behind) -> None:
    message = {"content": "好", "secret": KW, "annotations": [{"title": KW}]}
    g, _ = behind(answering(message, leak={"note": KW}), screening={"screen_input": False})
    r = httpx.post(g.base_url + "/chat/completions", json=chat())
    assert r.status_code == 200 and KW not in r.text and "secret" not in r.text
    assert r.json()["choices"][0]["message"]["content"] == "好" + SUFFIX


def test_unknown_stream_fields_are_dropped(behind: Behind) -> None:
    g, _ = behind(streaming(
        {**chunk(content="好"), "leak": KW},
        {**chunk(finish="stop"), "choices": [{"index": 0, "delta": {"secret": KW},
                                              "finish_reason": "stop"}]},
    ), screening={"screen_input": False})  # fmt: skip
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=True))
    assert KW not in r.text and "leak" not in r.text


def test_done_without_finish_reason_still_gets_the_labels(behind: Behind) -> None:
    g, _ = behind(streaming(chunk(role="assistant", content="回答"), chunk(content="完了")))
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=True))
    events = sse_events(r.text)
    text = "".join(e["choices"][0]["delta"].get("content") or "" for e in events[:-1])
    assert text == "回答完了" + SUFFIX
    label = [e["aigc_label"] for e in events[:-1] if "aigc_label" in e]
    assert len(label) == 1 and verify_text_label(text, json.dumps(label[0])).ok
    (rec,) = records(g)
    assert rec.outcome == "ok" and rec.sent == text


def test_keyword_held_at_done_without_finish_reason_is_blocked(behind: Behind) -> None:
    g, _ = behind(streaming(chunk(content="前文违禁"), chunk(content="词语")),
                  screening={"screen_input": False})  # fmt: skip
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=True))
    assert KW not in r.text and "content_filter" in r.text


@pytest.mark.parametrize("stream", [False, True])
def test_upstream_error_bodies_are_screened(behind: Behind, stream: bool) -> None:
    error = {"error": {"message": f"输入含有{KW}", "type": "bad", "code": KW, "param": None,
                       "internal": "stack trace"}}  # fmt: skip

    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        if stream:
            yield sse_head() + event(chunk(content="好")) + event(error)
        else:
            yield reply(400, json.dumps(error, ensure_ascii=False).encode())

    g, _ = behind(behave, screening={"screen_input": False})
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=stream))
    assert KW not in r.text and "stack trace" not in r.text and "上游模型返回了错误" in r.text
    (rec,) = records(g)
    assert rec.outcome == "upstream_error"
    # every decision says which check made it (issue 21: stage, model and score)
    want = {"stage": "output", "action": "block", "risks": ["A1a"], "count": 1,
            "check": "keyword", "model": "关键词库"}  # fmt: skip
    assert any(d.items() >= want.items() for d in rec.decisions), rec.decisions


# -- what the upstream receives ---------------------------------------------------------------
def test_unknown_request_fields_are_refused_not_forwarded(behind: Behind) -> None:
    g, up = behind(answering({"content": "好"}))
    r = httpx.post(g.base_url + "/chat/completions", json=chat(smuggled=KW))
    assert r.status_code == 400 and r.json()["error"]["param"] == "smuggled"
    bad_msg = {"model": "m", "messages": [{"role": "user", "content": "hi", "extra": 1}]}
    r = httpx.post(g.base_url + "/chat/completions", json=bad_msg)
    assert r.status_code == 400 and r.json()["error"]["param"] == "messages[0].extra"
    bad_role = {"model": "m", "messages": [{"role": "wizard", "content": "hi"}]}
    assert httpx.post(g.base_url + "/chat/completions", json=bad_role).status_code == 400
    assert up.received == []


def test_declared_extra_fields_are_forwarded_and_screened(behind: Behind) -> None:
    g, up = behind(answering({"content": "好"}), screening={"extra_fields": ["top_k", "chat_template_kwargs"]})
    r = httpx.post(g.base_url + "/chat/completions", json=chat(top_k=5))
    assert r.status_code == 200 and up.received[0].json()["top_k"] == 5
    r = httpx.post(g.base_url + "/chat/completions",
                   json=chat(chat_template_kwargs={"system": KW}))  # fmt: skip
    assert r.json()["beian"]["blocked"] == "input" and len(up.received) == 1


@pytest.mark.parametrize(
    "message",
    [
        {"role": "user", "content": "你好", "name": KW},
        {"role": "developer", "content": KW},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "t", "type": "function",
            "function": {"name": "f", "arguments": json.dumps({"q": KW}, ensure_ascii=False)}}]},
        # the arguments' JSON with the keyword as \uXXXX escapes: screened as decoded
        {"role": "assistant", "content": None, "tool_calls": [{"id": "t", "type": "function",
            "function": {"name": "f", "arguments": json.dumps({"q": KW}, ensure_ascii=True)}}]},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "t", "type": "function",
            "function": {"name": "f", "arguments": json.dumps({"a": [{"b": KW}]})}}]},
        {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": json.dumps({"q": KW})}},
        {"role": "assistant", "content": "好", "reasoning_content": KW},
        {"role": "tool", "tool_call_id": "t", "content": [{"type": "text", "text": KW}]},
    ],
    ids=["name", "developer", "tool_call", "escaped_tool_args", "nested_escaped_args",
         "function_call_escaped", "reasoning", "tool"],
)
def test_every_input_text_is_screened(behind: Behind, message: dict[str, Any]) -> None:
    g, up = behind(answering({"content": "好"}))
    body = {"model": "m", "messages": [message, {"role": "user", "content": "继续"}]}
    r = httpx.post(g.base_url + "/chat/completions", json=body)
    assert r.status_code == 200 and r.json()["beian"]["blocked"] == "input"
    assert up.received == []


def test_invisible_characters_do_not_hide_a_keyword(behind: Behind) -> None:
    """With the real keyword library: format characters between a keyword's characters."""
    keywords = {"keywords": [{"keyword": KW, "risk": "A1a"}], "pii": "off"}
    g, up = behind(answering({"content": "好"}), factory=None, screening=keywords)
    hidden = "违\u200b\u200b\u200b\u200b\u200b禁\u2060\u2060\u2060\u2060词\u00ad\u00ad\u00ad\u00ad\ufe0f语"
    r = httpx.post(g.base_url + "/chat/completions", json=chat(hidden))
    assert r.json()["beian"]["blocked"] == "input" and up.received == []
    # also inside a tool call's arguments, written as JSON escapes (decoded before screening)
    call = {"role": "assistant", "content": None, "tool_calls": [{"id": "t", "type": "function",
            "function": {"name": "f", "arguments": json.dumps({"q": hidden})}}]}  # fmt: skip
    r = httpx.post(g.base_url + "/chat/completions",
                   json={"model": "m", "messages": [call, {"role": "user", "content": "继续"}]})  # fmt: skip
    assert r.json()["beian"]["blocked"] == "input" and up.received == []


@pytest.mark.parametrize("stream", [False, True])
def test_invisible_characters_do_not_hide_a_keyword_in_the_answer(behind: Behind, stream: bool) -> None:
    """The real keyword library on the output side: format characters between a keyword's
    characters, in a whole answer and split over stream chunks."""
    keywords = {"keywords": [{"keyword": KW, "risk": "A1a"}], "pii": "off", "screen_input": False}
    hidden = "违\u200b\u200b\u200b\u200b\u200b禁\u2060\u2060\u2060\u2060词\u00ad\u00ad\u00ad\u00ad\ufe0f语"
    pieces = [chunk(content="前文" + hidden[:4]), chunk(content=hidden[4:11]), chunk(content=hidden[11:])]
    behave = streaming(*pieces, chunk(finish="stop")) if stream else answering({"content": "前文" + hidden})
    g, _ = behind(behave, factory=None, screening=keywords)
    r = httpx.post(g.base_url + "/chat/completions", json=chat(stream=stream))
    assert "禁" not in r.text and "content_filter" in r.text
    (rec,) = records(g)
    assert rec.outcome == "blocked_output"


def test_tool_definitions_are_screened(behind: Behind) -> None:
    g, up = behind(answering({"content": "好"}))
    tools = [{"type": "function", "function": {"name": "f", "description": "查询",
              "parameters": {"type": "object", "properties": {"q": {"description": KW}}}}}]
    r = httpx.post(g.base_url + "/chat/completions", json=chat(tools=tools))
    assert r.json()["beian"]["blocked"] == "input" and up.received == []


def test_personal_information_is_masked_in_every_role_and_name(behind: Behind, tmp_path: Path) -> None:
    g, up = behind(answering({"content": "好"}))
    phone = "13812345678"
    messages = [
        {"role": "developer", "content": f"客服电话{phone}"},
        {"role": "user", "content": "你好", "name": f"用户{phone}"},
        {"role": "assistant", "content": f"已记录{phone}", "tool_calls": [
            {"id": "t", "type": "function", "function": {"name": "sms", "arguments":
                json.dumps({"to": phone})}}]},
        {"role": "tool", "tool_call_id": "t", "content": f"已发送到{phone}"},
        {"role": "user", "content": "好的"},
    ]
    r = httpx.post(g.base_url + "/chat/completions", json={"model": "m", "messages": messages})
    assert r.status_code == 200
    sent = up.received[0].body.decode()
    assert phone not in sent and sent.count("138****5678") == 5
    (rec,) = records(g)
    assert rec.request["messages"][0]["content"] == f"客服电话{phone}"  # as received, encrypted
    assert phone not in json.dumps(rec.forwarded)
    assert {"stage": "pii", "action": "mask", "risks": ["MOBILE"], "count": 5} in rec.decisions
    # and export-training (what a provider trains on) has the masked text only
    g.gateway.ring.save(tmp_path / "keys.json")
    cfg = {"gateway": {"upstream": {"base_url": "http://127.0.0.1:9/v1"}, "labels": {"content_producer": PRODUCER},
                       "records": {"path": str(g.gateway.config.records.path), "key_file": "keys.json"}}}  # fmt: skip
    (tmp_path / "gw.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    out = tmp_path / "train.jsonl"
    r = run_cli("gateway", "export-training", "-f", str(tmp_path / "gw.yaml"), "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (line,) = out.read_text("utf-8").splitlines()
    assert phone not in line and line.count("138****5678") == 5


def test_non_text_parts_are_refused_unless_allowed(behind: Behind) -> None:
    image = [{"type": "text", "text": "看图"},
             {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]
    g, up = behind(answering({"content": "好"}))
    r = httpx.post(g.base_url + "/chat/completions", json=chat(image))
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_content"
    assert up.received == []
    g2, _up2 = behind(answering({"content": "好"}), screening={"non_text": "pass"})
    assert httpx.post(g2.base_url + "/chat/completions", json=chat(image)).status_code == 200
    (rec,) = records(g2)
    assert {"stage": "input", "action": "unscreened", "risks": ["image_url"], "count": 1} in (
        rec.decisions
    )


def test_logprobs_and_audio_are_refused(behind: Behind) -> None:
    g, up = behind(answering({"content": "好"}))
    with pytest.raises(openai.BadRequestError) as err:
        sdk(g).chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}],
                                       logprobs=True, top_logprobs=5)  # fmt: skip
    assert "logprobs" in str(err.value.body)
    r = httpx.post(g.base_url + "/chat/completions", json=chat(modalities=["text", "audio"]))
    assert r.status_code == 400 and up.received == []


def test_answer_logprobs_are_not_passed_on(behind: Behind) -> None:
    logprobs = {"content": [{"token": KW, "logprob": -0.1, "top_logprobs": []}]}

    async def behave(req: Received) -> AsyncIterator[bytes | float]:
        data = completion({"content": "好"})
        data["choices"][0]["logprobs"] = logprobs
        yield reply(200, json.dumps(data, ensure_ascii=False).encode())

    g, _ = behind(behave, screening={"screen_input": False})
    r = httpx.post(g.base_url + "/chat/completions", json=chat())
    assert KW not in r.text and r.json()["choices"][0]["logprobs"] is None
