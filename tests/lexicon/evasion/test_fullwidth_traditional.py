"""Development evasion table: fullwidth_traditional.tsv (see _support.py)."""

from __future__ import annotations

import pytest

from ._support import Row, check, rows

ROWS = rows("fullwidth_traditional")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_fullwidth_traditional(row: Row) -> None:
    check(row)
