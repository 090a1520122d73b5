"""The server-rendered Chinese web UI (templates and static files ship in this package)."""

from beian.registry.web._views import render_error, router

__all__ = ["render_error", "router"]
