"""Keyword interception: evasion-resistant Chinese matching and the §8.1 library audit."""

from beian.lexicon._lexicon import Lexicon
from beian.lexicon._models import (
    Hit,
    KeywordEntry,
    LexiconConfig,
    LoadProblem,
    LoadReport,
)

__all__ = [
    "Hit",
    "KeywordEntry",
    "Lexicon",
    "LexiconConfig",
    "LoadProblem",
    "LoadReport",
]
