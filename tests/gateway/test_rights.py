"""Users' rights over their conversations and consent (issue 21, item 3), over real HTTP against a
running gateway on SQLite, with the unmodified ``openai`` SDK for the chats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from beian._shared.workdays import WorkingCalendar
from beian.gateway import RETAINED, RunningGateway, due_date, sign_user_token

from .conftest import MakeGateway, form_token, gateway_config

KEY = "rights-test-key-0123456789abcdefghij"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "gateway.md"


def tok(user: str) -> str:
    return sign_user_token(KEY.encode(), user, 600)


def auth(user: str) -> dict[str, str]:
    return {"X-Beian-User-Token": tok(user)}


@pytest.fixture
def signed(make_gateway: MakeGateway, tmp_path: Path, upstream: Any) -> RunningGateway:
    key_file = tmp_path / "identity.key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    cfg = gateway_config(tmp_path, upstream.base_url,
                         identity={"mode": "signed", "key_file": str(key_file)},
                         rights={"notice_version": "2026-11"})  # fmt: skip
    return make_gateway(config=cfg)


def chat(g: RunningGateway, user: str, text: str, headers: dict[str, str] | None = None) -> str:
    """A chat through the unmodified SDK as ``user`` (his token, or ``headers``); the record id
    the gateway gave it."""
    client = openai.OpenAI(base_url=g.base_url, api_key="sk-test", max_retries=0, timeout=10,
                           default_headers=headers or auth(user))  # fmt: skip
    raw = client.chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": text}]
    )
    raw.parse()
    return raw.headers["x-beian-record-id"]


def _db_text(path: Path) -> str:
    """Every value in the gateway's database file, as text (ciphertext stays ciphertext)."""
    con = sqlite3.connect(path)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(
            str(v) for t in tables for row in con.execute(f"SELECT * FROM {t}") for v in row
        )
    finally:
        con.close()


def _documented_retained() -> set[str]:
    """The retained fields docs/gateway.md lists (the line that starts with 删除后保留)."""
    line = next(
        ln for ln in DOCS.read_text(encoding="utf-8").splitlines() if ln.startswith("删除后保留")
    )
    return set(re.findall(r"`([a-z_]+)`", line))


