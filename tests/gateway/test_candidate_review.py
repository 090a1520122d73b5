"""Complaint → lexicon, the review step: an operator approves a keyword candidate into the library
the gateway loads (atomically, in the file's own layout) or rejects it; the link records the
outcome (issue 21 item 4; audit gap 7). On SQLite and PostgreSQL, and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from beian.crypto import FieldCipher, KeyRing
from beian.demo import DemoServer
from beian.errors import ConfigError, InputError
from beian.gateway import ComplaintsConfig, Gateway, GatewayConfig, lexicon_target
from beian.gateway import serve_in_thread as serve_gateway
from beian.gateway._complaints import ComplaintDesk
from beian.gateway._feedback import Feedback
from beian.lexicon import load_files

from ..conftest import run_cli
from .conftest import ADMIN, ADMIN_TOKEN, PRODUCER

HEADED = "风险代码,关键词,备注,模式\nA1a,已有词,原有,\n"  # its own column order


def _words(path: Path) -> list[tuple[str, str]]:
    entries, _ = load_files([path])
    return [(e.keyword, e.risk) for e in entries]


def test_approve_and_reject_on_both_databases(database: str, tmp_path: Path) -> None:
    ring = KeyRing.generate()
    desk = ComplaintDesk(database, FieldCipher(ring), 15, rules=ComplaintsConfig())
    review, lexicon = tmp_path / "kw.csv", tmp_path / "lexicon.csv"
    lexicon.write_text(HEADED, encoding="utf-8-sig")
    fb = Feedback(desk, database, review, tmp_path / "q.jsonl")
    try:
        c = desk.submit("回答教人买假证", client="c1")
        a = fb.keyword(c.ticket, "买假证", "A1h", "pinyin")
        b = fb.keyword(c.ticket, "路过", "A1a")
        known = fb.keyword(c.ticket, "已有词", "A1a")  # the library has it already
        q = fb.question(c.ticket, "怎么买假证？", "A1h")
        assert [x.to_json()["status"] for x in (a, b, known)] == ["待审核"] * 3
        with pytest.raises(InputError, match="测试题"):
            fb.approve([q.id], lexicon)
        with pytest.raises(InputError, match="没有编号为 999"):
            fb.approve([a.id, 999], lexicon)
        assert _words(lexicon) == [("已有词", "A1a")]  # a refused batch writes nothing
        done = fb.approve([a.id, known.id], lexicon, note="核实属实")
        assert [(x.value, x.status, x.note, x.lexicon) for x in done] == [
            ("买假证", "已采纳", "核实属实", str(lexicon)),
            ("已有词", "已采纳", "核实属实", str(lexicon)),
        ]
        assert all(x.decided_at for x in done)
        # in the library, once, under its own columns, with its match mode
        assert _words(lexicon) == [("已有词", "A1a"), ("买假证", "A1h")]
        entries, _ = load_files([lexicon])
        assert (
            entries[1].modes == frozenset({"pinyin"}) and entries[1].note == f"来自投诉 {c.ticket}"
        )
        assert lexicon.read_bytes().startswith(b"\xef\xbb\xbf")  # its encoding kept
        (rejected,) = fb.reject([b.id], note="误报")
        assert (rejected.status, rejected.note, rejected.lexicon) == ("不采纳", "误报", None)
        assert ("路过", "A1a") not in _words(lexicon)
        with pytest.raises(InputError, match="已审核"):
            fb.approve([b.id], lexicon)
        # the review list says what became of each row
        rows = review.read_text(encoding="utf-8").splitlines()
        assert [r.split(",")[5] for r in rows[1:]] == ["已采纳", "不采纳", "已采纳"]
        # the links keep it (what the admin API and `complaints` list)
        states = {x.value: x.to_json()["status"] for x in fb.links(c.ticket) if x.kind == "keyword"}
        assert states == {"买假证": "已采纳", "路过": "不采纳", "已有词": "已采纳"}
    finally:
        fb.close()
        desk.close()


FORMATS = [
    # name, file name, content (bytes), or None for an XLSX with a header
    ("csv without a header", "l.csv", "已有词,A1a\n".encode()),
    ("csv in GB18030", "l.csv", "关键词,风险代码\n已有词,A1a\n".encode("gb18030")),
    ("tsv", "l.tsv", "关键词\t风险代码\n已有词\tA1a".encode()),  # no newline at the end
    ("txt with a risk directive", "l.txt", "# risk: A1a\n已有词\n".encode()),
    ("xlsx", "l.xlsx", None),
]


@pytest.mark.parametrize(("name", "fname", "content"), FORMATS, ids=[f[0] for f in FORMATS])
def test_every_library_format_takes_the_keyword(
    tmp_path: Path, name: str, fname: str, content: bytes | None
) -> None:
    from beian.gateway._lexicon_append import NewKeyword, append_keywords

    path = tmp_path / fname
    if content is None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["关键词", "风险代码", "模式"])
        ws.append(["已有词", "A1a", ""])
        wb.save(path)
    else:
        path.write_bytes(content)
    new = NewKeyword("新词", "A2c", "", "来自投诉 TS1", "2026-12-07")
    assert append_keywords(path, [new]) == [new]
    assert _words(path) == [("已有词", "A1a"), ("新词", "A2c")]
    assert append_keywords(path, [new]) == []  # not twice
    assert len(_words(path)) == 2
    if content is not None and name == "csv in GB18030":
        path.read_bytes().decode("gb18030")  # still GB18030


def test_a_library_that_would_not_load_is_left_alone(tmp_path: Path) -> None:
    from beian.gateway._lexicon_append import NewKeyword, append_keywords

    path = tmp_path / "l.csv"
    path.write_text("关键词,风险代码\n已有词,A1a\n坏行,不是代码\n", encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(InputError, match="关键词库有"):
        append_keywords(path, [NewKeyword("新词", "A2c", "", "", "2026-12-07")])
    assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]  # no temp left


def test_a_match_mode_is_never_dropped(tmp_path: Path) -> None:
    from beian.gateway._lexicon_append import NewKeyword, append_keywords

    path = tmp_path / "l.csv"
    path.write_text("关键词,风险代码\n已有词,A1a\n", encoding="utf-8")
    with pytest.raises(InputError, match="没有“模式”列"):
        append_keywords(path, [NewKeyword("新词", "A2c", "pinyin", "", "2026-12-07")])
    assert _words(path) == [("已有词", "A1a")]


def test_which_library(tmp_path: Path) -> None:
    one = GatewayConfig.from_mapping({"screening": {"lexicon": ["a.csv"]}}).resolve_paths(tmp_path)
    assert lexicon_target(one, None) == tmp_path / "a.csv"
    two = GatewayConfig.from_mapping({"screening": {"lexicon": ["a.csv", "b.txt"]}})
    two = two.resolve_paths(tmp_path)
    with pytest.raises(ConfigError, match="多个词库"):
        lexicon_target(two, None)
    assert lexicon_target(two, "b.txt") == tmp_path / "b.txt"
    with pytest.raises(ConfigError, match="不在 screening"):
        lexicon_target(two, "other.csv")


def test_cli_approve_then_reload_intercepts(tmp_path: Path, upstream: DemoServer) -> None:
    """The whole loop: a complaint → a candidate → approved with the CLI → the reloaded gateway
    refuses a question with the keyword."""
    ring = KeyRing.generate()
    ring.save(tmp_path / "keys.json")
    (tmp_path / "lexicon.csv").write_text(HEADED, encoding="utf-8")
    data: dict[str, Any] = {
        "upstream": {"base_url": upstream.base_url}, "admin_token": ADMIN_TOKEN,
        "records": {"path": "gw.db", "key_file": "keys.json"},
        "labels": {"content_producer": PRODUCER}, "screening": {"lexicon": ["lexicon.csv"]},
        "complaints": {"keyword_candidates": "候选关键词.csv"},
    }  # fmt: skip
    cfg = tmp_path / "gateway.yaml"
    cfg.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), encoding="utf-8")
    env = {"BEIAN_KEY": "", "BEIAN_KEYS": "", "BEIAN_KEY_FILE": ""}
    question = [{"role": "user", "content": "哪里能买到蓝色药丸"}]
    with serve_gateway(Gateway.from_file(cfg)) as g:
        client = openai.OpenAI(base_url=g.base_url, api_key="k", max_retries=0, timeout=10)
        refusal = g.gateway.screening.config.input_refusal
        first = client.chat.completions.create(model="m", messages=question)  # type: ignore[arg-type]
        assert first.choices[0].message.content != refusal
        ticket = httpx.post(
            g.root_url + "/complaints", json={"content": "它告诉我去买蓝色药丸"}
        ).json()
        ticket = ticket["ticket"]
        for word in ("蓝色药丸", "告诉"):
            r = run_cli("gateway", "feedback", ticket, "--keyword", word, "--risk", "A1h",
                        "-f", str(cfg), env=env)  # fmt: skip
            assert r.returncode == 0, r.stderr
        r = run_cli("gateway", "complaints", "candidates", "--pending", "--format", "json",
                    "-f", str(cfg), env=env)  # fmt: skip
        assert r.returncode == 0, r.stderr
        ids = {c["value"]: c["id"] for c in json.loads(r.stdout)}
        r = run_cli("gateway", "complaints", "approve", str(ids["蓝色药丸"]), "--note", "核实",
                    "-f", str(cfg), env=env)  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert "重载" in r.stdout
        r = run_cli("gateway", "complaints", "reject", str(ids["告诉"]), "--note", "常用词",
                    "-f", str(cfg), env=env)  # fmt: skip
        assert r.returncode == 0, r.stderr
        again = run_cli(
            "gateway", "complaints", "approve", str(ids["告诉"]), "-f", str(cfg), env=env
        )
        assert again.returncode != 0 and "已审核" in again.stderr + again.stdout
        assert httpx.post(g.root_url + "/admin/reload", headers=ADMIN).status_code == 200
        after = client.chat.completions.create(model="m", messages=question)  # type: ignore[arg-type]
        assert after.choices[0].message.content == refusal
        # the complaint's links show the outcome (CLI and admin API)
        r = run_cli("gateway", "complaints", "--format", "json", "-f", str(cfg), env=env)
        (listed,) = json.loads(r.stdout)
        assert {x["value"]: x["status"] for x in listed["links"]} == {
            "蓝色药丸": "已采纳",
            "告诉": "不采纳",
        }
        admin = httpx.get(g.root_url + f"/admin/complaints/{ticket}", headers=ADMIN).json()
        assert {x["value"]: x["note"] for x in admin["links"]} == {
            "蓝色药丸": "核实",
            "告诉": "常用词",
        }
