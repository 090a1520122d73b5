"""A seeded generator of labelled Chinese text, and per-type precision / recall.

Each sentence comes from a template with typed slots; a slot is filled with a valid value
(labelled) or, in near-miss templates, with something that only looks like one (not labelled).
Filler sentences with dates, prices and quantities sit between them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from beian.pii import ENTITY_TYPES, Entity
from tests.support.pii_values import ValueGenerator

__all__ = ["Sample", "Scores", "evaluate", "generate_samples", "generate_text"]

# {TYPE} is a labelled value, {~TYPE} a near miss (not labelled).
TEMPLATES: tuple[str, ...] = (
    "客户{NAME}的身份证号为{ID_CARD}，请核实。",
    "身份证号{ID_CARD}的用户已完成实名认证。",
    "公民身份号码：{ID_CARD}",
    "请拨打手机{MOBILE}联系我。",
    "我的电话是{MOBILE}，有事随时打。",
    "联系人{NAME}，手机{MOBILE}，邮箱{EMAIL}。",
    "办公室座机{PHONE}，工作日有人接听。",
    "如有疑问请致电{PHONE}。",
    "工资打到银行卡{BANK_CARD}里了。",
    "退款将原路返回至尾号所在卡{BANK_CARD}。",
    "公司统一社会信用代码{USCC}，法定代表人{NAME}。",
    "营业执照上的代码是{USCC}。",
    "他的护照号码是{PASSPORT}，下周出国。",
    "护照{PASSPORT}已办理签证。",
    "往来港澳通行证号码{HK_MACAO_TW_PERMIT}，有效期五年。",
    "持通行证{HK_MACAO_TW_PERMIT}的旅客请到三号窗口。",
    "车牌号{PLATE}的车辆违章停放。",
    "那辆{PLATE}是我家的车。",
    "请发邮件到{EMAIL}，我们会尽快回复。",
    "简历已投递至{EMAIL}",
    "登录IP为{IP}，时间异常。",
    "服务器地址{IP}无法访问。",
    "收货地址：{ADDRESS}，收件人{NAME}，电话{MOBILE}。",
    "我家住在{ADDRESS}，欢迎来玩。",
    "快递寄到{ADDRESS}就行。",
    "{NAME}先生今天来办理业务。",
    "感谢{NAME}女士的耐心解答。",
    "我叫{NAME}，今年三十岁。",
    "姓名：{NAME}　性别：男",
    "患者{NAME}，入院诊断为肺炎。",
    "订单号{~ID_CARD}已发货，请注意查收。",
    "流水号{~BANK_CARD}对应的交易已完成。",
    "编号{~MOBILE}的工单已关闭。",
    "时间戳{~TIMESTAMP}对应北京时间上午。",
    "分机{~PHONE}暂时无人接听。",
    "代码{~USCC}校验失败，请重新输入。",
    "证件号{~ID_CARD}格式有误。",
    "卡号{~BANK_CARD}无效。",
    "型号{~PASSPORT}的零件缺货。",
    "样品编码{~HK_MACAO_TW_PERMIT}已入库。",
    "停车场临时编号{~PLATE}。",
    "请在微博{~EMAIL}留言。",
    "软件版本号{~IP}已发布。",
    "{~NAME}，欢迎光临。",
    # Hard cases without cues: reported honestly, not tuned away.
    "{NAME}昨天提交了报销申请。",
    "这份材料由{NAME}整理。",
    "公司搬到了{STREET}。",
    "他去年去过{~ADDRESS}旅游。",
)
FILLERS: tuple[str, ...] = (
    "会议定于{DATE}下午三点召开。",
    "本季度营收同比增长{PCT}%。",
    "这款手机售价{PRICE}元，性价比很高。",
    "今天天气晴朗，适合出门散步。",
    "根据相关规定，个人信息处理者应当采取必要措施保障信息安全。",
    "项目预计在{DATE}前完成验收。",
    "共有{QTY}名用户参加了本次调查。",
    "模型在测试集上的准确率达到{PCT}%。",
)
_SLOT = re.compile(r"\{(~?)([A-Z_]+)\}")


@dataclass(frozen=True)
class Sample:
    """Text and its gold spans ``(type, start, end)``."""

    text: str
    spans: tuple[tuple[str, int, int], ...]


@dataclass
class Scores:
    """True positives, false positives and false negatives per type (exact span match)."""

    tp: dict[str, int] = field(default_factory=dict)
    fp: dict[str, int] = field(default_factory=dict)
    fn: dict[str, int] = field(default_factory=dict)

    def precision(self, t: str) -> float:
        d = self.tp.get(t, 0) + self.fp.get(t, 0)
        return self.tp.get(t, 0) / d if d else 1.0

    def recall(self, t: str) -> float:
        d = self.tp.get(t, 0) + self.fn.get(t, 0)
        return self.tp.get(t, 0) / d if d else 1.0

    def f1(self, t: str) -> float:
        p, r = self.precision(t), self.recall(t)
        return 2 * p * r / (p + r) if p + r else 0.0

    def table(self) -> dict[str, dict[str, float]]:
        types = sorted({*self.tp, *self.fp, *self.fn}, key=lambda t: (t not in ENTITY_TYPES, t))
        return {
            t: {
                "precision": round(self.precision(t), 4),
                "recall": round(self.recall(t), 4),
                "f1": round(self.f1(t), 4),
                "support": self.tp.get(t, 0) + self.fn.get(t, 0),
            }
            for t in types
        }


def _filler(rng: random.Random, tpl: str) -> str:
    return (
        tpl.replace(
            "{DATE}", f"{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
        )
        .replace("{PCT}", f"{rng.randint(1, 99)}.{rng.randint(0, 9)}")
        .replace("{PRICE}", str(rng.randint(999, 9999)))
        .replace("{QTY}", str(rng.randint(100, 99999)))
    )


def generate_samples(
    seed: int = 0, n: int = 1000, sentences: int = 6, density: float = 0.7
) -> Iterator[Sample]:
    """``n`` paragraphs of ``sentences`` sentences, deterministic for a seed.

    ``density`` is the share of sentences built from a template with a value or a near miss;
    the rest are filler sentences without personal information.
    """
    rng = random.Random(seed)
    values = ValueGenerator(seed)
    for _ in range(n):
        parts: list[str] = []
        spans: list[tuple[str, int, int]] = []
        pos = 0
        for _ in range(sentences):
            if rng.random() >= density:
                text = _filler(rng, rng.choice(FILLERS))
                parts.append(text)
                pos += len(text)
                continue
            tpl = rng.choice(TEMPLATES)
            last = 0
            for m in _SLOT.finditer(tpl):
                lit = tpl[last : m.start()]
                parts.append(lit)
                pos += len(lit)
                near, kind = m.group(1) == "~", m.group(2)
                if kind == "TIMESTAMP":
                    value = str(rng.randint(1_600_000_000_000, 1_800_000_000_000))
                elif kind == "STREET":  # a street address without province or city
                    value, kind = values.street(), "ADDRESS"
                else:
                    value = values.near_miss(kind) if near else values.value(kind)
                if not near:
                    spans.append((kind, pos, pos + len(value)))
                parts.append(value)
                pos += len(value)
                last = m.end()
            parts.append(tpl[last:])
            pos += len(tpl) - last
        yield Sample("".join(parts), tuple(spans))


def generate_text(seed: int, size_bytes: int, density: float = 0.7) -> list[Sample]:
    """Samples until their UTF-8 size reaches ``size_bytes`` (for throughput benchmarks)."""
    out: list[Sample] = []
    total = 0
    for s in generate_samples(seed, n=10**9, density=density):
        out.append(s)
        total += len(s.text.encode("utf-8")) + 1
        if total >= size_bytes:
            break
    return out


def evaluate(
    samples: Iterable[Sample],
    predictions: Iterable[Iterable[Entity] | Iterable[tuple[str, int, int]]],
    types: Iterable[str] | None = None,
) -> Scores:
    """Exact-span precision and recall per type; ``types`` limits which types count."""
    wanted = set(types) if types is not None else None
    scores = Scores()
    for sample, pred in zip(samples, predictions, strict=True):
        got: set[tuple[str, int, int]] = set()
        for e in pred:
            if isinstance(e, Entity):
                got.add((e.type, e.start, e.end))
            else:
                got.add((str(e[0]), int(e[1]), int(e[2])))
        gold = set(sample.spans)
        for item in got | gold:
            if wanted is None or item[0] in wanted:
                scores.tp.setdefault(item[0], 0)
        for item in got:
            if wanted is not None and item[0] not in wanted:
                continue
            bucket = scores.tp if item in gold else scores.fp
            bucket[item[0]] = bucket.get(item[0], 0) + 1
        for item in gold - got:
            if wanted is None or item[0] in wanted:
                scores.fn[item[0]] = scores.fn.get(item[0], 0) + 1
    return scores
