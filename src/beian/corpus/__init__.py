"""Corpus safety (TC260-003 §5.1, §9.2): source vetting, full screening, sampling.

Inputs are listed in a ``sources.yaml`` with their provenance; :func:`scan_corpus` screens
every document with pluggable screeners (keywords, personal information, a classifier) on
the local machine or on Ray, writing Parquet results per shard; :func:`build_report` gives
each source's illegal ratio and verdict; :func:`draw_samples` draws the §9.2 samples.
"""

from beian._shared.sampling import allocate, sample_key
from beian.corpus._build import build_screeners
from beian.corpus._classifier import ModelClassifier
from beian.corpus._engines import Engine, ScanRun, load_manifest, scan_corpus
from beian.corpus._ray import start_ray
from beian.corpus._readers import BadRecord, Document, Shard, iter_documents, plan_shards
from beian.corpus._report import CorpusReport, SourceResult, build_report, load_report
from beian.corpus._review import export_review, import_review
from beian.corpus._sample import (
    SampledDoc,
    SamplePlan,
    draw_samples,
    load_plan,
    manual_documents,
    record,
    technical_result,
)
from beian.corpus._screen import (
    RESULT_SCHEMA,
    KeywordScreener,
    PiiScreener,
    Screeners,
    TextClassifier,
    screen_document,
    screen_documents,
)
from beian.corpus._sources import SourceConfig, SourceSpec, provenance_findings

__all__ = [
    "RESULT_SCHEMA",
    "BadRecord",
    "CorpusReport",
    "Document",
    "Engine",
    "KeywordScreener",
    "ModelClassifier",
    "PiiScreener",
    "SamplePlan",
    "SampledDoc",
    "ScanRun",
    "Screeners",
    "Shard",
    "SourceConfig",
    "SourceResult",
    "SourceSpec",
    "TextClassifier",
    "allocate",
    "build_report",
    "build_screeners",
    "draw_samples",
    "export_review",
    "import_review",
    "iter_documents",
    "load_manifest",
    "load_plan",
    "load_report",
    "manual_documents",
    "plan_shards",
    "provenance_findings",
    "record",
    "sample_key",
    "scan_corpus",
    "screen_document",
    "screen_documents",
    "start_ray",
    "technical_result",
]
