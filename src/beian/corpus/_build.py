"""Build :class:`Screeners` from files: the project's lexicon, PII engine and trained classifier."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beian.corpus._classifier import ModelClassifier
from beian.corpus._screen import Screeners
from beian.errors import ConfigError, InputError


def _file_digest(paths: Sequence[str | os.PathLike[str]]) -> str:
    h = hashlib.sha256()
    for p in paths:
        try:
            h.update(Path(p).read_bytes())
        except FileNotFoundError:
            raise InputError("文件不存在", where=str(p), fix="请检查路径") from None
        h.update(b"\0")
    return h.hexdigest()[:16]


def build_screeners(
    *,
    lexicon: Sequence[str | os.PathLike[str]] = (),
    pii: bool = False,
    classifier: str | os.PathLike[str] | None = None,
    classifier_threshold: float = 0.5,
    bad_risks: Sequence[str] = (),
    pii_is_bad: bool = False,
    edition_risks: Sequence[str] | None = None,
) -> Screeners:
    """Screeners from library files, the PII engine and a model from ``beian classifier train``."""
    if not (lexicon or pii or classifier):
        raise ConfigError(
            "没有配置任何筛查手段",
            fix="至少给出 --lexicon 关键词库、--pii 或 --classifier 分类模型之一",
        )
    if not 0.0 < classifier_threshold <= 1.0:
        raise ConfigError(
            f"分类阈值 {classifier_threshold} 应在 (0, 1] 之间", where="--classifier-threshold"
        )
    unknown = [r for r in bad_risks if edition_risks is not None and r not in edition_risks]
    if unknown:
        raise ConfigError(
            f"未知的风险代码：{', '.join(unknown)}",
            where="--bad-risk",
            fix="可用 `beian standards list` 查看附录A风险代码",
        )
    names: dict[str, str] = {}
    parts: list[str] = []
    lex: Any = None
    if lexicon:
        from beian.lexicon import Lexicon

        lex = Lexicon.load([Path(p) for p in lexicon])
        names["lexicon"] = ", ".join(str(p) for p in lexicon)
        parts.append("lex:" + _file_digest(lexicon))
    engine: Any = None
    if pii:
        from beian.pii import PiiEngine

        engine = PiiEngine()
        names["pii"] = "beian.pii"
        parts.append("pii")
    clf: ModelClassifier | None = None
    if classifier is not None:
        from beian.assess.judges import load_classifier

        model, _metrics = load_classifier(classifier)
        digest = _file_digest([classifier])
        try:
            clf = ModelClassifier(model, fingerprint=digest)
        except ValueError as exc:
            raise InputError(
                f"分类模型不含 safe 类别：{exc}",
                where=str(classifier),
                fix="用含 safe 标签的数据重新训练",
            ) from None
        names["classifier"] = str(classifier)
        parts.append("clf:" + digest)
    return Screeners(
        lexicon=lex,
        pii=engine,
        classifier=clf,
        classifier_threshold=classifier_threshold,
        bad_risks=frozenset(bad_risks) if bad_risks else None,
        pii_is_bad=pii_is_bad,
        fingerprint_extra="|".join(parts),
        names=names,
    )
