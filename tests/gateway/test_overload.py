"""The screening threads' queue is capped (``limits.screening_queue_bytes``): past it a request is
answered with a clean 503 in OpenAI's format with ``Retry-After``, and nothing is forwarded."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from beian.gateway import Screening, ScreeningConfig
from beian.lexicon import Hit

from .conftest import Behind, records
from .hostile import Received, completion, reply

HOLD = "请稍等"  # a request with this text keeps the (single) screening thread busy


class HoldingScanner:
    """A scanner that, on a text containing :data:`HOLD`, says it has started and waits until
    released: a screening job that stays in the thread as long as the test needs."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    @property
    def max_span(self) -> int:
        return 4

    def scan(self, text: str) -> list[Hit]:
        if HOLD in text:
            self.started.set()
            assert self.release.wait(10)
        return [Hit(m.start(), m.end(), "禁", "禁", "A1a", ("exact",))
                for m in re.finditer("禁", text)]  # fmt: skip


@pytest.fixture
def holding() -> Iterator[HoldingScanner]:
    scanner = HoldingScanner()
    yield scanner
    scanner.release.set()


async def answers(req: Received) -> AsyncIterator[bytes | float]:
    yield reply(200, json.dumps(completion({"content": "好的。"})).encode())


def chat(text: str) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": text}]}


def test_requests_past_the_screening_queue_get_503_with_retry_after(
    behind: Behind, holding: HoldingScanner
) -> None:
    def factory(cfg: ScreeningConfig) -> Screening:
        return Screening(config=cfg, scanner=holding, sources=["<test>"])

    limits = {"inline_bytes": 0, "screening_threads": 1, "screening_queue_bytes": 1024}
    g, up = behind(answers, factory=factory, limits=limits)
    url = g.base_url + "/chat/completions"
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(httpx.post, url, json=chat(HOLD + "甲" * 700), timeout=20)
        assert holding.started.wait(10)  # its 703 characters are in the screening thread
        r = httpx.post(url, json=chat("乙" * 400), timeout=10)
        holding.release.set()
        assert first.result().status_code == 200
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    err = r.json()["error"]
    assert err["code"] == "server_overloaded" and err["type"] == "server_error" and err["message"]
    assert len(up.received) == 1  # only the first was forwarded
    # the queue is free again: the same request is served
    again = httpx.post(url, json=chat("乙" * 400), timeout=10)
    assert again.status_code == 200
    assert [r.outcome for r in records(g)] == ["ok", "ok"]


def test_one_job_larger_than_the_queue_is_taken_when_none_waits(behind: Behind) -> None:
    limits = {"inline_bytes": 0, "screening_threads": 1, "screening_queue_bytes": 1024}
    g, _ = behind(answers, limits=limits)
    r = httpx.post(g.base_url + "/chat/completions", json=chat("丙" * 3000), timeout=10)
    assert r.status_code == 200, r.text
