"""The embedded demo: an OpenAI-compatible demo model server (deterministic, offline), and
:func:`run_demo`, the whole self-assessment on it (``beian demo``)."""

from beian.demo._behavior import (
    DEFAULT_FILTER_WORDS,
    DEFAULT_REFUSE_WORDS,
    REFUSALS,
    SPLIT_INTENTS,
    UNSAFE_MARKERS,
    DemoBehavior,
    answer_text,
    guard_reply,
    judge_reply,
    unsafe_text,
)
from beian.demo._run import DemoRun, run_demo
from beian.demo._server import DemoServer, DemoStats, create_app, run_server, serve_in_thread

__all__ = [
    "DEFAULT_FILTER_WORDS",
    "DEFAULT_REFUSE_WORDS",
    "REFUSALS",
    "SPLIT_INTENTS",
    "UNSAFE_MARKERS",
    "DemoBehavior",
    "DemoRun",
    "DemoServer",
    "DemoStats",
    "answer_text",
    "create_app",
    "guard_reply",
    "judge_reply",
    "run_demo",
    "run_server",
    "serve_in_thread",
    "unsafe_text",
]