def test_export_then_delete_leaves_exactly_the_documented_minimum(signed: RunningGateway) -> None:
    root, gw = signed.root_url, signed.gateway
    ids = [
        chat(signed, "alice", "我的问题一：今天天气怎么样"),
        chat(signed, "alice", "我的问题二：推荐一本书"),
    ]
    bob = chat(signed, "bob", "鲍勃的问题")
    listed = httpx.get(root + "/privacy/data", headers=auth("alice")).json()
    assert [c["id"] for c in listed["conversations"]] == ids
    assert listed["conversations"][0]["messages"][0]["content"] == "我的问题一：今天天气怎么样"
    assert listed["conversations"][0]["answer"]  # what the user received
    # export: JSON and CSV, each a ticket with the published time limit
    r = httpx.post(root + "/privacy/data/export", json={"format": "json"}, headers=auth("alice"))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = json.loads(r.text)
    assert data["user"] == "alice" and len(data["conversations"]) == 2
    assert "鲍勃" not in r.text
    ticket = next(q for q in data["requests"] if q["ticket"] == r.headers["x-beian-rights-ticket"])
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()  # Beijing's date
    assert ticket["kind"] == "export"
    assert ticket["due_date"] == due_date(today, 15, WorkingCalendar())[0].isoformat()
    c = httpx.post(root + "/privacy/data/export", json={"format": "csv"}, headers=auth("alice"))
    rows = list(csv.reader(io.StringIO(c.text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["记录编号", "开始时间"] and [r[0] for r in rows[1:]] == ids
    assert rows[2][4] == "我的问题二：推荐一本书"
    before = {i: gw.store.get(i) for i in ids}
    # delete everything of alice's
    d = httpx.post(root + "/privacy/data/delete", json={"all": True}, headers=auth("alice"))
    assert d.status_code == 200 and sorted(d.json()["erased"]) == sorted(ids)
    assert d.json()["ticket"]["kind"] == "delete" and d.json()["ticket"]["status"] == "已办结"
    for i in ids:
        kept = gw.rights.retained(i)
        assert kept is not None and set(kept) == set(RETAINED) == _documented_retained()
        old = before[i]
        assert old is not None
        assert kept["user_hash"] == gw.store.user_hash("alice") and kept["outcome"] == "ok"
        # the digest still matches the erased text (a regulator's copy can be checked)
        body = json.dumps({"request": old.request, "forwarded": old.forwarded}, ensure_ascii=False)
        assert kept["request_hmac"] == gw.store.user_hash("\x00request\x00" + body)
        now = gw.store.get(i)
        assert now is not None
        assert (now.request, now.forwarded, now.response, now.sent, now.error, now.user) == (
            {}, None, "", "", None, None)  # fmt: skip
        raw = gw.store.raw_row(i)
        assert raw is not None and raw["user_enc"] is None and raw["error_enc"] is None
        # nothing else is left in the row: the two content columns hold an encrypted empty
        # placeholder; the serving host and process (crash recovery of unfinished ones) are gone
        kept_columns = {k for k, v in raw.items() if v is not None}
        assert kept_columns - {"request_enc", "response_enc"} <= set(RETAINED)
    # no copy of the content anywhere in the file (decrypting every field that still decrypts)
    texts = [gw.store.get(i) for i in ids]
    assert all(
        t is not None and "我的问题" not in json.dumps(t.request, ensure_ascii=False) for t in texts
    )
    assert "我的问题" not in _db_text(Path(gw.config.records.path))
    # bob keeps everything; alice's export now shows the erasures and no content
    assert gw.store.get(bob) is not None and gw.store.get(bob).sent  # type: ignore[union-attr]
    after = httpx.post(
        root + "/privacy/data/export", json={"format": "json"}, headers=auth("alice")
    ).json()
    assert all(
        c["erased"] and c["messages"] == [] and c["answer"] == "" for c in after["conversations"]
    )
    assert {q["kind"] for q in after["requests"]} == {"export", "delete"}


def test_consent_ledger_and_withdrawal(signed: RunningGateway) -> None:
    root, gw = signed.root_url, signed.gateway
    wrong = httpx.post(root + "/privacy/consent", json={"action": "accept", "notice_version": "2020-01"},
                       headers=auth("carol"))  # fmt: skip
    assert wrong.status_code == 400 and "现行版本" in wrong.json()["error"]["message"]
    ok = httpx.post(root + "/privacy/consent", json={"action": "accept", "notice_version": "2026-11"},
                    headers=auth("carol"))  # fmt: skip
    assert ok.json()["consented"] is True and ok.json()["notice_version"] == "2026-11"
    assert gw.store.is_opted_out("carol") is False
    w = httpx.post(
        root + "/privacy/consent", json={"action": "withdraw"}, headers=auth("carol")
    ).json()
    assert w["consented"] is False and w["ticket"]["kind"] == "withdraw"
    ledger = httpx.get(root + "/privacy/consent", headers=auth("carol")).json()["ledger"]
    assert [(e["action"], e["notice_version"], e["via"]) for e in ledger] == [
        ("accept", "2026-11", "api"), ("withdraw", "2026-11", "api")]  # fmt: skip
    assert all(dt.datetime.fromisoformat(e["at"]) for e in ledger)
    assert gw.store.is_opted_out("carol") is True  # withdrawal stops training use
    assert gw.store.opt_out_events("carol")[-1]["via"] == "consent-withdrawn:api"
    assert httpx.get(root + "/privacy/consent", headers=auth("dave")).json()["ledger"] == []


def test_page_forms_are_csrf_protected_and_work(signed: RunningGateway) -> None:
    root = signed.root_url
    rid = chat(signed, "erin", "页面上的问题")
    t = tok("erin")
    opt_out = httpx.get(root + "/privacy/opt-out", params={"token": t}).text
    link = re.search(r'href="(data\?token=[^"]+)" id="rights"', opt_out)
    assert link is not None  # the opt-out page leads to the rights page, token included
    page = httpx.get(root + "/privacy/" + link.group(1).replace("&amp;", "&"), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "页面上的问题" in page.text and "15" in page.text
    # times in Beijing time, and the correction form offers the user's own records to pick
    started = signed.gateway.store.get(rid).started  # type: ignore[union-attr]
    beijing = dt.datetime.fromtimestamp(started, dt.timezone(dt.timedelta(hours=8)))
    assert beijing.strftime("%Y-%m-%d %H:%M") in page.text and "+00:00" not in page.text
    assert f'<option value="{rid}">' in page.text
    ft = form_token(page.text)
    base = {"token": t, "record_id": rid}
    assert httpx.post(root + "/privacy/data/delete", data=base).status_code == 403  # no form token
    cross = httpx.post(root + "/privacy/data/delete", data=base | {"form_token": ft},
                       headers={"Origin": "https://evil.example"})  # fmt: skip
    assert cross.status_code == 403
    other = form_token(httpx.get(root + "/privacy/data", params={"token": tok("frank")},
                                 headers={"Accept": "text/html"}).text)  # fmt: skip
    assert (
        httpx.post(root + "/privacy/data/delete", data=base | {"form_token": other}).status_code
        == 403
    )
    assert signed.gateway.rights.retained(rid) is None  # nothing was erased so far
    r = httpx.post(root + "/privacy/data/delete", data=base | {"form_token": ft})
    assert r.status_code == 303 and "done=deleted" in r.headers["location"]
    assert signed.gateway.rights.retained(rid) is not None
    shown = httpx.get(root + "/privacy/data", params={"token": t, "done": "deleted"},
                      headers={"Accept": "text/html"}).text  # fmt: skip
    assert "已删除所选对话记录的内容" in shown and "页面上的问题" not in shown


def test_correction_and_other_users_records(signed: RunningGateway) -> None:
    root, gw = signed.root_url, signed.gateway
    rid = chat(signed, "gina", "我的手机号是 13800000000")
    theirs = httpx.post(root + "/privacy/data/correct", json={"record_id": rid, "text": "改正"},
                        headers=auth("mallory"))  # fmt: skip
    assert theirs.status_code == 400
    gone = httpx.post(
        root + "/privacy/data/delete", json={"record_ids": [rid]}, headers=auth("mallory")
    )
    assert gone.status_code == 400 and gw.rights.retained(rid) is None
    r = httpx.post(root + "/privacy/data/correct", json={"record_id": rid, "text": "号码应为 13900000000"},
                   headers=auth("gina"))  # fmt: skip
    assert r.status_code == 201 and r.json()["status"] == "已受理" and r.json()["kind"] == "correct"
    exported = httpx.post(root + "/privacy/data/export", json={}, headers=auth("gina")).json()
    assert exported["conversations"][0]["corrections"][0]["text"] == "号码应为 13900000000"
    assert [q.ticket for q in gw.rights.requests(status="已受理")] == [r.json()["ticket"]]


def test_rights_closed_without_authenticated_identity(make_gateway: MakeGateway) -> None:
    g = make_gateway(identity={"mode": "off"})
    r = httpx.get(g.root_url + "/privacy/data", params={"user": "alice"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "identity_required"
    d = httpx.post(g.root_url + "/privacy/data/delete", json={"all": True, "user": "alice"})
    assert d.status_code == 403


def test_signed_requests_need_a_token(signed: RunningGateway) -> None:
    r = httpx.get(signed.root_url + "/privacy/data")
    assert r.status_code == 401
    forged = sign_user_token(b"another-key-0123456789abcdefghijk", "alice", 600)
    bad = httpx.get(signed.root_url + "/privacy/data", headers={"X-Beian-User-Token": forged})
    assert bad.status_code == 401


@pytest.mark.parametrize(
    ("start", "days", "due", "estimated"),
    [
        # 2026: Mid-Autumn 09-25, National Day 10-01..10-07 (make-up working day 10-10)
        (dt.date(2026, 9, 25), 5, dt.date(2026, 10, 9), False),
        (dt.date(2026, 12, 1), 15, dt.date(2026, 12, 22), False),
        # 2030 is not in the package's schedule: Monday to Friday, flagged as an estimate
        (dt.date(2030, 3, 1), 15, dt.date(2030, 3, 22), True),
    ],
)
def test_due_date(start: dt.date, days: int, due: dt.date, estimated: bool) -> None:
    assert due_date(start, days, WorkingCalendar()) == (due, estimated)


def test_requests_are_rate_limited_per_user(
    make_gateway: MakeGateway, tmp_path: Path, upstream: Any
) -> None:
    (tmp_path / "identity.key").write_text(KEY, encoding="utf-8")
    cfg = gateway_config(tmp_path, upstream.base_url,
                         identity={"mode": "signed", "key_file": str(tmp_path / "identity.key")},
                         rights={"notice_version": "v1", "rate_limit": 2})  # fmt: skip
    g = make_gateway(config=cfg)
    export = g.root_url + "/privacy/data/export"
    assert httpx.post(export, json={}, headers=auth("hana")).status_code == 200
    assert httpx.post(export, json={}, headers=auth("hana")).status_code == 200
    r = httpx.post(g.root_url + "/privacy/consent", json={"action": "withdraw"}, headers=auth("hana"))
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert g.gateway.rights.consents("hana") == [] and not g.gateway.store.is_opted_out("hana")
    assert httpx.post(export, json={}, headers=auth("ivan")).status_code == 200  # per user


def test_retention_purge_takes_the_retained_minimum_too(signed: RunningGateway) -> None:
    root, gw = signed.root_url, signed.gateway
    rid = chat(signed, "jack", "很久以前的问题")
    c = httpx.post(root + "/complaints", json={"content": "我的投诉"}, headers=auth("jack")).json()
    exported = httpx.post(root + "/privacy/data/export", json={}, headers=auth("jack")).json()
    assert [x["ticket"] for x in exported["complaints"]] == [c["ticket"]]  # filed while signed in
    httpx.post(root + "/privacy/data/delete", json={"all": True}, headers=auth("jack"))
    assert gw.rights.retained(rid) is not None
    gw.purge(now=dt.datetime.now(dt.UTC).timestamp() + 200 * 86400)
    assert gw.rights.retained(rid) is None and gw.store.get(rid) is None
    con = sqlite3.connect(gw.config.records.path)
    try:
        assert con.execute("SELECT COUNT(*) FROM erasures").fetchone()[0] == 0
    finally:
        con.close()


def test_consent_through_the_page(signed: RunningGateway) -> None:
    root, t = signed.root_url, tok("kate")

    def page() -> str:
        r = httpx.get(root + "/privacy/data", params={"token": t}, headers={"Accept": "text/html"})
        return r.text

    first = page()
    assert "未同意或已撤回" in first and "同意隐私告知（2026-11 版）" in first
    form = {"token": t, "form_token": form_token(first), "action": "accept", "notice_version": "2026-11"}
    r = httpx.post(root + "/privacy/consent", data=form)
    assert r.status_code == 303 and r.headers["location"].startswith("data?done=accepted")
    assert "已同意（2026-11 版）" in page()
    r = httpx.post(root + "/privacy/consent", data=form | {"action": "withdraw"})
    assert r.status_code == 303 and "done=withdrawn" in r.headers["location"]
    ledger = signed.gateway.rights.consents("kate")
    assert [(e["action"], e["via"]) for e in ledger] == [("accept", "web"), ("withdraw", "web")]
    shown = page()
    assert "未同意或已撤回" in shown and "撤回同意" in shown  # the request table lists the withdrawal
