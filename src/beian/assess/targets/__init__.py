"""Targets: the model under assessment (OpenAI-compatible endpoint, or replayed answers) and the cache."""

from beian.assess.targets._base import (
    OUTCOME_ZH,
    Outcome,
    Response,
    Target,
    cache_key,
    make_target,
    target,
)
from beian.assess.targets._cache import ResponseCache
from beian.assess.targets._openai import DEFAULT_FILTER_PATTERNS, OpenAITarget, RateLimiter
from beian.assess.targets._replay import ReplayTarget

__all__ = [
    "DEFAULT_FILTER_PATTERNS",
    "OUTCOME_ZH",
    "OpenAITarget",
    "Outcome",
    "RateLimiter",
    "ReplayTarget",
    "Response",
    "ResponseCache",
    "Target",
    "cache_key",
    "make_target",
    "target",
]
