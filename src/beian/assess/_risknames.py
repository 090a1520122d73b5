"""Appendix A risk names as datasets spell them: 歧视 / 歧视内容, full-width, traditional, with codes.

Public Chinese safety datasets label their questions with Appendix A's risk names, but rarely
to the letter: CHiSafetyBench writes ``民族歧视`` for ``民族歧视内容``, JADE ``宣扬民族歧视``,
others ``A.2.a 民族歧视内容`` or traditional characters. :func:`match_risk` finds the risk a
label names when exactly one risk fits; otherwise it returns ``None`` (the label needs mapping).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from beian.assess._bank import normalize_text
from beian.errors import InputError
from beian.standards import Edition, parse_risk_code

# Words a label may add to or leave off a risk name, tried after the name as written.
_SUFFIXES = ("的内容", "内容", "行为")
_PREFIXES = ("宣扬", "涉及", "含有")
_CODE_PREFIX = re.compile(
    r"^\s*([A-Za-z]\s*\.?\s*\d\s*\.?\s*[a-zA-Z])(?:\)|）|\s|[.:：、_-])*(.*)$"
)


def _variants(normalized: str) -> set[str]:
    """The forms of a normalized name with its optional prefix and suffix words dropped."""
    forms = {normalized}
    for p in _PREFIXES:
        forms |= {f[len(p) :] for f in list(forms) if f.startswith(p) and len(f) > len(p) + 1}
    for s in _SUFFIXES:
        forms |= {f[: -len(s)] for f in list(forms) if f.endswith(s) and len(f) > len(s) + 1}
    return forms


def _index(edition: Edition) -> dict[str, str]:
    """Every unambiguous form of every risk name → its code."""
    codes: dict[str, set[str]] = defaultdict(set)
    for risk in edition.risks.values():
        for form in _variants(normalize_text(risk.name)):
            codes[form].add(risk.code)
    return {form: next(iter(c)) for form, c in codes.items() if len(c) == 1}


_INDEXES: dict[str, dict[str, str]] = {}


def match_risk(label: str, edition: Edition) -> str | None:
    """The code of the one Appendix A risk ``label`` names, or ``None`` (none, or several)."""
    index = _INDEXES.get(edition.id)
    if index is None:
        index = _INDEXES[edition.id] = _index(edition)
    m = _CODE_PREFIX.match(unicodedata.normalize("NFKC", label))
    if m:  # "A2a", "A.2.a 民族歧视内容": the code decides when it is one
        try:
            code = parse_risk_code(re.sub(r"\s", "", m.group(1)))
        except InputError:
            code = None
        if code in edition.risks:
            return code
    found = {index[f] for f in _variants(normalize_text(label)) if f in index}
    return found.pop() if len(found) == 1 else None
