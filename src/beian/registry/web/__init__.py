"""The server-rendered Chinese web UI (templates and static files ship in this package)."""

from fastapi import APIRouter

from beian.registry.web._admin_views import router as _admin_router
from beian.registry.web._views import render_error
from beian.registry.web._views import router as _views_router

__all__ = ["render_error", "router"]

router = APIRouter(include_in_schema=False)
router.include_router(_views_router)
router.include_router(_admin_router)
