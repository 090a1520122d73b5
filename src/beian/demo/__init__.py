"""The embedded demo: an OpenAI-compatible demo model server (deterministic, offline)."""

from beian.demo._behavior import (
    DEFAULT_FILTER_WORDS,
    DEFAULT_REFUSE_WORDS,
    REFUSALS,
    UNSAFE_MARKERS,
    DemoBehavior,
    answer_text,
    guard_reply,
    judge_reply,
    unsafe_text,
)
from beian.demo._server import DemoServer, DemoStats, create_app, run_server, serve_in_thread

__all__ = [
    "DEFAULT_FILTER_WORDS",
    "DEFAULT_REFUSE_WORDS",
    "REFUSALS",
    "UNSAFE_MARKERS",
    "DemoBehavior",
    "DemoServer",
    "DemoStats",
    "answer_text",
    "create_app",
    "guard_reply",
    "judge_reply",
    "run_server",
    "serve_in_thread",
    "unsafe_text",
]
