"""Chinese personal-information detection and de-identification (``beian.pii``).

>>> from beian.pii import PiiEngine, deidentify
>>> engine = PiiEngine()
>>> text = "手机13812345678"
>>> deidentify(text, engine.analyze(text)).text
'手机138****5678'
"""

from beian.pii._config import CustomRecognizer, PiiConfig
from beian.pii._datasets import FORMATS, OnError, detect_format, process_dataset
from beian.pii._engine import PiiEngine, resolve_overlaps
from beian.pii._names import compound_surnames
from beian.pii._operators import (
    KEYED_OPERATORS,
    MASK_DEFAULTS,
    OPERATORS,
    Deidentified,
    Deidentifier,
    deidentify,
    normalize,
    reidentify,
    sm3_available,
    sm4_available,
)
from beian.pii._protect import default_engine, protect
from beian.pii._registry import Recognizer, RegexRecognizer, recognizer_classes, register
from beian.pii._report import DatasetReport, RecordError
from beian.pii._types import (
    ENTITY_TYPES,
    LABELS,
    SENSITIVE_TYPES,
    STRUCTURED_TYPES,
    Entity,
    label_of,
)

__all__ = [
    "ENTITY_TYPES",
    "FORMATS",
    "KEYED_OPERATORS",
    "LABELS",
    "MASK_DEFAULTS",
    "OPERATORS",
    "SENSITIVE_TYPES",
    "STRUCTURED_TYPES",
    "CustomRecognizer",
    "DatasetReport",
    "Deidentified",
    "Deidentifier",
    "Entity",
    "OnError",
    "PiiConfig",
    "PiiEngine",
    "Recognizer",
    "RecordError",
    "RegexRecognizer",
    "check_tagger",
    "compound_surnames",
    "default_engine",
    "deidentify",
    "detect_format",
    "label_of",
    "normalize",
    "process_dataset",
    "protect",
    "recognizer_classes",
    "register",
    "reidentify",
    "resolve_overlaps",
    "sm3_available",
    "sm4_available",
]


def check_tagger() -> None:
    """Load the learned name/address tagger's model (``pii.tagger``) now, raising its Chinese
    configuration error if the file is missing or damaged (the engine loads it lazily)."""
    from beian.pii._tagger import load_tagger

    load_tagger()
