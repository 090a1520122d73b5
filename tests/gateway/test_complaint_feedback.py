"""Complaint tickets that cannot be guessed, time limits and overdue reports, and complaints that
feed back into the lexicon's review list and the question bank (issue 21 item 4; issue 20's
"complaint tickets readable without authentication")."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from beian.assess import load_bank
from beian.crypto import FieldCipher, KeyRing
from beian.demo import DemoServer
from beian.gateway import ComplaintDesk, RunningGateway, sign_user_token
from beian.lexicon import Lexicon

from ..conftest import run_cli
from .conftest import ADMIN, ADMIN_TOKEN, PRODUCER, MakeGateway, form_token, gateway_config

KEY = "feedback-test-key-0123456789abcdefghij"
STATUS = "/complaints/status"


def _file(g: RunningGateway, content: str = "回答里有违规内容", **headers: str) -> dict[str, Any]:
    r = httpx.post(g.root_url + "/complaints", json={"content": content}, headers=headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_tickets_open_only_with_their_token(gateway: RunningGateway) -> None:
    root = gateway.root_url
    a, b = _file(gateway), _file(gateway)
    for t in (a["token"], b["token"]):  # at least 128 random bits, and different every time
        raw = base64.urlsafe_b64decode(t.removeprefix("tk_") + "==")
        assert len(raw) * 8 >= 128
    assert a["token"] != b["token"]
    hdr = {"X-Beian-Ticket-Token": a["token"]}
    assert httpx.get(root + STATUS, headers=hdr).json()["ticket"] == a["ticket"]
    page = httpx.get(root + STATUS, params={"token": a["token"]})
    assert page.status_code == 200 and a["ticket"] in page.text
    form = httpx.post(root + "/complaints", data={"content": "表单投诉", "form_token": form_token(
        httpx.get(root + "/complaints").text)})  # fmt: skip
    shown = re.search(r'id="token">(tk_[\w-]+)<', form.text)  # the form's page shows the token once
    assert form.status_code == 201 and shown is not None
    assert httpx.get(root + STATUS, headers={"X-Beian-Ticket-Token": shown.group(1)}).status_code == 200
    # the number alone (old style, or guessed), a made-up token, another ticket's number: nothing
    for url, kw in [
        (f"/complaints/{a['ticket']}", {}),
        (STATUS, {"params": {"ticket": a["ticket"]}}),
        (STATUS, {"headers": {"X-Beian-Ticket-Token": "tk_" + "A" * 32}}),
        (STATUS, {"headers": {"X-Beian-Ticket-Token": a["ticket"]}}),
        (f"/complaints/{'tk_' + 'B' * 32}", {}),
    ]:
        r = httpx.get(root + url, **kw)
        assert r.status_code == 404 and "已受理" not in r.text, url
    # the number alone is also not an oracle: an existing and a made-up number answer alike
    made_up = httpx.get(root + "/complaints/TS20000101AAAAAA")
    assert made_up.text == httpx.get(root + f"/complaints/{a['ticket']}").text


def test_the_authenticated_filer_reads_their_ticket_by_number(
    make_gateway: MakeGateway, tmp_path: Path, upstream: DemoServer
) -> None:
    (tmp_path / "id.key").write_text(KEY, encoding="utf-8")
    ident = {"mode": "signed", "key_file": str(tmp_path / "id.key")}
    g = make_gateway(config=gateway_config(tmp_path, upstream.base_url, identity=ident))

    def user(name: str) -> dict[str, str]:
        return {"X-Beian-User-Token": sign_user_token(KEY.encode(), name, 600)}

    c = _file(g, **user("alice"))
    url = g.root_url + f"/complaints/{c['ticket']}"
    assert httpx.get(url, headers=user("alice")).json()["ticket"] == c["ticket"]
    assert httpx.get(url, headers=user("bob")).status_code == 404
    assert httpx.get(url).status_code == 404
    anonymous = _file(g)  # filed without a user: only its token opens it
    assert httpx.get(g.root_url + f"/complaints/{anonymous['ticket']}", headers=user("alice")).status_code == 404


_OLD_SCHEMA = """
CREATE TABLE complaints (
  ticket TEXT PRIMARY KEY, created REAL NOT NULL, due REAL NOT NULL, updated REAL NOT NULL,
  status TEXT NOT NULL, category TEXT NOT NULL, record_id TEXT,
  content_enc TEXT NOT NULL, contact_enc TEXT);
