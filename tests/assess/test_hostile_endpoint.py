"""``assess`` against a hostile endpoint (issue 20, item 5): Retry-After honoured up to a maximum
with jitter, content-filter errors classified only by configuration, lone surrogates in answers,
long answers stored once in the run directory.

The endpoint is a project-owned server speaking the OpenAI protocol; what it does for a question
is written in the question (``[ra=1]``: HTTP 429 with ``Retry-After: 1`` on the first request).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from beian._shared.serve import serve_in_thread
from beian.assess import Question, load_assess_config, run_assessment
from beian.assess._run import collect
from beian.assess.targets import OpenAITarget, ResponseCache, cache_key
from beian.assess.targets._retry import parse_retry_after
from beian.standards import load_edition

from .conftest import EXAMPLE_DATA

BIG = "长" * 3_500_000  # 10.5 MB of UTF-8


class Hostile:
    """The misbehaving endpoint: what each prompt asks of it, and when each request arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])

    async def chat(self, request: Request) -> Response:
        prompt = (await request.json())["messages"][-1]["content"]
        with self.lock:
            self.arrivals[prompt].append(time.monotonic())
            n = len(self.arrivals[prompt])
        d = dict(re.findall(r"\[(\w[\w-]*)=([^\]]*)\]", prompt))
        if "ra" in d and n == 1:
            return JSONResponse({"error": {"message": "Rate limit reached", "type": "rate_limit_error",
                                           "code": "rate_limit_exceeded"}},
                                status_code=429, headers={"Retry-After": d["ra"]})  # fmt: skip
        if "slow" in d:
            await asyncio.sleep(float(d["slow"]))
        if "status" in d:
            return Response(d["body"], status_code=int(d["status"]), media_type="application/json")
        answer = {"big": BIG, "surrogate": "答案\\ud800结束"}.get(d.get("say", ""), "好的，这是回答。")
        raw = ('{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,'
               '"message":{"role":"assistant","content":"' + answer + '"},"finish_reason":"stop"}]}')  # fmt: skip
        return Response(raw.encode("utf-8"), media_type="application/json")

    def gaps(self, prompt: str) -> list[float]:
        times = self.arrivals[prompt]
        return [b - a for a, b in itertools.pairwise(times)]


@pytest.fixture
def hostile() -> Iterator[tuple[Hostile, str]]:
    h = Hostile()
    with serve_in_thread(h.app(), name="hostile-endpoint") as s:
        yield h, s.url + "/v1"


def _target(url: str, **kw: Any) -> OpenAITarget:
    return OpenAITarget({"base_url": url, "model": "m", "retries": 3, "backoff": 0.01,
                         "backoff_max": 0.05, "timeout": 30, **kw}, "test")  # fmt: skip


def _ask_all(t: OpenAITarget, prompts: list[str], cache: ResponseCache | None = None) -> list[Any]:
    qs = [Question(id=f"q{i}", kind="generation", question=p) for i, p in enumerate(prompts)]

    async def go() -> list[Any]:
        if cache is not None:
            got, _ = await collect(t, cache, qs)
            return [got[q.id] for q in qs]
        try:
            return list(await asyncio.gather(*(t.ask(q.id, q.chat()) for q in qs)))
        finally:
            await t.aclose()

    return asyncio.run(go())


def test_retry_after_is_waited_for_not_capped_at_backoff_max(hostile: tuple[Hostile, str]) -> None:
    h, url = hostile
    (r,) = _ask_all(_target(url, retry_jitter=0.2), ["[ra=1] 你好"])
    assert r.outcome == "answered" and r.attempts == 2
    (gap,) = h.gaps("[ra=1] 你好")
    assert 1.0 <= gap < 1.0 * 1.2 + 0.3  # not backoff_max (0.05 s), and jitter at most 20 %


def test_retries_after_a_shared_retry_after_are_spread(hostile: tuple[Hostile, str]) -> None:
    """Eight questions get 429 + Retry-After: 1 at once; their retries do not all fire at once."""
    h, url = hostile
    prompts = [f"[ra=1] 并发 {i}" for i in range(8)]
    # jitter over a whole second: the retries spread over up to 1 s, so even a loaded machine
    # whose event loop stalls a few hundred milliseconds cannot bunch them all together
    answers = _ask_all(_target(url, concurrency=8, retry_jitter=1.0), prompts)
    assert [a.outcome for a in answers] == ["answered"] * 8
    first = min(h.arrivals[p][0] for p in prompts)
    retries = sorted(h.arrivals[p][1] for p in prompts)
    assert all(h.arrivals[p][1] - h.arrivals[p][0] >= 1.0 for p in prompts)
    assert retries[-1] - retries[0] >= 0.1  # jitter: spread over up to a second
    assert retries[-1] - first < 2.0 + 0.5  # Retry-After 1 s plus at most 100 % jitter


