"""Keyword interception: evasion-resistant Chinese matching and the §8.1 library audit."""

from beian.lexicon._audit import LibraryAudit, RiskCount, audit_library, builtin_common_words
from beian.lexicon._export import ATTACHMENT_COLUMNS, export_xlsx
from beian.lexicon._lexicon import Lexicon
from beian.lexicon._loader import header_columns, keyword_key, load_files
from beian.lexicon._matcher import hyperscan_available
from beian.lexicon._models import (
    Hit,
    KeywordEntry,
    LexiconConfig,
    LoadProblem,
    LoadReport,
)

__all__ = [
    "ATTACHMENT_COLUMNS",
    "Hit",
    "KeywordEntry",
    "Lexicon",
    "LexiconConfig",
    "LibraryAudit",
    "LoadProblem",
    "LoadReport",
    "RiskCount",
    "audit_library",
    "builtin_common_words",
    "export_xlsx",
    "header_columns",
    "hyperscan_available",
    "keyword_key",
    "load_files",
]
