"""Who the user is: provider-signed user tokens, the trusted header, and user id rules.

``identity.mode`` decides what the gateway believes about a request's user:

- ``off``: the client's word (the chat ``user`` field, ``user_header``, the opt-out page's
  ``user``); only the id's length and characters are checked.
- ``signed``: a token the provider's own backend signed for its logged-in user
  (:func:`sign_user_token`: HMAC-SHA256 over the user id and an expiry, with the configured key),
  sent in ``token_header`` (a page link: ``?token=``). A claimed ``user`` must equal the token's.
- ``header``: ``user_header`` is set by the provider's authenticating reverse proxy (which
  removes any client-sent copy); a claimed ``user`` must equal it.

Token format (any language can mint one): ``v1.<b64url(user)>.<expiry unix seconds>.<b64url(
HMAC-SHA256(key, "v1.<b64url(user)>.<expiry>"))>``, base64url without padding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from beian.errors import ConfigError
from beian.gateway._config import GatewayConfig, IdentityConfig
from beian.gateway._upstream import error_body, error_response

__all__ = [
    "KEY_MIN_BYTES",
    "Identity",
    "IdentityError",
    "is_public_bind",
    "load_identity_key",
    "refuse_unverified_public",
    "sign_user_token",
    "verify_user_token",
]

KEY_MIN_BYTES = 32
_VERSION = "v1"
_KEY_FIX = (
    "生成密钥：python -c 'import secrets; print(secrets.token_urlsafe(32))'，"
    "写入 identity.key_file 指向的文件或 identity.key_env 指定的环境变量"
)


class IdentityError(Exception):
    """The request's identity is missing, malformed, expired or contradicts itself."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param

    def response(self, headers: dict[str, str] | None = None) -> Response:
        """The OpenAI-style JSON error."""
        etype = {401: "authentication_error", 403: "permission_error"}.get(
            self.status, "invalid_request_error"
        )
        body = error_body(self.message, etype, self.code)
        body["error"]["param"] = self.param
        return error_response(self.status, body, headers)


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, message: str) -> str:
    return _b64e(hmac.new(key, message.encode("ascii"), hashlib.sha256).digest())


def sign_user_token(key: bytes, user: str, ttl_s: float, *, now: float | None = None) -> str:
    """A token vouching for ``user`` for ``ttl_s`` seconds (what the provider's backend issues)."""
    if len(key) < KEY_MIN_BYTES:
        raise ConfigError(
            f"身份签名密钥太短（{len(key)} 字节，至少 {KEY_MIN_BYTES}）", fix=_KEY_FIX
        )
    expires = int((time.time() if now is None else now) + ttl_s)
    body = f"{_VERSION}.{_b64e(user.encode('utf-8'))}.{expires}"
    return f"{body}.{_mac(key, body)}"


def verify_user_token(key: bytes, token: str, *, now: float | None = None) -> str:
    """The user a valid, unexpired token names; :class:`IdentityError` (401) otherwise."""
    parts = token.strip().split(".")
    if len(parts) != 4 or parts[0] != _VERSION or not parts[2].isdigit():
        raise IdentityError(401, "invalid_user_token", "用户令牌格式不对")
    body = ".".join(parts[:3])
    try:
        good = hmac.compare_digest(_mac(key, body), parts[3])
        user = _b64d(parts[1]).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeError):
        raise IdentityError(401, "invalid_user_token", "用户令牌格式不对") from None
    if not good:
        raise IdentityError(401, "invalid_user_token", "用户令牌签名不对（不是本服务签发的）")
    if int(parts[2]) <= (time.time() if now is None else now):
        raise IdentityError(401, "expired_user_token", "用户令牌已过期，请重新登录后再试")
    return user


def load_identity_key(
    cfg: IdentityConfig, environ: Mapping[str, str] | None = None
) -> bytes | None:
    """The signing key of ``mode: signed`` (``None`` in the other modes); a missing or short key
    is a :class:`ConfigError` naming where it should be."""
    if cfg.mode != "signed":
        return None
    env = os.environ if environ is None else environ
    if cfg.key_file:
        try:
            raw = Path(cfg.key_file).read_text(encoding="utf-8").strip()
        except OSError:
            raise ConfigError(
                "身份签名密钥文件无法读取", where=cfg.key_file, fix=_KEY_FIX
            ) from None
        where = cfg.key_file
    elif cfg.key_env:
        raw, where = env.get(cfg.key_env, "").strip(), f"环境变量 {cfg.key_env}"
    else:
        raise ConfigError(
            "identity.mode 为 signed，但没有签名密钥", where="identity.key_file / identity.key_env",
            fix=_KEY_FIX,
        )  # fmt: skip
    key = raw.encode("utf-8")
    if len(key) < KEY_MIN_BYTES:
        raise ConfigError(
            f"身份签名密钥太短或未设置（{len(key)} 字节，至少 {KEY_MIN_BYTES} 字节）",
            where=where, fix=_KEY_FIX,
        )  # fmt: skip
    return key


