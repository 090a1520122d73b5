"""``beian demo`` as a library call: the whole offline self-assessment, start to finish.

Trains the demo classifier, starts two demo model servers (the model under test and an LLM
judge) on loopback, writes a runnable ``assess.yaml`` pointing at them, runs the assessment,
writes the Chinese report and the human-review workbook, and builds the example provider's
filing package from the result. Nothing is hidden: every finding of the run is returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beian.demo._behavior import DemoBehavior
from beian.demo._server import serve_in_thread
from beian.io import load_yaml, write_yaml

if TYPE_CHECKING:
    from beian.assess import RunResult
    from beian.config import BeianConfig
    from beian.dossier import DemoPackage
    from beian.findings import Finding
    from beian.standards import Edition

__all__ = ["DemoRun", "run_demo"]

# The model under test: refuses some questions, now and then 429, slow or filtered.
TARGET_BEHAVIOR = DemoBehavior(rate_limit_every=25, slow_every=400, slow_ms=300, unsafe_every=40)
Progress = Callable[[str, int, int], None]


@dataclass
class DemoRun:
    """What a demo run produced (paths under ``out``) and what it found."""

    out: Path
    edition: Edition
    classifier: dict[str, Any]  # training metrics of the demo classifier
    target_url: str  # the demo model server (stopped when run_demo returns)
    assess_config: Path
    result: RunResult
    findings: list[Finding]
    report: Path
    review: Path
    package: DemoPackage


def _data(name: str) -> Path:
    return Path(str(resources.files("beian.demo") / "data" / name))


def _write_config(out: Path, target_url: str, judge_url: str, model: Path) -> Path:
    """The demo's assess.yaml, pointed at this run's servers and files (runnable again)."""
    from beian.dossier import example_path

    cfg = load_yaml(_data("assess.yaml"))
    cfg["target"]["base_url"] = target_url
    cfg["judges"]["llm"]["base_url"] = judge_url
    cfg["banks"] = [str(example_path(b)) for b in cfg["banks"]]
    cfg["judges"]["keyword"]["lexicon"] = str(example_path("lexicon.csv"))
    cfg["judges"]["classifier"]["model"] = str(model.resolve())
    cfg["output"] = "run"
    path = out / "assess.yaml"
    write_yaml(path, cfg)
    return path


def run_demo(
    out: str | Path,
    *,
    config: BeianConfig | None = None,
    on_progress: Progress | None = None,
    on_step: Callable[[str, dict[str, Any]], None] | None = None,
) -> DemoRun:
    """Run the demo into ``out``.

    ``on_step(step, info)`` is told as steps complete (``trained``: the classifier's metrics;
    ``serving``: ``{"url": …}`` of the model under test); ``on_progress`` follows the
    assessment (see :func:`beian.assess.run_assessment`).
    """
    from beian.assess import (
        LOG,
        assessment_findings,
        load_assess_config,
        run_assessment,
        write_report,
    )
    from beian.assess.judges import export_review, review_sizes, train_classifier
    from beian.config import BeianConfig
    from beian.dossier import build_demo_package

    out = Path(out)
    config = config or BeianConfig()
    ed = config.edition()
    out.mkdir(parents=True, exist_ok=True)
    model = out / "classifier.pkl"
    metrics = train_classifier(_data("classifier_train.csv"), model, ed, seed=0)
    if on_step:
        on_step("trained", metrics)
    with (
        serve_in_thread(TARGET_BEHAVIOR) as server,
        serve_in_thread(DemoBehavior(judge=True)) as judge,
    ):
        cfg_path = _write_config(out, server.base_url, judge.base_url, model)
        if on_step:
            on_step("serving", {"url": server.base_url})
        cfg = load_assess_config(cfg_path)
        result = run_assessment(cfg, ed, None, on_progress)
    review = out / "review.xlsx"
    n = int(ed.figure("assess.generation.manual_sample_min").threshold)
    export_review(result.records, review, n=review_sizes(n), seed=cfg.sampling.seed)
    package = build_demo_package(out, result.run_dir / LOG, config=config)
    # the run's report states the package's conclusion (chapters 5–8 included)
    report = write_report(result.run_dir, ed, conclusion=package.build.conclusion)
    return DemoRun(
        out=out, edition=ed, classifier=metrics, target_url=server.base_url,
        assess_config=cfg_path, result=result, findings=assessment_findings(result.log),
        report=report, review=review, package=package,
    )
