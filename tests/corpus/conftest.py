from __future__ import annotations

from pathlib import Path

import pytest

from beian.standards import Edition, load_edition
from tests.corpus.helpers import standard_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """sources.yaml of the standard four-source corpus."""
    root = tmp_path / "corpus"
    root.mkdir()
    return standard_corpus(root)


@pytest.fixture
def edition() -> Edition:
    return load_edition(None)
