"""Upstream failures reach the client as clean OpenAI errors and leave complete records."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import openai
import pytest

from beian.demo import DemoBehavior, serve_in_thread
from beian.gateway import RunningGateway

from .conftest import ADMIN, MakeGateway, gateway_config, records, sdk


def test_upstream_dies_mid_stream(gateway: RunningGateway) -> None:
    text = "这是一个会在中途断开的很长的回答，" * 4
    stream = sdk(gateway).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": f"[demo:say={text}][demo:die]"}],
        stream=True,
    )
    got = ""
    with pytest.raises(openai.APIError) as err:
        for ev in stream:
            got += "".join(ch.delta.content or "" for ch in ev.choices)
    assert "上游模型连接中断" in err.value.message
    # what was sent is labelled before the error event
    suffix = gateway.gateway.labeller.suffix
    assert got.endswith(suffix) and text.startswith(got.removesuffix(suffix))
    (rec,) = records(gateway)
    assert rec.outcome == "upstream_error" and rec.stream
    assert rec.sent == got and text.startswith(rec.response)
    assert len(rec.response) >= len(got) - len(suffix)
    assert "上游连接中断" in (rec.error or "")
    assert rec.finished >= rec.started and rec.request["stream"] is True


def test_upstream_dies_non_streaming(gateway: RunningGateway) -> None:
    # the demo server's framework answers a handler that dies with HTTP 500
    with pytest.raises(openai.InternalServerError) as err:
        sdk(gateway).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "[demo:say=好的][demo:die]"}]
        )
    assert err.value.status_code == 500
    (rec,) = records(gateway)
    assert rec.outcome == "upstream_error" and rec.http_status == 500


@pytest.mark.parametrize(
    ("directive", "error", "status"),
    [
        ("[demo:500]", openai.InternalServerError, 500),
        ("[demo:429]", openai.RateLimitError, 429),
        ("[demo:filter]", openai.BadRequestError, 400),
        ("[demo:malformed]", openai.APIStatusError, 502),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_upstream_errors_are_mapped(
    gateway: RunningGateway, directive: str, error: type[Exception], status: int, stream: bool
) -> None:
    prompt = f"{directive} {stream}"
    with pytest.raises(error) as exc:
        out = sdk(gateway).chat.completions.create(
            model="m", messages=[{"role": "user", "content": prompt}], stream=stream
        )
        if stream:
            list(out)  # type: ignore[arg-type]
    assert exc.value.status_code == status  # type: ignore[attr-defined]
    (rec,) = records(gateway)
    assert rec.outcome == "upstream_error" and rec.http_status == status


def test_upstream_429_is_retried_by_the_sdk(gateway: RunningGateway) -> None:
    c = sdk(gateway, retries=2).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "[demo:429] 重试"}]
    )
    assert c.choices[0].finish_reason == "stop"
    assert [r.outcome for r in records(gateway)] == ["upstream_error", "ok"]


def test_upstream_unreachable(make_gateway: MakeGateway, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the gateway uses it
    g = make_gateway(config=gateway_config(tmp_path, f"http://127.0.0.1:{port}/v1"))
    with pytest.raises(openai.APIStatusError) as err:
        sdk(g).chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert err.value.status_code == 502
    health = httpx.get(g.root_url + "/healthz", params={"upstream": "1"}, headers=ADMIN)
    assert health.status_code == 503 and health.json()["status"] == "degraded"


def test_upstream_timeout(make_gateway: MakeGateway, tmp_path: Path, upstream: object) -> None:
    cfg = gateway_config(tmp_path, upstream.base_url, upstream={"read_timeout_s": 0.2})  # type: ignore[attr-defined]
    g = make_gateway(config=cfg)
    with pytest.raises(openai.APIStatusError) as err:
        sdk(g).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "[demo:slow=1500] 慢"}]
        )
    assert err.value.status_code == 504
    (rec,) = records(g)
    assert rec.outcome == "upstream_error" and "超时" in (rec.error or "")


def test_client_disconnect_mid_stream_leaves_a_record(
    make_gateway: MakeGateway, tmp_path: Path
) -> None:
    text = "一段慢慢生成的回答。" * 20
    with serve_in_thread(DemoBehavior(chunk_chars=2, chunk_delay_ms=20)) as slow:
        g = make_gateway(config=gateway_config(tmp_path, slow.base_url))
        body = {"model": "m", "stream": True,
                "messages": [{"role": "user", "content": f"[demo:say={text}]"}]}  # fmt: skip
        with httpx.stream("POST", g.base_url + "/chat/completions", json=body) as r:
            first = next(r.iter_raw())
            assert first.startswith(b"data: ")
        # the client has gone: the gateway stops relaying and still records the exchange
        deadline = time.time() + 10
        # the record is written on arrival (in_progress) and completed when the relay notices
        while (not records(g) or records(g)[0].outcome == "in_progress") and time.time() < deadline:
            time.sleep(0.05)
        (rec,) = records(g)
        assert rec.outcome == "client_disconnected"
        assert text.startswith(rec.response) and len(rec.response) < len(text)


@pytest.mark.parametrize("stream", [False, True])
def test_provider_content_filter_is_passed_on_and_recorded(
    gateway: RunningGateway, stream: bool
) -> None:
    out = sdk(gateway).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": f"[demo:filter-finish] {stream}"}],
        stream=stream,
    )
    if stream:
        reasons = [ch.finish_reason for ev in out for ch in ev.choices]  # type: ignore[union-attr]
        assert reasons[-1] == "content_filter"
    else:
        assert out.choices[0].finish_reason == "content_filter"  # type: ignore[union-attr]
        assert out.choices[0].message.content == ""  # type: ignore[union-attr]  # no label on nothing
    (rec,) = records(gateway)
    assert {"stage": "upstream", "action": "filter", "risks": [], "count": 0} in rec.decisions
