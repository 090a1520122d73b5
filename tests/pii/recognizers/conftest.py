"""Helper for the table-driven recognizer tests: what one type finds in a text."""

from __future__ import annotations

from beian.pii import PiiConfig, PiiEngine, resolve_overlaps


def found(
    entity_type: str, text: str, *, context_names: bool = False, full: bool = False
) -> list[str]:
    """Texts of the ``entity_type`` entities the engine keeps in ``text`` (that type only).

    ``full``: the rules as an engine that reads names in full runs them (``pii.tagger: true``,
    whose features they are: bare names, list members, minority, compound and dotted names),
    before the tagger decides."""
    if full:
        engine = PiiEngine(PiiConfig(enabled=(entity_type,), tagger=True))
        return [e.text for e in resolve_overlaps(engine.candidates(text))]
    engine = PiiEngine(PiiConfig(enabled=(entity_type,), context_names=context_names))
    return [e.text for e in engine.analyze(text)]
