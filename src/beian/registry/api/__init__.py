"""HTTP shells over :class:`beian.registry.Registry`: the REST API and the app factory."""

from beian.registry.api._app import create_app
from beian.registry.api._routes import router

__all__ = ["create_app", "router"]
