"""The compliance gateway: an OpenAI-compatible proxy with the runtime measures a filing promises.

Input interception (keyword library), personal-information protection, stream-aware output
screening with a hold-back window, GB 45438 labels, encrypted records with retention and
training opt-out, users' rights over their data and a consent ledger, a complaint channel (投诉举报)
whose complaints feed back into the lexicon and the question bank, Prometheus metrics, health and config reload;
one process or several worker processes on one port (:func:`run_workers`).
"""

from beian.gateway._app import create_app
from beian.gateway._checks import check_config
from beian.gateway._complaints import (
    CATEGORIES,
    STATUSES,
    Complaint,
    ComplaintDesk,
    TooManyComplaints,
)
from beian.gateway._config import (
    AccessConfig,
    ComplaintsConfig,
    GatewayConfig,
    IdentityConfig,
    LabelsConfig,
    LimitsConfig,
    RecordsConfig,
    RightsConfig,
    ScreeningConfig,
    UpstreamConfig,
    load_gateway_config,
)
from beian.gateway._feedback import Candidate, Feedback, open_feedback
from beian.gateway._gateway import Gateway, GatewayOptions, ReloadResult
from beian.gateway._holdback import StreamScreener
from beian.gateway._identity import Identity, IdentityError, sign_user_token, verify_user_token
from beian.gateway._labels import Labeller
from beian.gateway._rights import RETAINED, RightsDesk, RightsRequest, due_date
from beian.gateway._rights_export import export_csv, user_export
from beian.gateway._screening import (
    CombinedScanner,
    Decision,
    PiiRedactor,
    Redactor,
    Scanner,
    Screening,
    build_screening,
)
from beian.gateway._serve import RunningGateway, configure_logging, run_gateway, serve_in_thread
from beian.gateway._store import Exchange, RecordStore
from beian.gateway._workers import WorkerStartError, run_workers

__all__ = [
    "CATEGORIES",
    "RETAINED",
    "STATUSES",
    "AccessConfig",
    "Candidate",
    "CombinedScanner",
    "Complaint",
    "ComplaintDesk",
    "ComplaintsConfig",
    "Decision",
    "Exchange",
    "Feedback",
    "Gateway",
    "GatewayConfig",
    "GatewayOptions",
    "Identity",
    "IdentityConfig",
    "IdentityError",
    "Labeller",
    "LabelsConfig",
    "LimitsConfig",
    "PiiRedactor",
    "RecordStore",
    "RecordsConfig",
    "Redactor",
    "ReloadResult",
    "RightsConfig",
    "RightsDesk",
    "RightsRequest",
    "RunningGateway",
    "Scanner",
    "Screening",
    "ScreeningConfig",
    "StreamScreener",
    "TooManyComplaints",
    "UpstreamConfig",
    "WorkerStartError",
    "build_screening",
    "check_config",
    "configure_logging",
    "create_app",
    "due_date",
    "export_csv",
    "load_gateway_config",
    "open_feedback",
    "run_gateway",
    "run_workers",
    "serve_in_thread",
    "sign_user_token",
    "user_export",
    "verify_user_token",
]
