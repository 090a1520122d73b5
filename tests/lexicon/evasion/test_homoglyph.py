"""Development evasion table: homoglyph.tsv (see _support.py)."""

from __future__ import annotations

import pytest

from ._support import Row, check, rows

ROWS = rows("homoglyph")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_homoglyph(row: Row) -> None:
    check(row)
