"""The Ray engine gives exactly the local engine's results (Ray is in the test extra).

The screeners are the project's own lexicon and PII engine: Ray workers import them from the
installed package, as they would on a cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from beian.corpus import Screeners, SourceConfig, build_report, draw_samples, scan_corpus
from beian.corpus._ray import start_ray
from beian.lexicon import Lexicon
from beian.pii import PiiEngine
from beian.standards import Edition
from tests.corpus.helpers import BAD_WORDS
from tests.corpus.test_scan import results


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    start_ray(2)
    yield
    ray.shutdown()


@pytest.mark.slow
def test_ray_and_local_give_the_same_results(
    local_ray: None, corpus: Path, tmp_path: Path, edition: Edition
) -> None:
    cfg = SourceConfig.load(corpus)
    scr = Screeners(lexicon=Lexicon.from_entries(list(BAD_WORDS.items())), pii=PiiEngine())
    scan_corpus(
        cfg, scr, tmp_path / "local", engine="local", workers=1, shard_bytes=16000, clean=True
    )
    run = scan_corpus(
        cfg, scr, tmp_path / "ray", engine="ray", workers=2, shard_bytes=16000, clean=True
    )
    assert len(run.ran) == len(run.shards) > 4
    assert results(tmp_path / "local") == results(tmp_path / "ray")
    a = build_report(tmp_path / "local", edition)
    b = build_report(tmp_path / "ray", edition)
    assert a.model_dump(exclude={"findings"}) == b.model_dump(exclude={"findings"})
    assert [f.message for f in a.findings] == [f.message for f in b.findings]
    assert (a.source("web").bad, a.source("web").verdict) == (70, "拒绝")
    assert a.source("books").pii_docs == 20
    for name in ("books", "web"):
        assert sorted(
            p.read_bytes() for p in (tmp_path / "local" / "clean" / name).iterdir()
        ) == sorted(p.read_bytes() for p in (tmp_path / "ray" / "clean" / name).iterdir())
    sa = draw_samples(tmp_path / "local", edition, seed=3, manual_n=50)
    sb = draw_samples(tmp_path / "ray", edition, seed=3, manual_n=50)
    assert sa == sb
    # a rerun on Ray finds every shard finished
    again = scan_corpus(
        cfg, scr, tmp_path / "ray", engine="ray", workers=2, shard_bytes=16000, clean=True
    )
    assert not again.ran and len(again.skipped) == len(run.shards)
