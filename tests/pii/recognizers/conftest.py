"""Helper for the table-driven recognizer tests: what one type finds in a text."""

from __future__ import annotations

from beian.pii import PiiConfig, PiiEngine


def found(
    entity_type: str, text: str, *, context_names: bool = False, fast_names: bool = False
) -> list[str]:
    """Texts of the ``entity_type`` entities the engine keeps in ``text`` (that type only)."""
    config = PiiConfig(enabled=(entity_type,), context_names=context_names, fast_names=fast_names)
    engine = PiiEngine(config)
    return [e.text for e in engine.analyze(text)]
