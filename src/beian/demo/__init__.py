"""The embedded demo: an OpenAI-compatible demo model server (deterministic, offline)."""

from beian.demo._behavior import (
    DEFAULT_FILTER_WORDS,
    DEFAULT_REFUSE_WORDS,
    REFUSALS,
    DemoBehavior,
    answer_text,
)
from beian.demo._server import DemoServer, DemoStats, create_app, run_server, serve_in_thread

__all__ = [
    "DEFAULT_FILTER_WORDS",
    "DEFAULT_REFUSE_WORDS",
    "REFUSALS",
    "DemoBehavior",
    "DemoServer",
    "DemoStats",
    "answer_text",
    "create_app",
    "run_server",
    "serve_in_thread",
]
