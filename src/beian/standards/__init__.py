"""The standards catalogue: risks, aspects, figures, clause checklist and filing materials.

Data lives in ``data/<edition>/*.yaml``; a new version of a standard is a new data directory.
"""

from beian.standards._codes import RiskCode, parse_risk_code
from beian.standards._config import OVERRIDE_UNVERIFIED, OVERRIDE_WEAKENS, override_findings
from beian.standards._edition import DEFAULT_EDITION, Edition, list_editions, load_edition
from beian.standards._models import (
    CONFIDENCE_ZH,
    Aspect,
    Attachment,
    ClauseItem,
    Evidence,
    Figure,
    FormSection,
    Materials,
    Override,
    Risk,
)

__all__ = [
    "CONFIDENCE_ZH",
    "DEFAULT_EDITION",
    "OVERRIDE_UNVERIFIED",
    "OVERRIDE_WEAKENS",
    "Aspect",
    "Attachment",
    "ClauseItem",
    "Edition",
    "Evidence",
    "Figure",
    "FormSection",
    "Materials",
    "Override",
    "Risk",
    "RiskCode",
    "list_editions",
    "load_edition",
    "override_findings",
    "parse_risk_code",
]
