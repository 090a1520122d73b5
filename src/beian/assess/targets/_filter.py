"""Is an HTTP error the provider's content filter (a refusal, cached as final) or an error
(asked again on the next run)? Only by configuration: the structured error codes in
``filter_codes`` (OpenAI, Azure, Aliyun name theirs) or a configured ``filter_patterns`` regex;
never a guess from words such as "sensitive" in free text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["DEFAULT_FILTER_CODES", "FilterRules"]

# documented error codes of provider content filters, compared without case, "_" or "-"
DEFAULT_FILTER_CODES = (
    "content_filter",  # Azure OpenAI (content management policy)
    "content_policy_violation",  # OpenAI
    "data_inspection_failed",  # Aliyun DashScope (OpenAI-compatible mode: DataInspectionFailed)
)


def _norm(code: str) -> str:
    return re.sub(r"[_\-\s]", "", code).casefold()


def _codes(body: str) -> Iterator[str]:
    """The error codes and types an error body names (OpenAI's ``error`` object or flat)."""
    try:
        data: Any = json.loads(body)
    except ValueError:
        return
    for obj in (data, data.get("error") if isinstance(data, dict) else None):
        if isinstance(obj, dict):
            for key in ("code", "type"):
                if isinstance(obj.get(key), str):
                    yield obj[key]


class FilterRules:
    """Which error responses are content-filter refusals."""

    def __init__(self, statuses: Iterable[int], codes: Iterable[str],
                 patterns: Iterable[str]) -> None:  # fmt: skip
        self.statuses = set(statuses)
        self.codes = {_norm(c) for c in codes}
        pats = list(patterns)
        self._pattern = re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) if pats else None

    def match(self, status: int, body: str) -> str | None:
        """Why (status, body) is a filter refusal — the code or pattern it matched; else ``None``."""
        if status not in self.statuses:
            return None
        for code in _codes(body):
            if _norm(code) in self.codes:
                return f"filter_codes: {code}"
        if self._pattern is not None and (m := self._pattern.search(body)):
            return f"filter_patterns: {m.group(0)[:60]}"
        return None
