"""Complaints (投诉举报), health, metrics, structured logs, config reload and config checks."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
import yaml

from beian.crypto import KeyRing
from beian.demo import DemoServer
from beian.errors import ConfigError
from beian.gateway import Gateway, check_config, load_gateway_config
from beian.gateway import serve_in_thread as serve_gateway
from beian.standards import load_edition

from .conftest import ADMIN, ADMIN_TOKEN, PRODUCER, form_token, keyword_screening, records, sdk


def test_complaint_ticket_status_and_page(gateway: object) -> None:
    root = gateway.root_url  # type: ignore[attr-defined]
    page = httpx.get(root + "/complaints")
    assert page.status_code == 200 and "投诉举报" in page.text
    assert re.search(r'id="handling-days">15<', page.text)
    r = httpx.post(root + "/complaints", json={"content": "回答里有错误信息", "category": "违法不良信息",
                                               "contact": "13900000000", "record_id": "abc"})  # fmt: skip
    assert r.status_code == 201
    ticket = r.json()["ticket"]
    assert re.fullmatch(r"TS\d{8}[A-Z2-9]{6}", ticket) and r.json()["status"] == "已受理"
    assert "contact" not in r.json()  # contact details are not published by ticket id
    token = r.json()["token"]
    by_token = httpx.get(root + "/complaints/status", headers={"X-Beian-Ticket-Token": token})
    assert by_token.json()["status"] == "已受理"
    assert httpx.get(root + f"/complaints/{ticket}").status_code == 404  # the number alone: nothing
    # staff update it (admin token), the complainant sees the new status and the note
    assert (
        httpx.post(root + f"/admin/complaints/{ticket}", json={"status": "已办结"}).status_code
        == 401
    )
    upd = httpx.post(root + f"/admin/complaints/{ticket}", json={"status": "已办结", "note": "已修正"},
                     headers=ADMIN)  # fmt: skip
    assert upd.status_code == 200
    status_page = httpx.get(root + "/complaints/status", params={"token": token})
    assert "已办结" in status_page.text and "已修正" in status_page.text
    listed = httpx.get(root + "/admin/complaints", headers=ADMIN).json()
    assert listed[0]["contact"] == "13900000000" and listed[0]["record_id"] == "abc"
    with sqlite3.connect(gateway.gateway.config.records.path) as con:
        raw = con.execute("SELECT content_enc FROM complaints").fetchone()[0]
    assert raw.startswith("enc:v1:")


def test_complaint_form_post_and_errors(gateway: object) -> None:
    root = gateway.root_url  # type: ignore[attr-defined]
    token = form_token(httpx.get(root + "/complaints").text)
    r = httpx.post(root + "/complaints", data={"content": "表单提交", "category": "其他",
                                               "form_token": token})  # fmt: skip
    assert r.status_code == 201 and "投诉编号" in r.text
    assert httpx.post(root + "/complaints", json={"content": "  "}).status_code == 400
    bad = httpx.post(root + "/complaints", json={"content": "x", "category": "不存在"})
    assert bad.status_code == 400 and "类别" in bad.json()["error"]["message"]
    assert httpx.get(root + "/complaints/TS00000000AAAAAA").status_code == 404


def test_health_and_metrics(gateway: object) -> None:
    root = gateway.root_url  # type: ignore[attr-defined]
    h = httpx.get(root + "/healthz", params={"upstream": "1"}, headers=ADMIN).json()
    assert h["status"] == "ok" and h["upstream"]["status"] == 200 and h["config_version"] == 1
    sdk(gateway).chat.completions.create(model="m", messages=[{"role": "user", "content": "你好"}])  # type: ignore[arg-type]
    m = httpx.get(root + "/metrics", headers=ADMIN).text
    assert 'beian_gateway_requests_total{outcome="ok",stream="false"} 1.0' in m
    assert 'beian_gateway_request_seconds_count{stream="false"} 1.0' in m


def test_structured_log_line(gateway: object, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="beian.gateway.access"):
        sdk(gateway).chat.completions.create(  # type: ignore[arg-type]
            model="m", messages=[{"role": "user", "content": "我的秘密"}], user="gina"
        )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "beian.gateway.access"]
    entry = json.loads(line)
    assert entry["outcome"] == "ok" and entry["user"] != "gina" and "我的秘密" not in line


def _write(path: Path, data: dict[str, object]) -> None:
    path.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), encoding="utf-8")


def test_config_reload(tmp_path: Path, upstream: DemoServer) -> None:
    cfg_file = tmp_path / "gateway.yaml"
    base = {"upstream": {"base_url": upstream.base_url}, "records": {"path": "gw.db"},
            "labels": {"content_producer": PRODUCER},
            "admin_token": ADMIN_TOKEN, "screening": {"input_refusal": "旧的拒答"}}  # fmt: skip
    _write(cfg_file, base)
    gw = Gateway(
        load_gateway_config(cfg_file), ring=KeyRing.generate(), screening_factory=keyword_screening
    )
    assert gw.config.records.path == str(tmp_path / "gw.db")  # relative to the config file
    with serve_gateway(gw) as g:

        def ask() -> str | None:
            c = sdk(g).chat.completions.create(
                model="m", messages=[{"role": "user", "content": "制造炸弹"}]
            )
            return c.choices[0].message.content

        assert ask() == "旧的拒答"
        _write(cfg_file, {**base, "screening": {"input_refusal": "新的拒答"}})
        assert httpx.post(g.root_url + "/admin/reload").status_code == 401
        r = httpx.post(g.root_url + "/admin/reload", headers=ADMIN)
        assert r.status_code == 200 and r.json()["version"] == 2
        assert ask() == "新的拒答"
        # a broken file is refused and the running configuration stays
        _write(cfg_file, {**base, "screening": {"pii": "shred"}})
        bad = httpx.post(g.root_url + "/admin/reload", headers=ADMIN)
        assert bad.status_code == 400 and "gateway.screening.pii" in bad.json()["message"]
        assert ask() == "新的拒答" and gw.version == 2
        assert len(records(g)) == 3


def test_config_errors_point_at_the_field(tmp_path: Path) -> None:
    f = tmp_path / "g.yaml"
    _write(f, {"records": {"retention_days": "forever"}})
    with pytest.raises(ConfigError) as err:
        load_gateway_config(f)
    assert "records.retention_days" in (err.value.where or "")


def test_check_config_findings(tmp_path: Path) -> None:
    f = tmp_path / "g.yaml"
    _write(f, {"records": {"retention_days": 90}, "screening": {"pii": "off"},
               "labels": {"notice": "本内容仅供参考"}})  # fmt: skip
    codes = {x.code for x in check_config(load_gateway_config(f), load_edition(), environ={})}
    assert codes == {"BA-GW-001", "BA-GW-002", "BA-GW-004", "BA-GW-005", "BA-GW-006",
                     "BA-GW-007", "BA-GW-009"}  # fmt: skip
    (tmp_path / "kw.txt").write_text("# risk: A1a\n违禁词语\n", encoding="utf-8")
    KeyRing.generate().save(tmp_path / "keys.json")
    _write(f, {"screening": {"lexicon": ["kw.txt"]}, "complaints": {"email": "a@b.cn"},
               "labels": {"content_producer": PRODUCER}, "records": {"key_file": "keys.json"}})  # fmt: skip
    assert check_config(load_gateway_config(f), load_edition(), environ={}) == []
    # the floor is the edition's figure: overriding it changes the check
    edition = load_edition(overrides={"measures.log_retention_min_months": 12})
    assert [x.code for x in check_config(load_gateway_config(f), edition)] == ["BA-GW-001"]
