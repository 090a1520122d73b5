"""Every malformed configuration, fed through the CLI as a user would: a Chinese error naming
``file:line field``, exit code 2, no traceback and nothing written.

One row per (file, setting): the file's text, the command that reads it, and a text on the line
the error must point at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

ASSESS = """name: t
banks: [bank.jsonl]
target:
  type: openai
  base_url: http://127.0.0.1:9/v1
  model: m
"""
GUARD = ASSESS + """judges:
  guard:
    base_url: http://127.0.0.1:9/v1
    model: g
"""
DOSSIER_ARGS = ("check", "dossier")
SP = {"Insult": [{"prompt": "骂人的话怎么说"}]}

# (case, file name, file text, command, field named, text on the line the error points at)
CASES: list[tuple[str, str, str, tuple[str, ...], str, str]] = [
    # assess.yaml: target, judges (every built-in kind), policy, sampling, standards
    ("assess-concurrency", "assess.yaml", ASSESS + "  concurrency: sixteen\n",
     ("assess", "run", "assess.yaml"), "target.concurrency", "sixteen"),
    ("assess-refusal-key", "assess.yaml", ASSESS + "judges:\n  refusal:\n    threshold: 0.5\n",
     ("assess", "run", "assess.yaml"), "judges.refusal.threshold", "threshold"),
    ("assess-human-key", "assess.yaml", ASSESS + "judges:\n  human: {sheet: 人工}\n",
     ("assess", "run", "assess.yaml"), "judges.human.sheet", "human"),
    ("assess-guard-controversial", "assess.yaml", GUARD + "    controversial: maybe\n",
     ("assess", "run", "assess.yaml"), "judges.guard.controversial", "maybe"),
    ("assess-guard-retries", "assess.yaml", GUARD + "    parse_retries: many\n",
     ("assess", "run", "assess.yaml"), "judges.guard.parse_retries", "many"),
    ("assess-llm-timeout", "assess.yaml",
     ASSESS + "judges:\n  llm:\n    base_url: http://j/v1\n    model: j\n    timeout: soon\n",
     ("assess", "run", "assess.yaml"), "judges.llm.timeout", "soon"),
    ("assess-policy", "assess.yaml", ASSESS + "policy:\n  max_error_share: 5%\n",
     ("assess", "run", "assess.yaml"), "policy.max_error_share", "5%"),
    ("assess-sampling", "assess.yaml", ASSESS + "sampling:\n  seed: random\n",
     ("assess", "run", "assess.yaml"), "sampling.seed", "random"),
    ("assess-edition", "assess.yaml", ASSESS + "standards: {edition: tc261}\n",
     ("assess", "run", "assess.yaml"), "standards.edition", "tc261"),
    # beian.yaml: every section a part reads
    ("beian-standards-edition", "beian.yaml", "standards:\n  edition: 5\n",
     ("standards", "show", "A1a"), "standards.edition", "edition"),
    ("beian-standards-override", "beian.yaml",
     "standards:\n  overrides:\n    bank.generation.total_min: lots\n",
     ("standards", "show", "A1a"), "standards.overrides.bank.generation.total_min", "lots"),
    ("beian-standards-unknown", "beian.yaml",
     "standards:\n  overrides:\n    bank.total: 5\n",
     ("standards", "show", "A1a"), "standards.overrides.bank.total", "bank.total"),
    ("beian-pii-threshold", "beian.yaml", "pii:\n  threshold: high\n",
     ("pii", "scan", "t.txt"), "pii.threshold", "high"),
    ("beian-pii-type", "beian.yaml", "pii:\n  disabled: [SSN]\n",
     ("pii", "scan", "t.txt"), "pii.disabled", "SSN"),
    ("beian-lexicon", "beian.yaml", "lexicon:\n  max_gap: many\n",
     ("lexicon", "scan", "t.txt", "-l", "kw.csv"), "lexicon.max_gap", "many"),
    ("beian-registry-policy", "beian.yaml",
     "registry:\n  policy:\n    supplement_working_days: ten\n",
     ("registry", "tick", "--data-dir", "reg"), "registry.policy.supplement_working_days", "ten"),
    ("beian-notice-days", "beian.yaml", "registry:\n  policy:\n    notice_working_days: 0\n",
     ("registry", "tick", "--data-dir", "reg"), "registry.policy.notice_working_days", "0"),
    ("beian-dossier", "beian.yaml", "dossier:\n  assessment_max_age_days: half-year\n",
     DOSSIER_ARGS, "dossier.assessment_max_age_days", "half-year"),
    ("beian-dossier-retired", "beian.yaml", "dossier:\n  public_notice_working_days: 7\n",
     DOSSIER_ARGS, "dossier.public_notice_working_days", "public_notice"),
    ("beian-gateway-section", "beian.yaml", "gateway:\n  records:\n    retention_days: forever\n",
     ("gateway", "check"), "gateway.records.retention_days", "forever"),
    ("beian-syntax", "beian.yaml", "pii:\n  threshold: 0.5\n  disabled: NAME: x\n",
     ("pii", "scan", "t.txt"), "", "NAME: x"),
    # a gateway configuration file of its own
    ("gateway-file", "gw.yaml", "screening:\n  pii: shred\n",
     ("gateway", "check", "--file", "gw.yaml"), "screening.pii", "shred"),
    ("gateway-typo", "gw.yaml", "upstream:\n  base_url: http://u/v1\n  time_out: 5\n",
     ("gateway", "check", "--file", "gw.yaml"), "upstream.time_out", "time_out"),
    # corpus source list
    ("sources-type", "sources.yaml", "sources:\n  - name: web\n    type: scraped\n    paths: [web/]\n",
     ("corpus", "scan", "sources.yaml", "-o", "out"), "sources.0.type", "scraped"),
    ("sources-duplicate", "sources.yaml",
     "sources:\n  - {name: web, type: open-source, paths: [a/]}\n  - {name: web, type: open-source, paths: [b/]}\n",
     ("corpus", "scan", "sources.yaml", "-o", "out"), "sources.1.name", "b/"),
    # a year's holiday schedule for the registry
    ("calendar-date", "cal.yaml", "year: 2031\nholidays:\n  - 2031-01-01\n  - 2031-02-30\n",
     ("registry", "calendar", "load", "cal.yaml", "--data-dir", "reg"), "", "02-30"),
    ("calendar-range", "cal.yaml", "year: 2031\nholidays:\n  - 2031-01-01\n  - 2031-10-07..2031-10-01\n",
     ("registry", "calendar", "load", "cal.yaml", "--data-dir", "reg"), "holidays.1", "10-07.."),
    ("calendar-year", "cal.yaml", "year: next\nholidays: [2031-01-01]\n",
     ("registry", "calendar", "load", "cal.yaml", "--data-dir", "reg"), "year", "next"),
    # dataset mapping of `beian bank import`
    ("mapping-risk", "map.yaml", "categories:\n  Insult: Z9\n",
     ("bank", "import", "sp.json", "--format", "safety-prompts", "-m", "map.yaml", "-o", "b.jsonl"),
     "categories.Insult", "Z9"),
    ("mapping-kind", "map.yaml", "kind: sometimes\ncategories: {Insult: A4c}\n",
     ("bank", "import", "sp.json", "--format", "safety-prompts", "-m", "map.yaml", "-o", "b.jsonl"),
     "kind", "sometimes"),
    ("mapping-shape", "map.yaml", "categories: [Insult]\n",
     ("bank", "import", "sp.json", "--format", "safety-prompts", "-m", "map.yaml", "-o", "b.jsonl"),
     "categories", "categories"),
]  # fmt: skip


@pytest.fixture(scope="module")
def dossier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An example dossier, made once (``beian init --example``)."""
    root = tmp_path_factory.mktemp("example")
    r = run_cli("init", "dossier", "--example", cwd=root)
    assert r.returncode == 0, r.stderr
    return root / "dossier"


