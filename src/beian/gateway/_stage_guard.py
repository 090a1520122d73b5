"""The guard stage: a guard model on the provider's own OpenAI-compatible endpoint.

The request and the reply are those of the assessment's guard-model judges (the same presets:
Qwen3Guard-Gen's conversation format, or the Chinese rubric for any instruction model; the same
strict reading and category → Appendix A map; ``beian.assess.judges``). A question is asked as
prompt moderation, with the conversation's recent turns before it (``context_chars``; a harmful
intent spread over several user turns shows only together), an answer with its question. A timeout, an HTTP error
or a reply that cannot be read is a finding of level ``error`` with what went wrong: the
policy applies ``guard.fail_mode`` to it, and it is recorded either way.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from beian.gateway._moderation_config import GuardStageConfig
from beian.gateway._stage_classifier import Finding

__all__ = ["GuardStage", "Turns"]

# earlier turns of a conversation, oldest first: (user | assistant, text)
Turns = Sequence[tuple[str, str]]


class GuardStage:
    def __init__(self, cfg: GuardStageConfig, base_dir: Path) -> None:
        from beian.assess.judges import load_preset
        from beian.standards import load_edition

        self.cfg = cfg
        self.preset, _ = load_preset(cfg.preset, base_dir, "moderation.guard.preset")
        self.edition = load_edition()
        risks = self.edition.risks
        lines = "\n".join(f"{r.code} {r.name}（{r.category_name}）" for r in risks.values())
        self.template = self.preset.template.replace("{risks}", lines)
        self.known = self._known(base_dir)
        self.name = f"{cfg.model}（{self.preset.id}@{self.preset.version}）"
        self.url = cfg.base_url.rstrip("/") + "/chat/completions"
        key = os.environ.get(cfg.api_key_env) if cfg.api_key_env else None
        self.headers = {"Content-Type": "application/json"}
        if key:
            self.headers["Authorization"] = f"Bearer {key}"
        self._session: aiohttp.ClientSession | None = None
        self.calls = 0
        self.seconds = 0.0

    def _known(self, base_dir: Path) -> dict[str, list[str]]:
        from beian.assess.judges import CategoryMap
        from beian.io import load_yaml_model

        if self.cfg.categories:
            path = Path(self.cfg.categories)
            return dict(load_yaml_model(path, CategoryMap)[0].categories)
        if self.preset.categories == "appendix_a":
            return {c: [c] for c in self.edition.risks}
        return {k: list(v) for k, v in self.preset.categories.items()}

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:  # created inside the running event loop
            self._session = aiohttp.ClientSession(
                # no cookies: one user's Set-Cookie must not ride along with every later request
                cookie_jar=aiohttp.DummyCookieJar(),
                connector=aiohttp.TCPConnector(limit=self.cfg.max_connections),
                timeout=aiohttp.ClientTimeout(total=self.cfg.timeout_s),
            )
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def body(self, question: str, answer: str | None, context: Turns = ()) -> bytes:
        from beian.assess.judges import guard_messages

        messages = guard_messages(
            self.preset, self.preset.system, self.template, question, answer, context
        )
        obj = {"model": self.cfg.model, "messages": messages, "temperature": 0, "stream": False}
        return json.dumps(obj, ensure_ascii=False).encode()

    async def check(
        self, question: str, answer: str | None, stage: str, context: Turns = ()
    ) -> Finding | None:
        """The guard's finding on ``answer`` to ``question`` (``answer`` None: on the question,
        after the earlier turns in ``context``); None when it says safe."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.cfg.timeout_s):
                reply = await self._ask(self.body(question, answer, context))
        except TimeoutError:
            return self._failed(stage, f"护栏模型超时（>{self.cfg.timeout_s:g} 秒）")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return self._failed(stage, f"护栏模型接口出错：{type(exc).__name__}: {exc}"[:300])
        finally:
            self.calls += 1
            self.seconds += time.perf_counter() - started
        return self.read(reply, stage, refusal=answer is not None)

    async def _ask(self, body: bytes) -> str:
        async with self.session.post(self.url, data=body, headers=self.headers) as resp:
            data: Any = await resp.json(content_type=None)
            if resp.status != 200:
                raise ValueError(f"HTTP {resp.status}")
        content = data["choices"][0]["message"]["content"]
        if not isinstance(content, str):
            raise ValueError("回复没有文本")
        return content

    def read(self, reply: str, stage: str, *, refusal: bool) -> Finding | None:
        from beian.assess.judges import ReplyError, read_guard_reply

        try:
            r = read_guard_reply(self.preset, self.known, reply, refusal=refusal)
        except ReplyError as exc:
            return self._failed(stage, f"护栏模型回复无法解读：{exc}")
        if r.safety == "safe":
            return None
        risks = tuple(r.risks) or ("未分类",)
        return Finding(stage, "guard", risks, r.safety, None, self.name, r.detail)

    def _failed(self, stage: str, why: str) -> Finding:
        return Finding(stage, "guard", ("GUARD_ERROR",), "error", None, self.name, why)
