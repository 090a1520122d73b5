"""One error style for the whole project: what failed, where, and how to fix it.

Library code raises :class:`BeianError` (or a subclass); the CLI prints it in Chinese and
exits with :data:`EXIT_ERROR`. Findings (see :mod:`beian.findings`) are not errors: they are
results of a check and use :data:`EXIT_BLOCKING` when one of them blocks a filing.
"""

from __future__ import annotations

__all__ = [
    "EXIT_BLOCKING",
    "EXIT_ERROR",
    "EXIT_OK",
    "BeianError",
    "ConfigError",
    "InputError",
    "validation_summary",
]

EXIT_OK = 0
EXIT_BLOCKING = 1  # a check ran and found at least one 阻断 finding
EXIT_ERROR = 2  # bad input, bad configuration or an operational failure


class BeianError(Exception):
    """An error a person can act on.

    ``what`` says what failed, ``where`` points at the place (``file:line``, a field path,
    a URL), ``fix`` says how to repair it. All three are Chinese-first user text.
    """

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        return self.render()

    def render(self) -> str:
        lines = [f"错误：{self.what}"]
        if self.where:
            lines.append(f"位置：{self.where}")
        if self.fix:
            lines.append(f"修复：{self.fix}")
        return "\n".join(lines)


class InputError(BeianError):
    """A user-supplied file or value is malformed."""


class ConfigError(BeianError):
    """A configuration file or option is invalid."""


def validation_summary(exc: Exception) -> tuple[str, str]:
    """``(message, dotted location)`` of the first error of a pydantic ``ValidationError``."""
    errors = getattr(exc, "errors", None)
    if not callable(errors) or not errors():
        return (str(exc), "")
    first = errors()[0]
    return (str(first["msg"]), ".".join(str(p) for p in first["loc"]))
