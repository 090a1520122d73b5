"""The filing registry (备案登记系统): the seed's lifecycle as a multi-user web application.

Library first: :class:`Registry` is the whole service, made of parts that share one core:
``registry.accounts``, ``registry.applications``, ``registry.lifecycle``, ``registry.public``
and ``registry.admin`` (calendar, audit log, keys). ``beian.registry.api`` and
``beian.registry.web`` are thin FastAPI shells over it, and ``beian serve`` /
``beian registry …`` thin CLI shells.
"""

from beian.registry._accounts import NewUser
from beian.registry._audit import AuditProblem, Checkpoint, read_checkpoints, verify_chain
from beian.registry._auth import Actor, LoginRefused, RateLimited
from beian.registry._backup import backup, restore
from beian.registry._core import Settings
from beian.registry._errors import Conflict, Forbidden, NotFound, RegistryError, Unauthorized
from beian.registry._package import Package, read_package, zip_directory
from beian.registry._public import FILED_CSV_COLUMNS
from beian.registry._registry import Registry

__all__ = [
    "FILED_CSV_COLUMNS",
    "Actor",
    "AuditProblem",
    "Checkpoint",
    "Conflict",
    "Forbidden",
    "LoginRefused",
    "NewUser",
    "NotFound",
    "Package",
    "RateLimited",
    "Registry",
    "RegistryError",
    "Settings",
    "Unauthorized",
    "backup",
    "read_checkpoints",
    "read_package",
    "restore",
    "verify_chain",
    "zip_directory",
]