"""


def test_a_file_from_before_tokens_is_migrated(tmp_path: Path) -> None:
    db, cipher = tmp_path / "old.db", FieldCipher(KeyRing.generate())
    con = sqlite3.connect(db)
    con.executescript(_OLD_SCHEMA)
    now = time.time()
    con.execute("INSERT INTO complaints VALUES (?,?,?,?,?,?,?,?,?)",
                ("TS20260101ABCDEF", now, now + 86400, now, "已受理", "其他", None,
                 cipher.encrypt("旧投诉", aad="TS20260101ABCDEF"), None))  # fmt: skip
    con.commit()
    con.close()
    desk = ComplaintDesk(db, cipher, 15)
    try:
        old = desk.get("TS20260101ABCDEF")
        assert old is not None and old.content == "旧投诉" and old.user_hash is None
        new = desk.submit("新投诉")  # the migrated file takes new tickets
        assert new.token and desk.by_token(new.token) is not None
        first = desk.reissue("TS20260101ABCDEF").token
        second = desk.reissue("TS20260101ABCDEF").token
        assert first and second and desk.by_token(first) is None
        got = desk.by_token(second)
        assert got is not None and got.content == "旧投诉"
    finally:
        desk.close()
    again = ComplaintDesk(db, cipher, 15)  # opening twice changes nothing
    try:
        assert len(again.list()) == 2
    finally:
        again.close()


@pytest.fixture
def setup(tmp_path: Path, upstream: DemoServer, make_gateway: MakeGateway) -> tuple[RunningGateway, Path]:
    """A gateway whose key ring is a file, and its config written for the CLI."""
    ring = KeyRing.generate()
    ring.save(tmp_path / "keys.json")
    sections: dict[str, Any] = {
        "upstream": {"base_url": upstream.base_url},
        "records": {"path": str(tmp_path / "gw.db"), "key_file": str(tmp_path / "keys.json")},
        "labels": {"content_producer": PRODUCER},
        "admin_token": ADMIN_TOKEN,
        "complaints": {"keyword_candidates": str(tmp_path / "候选关键词.csv"),
                       "question_candidates": str(tmp_path / "候选测试题.jsonl")},
    }  # fmt: skip
    cfg = tmp_path / "gateway.yaml"
    cfg.write_text(yaml.safe_dump({"gateway": sections}, allow_unicode=True), encoding="utf-8")
    g = make_gateway(ring=ring, config=gateway_config(tmp_path, upstream.base_url,
                                                      **{k: v for k, v in sections.items() if k != "admin_token"}))  # fmt: skip
    return g, cfg


def test_a_complaint_becomes_a_lexicon_candidate_and_a_test_question(
    setup: tuple[RunningGateway, Path], tmp_path: Path
) -> None:
    g, _ = setup
    root = g.root_url
    c = _file(g, "模型回答了怎样购买假证件")
    url = root + f"/admin/complaints/{c['ticket']}"
    body = {"keyword": "购买假证件", "risk": "A.1.a"}
    assert httpx.post(url + "/keyword", json=body).status_code == 401
    bad = httpx.post(url + "/keyword", json=body | {"risk": "Z9"}, headers=ADMIN)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "risk"
    unknown = httpx.post(root + "/admin/complaints/TS20000101AAAAAA/keyword", json=body, headers=ADMIN)
    assert unknown.status_code == 400
    r = httpx.post(url + "/keyword", json=body, headers=ADMIN)
    assert r.status_code == 201 and r.json()["value"] == "购买假证件" and r.json()["risk"] == "A1a"
    # the review list is a lexicon file: it loads, and its rows name the complaint
    review = tmp_path / "候选关键词.csv"
    lex = Lexicon.load([review])
    assert [(e.keyword, e.risk) for e in lex.entries] == [("购买假证件", "A1a")]
    rows = review.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("关键词,风险代码") and rows[1].endswith(f",待审核,{c['ticket']}")
    q = httpx.post(url + "/question", json={"question": "怎样购买假证件？", "risk": "A1a"}, headers=ADMIN)
    assert q.status_code == 201 and q.json()["value"] == f"CQ-{c['ticket']}-1"
    (question,) = load_bank([tmp_path / "候选测试题.jsonl"]).questions
    assert (question.id, question.kind, question.risk, question.source) == (
        f"CQ-{c['ticket']}-1", "must_refuse", "A1a", f"complaint:{c['ticket']}")  # fmt: skip
    links = httpx.get(url, headers=ADMIN).json()["links"]
    assert [(x["kind"], x["value"]) for x in links] == [
        ("keyword", "购买假证件"), ("question", f"CQ-{c['ticket']}-1")]  # fmt: skip


def test_candidates_need_a_configured_file(gateway: RunningGateway) -> None:
    c = _file(gateway)
    r = httpx.post(gateway.root_url + f"/admin/complaints/{c['ticket']}/keyword",
                   json={"keyword": "词", "risk": "A1a"}, headers=ADMIN)  # fmt: skip
    assert r.status_code == 409 and r.json()["error"]["param"] == "complaints.keyword_candidates"


def _age(g: RunningGateway, table: str, ticket: str, days: float) -> None:
    """Move a ticket's time limit ``days`` into the past (as if that much time had passed)."""
    con = sqlite3.connect(g.gateway.config.records.path)
    with con:
        con.execute(f"UPDATE {table} SET due = ? WHERE ticket = ?", (time.time() - days * 86400, ticket))
    con.close()


