"""The engine: overlaps, thresholds, enabling, custom recognizers, pickling, threads, processes."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import ValidationError

from beian.errors import ConfigError
from beian.pii import CustomRecognizer, Entity, PiiConfig, PiiEngine, resolve_overlaps

ID = "110101199003074514"
TEXT = f"客户张伟先生，身份证号{ID}，手机+86 138-1234-5678，邮箱zw@example.com，住在北京市朝阳区建国路88号。"


def test_analyze_finds_each_type_with_offsets() -> None:
    entities = PiiEngine().analyze(TEXT)
    assert [(e.type, e.text) for e in entities] == [
        ("NAME", "张伟"),
        ("ID_CARD", ID),
        ("MOBILE", "+86 138-1234-5678"),
        ("EMAIL", "zw@example.com"),
        ("ADDRESS", "北京市朝阳区建国路88号"),
    ]
    for e in entities:
        assert TEXT[e.start : e.end] == e.text
        assert 0.5 <= e.score <= 1.0 and e.recognizer


def test_overlaps_keep_higher_score_then_longer() -> None:
    a = Entity("BANK_CARD", 0, 18, "x" * 18, 0.8, "bank_card")
    b = Entity("ID_CARD", 0, 18, "x" * 18, 0.95, "id_card")
    c = Entity("NAME", 17, 20, "abc", 0.7, "name")
    d = Entity("EMAIL", 30, 40, "y" * 10, 0.9, "email")
    e = Entity("IP", 28, 42, "z" * 14, 0.9, "ip")  # same score, longer: wins over d
    assert resolve_overlaps([a, b, c, d, e]) == [b, e]


def test_disable_and_enable() -> None:
    types = {e.type for e in PiiEngine(PiiConfig(disabled=("NAME", "ADDRESS"))).analyze(TEXT)}
    assert types == {"ID_CARD", "MOBILE", "EMAIL"}
    only = PiiEngine(PiiConfig(enabled=("MOBILE",))).analyze(TEXT)
    assert [e.type for e in only] == ["MOBILE"]


def test_thresholds_per_type() -> None:
    # NAME scores 0.7-0.8, ADDRESS 0.6-0.9: a 0.85 bar for NAME removes it, others stay.
    eng = PiiEngine(PiiConfig(thresholds={"NAME": 0.85}))
    assert "NAME" not in {e.type for e in eng.analyze(TEXT)}
    assert "ADDRESS" in {e.type for e in eng.analyze(TEXT)}
    assert PiiEngine(PiiConfig(threshold=1.0)).analyze("邮箱zw@example.com") == []


def test_custom_regex_recognizer_from_config_section() -> None:
    cfg = PiiConfig.from_section(
        {
            "custom": [
                {"type": "EMPLOYEE_ID", "pattern": r"EMP-\d{6}", "score": 0.7, "context": ["工号"]}
            ]
        }
    )
    found = PiiEngine(cfg).analyze("工号EMP-123456，访客EMP-654321")
    assert [(e.type, e.text, e.score) for e in found] == [
        ("EMPLOYEE_ID", "EMP-123456", 0.8),
        ("EMPLOYEE_ID", "EMP-654321", 0.7),
    ]
    assert found[0].recognizer == "custom:EMPLOYEE_ID"


@pytest.mark.parametrize(
    ("section", "where"),
    [
        ({"custom": [{"type": "X", "pattern": "(unclosed"}]}, "custom.0.pattern"),
        ({"threshold": 2}, "threshold"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_config_names_the_field(section: dict[str, object], where: str) -> None:
    with pytest.raises(ConfigError) as exc:
        PiiConfig.from_section(section, where="beian.yaml: pii")
    assert where in (exc.value.where or "")


def test_unknown_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="未知的个人信息类型：SSN") as exc:
        PiiConfig.from_section({"disabled": ["SSN"]}, where="beian.yaml: pii")
    assert exc.value.where == "beian.yaml: pii disabled"
    with pytest.raises(ValidationError, match="未知的个人信息类型：SSN"):
        PiiConfig(disabled=("SSN",))
    assert PiiConfig(
        thresholds={"EMPLOYEE_ID": 0.9}, custom=(CustomRecognizer(type="EMPLOYEE_ID", pattern="x"),)
    )
    assert CustomRecognizer(type="A_B", pattern="x").score == 0.8


def test_pickles_as_its_config() -> None:
    cfg = PiiConfig(disabled=("NAME",), custom=(CustomRecognizer(type="EMP", pattern=r"EMP-\d+"),))
    clone = pickle.loads(pickle.dumps(PiiEngine(cfg)))
    assert clone.config == cfg
    assert [e.type for e in clone.analyze("EMP-1 张伟先生")] == ["EMP"]


def test_thread_safe_shared_engine() -> None:
    engine = PiiEngine()
    texts = [f"{TEXT}{i}" for i in range(200)]
    expected = [engine.analyze(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(engine.analyze, texts)) == expected


def _count(args: tuple[PiiEngine, str]) -> int:
    engine, text = args
    return len(engine.analyze(text))


def test_works_in_worker_processes() -> None:
    engine = PiiEngine()
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter builds the engine
    with ctx.Pool(2) as pool:
        assert pool.map(_count, [(engine, TEXT)] * 4) == [5] * 4


def test_long_digit_runs_and_plain_text_find_nothing() -> None:
    text = "订单20231130123045678901234，时间戳1701234567890，金额1234.56元，今天天气很好。"
    assert PiiEngine().analyze(text) == []
    assert PiiEngine().analyze("") == []


# Readings pii.fast_names leaves out for speed (docs/pii.md, 默认引擎的取舍): every other
# engine runs them, the tagger's (whose features they are) included.
_FULL_ONLY = {"name", "name_minority", "name_compound", "name_dotted"}


@pytest.mark.parametrize(
    ("config", "full"),
    [
        (PiiConfig(), True),
        (PiiConfig(fast_names=True), False),
        (PiiConfig(tagger=True), True),
        (PiiConfig(context_names=True), True),
        (PiiConfig(context_names=True, tagger=True), True),
    ],
)
def test_fast_names_leaves_out_the_full_readings(config: PiiConfig, full: bool) -> None:
    names = {r.name for r in PiiEngine(config).recognizers}
    expected = _FULL_ONLY - ({"name"} if config.context_names else set())
    assert (names & _FULL_ONLY == expected) if full else not names & _FULL_ONLY
    assert ("name_fast" in names) == (not full)
    assert ("name_context" in names) == config.context_names
    text = "| 3 | 韩雪梅 | 内科 |，发展对象扎西顿珠、周瑜，联系人：李娜"
    rules = resolve_overlaps(PiiEngine(config).candidates(text))
    found = {e.text for e in rules if e.type == "NAME"}
    assert found == ({"韩雪梅", "扎西顿珠", "周瑜", "李娜"} if full else {"李娜"})


@pytest.mark.parametrize("on", [{"tagger": True}, {"context_names": True}])
def test_fast_names_is_refused_with_the_tagger_or_context_names(on: dict[str, bool]) -> None:
    with pytest.raises(ConfigError, match=f"fast_names.*{next(iter(on))}"):
        PiiConfig.from_section({"fast_names": True, **on})
    assert PiiConfig.from_section({"fast_names": True}).fast_names
    assert not PiiConfig().fast_names
