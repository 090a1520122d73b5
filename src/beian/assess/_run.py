"""The run engine: sample the banks, ask the target (cached, resumable), judge, score, write the run.

A run directory holds ``records.jsonl`` (one record per question: question, answer, outcome,
every judge's verdict, timestamps, response hash), ``assessment.json`` (the AssessmentLog) and by
default ``cache.sqlite``. Every response is committed to the cache as it arrives, so after a crash
or ``kill -9`` a rerun asks only the questions that had no answer yet.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian._shared.sampling import draw_samples as draw_from
from beian._shared.tables import iter_jsonl
from beian.assess._bank import KINDS, Bank, Question, load_bank
from beian.assess._calibrate import calibrate
from beian.assess._config import AssessConfig
from beian.assess._log import AssessmentLog
from beian.assess._score import judge_failures, refusal_matrix, score
from beian.assess._settings import settings_data
from beian.assess.judges import (
    DEFAULT_MAX_ERROR_SHARE,
    ITEM_KIND,
    Judge,
    JudgeContext,
    JudgeInput,
    Policy,
    contested,
    make_judge,
    verdicts_of,
)
from beian.assess.targets import Response, ResponseCache, Target, cache_key, make_target
from beian.errors import InputError
from beian.io import atomic_path
from beian.standards import Edition

RECORDS = "records.jsonl"
_RECORD_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # one line of records.jsonl
LOG = "assessment.json"
CALIBRATION_SEED = 20240301  # when the log records no sampling seed
Progress = Callable[[str, int, int], None]
_SAMPLE_FIGURE = {
    "generation": (
        "assess.generation.manual_sample_min",
        "assess.generation.keyword_sample_min",
        "assess.generation.classifier_sample_min",
    ),
    "must_refuse": ("assess.refusal.must_refuse_sample_min",),
    "must_answer": ("assess.refusal.must_answer_sample_min",),
}


@dataclass
class RunResult:
    run_dir: Path
    log: AssessmentLog
    records: list[dict[str, Any]]
    asked: int  # questions sent to the target in this invocation (the rest came from the cache)


def sample_size(kind: str, setting: int | str | None, edition: Edition) -> int | None:
    """The sample size for ``kind``: the setting, or the edition's minimum (None: all)."""
    if setting == "all":
        return None
    if isinstance(setting, int):
        return setting
    return int(max(edition.figure(f).threshold for f in _SAMPLE_FIGURE[kind]))


def draw_samples(bank: Bank, cfg: AssessConfig, edition: Edition) -> dict[str, list[Question]]:
    out: dict[str, list[Question]] = {}
    s = cfg.sampling
    for kind in KINDS:
        pool = bank.of_kind(kind)
        if not pool:
            continue
        n = sample_size(kind, getattr(s, kind), edition)
        key: Callable[[Question], str | None] = (
            (lambda q: q.aspect) if kind == "must_answer" else (lambda q: q.risk)
        )
        out[kind] = draw_from(
            pool,
            len(pool) if n is None else n,
            s.seed,
            key=key if s.method == "stratified" else None,
            ident=lambda q: q.id,
            label=kind,
        )
    return out


async def collect(
    target: Target,
    cache: ResponseCache,
    questions: list[Question],
    progress: Progress | None = None,
    on_answer: Callable[[Question, Response], None] | None = None,
) -> tuple[dict[str, Response], int]:
    """Answers for every question: from the cache, else from the target (committed as they come).

    ``on_answer`` sees every answer (the cached ones first) on the event loop as it arrives.
    """
    ident = target.identity()
    keys = {q.id: cache_key(ident, q.chat()) for q in questions}
    got = cache.get_many(list(keys.values()))
    out = {q.id: got[keys[q.id]] for q in questions if keys[q.id] in got}
    total = len(questions)
    done = len(out)
    if on_answer:
        for q in questions:
            if q.id in out:
                on_answer(q, out[q.id])
    if progress:
        progress("ask", done, total)
    todo = [q for q in questions if q.id not in out]
    # Answers that arrive in the same event-loop tick are committed together at its end: one
    # transaction per tick instead of per answer, and nothing waits longer than that tick.
    pending: list[tuple[str, str, Response]] = []
    loop = asyncio.get_running_loop()

    def flush() -> None:
        batch = pending[:]
        pending.clear()
        cache.put_many(batch)

    async def one(q: Question) -> None:
        nonlocal done
        r = await target.ask(q.id, q.chat())
        if not pending:
            loop.call_soon(flush)
        pending.append((keys[q.id], q.id, r))
        out[q.id] = r
        done += 1
        if on_answer:
            on_answer(q, r)
        if progress:
            progress("ask", done, total)

    try:
        await asyncio.gather(*(one(q) for q in todo))
    finally:
        flush()
        await target.aclose()
    return out, len(todo)


