"""The Ray engine: Ray Data schedules the same per-shard code over a local or remote cluster.

Every worker must see the input files and the output folder at the same paths (a shared file
system on a cluster) and have ``genai-beian`` installed. Each actor receives the screeners
once; each task screens one shard and writes its outputs, returning only a small summary.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from beian.corpus._readers import Shard
from beian.corpus._screen import Screeners
from beian.corpus._shard import process_shard
from beian.errors import ConfigError


class _ShardTask:
    def __init__(self, screeners: Screeners, out: str, clean: bool) -> None:
        self.screeners = screeners
        self.out = out
        self.clean = clean

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        shard = Shard.from_dict(json.loads(row["shard"]))
        summary = process_shard(shard, self.screeners, self.out, clean=self.clean)
        return {"summary": json.dumps(summary, ensure_ascii=False)}


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "未安装 Ray，无法使用 --engine ray",
            fix="pip install 'genai-beian[ray]'，或改用 --engine local",
        ) from None
    return ray


def start_ray(workers: int, address: str | None = None) -> Any:
    """Connect to the cluster at ``address``, or start a local Ray with ``workers`` CPUs.

    Nothing happens when Ray is already initialised. The local Ray is kept quiet: no dashboard,
    no forwarding of worker logs, warnings only (its processes share the cores with the workers).
    """
    ray = _import_ray()
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
    ray.data.DataContext.get_current().enable_progress_bars = False
    return ray


def run_on_ray(
    todo: list[Shard],
    screeners: Screeners,
    out: Path,
    clean: bool,
    workers: int,
    address: str | None,
) -> Iterator[dict[str, Any]]:
    """Screen ``todo`` with ``workers`` Ray actors; yields each shard's summary as it finishes."""
    if not todo:
        _import_ray()
        return
    ray = start_ray(workers, address)
    ds = ray.data.from_items(
        [{"shard": json.dumps(s.to_dict())} for s in todo], override_num_blocks=len(todo)
    )
    ds = ds.map(
        _ShardTask,
        fn_constructor_kwargs={"screeners": screeners, "out": str(out), "clean": clean},
        compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(todo)))),
        num_cpus=1,
    )
    for row in ds.iter_rows():
        yield json.loads(row["summary"])
