"""The compliance gateway: an OpenAI-compatible proxy with the runtime measures a filing promises.

Input interception (keyword library, then optional classifier and guard-model stages with a
policy per risk code and approved substitute answers), personal-information protection, stream-aware output
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
from beian.gateway._feedback import Candidate, Feedback, lexicon_target, open_feedback
from beian.gateway._gateway import Gateway, GatewayOptions, ReloadResult
from beian.gateway._holdback import StreamScreener
from beian.gateway._identity import Identity, IdentityError, sign_user_token, verify_user_token
from beian.gateway._labels import Labeller
from beian.gateway._moderation import (
    Finding,
    Moderation,
    Ruling,
    build_moderation,
    sentence_end,
    sentences,
)
from beian.gateway._moderation_config import (
    ClassifierStageConfig,
    GuardStageConfig,
    ModerationConfig,
    PolicyRule,
)
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
    describe_pii_engine,
)
from beian.gateway._serve import RunningGateway, configure_logging, run_gateway, serve_in_thread
from beian.gateway._store import Exchange, RecordStore
from beian.gateway._substitutes import Substitute, SubstituteLibrary, load_substitutes
from beian.gateway._workers import WorkerStartError, run_workers

__all__ = [
    "CATEGORIES",
    "RETAINED",
    "STATUSES",
    "AccessConfig",
    "Candidate",
    "ClassifierStageConfig",
    "CombinedScanner",
    "Complaint",
    "ComplaintDesk",
    "ComplaintsConfig",
    "Decision",
    "Exchange",
    "Feedback",
    "Finding",
    "Gateway",
    "GatewayConfig",
    "GatewayOptions",
    "GuardStageConfig",
    "Identity",
    "IdentityConfig",
    "IdentityError",
    "Labeller",
    "LabelsConfig",
    "LimitsConfig",
    "Moderation",
    "ModerationConfig",
    "PiiRedactor",
    "PolicyRule",
    "RecordStore",
    "RecordsConfig",
    "Redactor",
    "ReloadResult",
    "RightsConfig",
    "RightsDesk",
    "RightsRequest",
    "Ruling",
    "RunningGateway",
    "Scanner",
    "Screening",
    "ScreeningConfig",
    "StreamScreener",
    "Substitute",
    "SubstituteLibrary",
    "TooManyComplaints",
    "UpstreamConfig",
    "WorkerStartError",
    "build_moderation",
    "build_screening",
    "check_config",
    "configure_logging",
    "create_app",
    "describe_pii_engine",
    "due_date",
    "export_csv",
    "lexicon_target",
    "load_gateway_config",
    "load_substitutes",
    "open_feedback",
    "run_gateway",
    "run_workers",
    "sentence_end",
    "sentences",
    "serve_in_thread",
    "sign_user_token",
    "user_export",
    "verify_user_token",
]
