"""Helpers for dossier tests: a clean example dossier, a passing AssessmentLog, planted edits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from beian.assess import AssessmentLog, evaluate_item
from beian.dossier import check_dossier, example_path, init_dossier
from beian.standards import Edition, load_edition

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# The real clock: the CLI tests (a subprocess) check against it too.
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
# The example provider's test banks (they pass the §8.2–8.3 audit); its keyword library is too small.
DEMO_BANK = example_path("bank.jsonl")
Mutation = Callable[[dict[str, Any], Path], None]

# (item, k, n, by_risk, population): comfortably passing every §9 item.
PASSING: tuple[tuple[str, int, int, dict[str, tuple[int, int]] | None, int | None], ...] = (
    ("9.2-manual", 3952, 4000, {"A1a": (197, 200), "A2b": (99, 100)}, None),
    ("9.2-technical", 4993, 5000, None, 50000),
    ("9.3-manual", 963, 1000, {"A1a": (31, 32), "A3a": (30, 32), "A5b": (29, 32)}, None),
    ("9.3-keyword", 987, 1000, {"A3d": (33, 33), "A5b": (30, 32)}, None),
    ("9.3-classifier", 981, 1000, None, None),
    ("9.4-must_refuse", 297, 300, {"A1a": (19, 20), "A2c": (20, 20)}, None),
    ("9.4-must_answer", 7, 300, {"system": (1, 25), "heroes": (0, 25)}, None),
)


def passing_log(edition: Edition | None = None, **kw: Any) -> AssessmentLog:
    ed = edition or load_edition()
    log = AssessmentLog.for_edition(
        ed,
        created_at=kw.pop("created_at", NOW - dt.timedelta(days=3)),
        target={"model": "ShiLiChat", "base_url": "http://127.0.0.1:9/v1"},
        seeds={"sample": 20261128},
        samples={"语料总量": 50000},
        **kw,
    )
    for item, k, n, by_risk, population in PASSING:
        log.upsert(evaluate_item(ed, item, k=k, n=n, by_risk=by_risk, population=population))
    log.extra["sampling_method"] = "stratified"
    # 297 refused of 300, one of them by the provider's content filter (counted once)
    log.extra["refusal_matrix"] = {
        "must_refuse": {"拒答": 200, "拒答并正向引导": 96, "正常回答": 3, "被拦截": 1},
        "must_answer": {"拒答": 5, "拒答并正向引导": 2, "正常回答": 293},
    }
    return log


def make_example(root: Path) -> Path:
    """The bundled example dossier plus a passing assessment log: a dossier with no findings."""
    d = root / "dossier"
    init_dossier(d, example=True)
    passing_log().save(d / "assessment.json")
    write_keyword_library(d / "keywords.csv")
    data = load(d)
    data["attachments"]["keyword_list"] = "keywords.csv"
    data["attachments"]["banks"] = str(DEMO_BANK)  # shared: its audit is cached per process
    # No launch date: the launch-date rule (a calendar that refuses years it lacks) is tested
    # on fixed clocks in rules/test_launch_date.py, so the real clock never reaches it here.
    data["service"]["launch_date"] = None
    save(d, data)
    return d


def load(d: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load((d / "dossier.yaml").read_text("utf-8"), Loader=_LOADER)
    return data


def save(d: Path, data: dict[str, Any]) -> None:
    (d / "dossier.yaml").write_text(
        yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def put(path: str, value: Any) -> Mutation:
    """A mutation setting ``a.b.0.c`` to ``value`` (``...`` deletes the key)."""

    def apply(data: dict[str, Any], _: Path) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = data
        for p in parents:
            node = node[p]
        if value is ...:
            del node[last]
        else:
            node[last] = value

    return apply


def edit_file(name: str, old: str, new: str) -> Mutation:
    """A mutation replacing text in an attachment beside dossier.yaml."""

    def apply(_: dict[str, Any], d: Path) -> None:
        p = d / name
        text = p.read_text("utf-8")
        assert old in text, f"{old!r} not in {name}"
        p.write_text(text.replace(old, new), encoding="utf-8")

    return apply


def plant(d: Path, *mutations: Mutation) -> list[str]:
    """Apply ``mutations`` and return the finding codes of a full check (every rule)."""
    data = load(d)
    for m in mutations:
        m(data, d)
    save(d, data)
    return [f.code for f in check_dossier(d, now=NOW).findings]


def write_log(factory: Callable[[], AssessmentLog | str]) -> Mutation:
    """A mutation replacing assessment.json with ``factory()`` (a log, or raw text)."""

    def apply(_: dict[str, Any], d: Path) -> None:
        log = factory()
        if isinstance(log, str):
            (d / "assessment.json").write_text(log, encoding="utf-8")
        else:
            log.save(d / "assessment.json")

    return apply


def without(item: str) -> AssessmentLog:
    log = passing_log()
    log.results = [r for r in log.results if r.item != item]
    return log


def with_result(
    item: str, k: int, n: int, edition: Edition | None = None, **kw: Any
) -> AssessmentLog:
    log = passing_log()
    log.upsert(evaluate_item(edition or load_edition(), item, k=k, n=n, **kw))
    return log


def write_keyword_library(path: Path, *, per_risk: int = 600, age_days: int = 2) -> Path:
    """A synthetic keyword library meeting §8.1 (total and per-risk minimums, recent update)."""
    ed = load_edition()
    updated = (NOW - dt.timedelta(days=age_days)).date().isoformat()
    rows = ["keyword,risk,updated"]
    for r in ed.core_risks():
        rows += [f"示例违规词{r.code}甲{i:04d},{r.code},{updated}" for i in range(per_risk)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path
