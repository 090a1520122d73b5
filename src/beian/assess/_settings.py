"""Typed settings of assess.yaml sections: validate a mapping as a plugin's settings model.

Targets and judges register a pydantic model for their settings with the plugin (``@target(…,
settings=…)``, a judge class's ``settings``). :func:`load_assess_config` validates every section
at load, errors at ``assess.yaml:line field``; :func:`validate_settings` validates the same way
when a library user builds a target or judge from a plain mapping (errors at ``where.field``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from beian.errors import ConfigError, validation_summary

S = TypeVar("S", bound=BaseModel)


def settings_data(value: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """The keys a user wrote: a mapping as given, a model's set fields (and extra keys)."""
    if value is None:
        return {}
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    return dict(value)


def validate_settings(model: type[S], value: BaseModel | Mapping[str, Any] | None, where: str) -> S:
    """``value`` as ``model``; a malformed value is a :class:`ConfigError` at ``where.field``."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(settings_data(value))
    except ValidationError as exc:
        msg, loc = validation_summary(exc)
        raise ConfigError(
            f"配置无效：{msg}",
            where=f"{where}.{loc}" if loc else where,
            fix="检查该字段的类型或取值（参见 docs/assess.md）",
        ) from None