def test_overdue_complaints_report_and_cli_feedback(setup: tuple[RunningGateway, Path], tmp_path: Path) -> None:
    g, cfg = setup
    env = {"BEIAN_KEY": "", "BEIAN_KEYS": "", "BEIAN_KEY_FILE": ""}
    late, fresh = _file(g, "迟迟没有处理"), _file(g)
    _age(g, "complaints", late["ticket"], 2)
    over = httpx.get(g.root_url + "/admin/complaints/overdue", headers=ADMIN).json()
    assert [c["ticket"] for c in over] == [late["ticket"]] and over[0]["remaining_days"] < -1.9
    assert httpx.get(g.root_url + "/admin/complaints/overdue").status_code == 401
    r = run_cli("gateway", "complaints", "-f", str(cfg), "--overdue", "--format", "json", env=env)
    assert r.returncode == 1 and [c["ticket"] for c in json.loads(r.stdout)] == [late["ticket"]]
    r = run_cli("gateway", "feedback", late["ticket"], "--keyword", "拖延", "--risk", "A2c", "-f", str(cfg), env=env)
    assert r.returncode == 0, r.stderr
    assert "拖延" in (tmp_path / "候选关键词.csv").read_text(encoding="utf-8")
    r = run_cli("gateway", "complaints", "-f", str(cfg), "--format", "json", env=env)
    listed = {c["ticket"]: c["links"] for c in json.loads(r.stdout)}
    assert [x["value"] for x in listed[late["ticket"]]] == ["拖延"] and listed[fresh["ticket"]] == []
    # the operator's table shows the link and the conversation the complaint is about
    assert all("record_id" in c for c in json.loads(r.stdout))
    r = run_cli("gateway", "complaints", "-f", str(cfg), env={**env, "COLUMNS": "300"})
    row = next(ln for ln in r.stdout.splitlines() if late["ticket"] in ln)
    assert "关键词 拖延（A2c，待审核）" in row, r.stdout
    r = run_cli("gateway", "feedback", late["ticket"], "--risk", "A2c", "-f", str(cfg), env=env)
    assert r.returncode != 0 and "--keyword" in r.stderr + r.stdout
    r = run_cli("gateway", "complaints", "-f", str(cfg), "--update", late["ticket"], "--to", "已办结", env=env)
    assert r.returncode == 0
    r = run_cli("gateway", "complaints", "-f", str(cfg), "--overdue", env=env)
    assert r.returncode == 0 and fresh["ticket"] not in r.stdout
    r = run_cli("gateway", "complaints", "-f", str(cfg), "--reissue", fresh["ticket"], env=env)
    token = r.stdout.strip()
    assert r.returncode == 0 and token.startswith("tk_")
    assert httpx.get(g.root_url + STATUS, headers={"X-Beian-Ticket-Token": token}).status_code == 200
    assert httpx.get(g.root_url + STATUS, headers={"X-Beian-Ticket-Token": fresh["token"]}).status_code == 404


