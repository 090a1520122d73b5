"""Self-assessment (TC260-003 §9): items, statistics and the AssessmentLog artefact."""

from beian.assess._items import ITEMS, ItemId, ItemSpec
from beian.assess._log import (
    LOG_VERSION,
    AssessmentLog,
    ItemResult,
    RiskBreakdown,
    Verdict,
    evaluate_item,
)
from beian.assess._stats import wilson_interval

__all__ = [
    "ITEMS",
    "LOG_VERSION",
    "AssessmentLog",
    "ItemId",
    "ItemResult",
    "ItemSpec",
    "RiskBreakdown",
    "Verdict",
    "evaluate_item",
    "wilson_interval",
]
