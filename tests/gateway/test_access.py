"""The operator surface under an adversary: /healthz and /metrics without secrets or paths,
upstream probing and the model list not usable to try API keys, the admin token's strength and
its lockout (issue 20, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from beian.crypto import KeyRing
from beian.demo import DemoBehavior, DemoServer, serve_in_thread
from beian.errors import ConfigError
from beian.gateway import Gateway, GatewayConfig, GatewayOptions
from beian.gateway import serve_in_thread as serve_in_thread_gw

from .conftest import ADMIN, ADMIN_TOKEN, MakeGateway, gateway_config, keyword_screening

UPSTREAM_KEY = "sk-upstream-right-key"


@pytest.fixture(scope="module")
def keyed_upstream() -> Iterator[DemoServer]:
    """An upstream that answers only its own key (as a provider's model does)."""
    with serve_in_thread(DemoBehavior(api_key=UPSTREAM_KEY)) as s:
        yield s


def test_healthz_shows_no_paths_or_secrets(make_gateway: MakeGateway, tmp_path: Path, upstream: Any) -> None:
    lexicon = tmp_path / "secret-folder" / "keywords.xlsx"
    cfg = gateway_config(tmp_path, upstream.base_url, screening={"lexicon": [str(lexicon)]},
                         upstream={"api_key": UPSTREAM_KEY})  # fmt: skip
    g = make_gateway(config=cfg)
    for params, headers in (({}, {}), ({"details": "1"}, ADMIN)):
        r = httpx.get(g.root_url + "/healthz", params=params, headers=headers)
        assert r.status_code == 200
        for secret in (str(tmp_path), "secret-folder", "keywords.xlsx", "<test>", UPSTREAM_KEY, ADMIN_TOKEN):
            assert secret not in r.text
    public = httpx.get(g.root_url + "/healthz").json()
    assert set(public) == {"status", "config_version", "config_digest", "config_loaded_at", "process"}
    details = httpx.get(g.root_url + "/healthz", params={"details": "1"}, headers=ADMIN).json()
    assert details["lexicon_sources"] == 1 and details["records_backlog"] == 0
    assert httpx.get(g.root_url + "/healthz", params={"details": "1"}).status_code == 401


def test_config_digest_does_not_reveal_the_admin_token(tmp_path: Path, upstream: Any) -> None:
    """The digest is keyed: the same configuration gives a different digest under another
    key ring, so it cannot be recomputed to test guesses of the token."""
    cfg = gateway_config(tmp_path, upstream.base_url)
    a = Gateway(cfg, ring=KeyRing.generate(), screening_factory=keyword_screening)
    b = Gateway(cfg.model_copy(update={"records": cfg.records.model_copy(update={"path": str(tmp_path / "b.db")})}),
                ring=KeyRing.generate(), screening_factory=keyword_screening)  # fmt: skip
    try:
        import hashlib

        plain = hashlib.sha256(cfg.model_dump_json().encode()).hexdigest()[:16]
        assert a.config_digest != plain and a.config_digest != b.config_digest
    finally:
        a.close()
        b.close()


def test_upstream_probe_is_for_the_admin_with_the_gateways_key(
    make_gateway: MakeGateway, tmp_path: Path, keyed_upstream: DemoServer
) -> None:
    cfg = gateway_config(tmp_path, keyed_upstream.base_url, upstream={"api_key": UPSTREAM_KEY})
    g = make_gateway(config=cfg)
    anyone = httpx.get(g.root_url + "/healthz", params={"upstream": "1"})
    assert anyone.status_code == 401 and "upstream" not in anyone.text
    admin = httpx.get(g.root_url + "/healthz", params={"upstream": "1"}, headers=ADMIN).json()
    assert admin["status"] == "ok" and admin["upstream"]["status"] == 200


def test_the_admin_token_never_goes_upstream(make_gateway: MakeGateway, tmp_path: Path) -> None:
    """No upstream key configured (clients' keys pass through): the admin's probe goes without
    one. An upstream that would accept the admin token shows whether it was sent."""
    with serve_in_thread(DemoBehavior(api_key=ADMIN_TOKEN)) as up:
        g = make_gateway(config=gateway_config(tmp_path, up.base_url))
        h = httpx.get(g.root_url + "/healthz", params={"upstream": "1"}, headers=ADMIN)
        assert h.status_code == 503 and h.json()["upstream"]["status"] == 401
        assert httpx.get(g.base_url + "/models", headers=ADMIN).status_code == 401


def test_models_cannot_be_used_to_try_api_keys(
    make_gateway: MakeGateway, tmp_path: Path, keyed_upstream: DemoServer
) -> None:
    """Without an upstream key the chat route passes the client's key on; /v1/models used to do
    the same and told a right key (200) from a wrong one (401). Now both get the same answer."""
    g = make_gateway(config=gateway_config(tmp_path, keyed_upstream.base_url))
    url = g.base_url + "/models"
    right = httpx.get(url, headers={"Authorization": f"Bearer {UPSTREAM_KEY}"})
    wrong = httpx.get(url, headers={"Authorization": "Bearer sk-guess"})
    assert right.status_code == wrong.status_code == 401
    assert right.json() == wrong.json() and right.json()["error"]["code"] == "admin_required"


def test_models_served_from_config(make_gateway: MakeGateway, tmp_path: Path, keyed_upstream: DemoServer) -> None:
    cfg = gateway_config(tmp_path, keyed_upstream.base_url, access={"models": ["qwen-7b", "qwen-72b"]})
    g = make_gateway(config=cfg)
    right = httpx.get(g.base_url + "/models", headers={"Authorization": f"Bearer {UPSTREAM_KEY}"})
    wrong = httpx.get(g.base_url + "/models", headers={"Authorization": "Bearer sk-guess"})
    assert right.status_code == wrong.status_code == 200 and right.json() == wrong.json()
    assert [m["id"] for m in right.json()["data"]] == ["qwen-7b", "qwen-72b"]


@pytest.mark.parametrize(
    ("name", "access", "headers", "status"),
    [
        ("no token", {}, {}, 401),
        ("a client's API key", {}, {"Authorization": "Bearer sk-test"}, 401),
        ("the admin token", {}, ADMIN, 200),
        ("the metrics token", {"metrics_token": "m" * 12 + "etrics-token-012"},
         {"Authorization": "Bearer " + "m" * 12 + "etrics-token-012"}, 200),
        ("public by choice", {"public_metrics": True}, {}, 200),
    ],
)  # fmt: skip
def test_metrics_need_a_token(make_gateway: MakeGateway, tmp_path: Path, upstream: Any, name: str,
                              access: dict[str, Any], headers: dict[str, str], status: int) -> None:  # fmt: skip
    g = make_gateway(config=gateway_config(tmp_path, upstream.base_url, access=access))
    r = httpx.get(g.root_url + "/metrics", headers=headers)
    assert r.status_code == status
    assert ("beian_gateway_requests" in r.text) is (status == 200)


@pytest.mark.parametrize(
    ("name", "token", "why"),
    [
        ("short", "admin-secret", "只有 12 个字符"),
        ("the docs' placeholder", "换成随机长字符串", "只有 8 个字符"),
        ("long but repetitive", "ab" * 20, "只用了 2 种字符"),
        ("with a space", "correct horse battery staple 12", "含空白"),
    ],
)
def test_weak_admin_token_refused_at_start(tmp_path: Path, upstream: Any, name: str, token: str,
                                           why: str) -> None:  # fmt: skip
    cfg = gateway_config(tmp_path, upstream.base_url, **{})
    cfg = cfg.model_copy(update={"admin_token": token})
    with pytest.raises(ConfigError) as err:
        Gateway(cfg, ring=KeyRing.generate(), screening_factory=keyword_screening)
    assert "强度不足" in err.value.what and why in err.value.what and err.value.where == "admin_token"
    assert not (tmp_path / "gw.db").exists()  # refused before anything was opened


def test_weak_admin_token_refused_on_reload(tmp_path: Path, upstream: Any) -> None:
    import yaml

    from beian.gateway import load_gateway_config

    path = tmp_path / "gateway.yaml"
    data = gateway_config(tmp_path, upstream.base_url).model_dump(mode="json", exclude_none=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    gw = Gateway(load_gateway_config(path), ring=KeyRing.generate(), screening_factory=keyword_screening)
    try:
        path.write_text(yaml.safe_dump(data | {"admin_token": "admin"}, allow_unicode=True), "utf-8")
        result = gw.reload()
        assert not result.ok and "强度不足" in result.message
        assert gw.config.admin_token == ADMIN_TOKEN
    finally:
        gw.close()


def test_admin_lockout_after_repeated_wrong_tokens(make_gateway: MakeGateway, tmp_path: Path,
                                                    upstream: Any) -> None:  # fmt: skip
    cfg = gateway_config(tmp_path, upstream.base_url, access={
        "client_ip_header": "X-Real-IP", "trusted_proxies": ["127.0.0.1"],
        "admin_max_failures": 3, "admin_lockout_s": 60})  # fmt: skip
    root = make_gateway(config=cfg).root_url

    def ask(token: str, ip: str) -> httpx.Response:
        return httpx.get(root + "/admin/complaints",
                         headers={"Authorization": f"Bearer {token}", "X-Real-IP": ip})  # fmt: skip

    assert [ask("guess-" + str(i), "10.1.1.1").status_code for i in range(3)] == [401, 401, 429]
    locked = ask(ADMIN_TOKEN, "10.1.1.1")  # even the right token, until the lockout ends
    assert locked.status_code == 429 and 50 < int(locked.headers["Retry-After"]) <= 60
    assert "过多" in locked.json()["error"]["message"]
    assert ask(ADMIN_TOKEN, "10.1.1.2").status_code == 200  # another client is not locked out
    # asking without a token is not a guess
    for _ in range(5):
        assert httpx.get(root + "/admin/complaints", headers={"X-Real-IP": "10.1.1.3"}).status_code == 401
    assert ask(ADMIN_TOKEN, "10.1.1.3").status_code == 200


def test_config_without_admin_token_keeps_admin_closed(make_gateway: MakeGateway, tmp_path: Path,
                                                        upstream: Any) -> None:  # fmt: skip
    cfg = GatewayConfig.from_mapping(
        gateway_config(tmp_path, upstream.base_url).model_dump() | {"admin_token": None}
    )
    g = make_gateway(config=cfg)
    assert httpx.post(g.root_url + "/admin/reload", headers={"Authorization": "Bearer None"}).status_code == 401
    assert httpx.get(g.root_url + "/metrics", headers={"Authorization": "Bearer None"}).status_code == 401


def test_admin_lockout_is_shared_by_gateways_on_one_store(tmp_path: Path, upstream: Any) -> None:
    """Worker processes each open the records file: wrong tokens spread over two gateways count
    together, and a client locked out by one is locked out by the other (it used to be per
    process, so each worker allowed its own ``admin_max_failures`` guesses)."""
    cfg = gateway_config(tmp_path, upstream.base_url, access={
        "client_ip_header": "X-Real-IP", "trusted_proxies": ["127.0.0.0/8"],
        "admin_max_failures": 4, "admin_lockout_s": 60})  # fmt: skip
    ring = KeyRing.generate()
    with serve_in_thread_gw(Gateway(cfg, ring=ring, screening_factory=keyword_screening)) as a, \
         serve_in_thread_gw(Gateway(cfg, ring=ring, screening_factory=keyword_screening)) as b:  # fmt: skip

        def ask(g: Any, token: str, ip: str = "10.2.2.2") -> httpx.Response:
            return httpx.get(g.root_url + "/admin/complaints",
                             headers={"Authorization": f"Bearer {token}", "X-Real-IP": ip})  # fmt: skip

        codes = [ask(g, f"guess-{i}").status_code for i, g in enumerate((a, b, a, b))]
        assert codes == [401, 401, 401, 429]  # the fourth guess overall, on either gateway
        for g in (a, b):
            locked = ask(g, ADMIN_TOKEN)
            assert locked.status_code == 429 and 50 < int(locked.headers["Retry-After"]) <= 60
            assert ask(g, ADMIN_TOKEN, "10.2.2.3").status_code == 200  # others are not locked out


def _guess(root: str, token: str, headers: dict[str, str]) -> int:
    h = {"Authorization": f"Bearer {token}", **headers}
    return httpx.get(root + "/admin/complaints", headers=h).status_code


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(make_gateway: MakeGateway, tmp_path: Path,
                                                             upstream: Any) -> None:  # fmt: skip
    """By default no proxy is trusted: a local client (uvicorn used to believe X-Forwarded-For
    from 127.0.0.1) cannot pick a new address for every guess and so escape the lockout."""
    cfg = gateway_config(tmp_path, upstream.base_url,
                         access={"admin_max_failures": 3, "admin_lockout_s": 60})  # fmt: skip
    root = make_gateway(config=cfg).root_url
    spoofed = [{"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}",
                "Forwarded": f"for=192.0.2.{i}"} for i in range(4)]  # fmt: skip
    assert [_guess(root, f"guess-{i}", h) for i, h in enumerate(spoofed)] == [401, 401, 429, 429]
    # the peer itself is locked out, whatever it claims to be
    assert _guess(root, ADMIN_TOKEN, {"X-Forwarded-For": "203.0.113.200"}) == 429


def test_a_trusted_proxy_names_the_client(tmp_path: Path, upstream: Any) -> None:
    """With the proxy trusted (here from the command line, ``--trusted-proxies``), its
    X-Forwarded-For names the client: the rightmost address that is not a trusted proxy."""
    cfg = gateway_config(tmp_path, upstream.base_url,
                         access={"admin_max_failures": 2, "admin_lockout_s": 60})  # fmt: skip
    gw = Gateway(cfg, ring=KeyRing.generate(), screening_factory=keyword_screening,
                 options=GatewayOptions(trusted_proxies=("127.0.0.1", "10.0.0.0/8")))  # fmt: skip
    with serve_in_thread_gw(gw) as g:
        # what the client wrote itself (left) does not count; 10.0.0.5 is another trusted proxy
        chain = {"X-Forwarded-For": "192.0.2.77, 198.51.100.7, 10.0.0.5"}
        assert [_guess(g.root_url, f"guess-{i}", chain) for i in range(2)] == [401, 429]
        assert _guess(g.root_url, ADMIN_TOKEN, {"X-Forwarded-For": "198.51.100.7"}) == 429
        assert _guess(g.root_url, ADMIN_TOKEN, {"X-Forwarded-For": "192.0.2.77"}) == 200
        assert _guess(g.root_url, ADMIN_TOKEN, {}) == 200  # the proxy itself is another client


def test_client_address_header_needs_trusted_proxies(tmp_path: Path, upstream: Any) -> None:
    cfg = gateway_config(tmp_path, upstream.base_url, access={"client_ip_header": "X-Real-IP"})
    with pytest.raises(ConfigError) as err:
        Gateway(cfg, ring=KeyRing.generate(), screening_factory=keyword_screening)
    assert err.value.where == "access.trusted_proxies" and "X-Real-IP" in err.value.what
    with pytest.raises(ConfigError, match="可信代理地址无效"):
        gateway_config(tmp_path, upstream.base_url, access={"trusted_proxies": ["proxy.internal"]})
    with pytest.raises(ConfigError, match="可信代理地址无效") as err:
        Gateway(gateway_config(tmp_path, upstream.base_url), ring=KeyRing.generate(),
                screening_factory=keyword_screening, options=GatewayOptions(trusted_proxies=("10.0.0.300",)))  # fmt: skip
    assert err.value.where == "--trusted-proxies"