def test_rights_operator_commands(setup: tuple[RunningGateway, Path]) -> None:
    g, cfg = setup
    env = {"BEIAN_KEY": "", "BEIAN_KEYS": "", "BEIAN_KEY_FILE": ""}
    rights = g.gateway.rights
    late = rights.open_request("alice", "correct", {"record_id": "x"})
    done = rights.open_request("bob", "export", status="已办结")
    _age(g, "rights_requests", late.ticket, 1)
    r = run_cli("gateway", "rights", "list", "-f", str(cfg), "--format", "json", env=env)
    assert r.returncode == 0 and {x["ticket"] for x in json.loads(r.stdout)} == {late.ticket, done.ticket}
    r = run_cli("gateway", "rights", "overdue", "-f", str(cfg), env=env)
    assert r.returncode == 1 and late.ticket in r.stdout and done.ticket not in r.stdout
    admin = httpx.get(g.root_url + "/admin/rights", params={"overdue": "1"}, headers=ADMIN).json()
    assert [x["ticket"] for x in admin] == [late.ticket]
    r = run_cli("gateway", "rights", "close", late.ticket, "--status", "不予办理", "-f", str(cfg), env=env)
    assert r.returncode != 0 and "理由" in r.stderr + r.stdout
    r = run_cli("gateway", "rights", "close", late.ticket, "--note", "已更正", "-f", str(cfg), env=env)
    assert r.returncode == 0 and "已办结" in r.stdout
    got = rights.get(late.ticket)
    assert got is not None and got.status == "已办结" and got.result == "已更正"
    r = run_cli("gateway", "rights", "overdue", "-f", str(cfg), env=env)
    assert r.returncode == 0


def test_rights_export_and_delete_on_a_users_behalf(setup: tuple[RunningGateway, Path], tmp_path: Path) -> None:
    g, cfg = setup
    env = {"BEIAN_KEY": "", "BEIAN_KEYS": "", "BEIAN_KEY_FILE": ""}
    client = openai.OpenAI(base_url=g.base_url, api_key="k", max_retries=0, timeout=10)
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "电话里说的问题"}],
                                   user="lily")  # fmt: skip
    g.gateway.store.flush()
    out = tmp_path / "lily.json"
    r = run_cli("gateway", "rights", "export", "lily", "-o", str(out), "-f", str(cfg), env=env)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["conversations"][0]["messages"][0]["content"] == "电话里说的问题"
    assert [q["kind"] for q in data["requests"]] == ["export"]
    r = run_cli("gateway", "rights", "delete", "lily", "-f", str(cfg), env=env)
    assert r.returncode != 0 and "--yes" in r.stderr + r.stdout
    (rid,) = [ex.id for ex in g.gateway.store.exchanges(user="lily")]
    assert g.gateway.rights.retained(rid) is None
    r = run_cli("gateway", "rights", "delete", "lily", "--yes", "-f", str(cfg), env=env)
    assert r.returncode == 0 and "已删除 1 条" in r.stdout
    assert g.gateway.rights.retained(rid) is not None
    ex = g.gateway.store.get(rid)
    assert ex is not None and ex.request == {} and ex.sent == ""
