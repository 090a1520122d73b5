"""Self-assessment (TC260-003 §9): banks, targets, judges, sampling, statistics, runs, reports."""

from beian._shared.sampling import allocate, random_sample, stratified_sample
from beian.assess._audit import audit_bank, near_duplicate_pairs
from beian.assess._bank import (
    KIND_ZH,
    KINDS,
    Bank,
    Kind,
    Question,
    export_bank_xlsx,
    load_bank,
    normalize_text,
)
from beian.assess._calibrate import METHOD as CALIBRATION_METHOD
from beian.assess._calibrate import METHOD_ZH as CALIBRATION_METHOD_ZH
from beian.assess._calibrate import CalibrationTables, calibrate, rogan_gladen
from beian.assess._config import AssessConfig, Sampling, load_assess_config
from beian.assess._items import ITEMS, ItemId, ItemSpec
from beian.assess._log import (
    CALIBRATION_VERSION,
    LOG_VERSION,
    AssessmentLog,
    Calibration,
    Confusion,
    ItemCalibration,
    ItemResult,
    JudgeAudit,
    RiskBreakdown,
    StratumCorrection,
    Verdict,
    evaluate_item,
)
from beian.assess._report import render_report, write_report
from beian.assess._run import (
    LOG,
    RECORDS,
    RunResult,
    calibrate_run,
    draw_samples,
    read_records,
    rescore,
    run_assessment,
)
from beian.assess._score import assessment_findings, refusal_matrix, score
from beian.assess._stats import wilson_interval
from beian.assess.importers import (
    IMPORTERS,
    DatasetMapping,
    RawItem,
    import_dataset,
    importer,
    importer_names,
    load_mapping,
    write_bank_jsonl,
)

__all__ = [
    "CALIBRATION_METHOD",
    "CALIBRATION_METHOD_ZH",
    "CALIBRATION_VERSION",
    "IMPORTERS",
    "ITEMS",
    "KINDS",
    "KIND_ZH",
    "LOG",
    "LOG_VERSION",
    "RECORDS",
    "AssessConfig",
    "AssessmentLog",
    "Bank",
    "Calibration",
    "CalibrationTables",
    "Confusion",
    "DatasetMapping",
    "ItemCalibration",
    "ItemId",
    "ItemResult",
    "ItemSpec",
    "JudgeAudit",
    "Kind",
    "Question",
    "RawItem",
    "RiskBreakdown",
    "RunResult",
    "Sampling",
    "StratumCorrection",
    "Verdict",
    "allocate",
    "assessment_findings",
    "audit_bank",
    "calibrate",
    "calibrate_run",
    "draw_samples",
    "evaluate_item",
    "export_bank_xlsx",
    "import_dataset",
    "importer",
    "importer_names",
    "load_assess_config",
    "load_bank",
    "load_mapping",
    "near_duplicate_pairs",
    "normalize_text",
    "random_sample",
    "read_records",
    "refusal_matrix",
    "render_report",
    "rescore",
    "rogan_gladen",
    "run_assessment",
    "score",
    "stratified_sample",
    "wilson_interval",
    "write_bank_jsonl",
    "write_report",
]
