"""The report's methods table: :func:`beian.assess.judge_rows` as a document table."""

from __future__ import annotations

from typing import Any

from beian.assess import JUDGE_HEADERS, judge_rows
from beian.dossier.render._blocks import Table

__all__ = ["judges_table"]


def judges_table(judges: list[dict[str, Any]]) -> Table:
    """The judges of an assessment log as a readable table (no paths, prompts or raw settings)."""
    return Table(JUDGE_HEADERS, tuple(judge_rows(judges)), (1.6, 3, 2.4, 2.4))