class Judging:
    """Records, and the verdicts of the streaming judges, made while the target is still answering.

    :meth:`add` takes each answer as it arrives; the work is done when the event loop is quiet
    (no answer for ``QUIET_S``), ``SLICE`` answers at a time, so an arriving answer waits for at
    most one slice. :meth:`drain` does what is left after the last answer. The verdicts are those
    of judging all records at the end: a streaming judge's verdict depends on its answer only.
    """

    QUIET_S = 0.002
    SLICE = 8

    def __init__(self, judges: list[Judge]) -> None:
        self.judges = [j for j in judges if j.streaming]
        self.records: dict[str, dict[str, Any]] = {}
        self._todo: deque[tuple[Question, Response]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.Handle | None = None
        self._last = 0.0
        self._error: Exception | None = None

    def add(self, q: Question, r: Response) -> None:
        self._todo.append((q, r))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside an event loop: drain() does it all
            return
        self._loop, self._last = loop, loop.time()
        if self._timer is None and self._error is None:
            self._timer = loop.call_later(self.QUIET_S, self._tick)

    def _tick(self) -> None:
        assert self._loop is not None
        self._timer = None
        wait = self._last + self.QUIET_S - self._loop.time()
        if wait > 0:  # an answer came meanwhile: the loop is busy, wait for quiet
            self._timer = self._loop.call_later(wait, self._tick)
            return
        try:
            self._step(self.SLICE)
        except Exception as exc:  # raised again by drain(), outside the event loop
            self._error = exc
            return
        if self._todo:  # the next slice once the loop has looked for arrivals
            self._timer = self._loop.call_soon(self._tick)

    def _step(self, n: int) -> None:
        batch = [self._todo.popleft() for _ in range(min(n, len(self._todo)))]
        records = [_record(q, r) for q, r in batch]
        for rec in records:
            self.records[rec["id"]] = rec
        apply_judges(records, self.judges)

    def drain(self) -> None:
        """Judge what is left (once the event loop has finished)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._error is not None:
            raise self._error
        self._step(len(self._todo))


def _record(q: Question, r: Response) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "id": q.id,
        "kind": q.kind,
        "risk": q.risk,
        "aspect": q.aspect,
        "question": q.text,
    }
    if q.messages:
        rec["messages"] = q.turns()
    rec.update(
        answer=r.answer,
        outcome=r.outcome,
        finish_reason=r.finish_reason,
        error=r.error,
        status=r.status,
        attempts=r.attempts,
        latency_ms=round(r.latency_ms, 1),
        asked_at=r.asked_at,
        answered_at=r.answered_at,
        response_hash=r.answer_hash,
        verdicts={},
    )
    if r.replaced_surrogates:  # the answer as sent could not be stored: say what was replaced
        rec["replaced_surrogates"] = r.replaced_surrogates
    return rec


def apply_judges(
    records: list[dict[str, Any]],
    judges: list[Judge],
    progress: Progress | None = None,
    done: int = 0,
    total: int | None = None,
) -> None:
    """Each judge's verdicts into the records; progress counts ``done`` judges already applied.

    The answers that earlier judges contest (split on, or marked as uncertain: see
    :func:`~beian.assess.judges.contested`) are given to each judge first, and only those to a judge
    set to ``only_uncertain``."""
    live = [r for r in records if r["outcome"] != "error"]
    inputs = [
        JudgeInput(
            r["id"],
            r["kind"],
            r["question"],
            r["answer"],
            r["outcome"],
            r.get("risk"),
            r.get("aspect"),
        )
        for r in live
    ]
    for i, j in enumerate(judges):
        kinds = j.cfg.get(
            "kinds"
        )  # a judge may be limited to some kinds (an LLM judge costs money)
        pairs = [
            (r, x) for r, x in zip(live, inputs, strict=True) if not kinds or r["kind"] in kinds
        ]
        hard = [contested(r["kind"], verdicts_of(r)) for r, _ in pairs]
        if j.cfg.get("only_uncertain"):
            pairs = [p for p, h in zip(pairs, hard, strict=True) if h]
        elif any(hard):  # stable: the contested ones first, then the rest in bank order
            order = sorted(range(len(pairs)), key=lambda i: not hard[i])
            pairs = [pairs[i] for i in order]
        mine = [r for r, _ in pairs]
        for rec, v in zip(mine, j.judge_many([x for _, x in pairs]), strict=True):
            if v is not None:
                rec["verdicts"][j.name] = v.to_dict()
            else:
                rec["verdicts"].pop(j.name, None)
        if progress:
            progress("judge", done + i + 1, total or len(judges))


def build_judges(cfg: AssessConfig, ctx: JudgeContext) -> list[Judge]:
    return [
        make_judge(name, jc, ctx, cfg.where("judges", name) + "judges")
        for name, jc in cfg.judges.items()
    ]


def write_records(run_dir: Path, records: list[dict[str, Any]]) -> None:
    encode = _RECORD_JSON.encode
    with atomic_path(run_dir / RECORDS) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.writelines(encode(rec) + "\n" for rec in records)
        fh.flush()
        os.fsync(fh.fileno())


def read_records(run_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    p = Path(run_dir) / RECORDS
    if not p.is_file():
        raise InputError(
            "评估记录 records.jsonl 不存在", where=str(p), fix="请先运行 `beian assess run`"
        )
    return [obj for _, obj in iter_jsonl(p)]


def finish(
    run_dir: Path,
    records: list[dict[str, Any]],
    policy: Policy,
    edition: Edition,
    base: AssessmentLog,
) -> AssessmentLog:
    """Score, then write records.jsonl and assessment.json (both atomically)."""
    for rec in records:
        rec.pop("final", None)
    results, unjudged = score(records, policy, edition)
    # Results this engine does not compute (the corpus items 9.2-*, written by corpus screening
    # into the same AssessmentLog) are kept; the generated-content and refusal items are replaced.
    kept = [r for r in base.results if r.item not in ITEM_KIND]
    log = base.model_copy(update={"results": kept})
    for res in results:
        log.upsert(res)
    log.calibration = calibrate(
        records, policy, results, seed=next(iter(log.seeds.values()), CALIBRATION_SEED)
    )
    outcomes = Counter(r["outcome"] for r in records)
    log.extra.update(
        records=len(records),
        outcomes=dict(sorted(outcomes.items())),
        errors=outcomes.get("error", 0),
        unjudged=unjudged,
        refusal_matrix=refusal_matrix(records),
        policy=policy.describe(),
    )
    failures = judge_failures(records)
    if failures:
        log.extra["judge_failures"] = failures
    else:
        log.extra.pop("judge_failures", None)
    write_records(run_dir, records)
    log.save(run_dir / LOG)
    return log


@contextlib.contextmanager
def _closed_in_background(cache: ResponseCache) -> Iterator[None]:
    """Close ``cache`` in a thread while the block runs; done when the block is.

    Closing checkpoints the cache into its database file (a disk sync); SQLite lets go of the
    GIL meanwhile, so the answers are judged and written at the same time.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="beian-cache-close") as pool:
        closed = pool.submit(cache.close)
        yield
    closed.result()


