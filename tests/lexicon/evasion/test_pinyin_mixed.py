"""Development evasion table: pinyin_mixed.tsv (see _support.py)."""

from __future__ import annotations

import pytest

from ._support import Row, check, rows

ROWS = rows("pinyin_mixed")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_pinyin_mixed(row: Row) -> None:
    check(row)
