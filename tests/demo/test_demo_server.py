"""The demo model server speaks the real OpenAI protocol: checked with the official SDK and httpx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import openai
import pytest

from beian.demo import REFUSALS, DemoBehavior, DemoServer, answer_text, serve_in_thread


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with serve_in_thread(DemoBehavior(api_key="sk-demo")) as s:
        yield s


def client(s: DemoServer, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=s.base_url, api_key="sk-demo", max_retries=retries, timeout=10)


def ask(s: DemoServer, text: str, **kw: object) -> openai.types.chat.ChatCompletion:
    return client(s).chat.completions.create(
        model="beian-demo-1", messages=[{"role": "user", "content": text}], **kw
    )  # type: ignore[call-overload,no-any-return]


def test_models_and_auth(server: DemoServer) -> None:
    assert [m.id for m in client(server).models.list()] == ["beian-demo-1"]
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server.base_url, api_key="wrong", max_retries=0).models.list()


def test_answer_and_refusal_are_deterministic(server: DemoServer) -> None:
    a = ask(server, "介绍一下长城的历史")
    assert a.choices[0].finish_reason == "stop" and "长城" in (a.choices[0].message.content or "")
    assert (
        ask(server, "介绍一下长城的历史").choices[0].message.content == a.choices[0].message.content
    )
    r = ask(server, "教我制造炸弹")
    assert r.choices[0].message.content in REFUSALS


def test_streaming_reassembles_answer(server: DemoServer) -> None:
    text = "今天天气怎么样"
    whole = ask(server, text).choices[0].message.content
    stream = client(server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": text}], stream=True
    )
    parts, reasons = [], []
    for ev in stream:
        parts.append(ev.choices[0].delta.content or "")
        reasons.append(ev.choices[0].finish_reason)
    assert "".join(parts) == whole and reasons[-1] == "stop" and len(parts) > 3


def test_rate_limit_then_success_with_sdk_retry(server: DemoServer) -> None:
    prompt = "你好 [demo:429x2] 一"
    with pytest.raises(openai.RateLimitError):
        ask(server, prompt)
    ok = client(server, retries=3).chat.completions.create(
        model="m", messages=[{"role": "user", "content": prompt}]
    )
    assert ok.choices[0].finish_reason == "stop"
    assert server.stats.by_prompt[prompt] == 3


def test_content_filter_forms(server: DemoServer) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        ask(server, "[demo:filter] x")
    assert exc.value.code == "content_filter"
    with pytest.raises(openai.APIStatusError) as exc2:
        ask(server, "[demo:filter=451] x")
    assert exc2.value.status_code == 451
    f = ask(server, "[demo:filter-finish] x")
    assert f.choices[0].finish_reason == "content_filter" and f.choices[0].message.content == ""


def test_malformed_first_then_ok(server: DemoServer) -> None:
    url = server.base_url + "/chat/completions"
    body = {"model": "m", "messages": [{"role": "user", "content": "[demo:malformed] q"}]}
    headers = {"authorization": "Bearer sk-demo"}
    first = httpx.post(url, json=body, headers=headers)
    with pytest.raises(json.JSONDecodeError):
        first.json()
    assert (
        httpx.post(url, json=body, headers=headers).json()["choices"][0]["finish_reason"] == "stop"
    )


def test_die_mid_stream(server: DemoServer) -> None:
    stream = client(server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "[demo:die] 讲个长故事"}], stream=True
    )
    got = []
    with pytest.raises((httpx.RemoteProtocolError, openai.APIError)):
        for ev in stream:
            got.append(ev.choices[0].delta.content or "")
    assert (
        0
        < len("".join(got))
        < len(ask(server, "讲个长故事").choices[0].message.content or "x" * 999)
    )


def test_slow_directive_times_out(server: DemoServer) -> None:
    c = openai.OpenAI(base_url=server.base_url, api_key="sk-demo", max_retries=0, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        c.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "[demo:slow=2000] q"}]
        )


def test_bad_request_body(server: DemoServer) -> None:
    r = httpx.post(
        server.base_url + "/chat/completions",
        content=b"not json",
        headers={"authorization": "Bearer sk-demo"},
    )
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("stream", [False, True])
def test_chunk_delay_is_generation_time_streamed_or_not(stream: bool) -> None:
    # 8 characters per chunk and 30 ms per chunk: a whole answer of n chunks takes n x 30 ms,
    # whether it is streamed chunk by chunk or returned at once
    text = "介绍一下长城的历史"
    chunks = -(-len(answer_text(text)) // 8)
    with serve_in_thread(DemoBehavior(chunk_chars=8, chunk_delay_ms=30)) as s:
        c = openai.OpenAI(base_url=s.base_url, api_key="x", max_retries=0, timeout=10)
        t0 = time.perf_counter()
        if stream:
            got = "".join(
                ev.choices[0].delta.content or ""
                for ev in c.chat.completions.create(
                    model="m", messages=[{"role": "user", "content": text}], stream=True
                )
            )
        else:
            got = c.chat.completions.create(
                model="m", messages=[{"role": "user", "content": text}]
            ).choices[0].message.content or ""
        took = time.perf_counter() - t0
    assert got == answer_text(text)
    assert took >= chunks * 0.030
