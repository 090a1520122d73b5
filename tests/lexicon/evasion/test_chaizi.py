"""Development evasion table: chaizi.tsv (see _support.py)."""

from __future__ import annotations

import pytest

from ._support import Row, check, rows

ROWS = rows("chaizi")


@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_chaizi(row: Row) -> None:
    check(row)
