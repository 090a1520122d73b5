"""``beian pii``: the real CLI in a subprocess."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from beian.crypto import KeyRing

Cli = Callable[..., CompletedProcess[str]]
ID = "110101199003074514"
TEXT = f"客户张伟先生，身份证号{ID}，手机13812345678。\n"


def test_scan_jsonl_from_stdin(cli: Cli) -> None:
    r = cli("pii", "scan", "-", "--format", "jsonl", input=TEXT)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [set(row) for row in rows] == [{"type", "start", "end", "text", "score"}] * 3
    assert [(row["type"], row["text"]) for row in rows] == [
        ("NAME", "张伟"),
        ("ID_CARD", ID),
        ("MOBILE", "13812345678"),
    ]
    assert TEXT[rows[1]["start"] : rows[1]["end"]] == ID


def test_scan_shows_the_reason_of_a_lower_score(cli: Cli) -> None:
    # a wrong check digit (GB 11643 gives 4): still an ID number, at a lower score, with why
    text = "身份证110101199003074515帮我查下"
    r = cli("pii", "scan", "-", "-f", "jsonl", input=text)
    assert r.returncode == 0, r.stderr
    (row,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert row["type"] == "ID_CARD" and row["score"] < 0.9
    assert "校验码不符" in row["reason"] and "应为 4" in row["reason"]
    table = cli("pii", "scan", "-", "--types", "ID_CARD", input=text, env={"COLUMNS": "300"})
    assert table.returncode == 0 and "说明" in table.stdout and "校验码不符" in table.stdout


def test_scan_table_and_json_from_gbk_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(TEXT.encode("gb18030"))
    table = cli("pii", "scan", "a.txt", "--types", "ID_CARD")
    assert table.returncode == 0 and ID in table.stdout and "身份证号" in table.stdout
    data = json.loads(cli("pii", "scan", "a.txt", "-f", "json").stdout)
    assert data["counts"] == {"NAME": 1, "ID_CARD": 1, "MOBILE": 1}


def test_config_file_section(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "beian.yaml").write_text(
        "pii:\n  disabled: [NAME]\n  custom:\n    - {type: EMP, pattern: 'EMP-\\d{4}'}\n",
        encoding="utf-8",
    )
    r = cli("pii", "scan", "-", "-f", "jsonl", input="张伟先生 EMP-1234")
    assert [json.loads(x)["type"] for x in r.stdout.splitlines()] == ["EMP"]
    (tmp_path / "beian.yaml").write_text("pii:\n  threshold: 7\n", encoding="utf-8")
    bad = cli("pii", "scan", "-", input="x")
    assert bad.returncode == 2 and "threshold" in bad.stderr


def test_redact_pseudonym_with_key_env_and_report(cli: Cli, tmp_path: Path) -> None:
    rows = [{"q": TEXT}, {"q": "无"}]
    (tmp_path / "in.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    ring = KeyRing.generate()
    env = {"BEIAN_KEYS": ring.to_json()}
    r = cli(
        "pii",
        "redact",
        "--operator",
        "pseudonym",
        "in.jsonl",
        "out.jsonl",
        "--report",
        "rep.json",
        env=env,
    )
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert ID not in out[0]["q"] and "<身份证号_" in out[0]["q"]
    rep = json.loads((tmp_path / "rep.json").read_text("utf-8"))
    assert rep["counts"] == {"NAME": 1, "ID_CARD": 1, "MOBILE": 1} and rep["records"] == 2
    assert {f["code"] for f in rep["findings"]} == {"BA-PII-001", "BA-PII-002"}
    missing = cli(
        "pii",
        "redact",
        "--operator",
        "hash",
        "in.jsonl",
        "o2.jsonl",
        env={"BEIAN_KEY": "", "BEIAN_KEYS": ""},
    )
    assert missing.returncode == 2 and "密钥" in missing.stderr


def test_redact_encrypt_then_decrypt_with_key_file(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text(TEXT, encoding="utf-8")
    assert cli("keys", "generate", "-o", "k.json").returncode == 0
    enc = cli("pii", "redact", "-o", "encrypt", "--key-file", "k.json", "in.txt", "enc.txt")
    assert enc.returncode == 0, enc.stderr
    assert ID not in (tmp_path / "enc.txt").read_text("utf-8")
    dec = cli("pii", "redact", "-o", "decrypt", "--key-file", "k.json", "enc.txt", "dec.txt")
    assert dec.returncode == 0, dec.stderr
    assert (tmp_path / "dec.txt").read_text("utf-8") == TEXT


def test_redact_bad_line_exit_2_with_location(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text('{"a": "13812345678"}\n{oops\n', encoding="utf-8")
    r = cli("pii", "redact", "in.jsonl", "out.jsonl")
    assert r.returncode == 2 and "in.jsonl:2" in r.stderr
    assert not (tmp_path / "out.jsonl").exists()
    ok = cli("pii", "redact", "--on-error", "skip", "in.jsonl", "out.jsonl")
    assert ok.returncode == 0 and "in.jsonl:2" in ok.stderr
    assert (tmp_path / "out.jsonl").read_text("utf-8") == '{"a": "138****5678"}\n'


def test_report_json(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(f"who,text\n张三,身份证{ID}\n李四,a@b.cn\n", encoding="utf-8")
    r = cli("pii", "report", "d.csv", "-f", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["counts"] == {"ID_CARD": 1, "EMAIL": 1}
    assert data["field_counts"] == {"text": {"ID_CARD": 1, "EMAIL": 1}}
    assert ID not in r.stdout  # the report never repeats personal information
    table = cli("pii", "report", "d.csv")
    assert table.returncode == 0 and "BA-PII-001" in table.stdout
