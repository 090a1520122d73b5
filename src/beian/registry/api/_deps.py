"""Shared pieces of the HTTP layer: the registry, the signed-in actor, CSRF, error answers,
the worker threads.

Work that runs in a thread goes to one of four lanes, each with its own threads, so that no
kind of request can hold up the others:

* ``read``: the busiest reads, the read-only web pages and every session check
  (``read_workers`` threads);
* ``upload``: parsing and checking uploaded packages and materials (``upload_workers``
  threads, at most ``max_concurrent_uploads``, the uploads whose bodies are read at once:
  parsing is CPU work, and more threads than cores only contend for them);
* ``login``: password checks (argon2: CPU and memory by design) — ``login_workers`` threads;
  when ``login_queue`` logins already wait, a further one is answered 503 with ``Retry-After``
  at once rather than queued;
* everything else (writes, and web pages that write an audit row) has anyio's default limiter,
  set to ``write_workers`` (:func:`size_worker_threads`).

A read then never queues behind an upload being parsed, a login being hashed or a write
waiting for the database's write lock, and few threads contend for the interpreter (under
many runnable threads each hand-off of the GIL waits longer).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from beian.errors import BeianError
from beian.registry._auth import Actor, LoginRefused, RateLimited, csrf_ok
from beian.registry._errors import Busy, Forbidden, RegistryError, Unauthorized
from beian.registry._registry import Registry

__all__ = ["COOKIE", "Caller", "CurrentActor", "Lane", "MaybeActor", "Reg", "SignedIn",
           "error_response", "get_registry", "in_lane", "read_in_thread", "run_in_lane",
           "size_worker_threads"]

T = TypeVar("T")
P = ParamSpec("P")
Lane = Literal["read", "upload", "login"]
# the lanes' limiters, one set per event loop, as anyio keeps its default limiter
_LANES: RunVar[dict[str, anyio.CapacityLimiter]] = RunVar("beian_registry_lanes")

COOKIE = "beian_session"
_SAFE = {"GET", "HEAD", "OPTIONS"}


def get_registry(request: Request) -> Registry:
    reg: Registry = request.app.state.registry
    return reg


async def _registry(request: Request) -> Registry:
    """The dependency: ``async`` because it does no I/O (a sync one costs a worker-thread
    round trip on every request)."""
    return get_registry(request)


Reg = Annotated[Registry, Depends(_registry)]


def size_worker_threads(reg: Registry) -> None:
    """Size anyio's default thread limiter (sync routes and dependencies) of the running event
    loop to the policy's ``write_workers``."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = reg.policy.write_workers


def _limiter(reg: Registry, lane: Lane) -> anyio.CapacityLimiter:
    try:
        lanes = _LANES.get()
    except LookupError:
        p = reg.policy
        lanes = {"read": anyio.CapacityLimiter(p.read_workers),
                 "upload": anyio.CapacityLimiter(min(p.upload_workers, p.max_concurrent_uploads)),
                 "login": anyio.CapacityLimiter(p.login_workers)}
        _LANES.set(lanes)
    return lanes[lane]


async def run_in_lane(reg: Registry, lane: Lane, fn: Callable[[], T]) -> T:
    """``fn()`` in one of ``lane``'s threads; :class:`Busy` (503) for a login when
    ``login_queue`` logins already wait for a thread."""
    limiter = _limiter(reg, lane)
    if (lane == "login" and limiter.available_tokens < 1
            and limiter.statistics().tasks_waiting >= reg.policy.login_queue):
        raise Busy("同时登录的请求过多，服务器正忙", where="登录",
                   retry_after=reg.policy.login_retry_after_seconds)
    return await anyio.to_thread.run_sync(fn, limiter=limiter)


async def read_in_thread(reg: Registry, fn: Callable[[], T]) -> T:
    """``fn()`` (a read) in one of the ``read_workers`` threads kept for reads."""
    return await run_in_lane(reg, "read", fn)


