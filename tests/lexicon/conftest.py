"""Fixtures for the lexicon tests: a per-session table cache and both matcher backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

BACKENDS = ("ahocorasick", "hyperscan")


@pytest.fixture(scope="session", autouse=True)
def _lexicon_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Compiled tables go to a session temporary directory, not the user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BEIAN_CACHE_DIR", str(tmp_path_factory.mktemp("lexcache")))
        yield


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