def is_public_bind(host: str) -> bool:
    """Whether listening on ``host`` is reachable from other machines (a name other than
    ``localhost`` counts as public)."""
    if host.strip("[]").casefold() == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return True


def refuse_unverified_public(config: GatewayConfig, host: str | None) -> None:
    """The safe default for a gateway on the internet: with ``identity.mode: off`` (the default:
    users are who the client says) the gateway serves on loopback addresses only, behind the
    provider's own authentication; listening on any other address needs ``signed`` or
    ``header``. Checked at start and on every reload."""
    if host is None or config.identity.mode != "off" or not is_public_bind(host):
        return
    raise ConfigError(
        f"网关要在 {host} 上对外监听，而用户身份由客户端自报（identity.mode: off）："
        "任何人都能冒用他人的用户标识、查看或更改他人的“不用于训练”设置，网关拒绝启动",
        where="identity.mode",
        fix="设 identity.mode: signed 并配置签名密钥（服务方后端为登录用户签发令牌），"
            "或 identity.mode: header（认证代理写入用户请求头），或只在本机监听（--host 127.0.0.1）",
    )  # fmt: skip


@dataclass(frozen=True)
class Identity:
    """The identity rules in force (one per loaded configuration)."""

    config: GatewayConfig
    key: bytes | None

    @classmethod
    def of(cls, config: GatewayConfig, environ: Mapping[str, str] | None = None) -> Identity:
        return cls(config, load_identity_key(config.identity, environ))

    @property
    def mode(self) -> str:
        return self.config.identity.mode

    def check_user(self, value: object, param: str) -> str:
        """``value`` as a user id: a string of allowed characters within the length limit."""
        cfg = self.config.identity
        if not isinstance(value, str) or not value:
            raise IdentityError(400, "invalid_user", f"用户标识 {param} 应为非空字符串", param)
        if len(value) > cfg.user_max_chars:
            raise IdentityError(400, "invalid_user",
                                f"用户标识过长（{len(value)} 字符，上限 {cfg.user_max_chars}）", param)  # fmt: skip
        if not cfg.user_pattern.fullmatch(value):
            raise IdentityError(
                400, "invalid_user",
                "用户标识含不允许的字符（只可用字母、数字与 _ . @ : + = / -）", param,
            )  # fmt: skip
        return value

    def vouched(self, request: Request, token: str | None = None) -> str | None:
        """The user the provider vouches for (``signed``: a token, from ``token`` or the token
        header; ``header``: the trusted header); ``None`` when the request names none."""
        cfg = self.config
        if self.mode == "header":
            value = request.headers.get(cfg.user_header)
            return self.check_user(value, cfg.user_header) if value is not None else None
        if self.mode != "signed":
            return None
        token = token or request.headers.get(cfg.identity.token_header)
        if not token:
            return None
        assert self.key is not None
        return self.check_user(verify_user_token(self.key, token), cfg.identity.token_header)

    def resolve(self, request: Request, claimed: object, param: str, token: str | None = None) -> str | None:  # fmt: skip
        """The request's user: ``claimed`` (the client's word) checked against what the provider
        vouches for. ``off``: the claim (or ``user_header``); otherwise the vouched user, and a
        claim without one (401) or a different one (403) is refused."""
        if claimed is not None and claimed != "":
            claimed = self.check_user(claimed, param)
        header = self.config.user_header
        if not claimed and self.mode != "header" and request.headers.get(header) is not None:
            claimed, param = self.check_user(request.headers[header], header), header
        if self.mode == "off":
            return str(claimed) if claimed else None
        user = self.vouched(request, token)
        if claimed and user is None:
            raise IdentityError(
                401, "user_token_required",
                f"声明了用户 {param} 却没有服务方签发的用户令牌"
                + (f"（请求头 {self.config.identity.token_header}）" if self.mode == "signed"
                   else f"（请求头 {self.config.user_header}）"),
                param,
            )  # fmt: skip
        if claimed and claimed != user:
            raise IdentityError(403, "user_mismatch", f"{param} 与用户令牌中的用户不一致", param)
        return user
