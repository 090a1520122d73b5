"""An OpenAI-compatible chat-completions target: async, concurrency and rate limits, retries.

A provider-side content-filter rejection (an HTTP 400/451 whose error code is in
``filter_codes`` or whose body matches a configured ``filter_patterns`` regex, ``finish_reason:
content_filter``, or a configured ``filter_answer_patterns`` notice) is outcome ``blocked``: a
refusal. A ``Retry-After`` is honoured up to ``retry_after_max`` seconds, with jitter.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, Field, field_validator

from beian.assess._settings import settings_data, validate_settings
from beian.assess.targets._base import Response, TargetSettings, target
from beian.assess.targets._filter import DEFAULT_FILTER_CODES, FilterRules
from beian.assess.targets._retry import Pause, jittered, parse_retry_after
from beian.errors import ConfigError

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class RateLimiter:
    """At most ``rate`` request starts per second (0: unlimited), spaced evenly."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)


class EndpointSettings(BaseModel):
    """An OpenAI-compatible chat endpoint: the ``openai`` target, and judges that ask a model."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_key_env: str | None = None  # the key is read from this environment variable only
    params: dict[str, Any] = Field(default_factory=dict)
    system_prompt: str | None = None
    concurrency: int = Field(16, gt=0)
    rate_limit: float = Field(0, ge=0)  # request starts per second (0: unlimited)
    timeout: float = Field(60, gt=0)
    retries: int = Field(5, ge=0)
    backoff: float = Field(0.5, ge=0)
    backoff_max: float = Field(20, ge=0)
    # the longest Retry-After waited for; a longer one ends the question as an error (asked
    # again by the next run) instead of retrying before the provider allows it
    retry_after_max: float = Field(300, ge=0)
    retry_jitter: float = Field(0.25, ge=0, le=1)  # each wait is lengthened by up to this share
    filter_statuses: list[int] = Field(default_factory=lambda: [400, 451])
    filter_codes: list[str] = Field(default_factory=lambda: list(DEFAULT_FILTER_CODES))
    filter_patterns: list[re.Pattern[str]] = Field(default_factory=list)
    filter_answer_patterns: list[re.Pattern[str]] = Field(default_factory=list)

    @field_validator("base_url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("应以 http:// 或 https:// 开头，例如 http://127.0.0.1:8000/v1")
        return v

    @classmethod
    def of(cls, cfg: EndpointSettings | Mapping[str, Any], where: str) -> EndpointSettings:
        """``cfg`` as endpoint settings; other keys of a mapping (a judge's own) are ignored."""
        if isinstance(cfg, EndpointSettings):
            return cfg
        data = {k: v for k, v in settings_data(cfg).items() if k in cls.model_fields}
        return validate_settings(cls, data, where)


class OpenAISettings(EndpointSettings, TargetSettings):
    """``target: {type: openai, …}``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["openai"] = "openai"


class OpenAITarget:
    """``type: openai`` in assess.yaml."""

    def __init__(self, cfg: EndpointSettings | Mapping[str, Any], where: str) -> None:
        s = EndpointSettings.of(cfg, where)
        self.base_url = s.base_url.rstrip("/")
        self.model = s.model
        key_env = s.api_key_env
        self.api_key = os.environ.get(key_env, "") if key_env else ""
        if key_env and not self.api_key:
            raise ConfigError(
                f"环境变量 {key_env} 未设置",
                where=f"{where}.api_key_env",
                fix=f"export {key_env}=…",
            )
        self.key_env = key_env
        self.params: dict[str, Any] = dict(s.params)
        self.system_prompt: str | None = s.system_prompt
        self.concurrency = s.concurrency
        self.timeout = s.timeout
        self.retries = s.retries
        self.backoff = s.backoff
        self.backoff_max = s.backoff_max
        self.retry_after_max = s.retry_after_max
        self.retry_jitter = s.retry_jitter
        self.filters = FilterRules(
            s.filter_statuses, s.filter_codes, [p.pattern for p in s.filter_patterns]
        )
        self._filter_config = {"filter_statuses": s.filter_statuses, "filter_codes": s.filter_codes,
                               "filter_patterns": [p.pattern for p in s.filter_patterns]}  # fmt: skip
        self.rate_limit = s.rate_limit
        # a provider that answers HTTP 200 with a canned notice ("您的输入包含敏感信息……")
        answer_patterns = [p.pattern for p in s.filter_answer_patterns]
        self._answer_filter = (
            re.compile("|".join(f"(?:{p})" for p in answer_patterns)) if answer_patterns else None
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem = asyncio.Semaphore(self.concurrency)
        self._rate = RateLimiter(self.rate_limit)
        self._pause = Pause()
        self._client: aiohttp.ClientSession | None = None

    def _bind(self) -> None:
        # Semaphores, locks and the HTTP pool belong to one event loop: renew them for a new one.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._sem = asyncio.Semaphore(self.concurrency)
            self._rate = RateLimiter(self.rate_limit)
            self._pause = Pause()
            self._client = None

    def identity(self) -> dict[str, Any]:
        return {
            "type": "openai",
            "base_url": self.base_url,
            "model": self.model,
            "params": self.params,
            "system_prompt": self.system_prompt,
        }

    def describe(self) -> dict[str, Any]:
        return {
            **self.identity(),
            "api_key_env": self.key_env,
            "concurrency": self.concurrency,
            "timeout": self.timeout,
            "retries": self.retries,
            "rate_limit": self.rate_limit,
            "retry_after_max": self.retry_after_max,
            **self._filter_config,  # what counts as the provider's content filter
        }

    def _http(self) -> aiohttp.ClientSession:
        # aiohttp: at concurrency 64 its connection pool costs a fraction of httpx's per request.
        if self._client is None or self._client.closed:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._client = aiohttp.ClientSession(
                # no cookies: one user's Set-Cookie must not ride along with every later request
                cookie_jar=aiohttp.DummyCookieJar(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=self.concurrency),
            )
        return self._client

    def _parse(self, body: bytes) -> tuple[str, str | None, str | None]:
        data = json.loads(body)
        choice = data["choices"][0]
        content = choice.get("message", {}).get("content") or ""
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return str(content), choice.get("finish_reason"), data.get("model")

    async def ask(self, qid: str, messages: list[dict[str, str]]) -> Response:
        if self.system_prompt and messages[0]["role"] != "system":
            messages = [{"role": "system", "content": self.system_prompt}, *messages]
        payload = {"model": self.model, "messages": messages, **self.params}
        self._bind()
        call = _Call(asked=_now(), t0=time.perf_counter())
        attempt = 0
        async with self._sem:
            for attempt in range(1, self.retries + 2):
                await self._pause.wait(self.retry_jitter)
                await self._rate.wait()
                step = await self._attempt(payload, attempt, call)
                if isinstance(step, Response):
                    return step
                if attempt <= self.retries:
                    await asyncio.sleep(self._delay(attempt, step))
        return self._error(call.error, call.status, attempt, call.t0, call.asked)

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.backoff * 2.0 ** (attempt - 1), self.backoff_max)
        if retry_after is None:
            return backoff * (0.5 + random.random() / 2)  # jitter
        return jittered(max(retry_after, backoff), self.retry_jitter)

    async def _attempt(self, payload: dict[str, Any], attempt: int, call: _Call) -> Response | float | None:
        """One request: the final response, or the Retry-After (``None``: none) before the next."""
        try:
            async with self._http().post(f"{self.base_url}/chat/completions", json=payload) as resp:
                status, body = resp.status, await resp.read()
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
        except TimeoutError as exc:
            call.error, call.status = f"超时：{type(exc).__name__}", None
            return None
        except aiohttp.ClientError as exc:
            call.error, call.status = f"网络错误：{type(exc).__name__}: {exc}", None
            return None
        call.status = status
        body_text = body.decode("utf-8", "replace")
        if status == 200:
            return self._answer(body, attempt, call)
        if (why := self.filters.match(status, body_text)) is not None:
            return call.response("blocked", attempt, error=f"内容过滤（{why}）：{body_text[:500]}",
                                 status=status)  # fmt: skip
        if status not in RETRY_STATUS:  # a client error that retrying cannot fix
            return self._error(f"HTTP {status}: {body_text[:300]}", status, attempt, call.t0, call.asked)
        call.error = f"HTTP {status}: {body_text[:200]}"
        if retry_after is not None and retry_after > self.retry_after_max:
            return self._error(
                f"{call.error}；上游要求 {retry_after:.0f} 秒后再试，超过 retry_after_max（{self.retry_after_max:g} 秒），"
                "不再重试：稍后重新运行即可只补问这些题",
                status, attempt, call.t0, call.asked,
            )  # fmt: skip
        if retry_after is not None:
            self._pause.extend(retry_after)  # the other requests to this endpoint wait, too
        return retry_after

    def _answer(self, body: bytes, attempt: int, call: _Call) -> Response | None:
        try:
            text, finish, model = self._parse(body)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            call.error = f"响应不是有效的 chat.completion JSON：{type(exc).__name__}"
            return None
        outcome = "answered"
        if finish == "content_filter" or (
            self._answer_filter is not None and self._answer_filter.search(text)
        ):
            outcome = "blocked"
        elif not text.strip():
            outcome = "empty"
        return call.response(outcome, attempt, answer=text, finish_reason=finish, status=200,
                             model=model)  # fmt: skip

    def _error(self, msg: str, status: int | None, attempt: int, t0: float, asked: str) -> Response:
        return Response(
            "error",
            error=msg,
            status=status,
            attempts=attempt,
            latency_ms=(time.perf_counter() - t0) * 1000,
            asked_at=asked,
            answered_at=_now(),
        )

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


@dataclass
class _Call:
    """One question's attempts so far: when it was asked, the last error and status."""

    asked: str
    t0: float
    error: str = ""
    status: int | None = None

    def response(self, outcome: str, attempt: int, **fields: Any) -> Response:
        return Response(
            outcome,  # type: ignore[arg-type]
            attempts=attempt,
            latency_ms=(time.perf_counter() - self.t0) * 1000,
            asked_at=self.asked,
            answered_at=_now(),
            **fields,
        )


@target("openai", settings=OpenAISettings)
def _make(cfg: OpenAISettings, where: str) -> OpenAITarget:
    return OpenAITarget(cfg, where)
