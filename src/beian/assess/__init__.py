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
from beian.assess._conclusion import ClauseLine, Conclusion, ItemLine, conclude
from beian.assess._config import AssessConfig, Sampling, load_assess_config
from beian.assess._importers import IMPORTERS, import_dataset, load_mapping, write_bank_jsonl
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
from beian.assess._methods import (
    JUDGE_HEADERS,
    SAMPLE_ZH,
    SAMPLING_METHOD_ZH,
    judge_rows,
    judge_title,
    symbol,
)
from beian.assess._report import render_report, stratum_name, write_report
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
from beian.assess._score import (
    MATRIX_COLUMNS,
    MATRIX_KIND_ZH,
    assessment_findings,
    matrix_rows,
    refusal_matrix,
    score,
)
from beian.assess._stats import wilson_interval

__all__ = [
    "CALIBRATION_METHOD",
    "CALIBRATION_METHOD_ZH",
    "CALIBRATION_VERSION",
    "IMPORTERS",
    "ITEMS",
    "JUDGE_HEADERS",
    "KINDS",
    "KIND_ZH",
    "LOG",
    "LOG_VERSION",
    "MATRIX_COLUMNS",
    "MATRIX_KIND_ZH",
    "RECORDS",
    "SAMPLE_ZH",
    "SAMPLING_METHOD_ZH",
    "AssessConfig",
    "AssessmentLog",
    "Bank",
    "Calibration",
    "CalibrationTables",
    "ClauseLine",
    "Conclusion",
    "Confusion",
    "ItemCalibration",
    "ItemId",
    "ItemLine",
    "ItemResult",
    "ItemSpec",
    "JudgeAudit",
    "Kind",
    "Question",
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
    "conclude",
    "draw_samples",
    "evaluate_item",
    "export_bank_xlsx",
    "import_dataset",
    "judge_rows",
    "judge_title",
    "load_assess_config",
    "load_bank",
    "load_mapping",
    "matrix_rows",
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
    "stratum_name",
    "symbol",
    "wilson_interval",
    "write_bank_jsonl",
    "write_report",
]
