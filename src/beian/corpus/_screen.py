"""Screening of documents with pluggable screeners: keywords, personal information, a classifier.

A screener is any object with the method below, so ``beian.lexicon.Lexicon`` (``scan``),
``beian.pii.PiiEngine`` (``analyze``) and a trained classifier plug in unchanged, and tests
can pass small objects of their own. Screeners must be picklable: each worker gets a copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from beian.corpus._readers import Document


@runtime_checkable
class KeywordScreener(Protocol):
    """``scan(text)`` returns hits, each with a ``risk`` code (and ideally ``keyword``)."""

    def scan(self, text: str) -> Sequence[Any]: ...


@runtime_checkable
class PiiScreener(Protocol):
    """``analyze(text)`` returns entities, each with a ``type``."""

    def analyze(self, text: str) -> Sequence[Any]: ...


@runtime_checkable
class TextClassifier(Protocol):
    """``score_many(texts)`` returns, per text, the probability it is illegal or harmful."""

    def score_many(self, texts: Sequence[str]) -> Sequence[float]: ...


RESULT_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source", pa.string()),
        ("file", pa.string()),
        ("line", pa.int64()),
        ("offset", pa.int64()),
        ("chars", pa.int64()),
        ("bad", pa.bool_()),
        ("risks", pa.list_(pa.string())),
        ("keywords", pa.list_(pa.string())),
        ("hit_count", pa.int32()),
        ("pii_types", pa.list_(pa.string())),
        ("pii_count", pa.int32()),
        ("classifier_score", pa.float64()),
        ("reasons", pa.list_(pa.string())),
    ]
)


@dataclass
class Screeners:
    """What a document is screened with, and when it counts as illegal or harmful (不良)."""

    lexicon: KeywordScreener | None = None
    pii: PiiScreener | None = None
    classifier: TextClassifier | None = None
    classifier_threshold: float = 0.5
    bad_risks: frozenset[str] | None = None  # risk codes that make a document bad; None: all
    pii_is_bad: bool = False  # personal information alone does not make a document illegal
    fingerprint_extra: str = ""  # e.g. hashes of the lexicon files, set by the caller
    names: dict[str, str] = field(default_factory=dict)  # how each screener is described

    def fingerprint(self) -> str:
        """Changes when anything that decides a result changes (shard ids include it)."""
        parts = {
            kind: None
            if obj is None
            else (type(obj).__qualname__, getattr(obj, "fingerprint", None))
            for kind, obj in (
                ("lexicon", self.lexicon),
                ("pii", self.pii),
                ("clf", self.classifier),
            )
        }
        key = json.dumps(
            {
                "screeners": {k: str(v) for k, v in parts.items()},
                "threshold": self.classifier_threshold,
                "bad_risks": sorted(self.bad_risks) if self.bad_risks is not None else None,
                "pii_is_bad": self.pii_is_bad,
                "extra": self.fingerprint_extra,
            },
            sort_keys=True,
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        return {
            "lexicon": self.names.get("lexicon") if self.lexicon is not None else None,
            "pii": self.names.get("pii") if self.pii is not None else None,
            "classifier": self.names.get("classifier") if self.classifier is not None else None,
            "classifier_threshold": self.classifier_threshold,
            "bad_risks": sorted(self.bad_risks) if self.bad_risks is not None else None,
            "pii_is_bad": self.pii_is_bad,
            "fingerprint": self.fingerprint(),
        }


def screen_documents(docs: Sequence[Document], screeners: Screeners) -> list[dict[str, Any]]:
    """Screen ``docs``; one row per document in :data:`RESULT_SCHEMA` order, same order as given."""
    scores: Sequence[float | None] = [None] * len(docs)
    if screeners.classifier is not None and docs:
        scores = [float(s) for s in screeners.classifier.score_many([d.text for d in docs])]
    return [screen_document(d, screeners, score) for d, score in zip(docs, scores, strict=True)]


def screen_document(
    doc: Document, screeners: Screeners, score: float | None = None
) -> dict[str, Any]:
    """Screen one document (``score``: its classifier score, computed in a batch by the caller)."""
    risks: set[str] = set()
    keywords: set[str] = set()
    hit_count = 0
    reasons: list[str] = []
    if screeners.lexicon is not None:
        hits = screeners.lexicon.scan(doc.text)
        hit_count = len(hits)
        for h in hits:
            risk = getattr(h, "risk", None)
            if risk:
                risks.add(str(risk))
            kw = getattr(h, "keyword", None)
            if kw:
                keywords.add(str(kw))
    bad_risk = sorted(r for r in risks if screeners.bad_risks is None or r in screeners.bad_risks)
    if bad_risk:
        reasons.append("关键词:" + ",".join(bad_risk))
    elif hit_count and screeners.bad_risks is None and not risks:
        reasons.append("关键词")
    pii_types: set[str] = set()
    pii_count = 0
    if screeners.pii is not None:
        ents = screeners.pii.analyze(doc.text)
        pii_count = len(ents)
        pii_types = {str(getattr(e, "type", "PII")) for e in ents}
        if pii_count and screeners.pii_is_bad:
            reasons.append("个人信息:" + ",".join(sorted(pii_types)))
    if score is not None and score >= screeners.classifier_threshold:
        reasons.append(f"分类模型:{score:.3f}")
    return {
        "doc_id": doc.doc_id,
        "source": doc.source,
        "file": doc.file,
        "line": doc.line,
        "offset": doc.offset,
        "chars": len(doc.text),
        "bad": bool(reasons),
        "risks": sorted(risks),
        "keywords": sorted(keywords),
        "hit_count": hit_count,
        "pii_types": sorted(pii_types),
        "pii_count": pii_count,
        "classifier_score": score,
        "reasons": reasons,
    }
