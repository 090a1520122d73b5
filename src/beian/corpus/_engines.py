"""Run the screening of every shard: locally (processes) or on Ray, resuming finished shards."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from beian.corpus._files import read_output
from beian.corpus._readers import Shard, plan_shards
from beian.corpus._screen import Screeners
from beian.corpus._shard import load_summary, process_shard
from beian.corpus._sources import SourceConfig
from beian.errors import ConfigError
from beian.io import atomic_write_text

Engine = Literal["local", "ray"]
Progress = Callable[[dict[str, Any]], None]

MANIFEST = "scan.json"


@dataclass
class ScanRun:
    """What one scan did: the plan, which shards ran now and which were already finished."""

    out: Path
    shards: list[Shard]
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)


# --- local engine -------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(screeners: Screeners, out: str, clean: bool) -> None:
    _WORKER.update(screeners=screeners, out=out, clean=clean)


def _run_in_worker(shard: dict[str, Any]) -> dict[str, Any]:
    return process_shard(
        Shard.from_dict(shard), _WORKER["screeners"], _WORKER["out"], clean=_WORKER["clean"]
    )


def _forkserver() -> Any:
    """The multiprocessing context of the local workers, its server started (not waited for).

    forkserver: workers are forked from a clean server that imported the heavy modules once
    (no fork of this process, which may hold threads; no per-worker import cost). Started
    before the files are cut into shards, the server's imports overlap that planning.
    """
    import multiprocessing as mp
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["beian.corpus._shard", "pyarrow.parquet", "pandas"])
    forkserver.ensure_running()
    return ctx


def _local(
    todo: list[Shard], screeners: Screeners, out: Path, clean: bool, workers: int
) -> Iterator[dict[str, Any]]:
    if workers <= 1 or len(todo) <= 1:
        for s in todo:
            yield process_shard(s, screeners, out, clean=clean)
        return
    ctx = _forkserver()
    with ctx.Pool(
        processes=min(workers, len(todo)),
        initializer=_init_worker,
        initargs=(screeners, str(out), clean),
        maxtasksperchild=64,
    ) as pool:
        # imap_unordered keeps one shard per worker in flight: memory does not grow with the corpus
        yield from pool.imap_unordered(_run_in_worker, [s.to_dict() for s in todo], chunksize=1)


# --- the scan -----------------------------------------------------------------------------


def _remove_stale(out: Path, keep: set[str]) -> None:
    """Delete outputs of shards that are not in this plan (changed files or screeners)."""
    stale = [*(out / "shards").glob("*"), *(out / "results").glob("*")]
    for p in stale + list((out / "clean").glob("*/*.jsonl")):
        if p.name.split(".")[0] not in keep:
            p.unlink(missing_ok=True)


def scan_corpus(
    cfg: SourceConfig,
    screeners: Screeners,
    out: str | os.PathLike[str],
    *,
    engine: Engine = "local",
    workers: int | None = None,
    clean: bool = False,
    shard_bytes: int = 64 << 20,
    ray_address: str | None = None,
    on_plan: Callable[[list[Shard], list[Shard]], None] | None = None,
    progress: Progress | None = None,
) -> ScanRun:
    """Screen every document of every source into ``out``; finished shards are not redone."""
    out = Path(out)
    workers = workers or os.cpu_count() or 1
    if engine == "local" and workers > 1:
        _forkserver()
    fp = screeners.fingerprint()
    shards = plan_shards(cfg, fingerprint=fp, shard_bytes=shard_bytes)
    ids = {s.id for s in shards}
    (out / "shards").mkdir(parents=True, exist_ok=True)
    _remove_stale(out, ids)
    if not clean:
        for p in (out / "clean").glob("*/*.jsonl"):
            p.unlink()
    manifest = {
        "fingerprint": fp,
        "screeners": screeners.describe(),
        "clean": clean,
        "sources": [s.model_dump() for s in cfg.sources],
        "base": cfg.base,
        "shards": [s.to_dict() for s in shards],
    }
    atomic_write_text(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    run = ScanRun(out=out, shards=shards)
    todo: list[Shard] = []
    for s in shards:
        done = load_summary(out, s.id)
        if done is not None and (
            not clean or (out / "clean" / s.source / f"{s.id}.jsonl").exists()
        ):
            run.skipped.append(s.id)
            run.summaries[s.id] = done
        else:
            todo.append(s)
    if on_plan:
        finished = set(run.skipped)
        on_plan(shards, [s for s in shards if s.id in finished])
    if engine == "local":
        results = _local(todo, screeners, out, clean, workers)
    elif engine == "ray":
        from beian.corpus._ray import run_on_ray

        results = run_on_ray(todo, screeners, out, clean, workers, ray_address)
    else:
        raise ConfigError(f"未知的执行引擎 {engine}", fix="可选 local 或 ray")
    for summary in results:
        run.ran.append(summary["id"])
        run.summaries[summary["id"]] = summary
        if progress:
            progress(summary)
    return run


def load_manifest(out: str | os.PathLike[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read_output(out, MANIFEST, command="beian corpus scan"))
    return data