def test_retry_after_holds_back_the_other_requests(hostile: tuple[Hostile, str]) -> None:
    """A Retry-After is the endpoint's: a question that starts during the pause waits, too."""
    h, url = hostile
    # concurrency 2: "[ra=1]" is refused at once, "[slow=0.3]" holds the other slot for 0.3 s,
    # then the third question starts -- inside the pause the endpoint asked for
    prompts = ["[ra=1] 暂停", "[slow=0.3] 慢", "第三题"]
    answers = _ask_all(_target(url, concurrency=2, retry_jitter=0.1), prompts)
    assert [a.outcome for a in answers] == ["answered"] * 3
    assert h.arrivals["第三题"][0] - h.arrivals["[ra=1] 暂停"][0] >= 1.0


def test_retry_after_over_the_maximum_ends_the_question_as_an_error(
    hostile: tuple[Hostile, str], tmp_path: Path
) -> None:
    h, url = hostile
    cache = ResponseCache(tmp_path / "c.sqlite")
    t0 = time.monotonic()
    (r,) = _ask_all(_target(url, retry_after_max=2), ["[ra=3600] 一小时后"], cache)
    assert time.monotonic() - t0 < 1.0  # not 3600 s, and not retried early either
    assert r.outcome == "error" and r.attempts == 1 and r.status == 429
    assert "3600" in (r.error or "") and "retry_after_max" in (r.error or "")
    assert len(h.arrivals["[ra=3600] 一小时后"]) == 1
    assert len(cache) == 0  # not cached: the next run asks it again
    cache.close()


@pytest.mark.parametrize(
    ("name", "value", "seconds"),
    [
        ("seconds", "3", 3.0),
        ("fractional", "1.5", 1.5),
        ("negative", "-1", 0.0),
        ("not a number", "nan", None),
        ("infinite", "inf", None),
        ("an HTTP date ahead", format_datetime(datetime(2030, 1, 1, 0, 0, 10, tzinfo=UTC), usegmt=True), 10.0),
        ("an HTTP date past", format_datetime(datetime(2029, 12, 31, tzinfo=UTC), usegmt=True), 0.0),
        ("garbage", "soon", None),
        ("absent", None, None),
    ],
)  # fmt: skip
def test_parse_retry_after(name: str, value: str | None, seconds: float | None) -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after(value, now=now) == seconds


def _err(message: str, code: str, status: int = 400, flat: bool = False) -> str:
    body: dict[str, Any] = {"message": message, "code": code, "type": "invalid_request_error"}
    text = json.dumps(body if flat else {"error": body}, ensure_ascii=False)
    return f"[status={status}][body={text}]"


@pytest.mark.parametrize(
    ("name", "prompt", "config", "outcome"),
    [
        ("'sensitive' in free text", _err("Input contains sensitive words", "invalid_param"), {}, "error"),
        ("Chinese '敏感' in free text", _err("输入包含敏感内容", "invalid_request"), {}, "error"),
        ("'moderation' in free text", _err("moderation service unavailable", "bad_request"), {}, "error"),
        ("Azure's content_filter code", _err("filtered", "content_filter"), {}, "blocked"),
        ("OpenAI's content_policy_violation", _err("rejected", "content_policy_violation"), {}, "blocked"),
        ("Aliyun's DataInspectionFailed, flat", _err("Input data may contain inappropriate content.",
                                                     "DataInspectionFailed", flat=True), {}, "blocked"),
        ("a configured pattern", _err("Input contains sensitive words", "invalid_param"),
         {"filter_patterns": ["sensitive words"]}, "blocked"),
        ("a configured code", _err("拒绝", "risk_control"), {"filter_codes": ["risk_control"]}, "blocked"),
        ("a filter code with a status not listed", _err("filtered", "content_filter", status=422), {}, "error"),
    ],
)  # fmt: skip
def test_content_filter_only_by_configuration(
    hostile: tuple[Hostile, str], tmp_path: Path, name: str, prompt: str, config: dict[str, Any],
    outcome: str,
) -> None:  # fmt: skip
    h, url = hostile
    cache = ResponseCache(tmp_path / "c.sqlite")
    (r,) = _ask_all(_target(url, **config), [prompt], cache)
    assert r.outcome == outcome, r
    assert len(cache) == (1 if outcome == "blocked" else 0)  # only a real refusal is final
    if outcome == "blocked":
        assert "filter_" in (r.error or "")  # which rule classified it is recorded
    (again,) = _ask_all(_target(url, **config), [prompt], cache)
    assert again.outcome == outcome
    assert len(h.arrivals[prompt]) == (1 if outcome == "blocked" else 2)
    cache.close()