def in_lane(lane: Lane) -> Callable[[Callable[P, T]], Callable[P, Awaitable[T]]]:
    """A sync route (its parameters as they are) run in ``lane``'s threads instead of the
    default ones; the route takes ``reg`` or ``request``, through which the lane is found."""

    def wrap(fn: Callable[P, T]) -> Callable[P, Awaitable[T]]:
        @functools.wraps(fn)
        async def run(*args: P.args, **kwargs: P.kwargs) -> T:
            reg: Any = kwargs.get("reg") or get_registry(kwargs["request"])  # type: ignore[arg-type]
            return await run_in_lane(reg, lane, functools.partial(fn, *args, **kwargs))

        return run

    return wrap


def _token(request: Request, authorization: str | None) -> tuple[str | None, bool]:
    """(token, came from the cookie)."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip(), False
    cookie = request.cookies.get(COOKIE)
    return (cookie, True) if cookie else (None, False)


def _maybe_actor(request: Request, authorization: str | None,
                 x_csrf_token: str | None) -> Actor | None:
    """The signed-in actor, if any (a database read: sync, so in a worker thread)."""
    token, from_cookie = _token(request, authorization)
    if not token:
        return None
    actor = get_registry(request).accounts.actor_for(token)
    if actor is None:
        return None
    if from_cookie and request.method not in _SAFE and not csrf_ok(actor.csrf, x_csrf_token):
        raise Forbidden("CSRF 校验失败", where="X-CSRF-Token", fix="请刷新页面后重试")
    return actor


async def maybe_actor(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_csrf_token: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Actor | None:
    """The dependency: the session check in the read lane (it only reads), so that it does
    not queue behind writes, uploads or logins."""
    if _token(request, authorization)[0] is None:
        return None
    return await run_in_lane(get_registry(request), "read",
                             lambda: _maybe_actor(request, authorization, x_csrf_token))


# what a user whose password must be changed (initial or reset) may still do
_BEFORE_CHANGE = ("/api/v1/auth/password", "/api/v1/auth/logout", "/api/v1/auth/me")


def _signed_in(request: Request, actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthorized("未登录或会话已过期", fix="请先登录：POST /api/v1/auth/login")
    if actor.must_change and request.url.path not in _BEFORE_CHANGE:
        raise Forbidden("须先修改初始密码或重置后的密码", where="password",
                        fix="POST /api/v1/auth/password，或在网页“修改密码”中修改")
    return actor


async def current_actor(request: Request,
                        actor: Annotated[Actor | None, Depends(maybe_actor)]) -> Actor:
    return _signed_in(request, actor)


@dataclass(frozen=True)
class Caller:
    """A request's credentials, checked by :meth:`actor` where the route reads the database:
    a busy read route then makes one trip to a worker thread (session check and read
    together), not two. A request without any token is refused at once, as
    :data:`CurrentActor` refuses it."""

    request: Request
    authorization: str | None
    csrf: str | None

    def actor(self) -> Actor:
        """The signed-in actor, as :data:`CurrentActor` gives it (sync: a database read)."""
        return _signed_in(self.request,
                          _maybe_actor(self.request, self.authorization, self.csrf))


async def _caller(
    request: Request,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_csrf_token: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    if _token(request, authorization)[0] is None:
        _signed_in(request, None)
    return Caller(request, authorization, x_csrf_token)


MaybeActor = Annotated[Actor | None, Depends(maybe_actor)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
SignedIn = Annotated[Caller, Depends(_caller)]


def error_response(exc: Exception) -> JSONResponse:
    if isinstance(exc, LoginRefused):
        return JSONResponse({"error": "用户名、密码或动态口令错误", "where": None, "fix": None},
                            status_code=401)
    if isinstance(exc, RateLimited):
        return JSONResponse({"error": "登录失败次数过多，请稍后再试", "where": None,
                             "fix": f"{exc.retry_after} 秒后再试"}, status_code=429,
                            headers={"Retry-After": str(exc.retry_after)})
    assert isinstance(exc, BeianError)
    status = exc.status if isinstance(exc, RegistryError) else 400
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, Busy):
        headers = {"Retry-After": str(exc.retry_after)}
    return JSONResponse({"error": exc.what, "where": exc.where, "fix": exc.fix},
                        status_code=status, headers=headers)
