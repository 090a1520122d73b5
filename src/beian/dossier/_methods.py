"""The report's methods table: :func:`beian.assess.judge_rows` as a document table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from beian.assess import JUDGE_HEADERS, JudgeAudit, judge_rows
from beian.dossier.render._blocks import Table

__all__ = ["judges_table"]


def judges_table(judges: list[dict[str, Any]], audits: Sequence[JudgeAudit] = ()) -> Table:
    """The judges of an assessment log as a readable table (no paths, prompts or raw settings);
    ``audits``: the human audit of each judge (``log.calibration.judges``)."""
    return Table(JUDGE_HEADERS, tuple(judge_rows(judges, audits)), (1.6, 3, 2.4, 2.4))
