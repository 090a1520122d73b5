"""``beian bank audit``: sizes and per-risk / per-aspect minimums (§8.2–8.3), duplicates, codes."""

from __future__ import annotations

from collections import Counter, defaultdict

from beian.assess._bank import Bank, Question, normalize_text
from beian.findings import Finding, FindingCode, Location, Severity, define_code
from beian.standards import Edition, Figure

GEN_TOTAL = define_code(
    "BA-BNK-001", "生成内容测试题库总量不足", clause="8.2 a)", severity=Severity.BLOCKING
)
GEN_RISK = define_code(
    "BA-BNK-002", "某种风险的生成内容测试题不足", clause="8.2 b)", severity=Severity.BLOCKING
)
REF_TOTAL = define_code(
    "BA-BNK-003", "应拒答测试题库总量不足", clause="8.3 a)", severity=Severity.BLOCKING
)
REF_RISK = define_code(
    "BA-BNK-004", "某种风险的应拒答测试题不足", clause="8.3 a)", severity=Severity.BLOCKING
)
ANS_TOTAL = define_code(
    "BA-BNK-005", "非拒答测试题库总量不足", clause="8.3 b)", severity=Severity.BLOCKING
)
ANS_ASPECT = define_code(
    "BA-BNK-006", "某个方面的非拒答测试题不足", clause="8.3 b)", severity=Severity.BLOCKING
)
EXACT_DUP = define_code(
    "BA-BNK-007", "重复题目（规范化后完全相同）", clause="8.2", severity=Severity.WARNING
)
NEAR_DUP = define_code("BA-BNK-008", "近似重复题目", clause="8.2", severity=Severity.WARNING)
UNKNOWN_RISK = define_code(
    "BA-BNK-009", "未知或缺失的风险代码", clause="附录A", severity=Severity.BLOCKING
)
UNKNOWN_ASPECT = define_code(
    "BA-BNK-010", "未知或缺失的非拒答方面", clause="8.3 b)", severity=Severity.WARNING
)
DUP_ID = define_code("BA-BNK-011", "题目编号重复", clause="8.2", severity=Severity.BLOCKING)

NEAR_THRESHOLD = 0.9


def _loc(q: Question) -> Location:
    file, _, line = q.where.rpartition(":")
    return Location(file=file or q.where, line=int(line) if line.isdigit() else None, field=q.id)


def _per_group(
    code: FindingCode,
    counts: Counter[str | None],
    what: str,
    groups: list[tuple[str, str, Figure, str]],
) -> list[Finding]:
    """One finding per group (risk or aspect) whose count misses its figure."""
    return [
        Finding.of(
            code,
            f"{label}：{what} {counts[key]} 道，要求 {fig.display()}",
            fix=fix,
            location=Location(field=key),
        )
        for key, label, fig, fix in groups
        if not fig.check(counts[key])
    ]


def _sizes(bank: Bank, ed: Edition) -> list[Finding]:
    out: list[Finding] = []
    gen, ref, ans = (bank.of_kind(k) for k in ("generation", "must_refuse", "must_answer"))
    checks = [
        (GEN_TOTAL, "bank.generation.total_min", gen, "生成内容测试题"),
        (REF_TOTAL, "bank.must_refuse.total_min", ref, "应拒答测试题"),
        (ANS_TOTAL, "bank.must_answer.total_min", ans, "非拒答测试题"),
    ]
    for code, fig_name, qs, what in checks:
        fig = ed.figure(fig_name)
        # duplicates add no coverage: the figure counts distinct questions
        n, distinct = len(qs), len({normalize_text(q.text) for q in qs})
        if not fig.check(distinct):
            dup = n - distinct
            out.append(
                Finding.of(
                    code,
                    f"{what}共 {n} 道"
                    + (f"（规范化后重复 {dup} 道，不重复 {distinct} 道）" if dup else "")
                    + f"，要求 {fig.display()}",
                    fix=f"补充至少 {int(fig.value) - distinct} 道不重复的{what}",
                )
            )
    gen_fig = {
        True: ed.figure("bank.generation.per_core_risk_min"),
        False: ed.figure("bank.generation.per_other_risk_min"),
    }
    ref_fig = ed.figure("bank.must_refuse.per_risk_min")
    ans_fig = ed.figure("bank.must_answer.per_aspect_min")
    out += _per_group(
        GEN_RISK,
        Counter(q.risk for q in gen),
        "生成内容测试题",
        [
            (r.code, f"{r.code} {r.name}", gen_fig[r.core], f"为 {r.code} 补充题目")
            for r in ed.risks.values()
        ],
    )
    out += _per_group(
        REF_RISK,
        Counter(q.risk for q in ref),
        "应拒答测试题",
        [
            (r.code, f"{r.code} {r.name}", ref_fig, f"为 {r.code} 补充应拒答题目")
            for r in ed.core_risks()
        ],
    )
    out += _per_group(
        ANS_ASPECT,
        Counter(q.aspect for q in ans),
        "非拒答测试题",
        [
            (a.code, f"方面“{a.name}”（{a.code}）", ans_fig, f"补充涉及{a.name}的非拒答题目")
            for a in ed.aspects.values()
        ],
    )
    return out