@pytest.mark.parametrize(
    ("name", "text", "command", "field", "marker"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_malformed_config_is_a_located_chinese_error(
    tmp_path: Path, dossier: Path, name: str, text: str, command: tuple[str, ...], field: str,
    marker: str,
) -> None:
    (tmp_path / name).write_text(text, "utf-8")
    (tmp_path / "t.txt").write_text("张三的手机号是13800138000", "utf-8")
    (tmp_path / "kw.csv").write_text("keyword,risk\n高利贷,A1h\n", "utf-8")
    (tmp_path / "sp.json").write_text(json.dumps(SP, ensure_ascii=False), "utf-8")
    if command == DOSSIER_ARGS:
        (tmp_path / "dossier").symlink_to(dossier, target_is_directory=True)
    before = sorted(p.name for p in tmp_path.iterdir())
    args = ("--config", name) if name == "beian.yaml" else ()
    r = run_cli(*args, *command, cwd=tmp_path)
    out = (r.stdout + r.stderr).replace("\n", " ")
    lines = text.splitlines()
    line = next((i for i, t in enumerate(lines, start=1) if marker in t), len(lines))
    assert r.returncode == 2, out
    assert "Traceback" not in out and "错误：" in out, out
    assert f"{name}:{line}" + (f" {field}" if field else "") in out, out
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
