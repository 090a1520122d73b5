"""Targets: the model under assessment (OpenAI-compatible endpoint, or replayed answers) and the cache."""

from beian.assess.targets._base import (
    OUTCOME_ZH,
    Outcome,
    Response,
    Target,
    TargetSettings,
    cache_key,
    make_target,
    target,
    target_settings,
    target_types,
)
from beian.assess.targets._cache import ResponseCache
from beian.assess.targets._filter import DEFAULT_FILTER_CODES
from beian.assess.targets._openai import (
    EndpointSettings,
    OpenAISettings,
    OpenAITarget,
    RateLimiter,
)
from beian.assess.targets._replay import ReplaySettings, ReplayTarget

__all__ = [
    "DEFAULT_FILTER_CODES",
    "OUTCOME_ZH",
    "EndpointSettings",
    "OpenAISettings",
    "OpenAITarget",
    "Outcome",
    "RateLimiter",
    "ReplaySettings",
    "ReplayTarget",
    "Response",
    "ResponseCache",
    "Target",
    "TargetSettings",
    "cache_key",
    "make_target",
    "target",
    "target_settings",
    "target_types",
]
