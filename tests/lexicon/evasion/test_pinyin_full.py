"""Development evasion table: pinyin_full.tsv (see _support.py)."""

from __future__ import annotations

import pytest

from ._support import Row, check, rows

ROWS = rows("pinyin_full")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_pinyin_full(row: Row) -> None:
    check(row)
