"""The complaint channel under a flood: per-client rate limit, every field capped, the body
capped before it is read (issue 20, item 4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from beian.crypto import KeyRing
from beian.gateway import Gateway
from beian.gateway import serve_in_thread as serve_gateway

from .conftest import ADMIN, MakeGateway, form_token, gateway_config, keyword_screening


def _post(root: str, body: dict[str, Any], ip: str | None = None) -> httpx.Response:
    headers = {"X-Real-IP": ip} if ip else {}
    return httpx.post(root + "/complaints", json=body, headers=headers)


def test_rate_limit_per_client(make_gateway: MakeGateway, tmp_path: Path, upstream: Any) -> None:
    cfg = gateway_config(tmp_path, upstream.base_url, complaints={"rate_limit": 3},
                         access={"client_ip_header": "X-Real-IP", "trusted_proxies": ["127.0.0.1"]})  # fmt: skip
    root = make_gateway(config=cfg).root_url
    assert [_post(root, {"content": f"第{i}件"}, "10.0.0.1").status_code for i in range(3)] == [201] * 3
    r = _post(root, {"content": "第4件"}, "10.0.0.1")
    assert r.status_code == 429
    wait = int(r.headers["Retry-After"])
    assert 3500 < wait <= 3600  # the oldest of the 3 leaves the one-hour window then
    err = r.json()["error"]
    assert err["type"] == "rate_limit_error" and err["code"] == "rate_limited"
    assert "过于频繁" in err["message"] and str(wait) in err["message"]
    # another client is not affected; the form gets a Chinese page
    assert _post(root, {"content": "别人的"}, "10.0.0.2").status_code == 201
    token = form_token(httpx.get(root + "/complaints").text)
    page = httpx.post(root + "/complaints", data={"content": "表单", "form_token": token},
                      headers={"X-Real-IP": "10.0.0.1"})  # fmt: skip
    assert page.status_code == 429 and "过于频繁" in page.text and "<html" in page.text
    assert int(page.headers["Retry-After"]) > 3500


def test_flood_is_bounded(gateway: Any) -> None:
    """500 anonymous posts from one address leave at most the limit (5 per hour by default)."""
    root = gateway.root_url
    with httpx.Client() as client:
        codes = [client.post(root + "/complaints", json={"content": f"灌水 {i}"}).status_code
                 for i in range(500)]  # fmt: skip
    assert codes.count(201) == 5 and codes.count(429) == 495
    assert len(gateway.gateway.desk.list()) == 5


def test_the_limit_is_shared_by_gateways_on_one_file(tmp_path: Path, upstream: Any) -> None:
    """Worker processes each open the records file; the count is the file's, not a process's."""
    cfg = gateway_config(tmp_path, upstream.base_url, complaints={"rate_limit": 2})
    ring = KeyRing.generate()
    with serve_gateway(Gateway(cfg, ring=ring, screening_factory=keyword_screening)) as a, \
         serve_gateway(Gateway(cfg, ring=ring, screening_factory=keyword_screening)) as b:  # fmt: skip
        assert _post(a.root_url, {"content": "一"}).status_code == 201
        assert _post(b.root_url, {"content": "二"}).status_code == 201
        assert _post(a.root_url, {"content": "三"}).status_code == 429
        assert _post(b.root_url, {"content": "四"}).status_code == 429


@pytest.mark.parametrize(
    ("name", "body", "param"),
    [
        ("content over the limit", {"content": "长" * 5001}, "content"),
        ("contact over the limit", {"content": "x", "contact": "1" * 201}, "contact"),
        ("record id over the limit", {"content": "x", "record_id": "a" * 65}, "record_id"),
        ("record id with markup", {"content": "x", "record_id": "[/x]"}, "record_id"),
        ("category not listed", {"content": "x", "category": "不存在" * 1000}, "category"),
        ("content not a string", {"content": {"a": 1}}, "content"),
        ("contact not a string", {"content": "x", "contact": ["1"]}, "contact"),
        ("empty content", {"content": "   "}, "content"),
    ],
)  # fmt: skip
def test_every_field_is_capped(gateway: Any, name: str, body: dict[str, Any], param: str) -> None:
    r = _post(gateway.root_url, body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["param"] == param and err["type"] == "invalid_request_error"
    assert len(r.text) < 1000  # the error does not echo the oversized value
    assert gateway.gateway.desk.list() == []


def _chunks(total: int) -> Iterator[bytes]:
    yield b'{"content": "'
    for _ in range(total // 65536):
        yield b"x" * 65536
    yield b'"}'


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_body_over_the_limit_is_413(gateway: Any, declared: bool) -> None:
    root = gateway.root_url
    big = b'{"content": "' + b"x" * 200_000 + b'"}'
    content: Any = big if declared else _chunks(200_000)
    r = httpx.post(root + "/complaints", content=content, headers={"content-type": "application/json"})
    assert r.status_code == 413
    err = r.json()["error"]
    assert err["code"] == "request_too_large" and "65536" in err["message"] and "过大" in err["message"]
    form = httpx.post(root + "/complaints", data={"content": "x" * 200_000})
    assert form.status_code == 413 and "请求体过大" in form.text and "<html" in form.text
    assert gateway.gateway.desk.list() == []


def test_lone_surrogate_is_kept_as_a_replacement_character(gateway: Any) -> None:
    raw = json.dumps({"content": "回答有问题\ud800", "contact": "\udfff"})  # valid JSON escapes
    r = httpx.post(gateway.root_url + "/complaints", content=raw,
                   headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 201, r.text
    (c,) = gateway.gateway.desk.list()
    assert c.content == "回答有问题\ufffd" and c.contact == "\ufffd"


def test_admin_note_is_capped(gateway: Any) -> None:
    root = gateway.root_url
    ticket = _post(root, {"content": "x"}).json()["ticket"]
    r = httpx.post(root + f"/admin/complaints/{ticket}", json={"status": "处理中", "note": "注" * 2001},
                   headers=ADMIN)  # fmt: skip
    assert r.status_code == 400 and r.json()["error"]["param"] == "note"
    ok = httpx.post(root + f"/admin/complaints/{ticket}", json={"status": "处理中", "note": "注" * 2000},
                    headers=ADMIN)  # fmt: skip
    assert ok.status_code == 200


@pytest.mark.parametrize(
    ("name", "headers", "with_token", "status"),
    [
        ("the page's own form", {}, True, 201),
        ("another site's page", {"Origin": "https://evil.example"}, True, 403),
        ("fetch metadata says cross-site", {"Sec-Fetch-Site": "cross-site"}, True, 403),
        ("no form token", {}, False, 403),
        ("a made-up form token", {}, "9999999999.00", 403),
    ],
)  # fmt: skip
def test_complaint_form_refuses_cross_site_posts(gateway: Any, name: str, headers: dict[str, str],
                                                 with_token: object, status: int) -> None:  # fmt: skip
    root = gateway.root_url
    data = {"content": "表单投诉", "category": "其他"}
    if with_token:
        token = form_token(httpx.get(root + "/complaints").text)
        data["form_token"] = token if with_token is True else str(with_token)
    r = httpx.post(root + "/complaints", data=data, headers=headers)
    assert r.status_code == status, r.text
    assert len(gateway.gateway.desk.list()) == (1 if status == 201 else 0)
