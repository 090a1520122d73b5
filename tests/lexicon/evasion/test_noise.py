"""Development evasion table: noise.tsv (see _support.py)."""

from __future__ import annotations

import pytest

from ._support import Row, check, rows

ROWS = rows("noise")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_noise(row: Row) -> None:
    check(row)
