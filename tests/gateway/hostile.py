"""A misbehaving upstream: a real HTTP server on loopback that answers exactly as a test says.

Each request is answered by ``behave(request)``, an async iterator of raw bytes (written as they
are: status line, headers, body, in any pieces) and numbers (seconds to wait). Nothing is
checked or fixed on the way: wrong lengths, broken JSON, gzip bombs, endless streams and cut
connections reach the gateway as they would from a hostile or broken model server. The
connection is closed when ``behave`` ends. Floods are the tests' own loops, always bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["HostileUpstream", "Received", "chunk", "completion", "event", "reply", "sse_head"]


@dataclass
class Received:
    """One request as the upstream received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Behave = Callable[[Received], AsyncIterator[bytes | float]]


def reply(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 response with a matching Content-Length (unless ``headers`` gives one)."""
    h = {"content-type": "application/json", "content-length": str(len(body)),
         "connection": "close", **(headers or {})}  # fmt: skip
    head = "".join(f"{k}: {v}\r\n" for k, v in h.items())
    return f"HTTP/1.1 {status} X\r\n{head}\r\n".encode() + body


def sse_head(headers: dict[str, str] | None = None) -> bytes:
    h = {"content-type": "text/event-stream", "connection": "close", **(headers or {})}
    return ("HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n").encode()


def event(obj: Any) -> bytes:
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return f"data: {data}\n\n".encode()


def chunk(finish: str | None = None, index: int = 0, **delta: Any) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}]}  # fmt: skip


def completion(message: dict[str, Any], finish: str = "stop", **extra: Any) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", **message},
                         "finish_reason": finish}], **extra}  # fmt: skip


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


class HostileUpstream:
    """The server (see the module's docstring); ``base_url`` ends in ``/v1``."""

    def __init__(self, behave: Behave) -> None:
        self.behave = behave
        self.received: list[Received] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            req = Received(method, path, headers, body)
            self.received.append(req)
            async for step in self.behave(req):
                if isinstance(step, bytes):
                    writer.write(step)
                    await writer.drain()
                else:
                    await asyncio.sleep(step)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(ConnectionError):
                writer.close()

    def __enter__(self) -> HostileUpstream:
        started = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()

            async def main() -> None:
                self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
                self.port = self._server.sockets[0].getsockname()[1]
                started.set()
                async with self._server:
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._server.serve_forever()

            with contextlib.suppress(RuntimeError):
                loop.run_until_complete(main())
                rest = asyncio.all_tasks(loop)  # connections still being answered
                loop.run_until_complete(asyncio.gather(*rest, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="hostile-upstream", daemon=True)
        self._thread.start()
        started.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        loop, server = self._loop, self._server
        if loop is not None and server is not None:

            def stop() -> None:
                server.close()
                for task in asyncio.all_tasks(loop):
                    task.cancel()

            loop.call_soon_threadsafe(stop)
        self._thread.join(timeout=5)


@contextlib.contextmanager
def hostile(behave: Behave) -> Iterator[HostileUpstream]:
    with HostileUpstream(behave) as up:
        yield up
