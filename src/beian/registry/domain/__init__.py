"""The registry's domain: lifecycle table, working days, numbers, permissions, events."""

from beian._shared.workdays import (
    WorkingCalendar,
    YearSchedule,
    load_schedule_file,
    parse_schedule,
)
from beian.registry.domain._events import EventRecord, materials_digest
from beian.registry.domain._numbering import (
    PROVINCES,
    canonical_province,
    filing_number,
    name_segment,
    province_segment,
    registration_number,
    serial_key,
)
from beian.registry.domain._permissions import (
    REGISTRAR_ROLES,
    ROLE_LABELS,
    ROLES,
    OrgKind,
    Perm,
    Role,
    perms_of,
)
from beian.registry.domain._policy import Policy
from beian.registry.domain._states import (
    PROCESSES,
    STATE_LABELS,
    TRANSITIONS,
    Deadline,
    Kind,
    Process,
    State,
    Transition,
    actions_from,
    transition_for,
)

__all__ = [
    "PROCESSES",
    "PROVINCES",
    "REGISTRAR_ROLES",
    "ROLES",
    "ROLE_LABELS",
    "STATE_LABELS",
    "TRANSITIONS",
    "Deadline",
    "EventRecord",
    "Kind",
    "OrgKind",
    "Perm",
    "Policy",
    "Process",
    "Role",
    "State",
    "Transition",
    "WorkingCalendar",
    "YearSchedule",
    "actions_from",
    "canonical_province",
    "filing_number",
    "load_schedule_file",
    "materials_digest",
    "name_segment",
    "parse_schedule",
    "perms_of",
    "province_segment",
    "registration_number",
    "serial_key",
    "transition_for",
]
