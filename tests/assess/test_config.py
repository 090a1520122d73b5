"""assess.yaml is typed: every malformed value is a ConfigError at assess.yaml:line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from beian.assess import load_assess_config
from beian.assess.judges import KeywordSettings, Policy
from beian.assess.targets import OpenAISettings, ReplaySettings
from beian.errors import ConfigError

Cli = Callable[..., CompletedProcess[str]]

TARGET = """target:
  type: openai
  base_url: http://127.0.0.1:9/v1
  model: m
"""
JUDGES = """judges:
  refusal: {}
"""
GUARD = """judges:
  guard:
    base_url: http://127.0.0.1:9/v1
    model: g
"""


def _doc(target: str = TARGET, judges: str = JUDGES, rest: str = "") -> str:
    return "name: t\nbanks: [bank.jsonl]\n" + target + judges + rest


# (case, assess.yaml text, the field named, a text on the line the error must point at)
CASES = [
    ("concurrency-word", _doc(TARGET + "  concurrency: sixteen\n"), "target.concurrency", "sixteen"),
    ("timeout-negative", _doc(TARGET + "  timeout: -1\n"), "target.timeout", "timeout"),
    ("retries-fraction", _doc(TARGET + "  retries: 2.5\n"), "target.retries", "retries"),
    ("base-url-scheme", _doc(TARGET.replace("http://127.0.0.1:9/v1", "ftp://x")), "target.base_url", "ftp"),
    ("target-type", _doc(TARGET.replace("type: openai", "type: grpc")), "target.type", "grpc"),
    ("bad-regex", _doc(TARGET + "  filter_patterns: ['(unclosed']\n"), "target.filter_patterns.0", "unclosed"),
    ("misspelt-key", _doc(TARGET + "  concurency: 4\n"), "target.concurency", "concurency"),
    ("replay-no-path", _doc("target:\n  type: replay\n"), "target.path", "target:"),
    ("params-not-map", _doc(TARGET + "  params: [temperature]\n"), "target.params", "params"),
    ("keyword-no-lexicon", _doc(judges="judges:\n  keyword: {}\n"), "judges.keyword.lexicon", "keyword"),
    ("keyword-typo", _doc(judges="judges:\n  keyword:\n    lexicon: k.csv\n    case_fold: yes\n"), "judges.keyword.case_fold", "case_fold"),
    ("llm-retries-word", _doc(judges="judges:\n  llm:\n    base_url: http://j/v1\n    model: j\n    parse_retries: many\n"), "judges.llm.parse_retries", "many"),
    ("llm-concurrency-zero", _doc(judges="judges:\n  llm:\n    base_url: http://j/v1\n    model: j\n    concurrency: 0\n"), "judges.llm.concurrency", "concurrency"),
    ("unknown-judge", _doc(judges="judges:\n  refusal: {}\n  oracle: {}\n"), "judges.oracle", "oracle"),
    ("unknown-judge-type", _doc(judges="judges:\n  second:\n    type: oracle\n"), "judges.second.type", "oracle"),
    ("typed-judge-of-type", _doc(judges="judges:\n  llm2:\n    type: llm\n    base_url: http://j/v1\n    model: j\n    rubric: [x]\n"), "judges.llm2.rubric", "rubric"),
    ("judge-kinds", _doc(judges="judges:\n  refusal:\n    kinds: [sometimes]\n"), "judges.refusal.kinds.0", "sometimes"),
    ("refusal-unknown-key", _doc(judges="judges:\n  refusal:\n    threshold: 0.5\n"), "judges.refusal.threshold", "threshold"),
    ("refusal-rules-unknown-key", _doc(judges="judges:\n  refusal-rules: {model: x.pkl}\n"), "judges.refusal-rules.model", "refusal-rules"),
    ("human-unknown-key", _doc(judges="judges:\n  human:\n    sheet: 人工\n"), "judges.human.sheet", "sheet"),
    ("guard-no-endpoint", _doc(judges="judges:\n  guard: {preset: qwen3guard-gen}\n"), "judges.guard.base_url", "guard:"),
    ("guard-controversial", _doc(judges=GUARD + "    controversial: maybe\n"), "judges.guard.controversial", "maybe"),
    ("guard-retries-word", _doc(judges=GUARD + "    parse_retries: many\n"), "judges.guard.parse_retries", "many"),
    ("guard-concurrency-word", _doc(judges=GUARD + "    concurrency: sixteen\n"), "judges.guard.concurrency", "sixteen"),
    ("guard-typo", _doc(judges=GUARD + "    preset_file: g.yaml\n"), "judges.guard.preset_file", "preset_file"),
    ("guard-typed-typo", _doc(judges=GUARD.replace("  guard:", "  g2:\n    type: guard") + "    categorie: m.yaml\n"), "judges.g2.categorie", "categorie"),
    ("max-error-share", _doc(rest="policy:\n  max_error_share: 5%\n"), "policy.max_error_share", "5%"),
    ("max-error-share-range", _doc(rest="policy:\n  max_error_share: 2\n"), "policy.max_error_share", "max_error_share"),
    ("manual-wins", _doc(rest="policy:\n  manual_wins: perhaps\n"), "policy.manual_wins", "perhaps"),
    ("combine", _doc(rest="policy:\n  items:\n    9.4-must_refuse: {combine: most}\n"), "policy.items.9.4-must_refuse.combine", "most"),
    ("unknown-item", _doc(rest="policy:\n  items:\n    9.5-other: {}\n"), "policy.items.9.5-other", "9.5-other"),
    ("unconfigured-judge", _doc(rest="policy:\n  items:\n    9.4-must_refuse: {judges: [refusal, llm]}\n"), "policy.items.9.4-must_refuse.judges", "llm"),
    ("human-on-keyword", _doc(judges="judges:\n  keyword: {lexicon: k.csv}\n  human: {}\n", rest="policy:\n  items:\n    9.3-keyword:\n      judges: [keyword, human]\n"), "policy.items.9.3-keyword.judges", "[keyword, human]"),
    ("sample-negative", _doc(rest="sampling:\n  generation: -5\n"), "sampling.generation", "-5"),
    ("no-banks", _doc().replace("banks: [bank.jsonl]", "banks: []"), "banks", "banks"),
]


@pytest.mark.parametrize(("text", "field", "marker"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_config_is_located(tmp_path: Path, text: str, field: str, marker: str) -> None:
    p = tmp_path / "assess.yaml"
    p.write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if marker in t)
    with pytest.raises(ConfigError) as exc:
        load_assess_config(p)
    assert exc.value.where == f"{p}:{line} {field}", exc.value.render()


def test_yaml_syntax_error_is_a_config_error(tmp_path: Path) -> None:
    p = tmp_path / "assess.yaml"
    p.write_text(_doc(TARGET + "  model: [unclosed\n"), "utf-8")
    with pytest.raises(ConfigError) as exc:
        load_assess_config(p)
    assert exc.value.where and exc.value.where.startswith(f"{p}:")


def test_sections_are_typed_models(tmp_path: Path) -> None:
    p = tmp_path / "assess.yaml"
    p.write_text(
        _doc(TARGET + "  concurrency: '8'\n", "judges:\n  keyword: {lexicon: k.csv}\n  refusal:\n", "policy: {max_error_share: 0.05}\n"),
        "utf-8",
    )
    cfg = load_assess_config(p)
    assert isinstance(cfg.target, OpenAISettings) and cfg.target.concurrency == 8
    assert isinstance(cfg.judges["keyword"], KeywordSettings)
    assert cfg.policy.max_error_share == 0.05 and cfg.policy.manual_wins is True
    assert Policy.from_config(cfg.policy, set(cfg.judges)).max_error_share == 0.05
    replay = tmp_path / "replay.yaml"
    replay.write_text(_doc("target: {type: replay, path: answers.jsonl}\n"), "utf-8")
    assert isinstance(load_assess_config(replay).target, ReplaySettings)


def test_library_use_without_a_file_is_checked_too() -> None:
    from beian.assess.targets import make_target

    with pytest.raises(ConfigError) as exc:
        make_target({"base_url": "http://x/v1", "model": "m", "concurrency": "sixteen"}, "mine")
    assert exc.value.where == "mine.concurrency"


@pytest.mark.parametrize("case", ["concurrency-word", "human-on-keyword", "unknown-judge"])
def test_cli_exit_code_2_and_location(cli: Cli, tmp_path: Path, case: str) -> None:
    _, text, field, marker = next(c for c in CASES if c[0] == case)
    (tmp_path / "assess.yaml").write_text(text, "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if marker in t)
    r = cli("assess", "run", "assess.yaml")
    out = r.stdout + r.stderr
    assert r.returncode == 2 and "Traceback" not in out
    assert f"assess.yaml:{line} {field}" in out.replace("\n", "")