def _config(dir: Path, url: str, bank: Path) -> Path:
    cfg = {
        "name": "hostile",
        "banks": [str(bank)],
        "target": {"base_url": url, "model": "m", "concurrency": 2, "backoff": 0.01},
        "judges": {"keyword": {"lexicon": str(EXAMPLE_DATA / "lexicon.csv")}},
        "sampling": {"seed": 3, "generation": "all"},
    }
    p = dir / "assess.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), "utf-8")
    return p


def _bank(path: Path, prompts: list[str]) -> Path:
    rows = [{"id": f"h{i}", "kind": "generation", "risk": "A1a", "question": p} for i, p in enumerate(prompts)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def test_a_lone_surrogate_in_an_answer_is_replaced_and_recorded(hostile: tuple[Hostile, str], tmp_path: Path) -> None:
    h, url = hostile
    bank = _bank(tmp_path / "bank.jsonl", ["[say=surrogate] 题一", "普通题"])
    cfg = load_assess_config(_config(tmp_path, url, bank))
    for _ in range(2):  # the run, and a rerun from the cache
        result = run_assessment(cfg, load_edition(), tmp_path / "run")
        rec = {r["id"]: r for r in result.records}["h0"]
        assert rec["answer"] == "答案\ufffd结束" and rec["replaced_surrogates"] == 1
        assert rec["outcome"] == "answered" and "replaced_surrogates" not in result.records[1]
        line = (tmp_path / "run" / "records.jsonl").read_text("utf-8").splitlines()[0]
        assert json.loads(line)["response_hash"] == rec["response_hash"]
    assert len(h.arrivals["[say=surrogate] 题一"]) == 1


def test_long_answers_are_stored_once_in_the_run_directory(hostile: tuple[Hostile, str], tmp_path: Path) -> None:
    h, url = hostile
    bank = _bank(tmp_path / "bank.jsonl", ["[say=big] 长回答一", "[say=big] 长回答二", "短题"])
    cfg = load_assess_config(_config(tmp_path, url, bank))
    run = tmp_path / "run"
    result = run_assessment(cfg, load_edition(), run)
    assert [len(r["answer"]) for r in result.records] == [len(BIG), len(BIG), 8]
    records = (run / "records.jsonl").stat().st_size
    cache = sum(p.stat().st_size for p in run.glob("cache.sqlite*"))
    assert records > 2 * len(BIG.encode()) and cache < 200_000  # once: in records.jsonl only
    # a rerun reads them back from records.jsonl instead of asking again
    again = run_assessment(cfg, load_edition(), run)
    assert again.asked == 0 and [r["answer"] for r in again.records] == [r["answer"] for r in result.records]
    assert {p: len(t) for p, t in h.arrivals.items()} == {"[say=big] 长回答一": 1, "[say=big] 长回答二": 1, "短题": 1}
    # without records.jsonl, the long answers are asked again (never a wrong or empty answer)
    (run / "records.jsonl").unlink()
    third = run_assessment(cfg, load_edition(), run)
    assert third.asked == 2 and len(h.arrivals["[say=big] 长回答一"]) == 2
    assert [len(r["answer"]) for r in third.records] == [len(BIG), len(BIG), 8]


def test_a_lone_surrogate_in_a_question_is_asked_and_recorded(hostile: tuple[Hostile, str], tmp_path: Path) -> None:
    """A bank question with ``\\ud800`` (valid JSON): the run neither crashes at the cache key nor
    at the records; the question is asked with U+FFFD in its place (as answers are), once: a rerun
    finds it in the cache."""
    h, url = hostile
    bank = tmp_path / "bank.jsonl"
    row = {"id": "s0", "kind": "generation", "risk": "A1a", "question": "问题\ud800一"}
    bank.write_text(json.dumps(row) + "\n" + json.dumps({**row, "id": "s1", "question": "题二"}) + "\n", "utf-8")
    cfg = load_assess_config(_config(tmp_path, url, bank))
    for asked in (2, 0):  # the run, and a rerun from the cache
        result = run_assessment(cfg, load_edition(), tmp_path / "run")
        assert result.asked == asked and [r["outcome"] for r in result.records] == ["answered"] * 2
        assert result.records[0]["question"] == "问题\ufffd一"
        assert len((tmp_path / "run" / "records.jsonl").read_text("utf-8").splitlines()) == 2
    assert {p: len(t) for p, t in h.arrivals.items()} == {"问题\ufffd一": 1, "题二": 1}


def test_cache_key_of_a_lone_surrogate() -> None:
    """The key is computed (it used to raise at UTF-8) and differs from U+FFFD's."""
    ident = {"type": "openai", "model": "m"}
    keys = {cache_key(ident, [{"role": "user", "content": t}]) for t in ("问\ud800", "问\ufffd", "问")}
    assert len(keys) == 3 and all(len(k) == 64 for k in keys)
