"""The :class:`Registry` service: one shared core and the parts that use it."""

from __future__ import annotations

from beian.registry._accounts import Accounts
from beian.registry._admin import Administration
from beian.registry._applications import Applications
from beian.registry._core import Core, Settings
from beian.registry._lifecycle import Lifecycle
from beian.registry._public import PublicLists

__all__ = ["Registry"]


class Registry:
    """The filing registry. Open with :meth:`open`; every method of its parts is one
    transaction.

    ``accounts`` (organizations, users, sessions), ``applications`` (intake, materials,
    checklist), ``lifecycle`` (transitions, objections, the deadline tick), ``public`` (the
    public lists) and ``admin`` (calendar, audit chain, keys) share one :class:`Core`
    (database, key ring, blob store), as ``core``.
    """

    def __init__(self, settings: Settings) -> None:
        self.core = Core(settings)
        self.settings = settings
        self.policy = settings.policy
        self.accounts = Accounts(self.core)
        self.applications = Applications(self.core)
        self.lifecycle = Lifecycle(self.core)
        self.public = PublicLists(self.core)
        self.admin = Administration(self.core)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Registry:
        return cls(settings or Settings.from_env())

    def close(self) -> None:
        self.core.close()