def _codes(bank: Bank, ed: Edition) -> list[Finding]:
    out: list[Finding] = []
    seen: dict[str, Question] = {}
    for q in bank.questions:
        if q.id in seen:
            out.append(
                Finding.of(
                    DUP_ID,
                    f"编号 {q.id} 与 {seen[q.id].where} 重复",
                    fix="每道题的编号必须唯一（断点续跑和缓存依赖编号）",
                    location=_loc(q),
                )
            )
        seen.setdefault(q.id, q)
        if q.kind != "must_answer" and (q.risk is None or q.risk not in ed.risks):
            out.append(
                Finding.of(
                    UNKNOWN_RISK,
                    f"题目 {q.id} 的风险代码 {q.risk or '(空)'} 不在附录A中",
                    fix="填写 A1a…A5b 中的代码",
                    location=_loc(q),
                )
            )
        if q.kind == "must_answer" and (q.aspect is None or q.aspect not in ed.aspects):
            out.append(
                Finding.of(
                    UNKNOWN_ASPECT,
                    f"非拒答题 {q.id} 的方面 {q.aspect or '(空)'} 未知",
                    fix="方面代码：" + "、".join(ed.aspects),
                    location=_loc(q),
                )
            )
    return out


def near_duplicate_pairs(
    texts: list[str], threshold: float = NEAR_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` with cosine similarity of character 2–3-gram TF-IDF ≥ threshold."""
    if len(texts) < 2:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), min_df=1)
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # every text empty
        return []
    sim = (x @ x.T).tocoo()
    return sorted(
        (int(i), int(j), float(s))
        for i, j, s in zip(sim.row, sim.col, sim.data, strict=True)
        if i < j and s >= threshold
    )


def _duplicates(bank: Bank) -> list[Finding]:
    out: list[Finding] = []
    groups: dict[str, list[Question]] = defaultdict(list)
    for q in bank.questions:
        groups[normalize_text(q.text)].append(q)
    uniq: list[tuple[str, Question]] = []
    for key, qs in groups.items():
        uniq.append((key, qs[0]))
        for q in qs[1:]:
            out.append(
                Finding.of(
                    EXACT_DUP,
                    f"题目 {q.id} 与 {qs[0].id} 规范化后相同",
                    fix="删除或改写重复题目",
                    location=_loc(q),
                )
            )
    for i, j, s in near_duplicate_pairs([k for k, _ in uniq]):
        a, b = uniq[i][1], uniq[j][1]
        out.append(
            Finding.of(
                NEAR_DUP,
                f"题目 {b.id} 与 {a.id} 高度相似（相似度 {s:.2f}）",
                fix="改写其中一题，使题库覆盖更多样的问法",
                location=_loc(b),
            )
        )
    return out


def audit_bank(bank: Bank, edition: Edition) -> list[Finding]:
    """All findings for ``bank`` against ``edition``'s §8.2–8.3 figures."""
    return edition.cite_findings(_sizes(bank, edition) + _codes(bank, edition) + _duplicates(bank))
