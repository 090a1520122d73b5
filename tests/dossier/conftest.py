from __future__ import annotations

from pathlib import Path

import pytest

from tests.dossier._helpers import make_example


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the bundled example dossier that passes every rule."""
    return make_example(tmp_path)
