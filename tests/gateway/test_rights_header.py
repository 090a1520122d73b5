"""Users' rights behind the provider's authenticating proxy (``identity.mode: header``), and the
staff's ``POST /admin/rights/{ticket}``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from beian.gateway import RunningGateway

from .conftest import ADMIN, MakeGateway, gateway_config
from .test_rights import chat as rights_chat


def as_user(user: str) -> dict[str, str]:
    return {"X-Beian-User": user}  # what the proxy sets after its own login


@pytest.fixture
def proxied(make_gateway: MakeGateway, tmp_path: Path, upstream: Any) -> RunningGateway:
    cfg = gateway_config(tmp_path, upstream.base_url, identity={"mode": "header"},
                         rights={"notice_version": "2026-11"})  # fmt: skip
    return make_gateway(config=cfg)


def chat(g: RunningGateway, user: str, text: str) -> str:
    return rights_chat(g, user, text, as_user(user))


def test_rights_under_the_proxys_header(proxied: RunningGateway) -> None:
    root, gw = proxied.root_url, proxied.gateway
    mine = chat(proxied, "carol", "卡罗尔的问题")
    theirs = chat(proxied, "dave", "戴夫的问题")
    # no header: the proxy did not vouch for anyone
    assert httpx.get(root + "/privacy/data").status_code in (401, 403)
    listed = httpx.get(root + "/privacy/data", headers=as_user("carol")).json()
    assert [c["id"] for c in listed["conversations"]] == [mine]
    export = httpx.post(root + "/privacy/data/export", json={"format": "json"},
                        headers=as_user("carol"))  # fmt: skip
    assert export.status_code == 200 and "卡罗尔的问题" in export.text and "戴夫" not in export.text
    # another user's record cannot be deleted through this user's header
    other = httpx.post(root + "/privacy/data/delete", json={"record_ids": [theirs]},
                       headers=as_user("carol"))  # fmt: skip
    assert other.status_code == 400
    gone = httpx.post(root + "/privacy/data/delete", json={"all": True}, headers=as_user("carol"))
    assert gone.status_code == 200 and gone.json()["erased"] == [mine]
    assert gw.rights.retained(mine) is not None
    kept = gw.store.get(theirs)
    assert kept is not None and kept.sent
    consent = httpx.post(root + "/privacy/consent", json={"action": "accept"},
                         headers=as_user("carol"))  # fmt: skip
    assert consent.status_code == 200
    assert gw.rights.consent_state("carol")["consented"]


def test_staff_close_a_ticket_through_the_admin_api(proxied: RunningGateway) -> None:
    root = proxied.root_url
    rid = chat(proxied, "erin", "艾琳的问题")
    r = httpx.post(root + "/privacy/data/correct", json={"record_id": rid, "text": "应为……"},
                   headers=as_user("erin"))  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "已受理"
    ticket = r.json()["ticket"]
    url = f"{root}/admin/rights/{ticket}"
    assert httpx.post(url, json={"status": "已办结"}).status_code == 401  # no admin token
    # 不予办理 must say why; an unknown status and an unknown ticket are 400s
    assert httpx.post(url, json={"status": "不予办理"}, headers=ADMIN).status_code == 400
    assert httpx.post(url, json={"status": "随便"}, headers=ADMIN).status_code == 400
    missing = httpx.post(f"{root}/admin/rights/RQ20260101AAAAAA", json={}, headers=ADMIN)
    assert missing.status_code == 400
    done = httpx.post(url, json={"status": "已办结", "note": "已按更正内容核实"}, headers=ADMIN)
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["result"]) == ("已办结", "已按更正内容核实")
    rows = httpx.get(root + "/admin/rights", headers=ADMIN).json()
    assert [q["status"] for q in rows if q["ticket"] == ticket] == ["已办结"]
    # the user sees the outcome too
    mine = httpx.get(root + "/privacy/data", headers=as_user("erin")).json()
    assert any(q["ticket"] == ticket and q["status"] == "已办结" for q in mine["requests"])