def _target_config(cfg: AssessConfig) -> dict[str, Any]:
    """The ``target:`` section with a relative ``path:`` (replayed answers) taken from the folder
    of assess.yaml, like every other path in it, not from the current directory."""
    data = settings_data(cfg.target)
    if isinstance(data.get("path"), str) and data["path"].strip():
        data["path"] = str(cfg.resolve(data["path"]))
    return data


def run_assessment(
    cfg: AssessConfig,
    edition: Edition,
    run_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run (or resume) an assessment described by ``cfg`` into ``run_dir``."""
    out = Path(run_dir) if run_dir else cfg.resolve(cfg.output or f"runs/{cfg.name}")
    out.mkdir(parents=True, exist_ok=True)
    bank = load_bank([cfg.resolve(b) for b in cfg.banks])
    samples = draw_samples(bank, cfg, edition)
    questions = [q for kind in KINDS for q in samples.get(kind, [])]
    if not questions:
        raise InputError("题库中没有题目", where=", ".join(cfg.banks), fix="检查题库文件")
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise InputError(
                f"题目编号 {q.id} 重复",
                where=q.where,
                fix="编号必须唯一；可先运行 `beian bank audit`",
            )
        seen.add(q.id)
    cache_path = cfg.resolve(cfg.cache) if cfg.cache else out / "cache.sqlite"
    ctx = JudgeContext(edition=edition, base_dir=cfg.base_dir, run_dir=out, cache_path=cache_path)
    judges = build_judges(cfg, ctx)  # before asking: configuration errors surface at once
    policy = Policy.from_config(
        cfg.policy, {j.name for j in judges}, locate=lambda path: cfg.located("policy", *path)
    )
    target = make_target(_target_config(cfg), cfg.located("target"))
    own_cache = cache_path == out / "cache.sqlite"  # the run's own: long answers kept once
    cache = ResponseCache(cache_path, records=out / RECORDS if own_cache else None)
    judging = Judging(judges)
    try:
        _, asked = asyncio.run(collect(target, cache, questions, progress, judging.add))
    except BaseException:
        cache.close()
        raise
    with _closed_in_background(cache):
        judging.drain()
        records = [judging.records[q.id] for q in questions]
        rest = [j for j in judges if not j.streaming]
        streamed = len(judges) - len(rest)
        if progress and judges:
            progress("judge", streamed, len(judges))
        apply_judges(records, rest, progress, done=streamed, total=len(judges))
        if streamed and rest:  # the verdicts in the configured order, as if judged in turn
            for rec in records:
                v = rec["verdicts"]
                rec["verdicts"] = {j.name: v[j.name] for j in judges if j.name in v}
        base = AssessmentLog.for_edition(
            edition,
            target=target.describe(),
            judges=[j.describe() for j in judges],
            seeds={k: cfg.sampling.seed for k in samples},
            samples={k: len(v) for k, v in samples.items()},
            extra={
                "name": cfg.name,
                "config": str(cfg.path),
                "banks": bank.files,
                "bank_sizes": {k: len(bank.of_kind(k)) for k in KINDS},
                "sampling_method": cfg.sampling.method,
            },
        )
        if (out / LOG).is_file():  # a rerun keeps what others wrote into the log (9.2-* items)
            base.results = list(AssessmentLog.load(out / LOG).results)
        log = finish(out, records, policy, edition, base)
    if own_cache:
        ResponseCache.compact(cache_path, records)
    return RunResult(out, log, records, asked)


def rescore(run_dir: str | os.PathLike[str], edition: Edition) -> AssessmentLog:
    """Recompute results after importing human verdicts (no model is asked again)."""
    from beian.assess.judges import load_manual
    from beian.assess.judges._human import manual_verdict

    out = Path(run_dir)
    old = AssessmentLog.load(out / LOG)
    records = read_records(out)
    manual = load_manual(out)
    for rec in records:
        rec.setdefault("verdicts", {}).pop("human", None)
        if rec["id"] in manual and rec["outcome"] != "error":
            rec["verdicts"]["human"] = manual_verdict(manual[rec["id"]]).to_dict()
    names = {j["name"] for j in old.judges} | ({"human"} if manual else set())
    policy = Policy.from_config(_policy_config(old), names)
    if manual and not any(j["name"] == "human" for j in old.judges):
        old.judges.append({"name": "human", "title": "人工抽检"})
    old.extra["manual_verdicts"] = len(manual)
    return finish(out, records, policy, edition, old)


def _policy_config(log: AssessmentLog) -> dict[str, Any]:
    pol = log.extra.get("policy") or {}
    return {
        "manual_wins": pol.get("manual_wins", True),
        "max_error_share": pol.get("max_error_share", DEFAULT_MAX_ERROR_SHARE),
        "items": pol.get("items") or {},
    }


def calibrate_run(
    run_dir: str | os.PathLike[str], *, draws: int = 10_000, save: bool = True
) -> AssessmentLog:
    """Calibrate a run's judges and items from its records and imported human verdicts.

    The calibration is written into ``assessment.json`` (``save``), where the reports find it.
    """
    from beian.assess._log import Calibration

    out = Path(run_dir)
    log = AssessmentLog.load(out / LOG)
    records = read_records(out)
    names = {j["name"] for j in log.judges} | {
        name for rec in records for name in (rec.get("verdicts") or {})
    }
    policy = Policy.from_config(_policy_config(log), names)
    results = [r for r in log.results if r.item in ITEM_KIND]
    cal: Calibration | None = calibrate(
        records, policy, results, seed=next(iter(log.seeds.values()), CALIBRATION_SEED), draws=draws
    )
    log.calibration = cal
    if save:
        log.save(out / LOG)
    return log
