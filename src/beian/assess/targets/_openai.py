"""An OpenAI-compatible chat-completions target: async, concurrency and rate limits, retries.

A provider-side content-filter rejection (HTTP 400/451 carrying a moderation error,
``finish_reason: content_filter``, or a configured pattern) is outcome ``blocked``: a refusal.
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
from beian.assess.targets._base import Outcome, Response, TargetSettings, target
from beian.errors import ConfigError

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
# How providers word a moderation rejection (OpenAI/Azure, Chinese providers).
DEFAULT_FILTER_PATTERNS = (
    r"content[_ ]?filter",
    r"content management policy",
    r"moderation",
    r"data_inspection_failed",
    r"sensitive",
    r"内容安全",
    r"敏感",
    r"违规",
    r"不安全",
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


@dataclass
class _Call:
    """One question's tries: when it was asked, the last error and status seen."""

    asked: str
    t0: float
    attempts: int = 0
    error: str = ""
    status: int | None = None

    def failed(self, error: str, status: int | None) -> None:
        self.error, self.status = error, status

    def response(self, outcome: Outcome, **fields: Any) -> Response:
        return Response(
            outcome,
            attempts=self.attempts,
            latency_ms=(time.perf_counter() - self.t0) * 1000,
            asked_at=self.asked,
            answered_at=_now(),
            **fields,
        )


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
    filter_statuses: list[int] = Field(default_factory=lambda: [400, 451])
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
        self.filter_statuses = set(s.filter_statuses)
        patterns = [*DEFAULT_FILTER_PATTERNS, *(p.pattern for p in s.filter_patterns)]
        self._filter = re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
        self.rate_limit = s.rate_limit
        # a provider that answers HTTP 200 with a canned notice ("您的输入包含敏感信息……")
        answer_patterns = [p.pattern for p in s.filter_answer_patterns]
        self._answer_filter = (
            re.compile("|".join(f"(?:{p})" for p in answer_patterns)) if answer_patterns else None
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem = asyncio.Semaphore(self.concurrency)
        self._rate = RateLimiter(self.rate_limit)
        self._client: aiohttp.ClientSession | None = None

    def _bind(self) -> None:
        # Semaphores, locks and the HTTP pool belong to one event loop: renew them for a new one.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop = loop
            self._sem = asyncio.Semaphore(self.concurrency)
            self._rate = RateLimiter(self.rate_limit)
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
        }

    def _http(self) -> aiohttp.ClientSession:
        # aiohttp: at concurrency 64 its connection pool costs a fraction of httpx's per request.
        if self._client is None or self._client.closed:
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            self._client = aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=self.concurrency),
            )
        return self._client

    def _blocked_error(self, status: int, body: str) -> bool:
        return status in self.filter_statuses and bool(self._filter.search(body))

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
        async with self._sem:
            for attempt in range(1, self.retries + 2):
                await self._rate.wait()
                call.attempts = attempt
                delay: float | None = None
                try:
                    done = await self._attempt(payload, call)
                except TimeoutError as exc:
                    call.failed(f"超时：{type(exc).__name__}", None)
                except aiohttp.ClientError as exc:
                    call.failed(f"网络错误：{type(exc).__name__}: {exc}", None)
                else:
                    if isinstance(done, Response):
                        return done
                    delay = done
                if attempt <= self.retries:
                    if delay is None:
                        delay = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
                        delay *= 0.5 + random.random() / 2  # jitter
                    await asyncio.sleep(delay)
        return call.response("error", error=call.error, status=call.status)

    async def _attempt(self, payload: dict[str, Any], call: _Call) -> Response | float | None:
        """One request: the final response, or the delay before the next try (``None``: backoff)."""
        async with self._http().post(f"{self.base_url}/chat/completions", json=payload) as resp:
            status, body, retry_after = (
                resp.status,
                await resp.read(),
                resp.headers.get("retry-after"),
            )
        call.status = status
        body_text = body.decode("utf-8", "replace")
        if status == 200:
            try:
                text, finish, model = self._parse(body)
            except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
                call.error = f"响应不是有效的 chat.completion JSON：{type(exc).__name__}"
                return None
            return self._answered(text, finish, model, call)
        if self._blocked_error(status, body_text):
            return call.response("blocked", error=body_text[:500], status=status)
        if status not in RETRY_STATUS:  # a client error that retrying cannot fix
            return call.response("error", error=f"HTTP {status}: {body_text[:300]}", status=status)
        call.error = f"HTTP {status}: {body_text[:200]}"
        try:
            return min(float(retry_after), self.backoff_max) if retry_after else None
        except ValueError:
            return None

    def _answered(self, text: str, finish: str | None, model: str | None, call: _Call) -> Response:
        outcome: Outcome = "answered"
        if finish == "content_filter" or (
            self._answer_filter is not None and self._answer_filter.search(text)
        ):
            outcome = "blocked"
        elif not text.strip():
            outcome = "empty"
        return call.response(outcome, answer=text, finish_reason=finish, status=200, model=model)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None


@target("openai", settings=OpenAISettings)
def _make(cfg: OpenAISettings, where: str) -> OpenAITarget:
    return OpenAITarget(cfg, where)
