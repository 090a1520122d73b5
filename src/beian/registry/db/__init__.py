"""Storage of the registry: SQLAlchemy 2 models and the Alembic migrations shipped here."""

from beian.registry.db._engine import make_engine, migrate
from beian.registry.db._models import (
    Application,
    AuditHead,
    AuditRow,
    Base,
    CalendarYear,
    ChecklistItem,
    Counter,
    Event,
    LoginAttempt,
    LoginThrottle,
    Material,
    Objection,
    Organization,
    SessionRow,
    User,
    utcnow,
)

__all__ = [
    "Application",
    "AuditHead",
    "AuditRow",
    "Base",
    "CalendarYear",
    "ChecklistItem",
    "Counter",
    "Event",
    "LoginAttempt",
    "LoginThrottle",
    "Material",
    "Objection",
    "Organization",
    "SessionRow",
    "User",
    "make_engine",
    "migrate",
    "utcnow",
]
