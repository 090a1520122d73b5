"""User rights under an adversary: signed user tokens, the trusted header, user id rules, and the
opt-out page and API refusing other users and other sites (issue 20, item 4)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from beian.crypto import KeyRing
from beian.errors import ConfigError
from beian.gateway import (
    Gateway,
    GatewayConfig,
    GatewayOptions,
    Identity,
    IdentityError,
    RunningGateway,
    load_gateway_config,
    sign_user_token,
    verify_user_token,
)

from .conftest import MakeGateway, form_token, gateway_config, keyword_screening, records

KEY = b"k" * 16 + b"0123456789abcdef"  # 32 bytes
OTHER_KEY = b"x" * 32
NOW = 1_800_000_000.0


def _tamper(token: str) -> str:
    head, mac = token.rsplit(".", 1)
    return f"{head}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"


def _swap_user(token: str) -> str:
    good = token.split(".")
    other = sign_user_token(KEY, "mallory", 60, now=NOW).split(".")
    return ".".join([good[0], other[1], good[2], good[3]])


@pytest.mark.parametrize(
    ("name", "token", "expected"),
    [
        ("valid", lambda: sign_user_token(KEY, "alice", 60, now=NOW), "alice"),
        ("a Chinese user id", lambda: sign_user_token(KEY, "用户_甲", 60, now=NOW), "用户_甲"),
        ("expired", lambda: sign_user_token(KEY, "alice", 60, now=NOW - 61), "expired_user_token"),
        ("tampered signature", lambda: _tamper(sign_user_token(KEY, "alice", 60, now=NOW)),
         "invalid_user_token"),
        ("user swapped", lambda: _swap_user(sign_user_token(KEY, "alice", 60, now=NOW)),
         "invalid_user_token"),
        ("another key", lambda: sign_user_token(OTHER_KEY, "alice", 60, now=NOW), "invalid_user_token"),
        ("not a token", lambda: "alice", "invalid_user_token"),
        ("bad base64", lambda: "v1.!!!.1900000000.abc", "invalid_user_token"),
        ("empty", lambda: "", "invalid_user_token"),
    ],
)  # fmt: skip
def test_user_tokens(name: str, token: Any, expected: str) -> None:
    try:
        assert verify_user_token(KEY, token(), now=NOW) == expected
    except IdentityError as exc:
        assert exc.status == 401 and exc.code == expected


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="太短"):
        sign_user_token(b"short", "alice", 60)
    cfg = GatewayConfig.from_mapping({"identity": {"mode": "signed", "key_env": "NO_SUCH_VAR"}})
    with pytest.raises(ConfigError, match="太短或未设置"):
        Identity.of(cfg, environ={})
    with pytest.raises(ConfigError, match="太短或未设置"):
        Identity.of(cfg, environ={"NO_SUCH_VAR": "short"})
    assert Identity.of(cfg, environ={"NO_SUCH_VAR": KEY.decode()}).key == KEY


def _chat(g: RunningGateway, user: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "你好"}]}
    if user is not None:
        body["user"] = user
    # json.dumps writes a lone surrogate as the escape \\ud800 (valid JSON)
    hdrs = {"content-type": "application/json", **(headers or {})}
    return httpx.post(g.base_url + "/chat/completions", content=json.dumps(body), headers=hdrs, timeout=10)


@pytest.mark.parametrize(
    ("name", "user", "status"),
    [
        ("plain", "user-1@example.cn", 200),
        ("Chinese letters", "张三_01", 200),
        ("too long", "u" * 129, 400),
        ("Rich markup", "[bold]x[/bold]", 400),
        ("a closing tag", "[/x]", 400),
        ("a newline (log injection)", "alice\nadmin", 400),
        ("a space", "alice bob", 400),
        ("a lone surrogate", "a\ud800", 400),
        ("zero-width space", "ali\u200bce", 400),
        ("not a string", 12345, 400),
        ("an object", {"id": "alice"}, 400),
    ],
)  # fmt: skip
def test_chat_user_is_checked(make_gateway: MakeGateway, name: str, user: object, status: int) -> None:
    g = make_gateway()
    r = _chat(g, user)
    assert r.status_code == status, r.text
    if status == 400:
        err = r.json()["error"]
        assert err["code"] == "invalid_user" and err["param"] == "user" and "用户标识" in err["message"]
        assert records(g) == []
    else:
        assert [e.user for e in records(g)] == [user]


def test_user_header_is_checked_too(make_gateway: MakeGateway) -> None:
    g = make_gateway()
    assert _chat(g, headers={"X-Beian-User": "[/x]"}).status_code == 400
    assert _chat(g, headers={"X-Beian-User": "carol"}).status_code == 200
    assert [e.user for e in records(g)] == ["carol"]


@pytest.fixture
def signed(make_gateway: MakeGateway, tmp_path: Path, upstream: Any) -> RunningGateway:
    """A gateway with identity.mode: signed (the key in a file, as a provider deploys it)."""
    key_file = tmp_path / "identity.key"
    key_file.write_text(KEY.decode() + "\n", encoding="utf-8")
    identity = {"mode": "signed", "key_file": str(key_file)}
    return make_gateway(config=gateway_config(tmp_path, upstream.base_url, identity=identity))


def tok(user: str, ttl: float = 600) -> dict[str, str]:
    return {"X-Beian-User-Token": sign_user_token(KEY, user, ttl)}


@pytest.mark.parametrize(
    ("name", "user", "headers", "status", "recorded"),
    [
        ("token alone", None, lambda: tok("alice"), 200, "alice"),
        ("token and the same user", "alice", lambda: tok("alice"), 200, "alice"),
        ("anonymous", None, lambda: {}, 200, None),
        ("a claimed user without token", "alice", lambda: {}, 401, ""),
        ("another user's token", "alice", lambda: tok("mallory"), 403, ""),
        ("an expired token", None, lambda: tok("alice", ttl=-1), 401, ""),
        ("a forged token", None, lambda: {"X-Beian-User-Token": _tamper(tok("alice")["X-Beian-User-Token"])}, 401, ""),
        ("the plain user header is a claim", None, lambda: {"X-Beian-User": "alice"}, 401, ""),
    ],
)  # fmt: skip
def test_signed_chat_user(signed: RunningGateway, name: str, user: str | None, headers: Any,
                          status: int, recorded: str | None) -> None:  # fmt: skip
    r = _chat(signed, user, headers())
    assert r.status_code == status, r.text
    if status == 200:
        assert [e.user for e in records(signed)] == [recorded]
    else:
        assert records(signed) == [] and r.json()["error"]["type"] in (
            "authentication_error", "permission_error")  # fmt: skip


def test_trusted_header_mode(make_gateway: MakeGateway, tmp_path: Path, upstream: Any) -> None:
    g = make_gateway(config=gateway_config(tmp_path, upstream.base_url, identity={"mode": "header"}))
    assert _chat(g, "bob", {"X-Beian-User": "alice"}).status_code == 403
    assert _chat(g, "bob").status_code == 401  # a claim the proxy did not make
    assert _chat(g, None, {"X-Beian-User": "alice"}).status_code == 200
    assert [e.user for e in records(g)] == ["alice"]
    # the opt-out is the proxy-named user's, whatever the body says
    r = httpx.post(g.root_url + "/privacy/opt-out", json={"user": "bob"}, headers={"X-Beian-User": "alice"})
    assert r.status_code == 403
    r = httpx.post(g.root_url + "/privacy/opt-out", json={}, headers={"X-Beian-User": "alice"})
    assert r.status_code == 200 and r.json() == {"user": "alice", "opted_out": True}
    assert httpx.post(g.root_url + "/privacy/opt-out", json={}).status_code == 401


def test_signed_opt_out_only_for_the_token_holder(signed: RunningGateway) -> None:
    root, store = signed.root_url, signed.gateway.store
    # reading someone's choice needs their token
    assert httpx.get(root + "/privacy/opt-out", params={"user": "bob"}).status_code == 401
    r = httpx.get(root + "/privacy/opt-out", params={"user": "bob"}, headers={"accept": "text/html"})
    assert r.status_code == 401 and "用户令牌" in r.text
    # flipping it, too: a claim, another user's token, a forged token
    assert httpx.post(root + "/privacy/opt-out", json={"user": "bob"}).status_code == 401
    assert httpx.post(root + "/privacy/opt-out", json={"user": "bob"}, headers=tok("mallory")).status_code == 403
    forged = {"X-Beian-User-Token": _tamper(tok("bob")["X-Beian-User-Token"])}
    assert httpx.post(root + "/privacy/opt-out", json={}, headers=forged).status_code == 401
    assert store.opt_out_events("bob") == [] and not store.is_opted_out("bob")
    # bob with his own token: the API, and the page link from the provider
    r = httpx.post(root + "/privacy/opt-out", json={}, headers=tok("bob"))
    assert r.status_code == 200 and r.json() == {"user": "bob", "opted_out": True}
    # and reading it back through the API (JSON, not the page)
    r = httpx.get(root + "/privacy/opt-out", headers={**tok("bob"), "accept": "application/json"})
    assert r.status_code == 200 and r.json() == {"user": "bob", "opted_out": True}
    link = sign_user_token(KEY, "bob", 600)
    page = httpx.get(root + "/privacy/opt-out", params={"token": link})
    assert page.status_code == 200 and "不用于训练" in page.text
    assert 'name="user"' not in page.text  # the form names no user: the token does
    back = httpx.post(root + "/privacy/opt-out", data={"token": link, "opted_out": "0",
                                                       "form_token": form_token(page.text)},
                      follow_redirects=True)  # fmt: skip
    assert back.status_code == 200 and "允许用于训练" in back.text
    assert [ev["opted_out"] for ev in store.opt_out_events("bob")] == [True, False]


@pytest.mark.parametrize(
    ("name", "headers", "with_token", "status"),
    [
        ("same origin", {"Origin": "{root}"}, True, 303),
        ("no origin, no fetch metadata (not a browser)", {}, True, 303),
        ("another site's page", {"Origin": "https://evil.example"}, True, 403),
        ("another site, fetch metadata only", {"Sec-Fetch-Site": "cross-site"}, True, 403),
        ("a sandboxed frame", {"Origin": "null"}, True, 403),
        ("same origin without the page's token", {"Origin": "{root}"}, False, 403),
        ("a proxy's public origin", {"Origin": "https://ai.provider.example"}, True, 303),
    ],
)  # fmt: skip
def test_opt_out_form_refuses_cross_site_posts(
    make_gateway: MakeGateway, tmp_path: Path, upstream: Any, name: str,
    headers: dict[str, str], with_token: bool, status: int,
) -> None:  # fmt: skip
    cfg = gateway_config(tmp_path, upstream.base_url,
                         identity={"allowed_origins": ["https://ai.provider.example"]})  # fmt: skip
    g = make_gateway(config=cfg)
    page = httpx.get(g.root_url + "/privacy/opt-out", params={"user": "dave"}).text
    data = {"user": "dave", "opted_out": "1"} | ({"form_token": form_token(page)} if with_token else {})
    hdrs = {k: v.format(root=g.root_url) for k, v in headers.items()}
    r = httpx.post(g.root_url + "/privacy/opt-out", data=data, headers=hdrs)
    assert r.status_code == status, r.text
    assert g.gateway.store.is_opted_out("dave") is (status == 303)
    if status == 403:
        assert "拒绝" in r.text or "表单" in r.text


def test_opt_out_form_token_is_bound_to_its_user(gateway: RunningGateway) -> None:
    root = gateway.root_url
    mine = form_token(httpx.get(root + "/privacy/opt-out", params={"user": "eve"}).text)
    r = httpx.post(root + "/privacy/opt-out", data={"user": "frank", "form_token": mine})
    assert r.status_code == 403 and not gateway.gateway.store.is_opted_out("frank")
    expired = f"{int(time.time()) - 1}.{mine.split('.')[1]}"
    r = httpx.post(root + "/privacy/opt-out", data={"user": "eve", "form_token": expired})
    assert r.status_code == 403


def test_opt_out_api_refuses_what_a_cross_site_form_can_send(gateway: RunningGateway) -> None:
    # <form enctype="text/plain"> can post a body that parses as JSON; the API takes JSON only
    r = httpx.post(gateway.root_url + "/privacy/opt-out", content=b'{"user":"gina","x":"="}',
                   headers={"content-type": "text/plain"})  # fmt: skip
    assert r.status_code == 400 and r.json()["error"]["param"] == "content-type"
    assert not gateway.gateway.store.is_opted_out("gina")


def test_public_bind_needs_verified_identities_at_start_and_reload(tmp_path: Path, upstream: Any) -> None:
    """The safe default: a gateway that listens on a public address refuses ``identity.mode:
    off`` when constructed and when a reload would switch to it; loopback addresses keep it."""
    cfg = gateway_config(tmp_path, upstream.base_url)
    ring = KeyRing.generate()
    for host in ("0.0.0.0", "203.0.113.7", "::", "gw.provider.example"):
        with pytest.raises(ConfigError, match="拒绝启动") as exc:
            Gateway(cfg, ring=ring, options=GatewayOptions(host=host), screening_factory=keyword_screening)
        assert exc.value.where == "identity.mode"
    for host in ("127.0.0.1", "::1", "localhost"):
        Gateway(cfg, ring=ring, options=GatewayOptions(host=host), screening_factory=keyword_screening).close()
    # signed on every address; a reload to off is refused and the signed rules stay
    key_file = tmp_path / "identity.key"
    key_file.write_bytes(KEY)
    path = tmp_path / "gw.yaml"
    data = cfg.model_dump(mode="json", exclude_none=True)
    data["identity"] = {"mode": "signed", "key_file": str(key_file)}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    gw = Gateway(load_gateway_config(path), ring=ring, options=GatewayOptions(host="0.0.0.0"),
                 screening_factory=keyword_screening)  # fmt: skip
    try:
        data["identity"] = {"mode": "off"}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        result = gw.reload()
        assert not result.ok and "拒绝启动" in result.message
        assert gw.config.identity.mode == "signed"
    finally:
        gw.close()
