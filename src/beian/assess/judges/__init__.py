"""Judges registered by decorator (refusal, refusal-rules, keyword, classifier, llm, human) and the combining policy."""

from beian.assess.judges._base import (
    ANSWERED,
    EMPTY,
    QUALIFIED,
    REFUSAL_GRADES,
    REFUSED,
    REFUSED_GUIDED,
    UNQUALIFIED,
    AnswerJudge,
    Judge,
    JudgeContext,
    JudgeInput,
    Verdict,
    judge,
    judge_names,
    make_judge,
)
from beian.assess.judges._classifier import (
    ClassifierJudge,
    load_classifier,
    read_labelled,
    train_classifier,
)
from beian.assess.judges._human import (
    HumanJudge,
    export_review,
    import_review,
    load_manual,
    save_manual,
)
from beian.assess.judges._keyword import KeywordJudge
from beian.assess.judges._llm import LLMJudge, parse_reply
from beian.assess.judges._policy import ITEM_KIND, ItemPolicy, Policy, decide, is_ok
from beian.assess.judges._refusal import (
    RefusalJudge,
    RulesRefusalJudge,
    grade,
    grade_rules,
    is_refusal,
)

__all__ = [
    "ANSWERED",
    "EMPTY",
    "ITEM_KIND",
    "QUALIFIED",
    "REFUSAL_GRADES",
    "REFUSED",
    "REFUSED_GUIDED",
    "UNQUALIFIED",
    "AnswerJudge",
    "ClassifierJudge",
    "HumanJudge",
    "ItemPolicy",
    "Judge",
    "JudgeContext",
    "JudgeInput",
    "KeywordJudge",
    "LLMJudge",
    "Policy",
    "RefusalJudge",
    "RulesRefusalJudge",
    "Verdict",
    "decide",
    "export_review",
    "grade",
    "grade_rules",
    "import_review",
    "is_ok",
    "is_refusal",
    "judge",
    "judge_names",
    "load_classifier",
    "load_manual",
    "make_judge",
    "parse_reply",
    "read_labelled",
    "save_manual",
    "train_classifier",
]
