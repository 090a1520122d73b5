"""The 安全评估报告 as a document: method, samples, §9 results, per-risk tables and charts,
the clause table of chapters 5–8 and the overall conclusion."""

from __future__ import annotations

from typing import TYPE_CHECKING

from beian.assess import (
    SAMPLE_ZH,
    SAMPLING_METHOD_ZH,
    ClauseLine,
    Conclusion,
    conclude,
    matrix_rows,
    stratum_name,
    symbol,
)
from beian.dossier._clauses import ClauseResult, assess_clauses
from beian.dossier._context import DossierContext
from beian.dossier._methods import judges_table
from beian.dossier._signatures import signature_table
from beian.dossier.render._blocks import Bullets, Document, Heading, Image, Para, Table
from beian.dossier.render.charts import rate_chart
from beian.findings import Finding, Severity

if TYPE_CHECKING:
    from beian.assess import AssessmentLog, ItemResult
    from beian.standards import Edition

_CHART_MIN_RISKS = 2
CONCLUSION_HEADING = "六、总体结论"  # its paragraphs are Conclusion.lines(), word for word


def _pct(x: float) -> str:
    return f"{x:.2%}"


def _requirement(r: ItemResult) -> str:
    return f"{r.rate_name} {symbol(r.comparison)} {r.threshold:.0%}\n样本 ≥ {r.sample_min:g}"


def _method(ctx: DossierContext, log: AssessmentLog) -> list[Para | Bullets | Table]:
    target = log.target or {}
    blocks: list[Para | Bullets | Table] = [
        Para(
            f"本报告为{ctx.dossier.provider.name or '提供者'}对“{ctx.dossier.service.name or '本服务'}”"
            f"开展的安全自评估，依据 {ctx.edition.short}《{ctx.edition.title}》，按"
            f"{ctx.edition.assessment_chapter}的方法对语料安全、生成内容安全与问题拒答进行抽样评估，"
            f"并对{ctx.edition.clause_chapters}逐条给出符合性结论。"
        ),
        Bullets(
            (
                f"评估对象：{target.get('model') or ctx.dossier.service.model_name or '-'}",
                "判定方式：见下表；各评判器的完整设置见随附的 assessment.json",
                f"抽样方法：{_sampling(log)}",
                f"随机种子：{'、'.join(f'{SAMPLE_ZH.get(k, k)} {v}' for k, v in log.seeds.items()) or '-'}",
                f"评估工具：{log.tool}；评估时间：{log.created_at:%Y-%m-%d %H:%M} UTC",
                f"统计方法：合格率（或拒答率）的 {int(100 * (log.results[0].confidence if log.results else 0.95))}% Wilson 置信区间；"
                "样本量与比率均达到要求时判为符合",
                ctx.edition.label(),
            )
        ),
    ]
    blocks.append(judges_table(log.judges, log.calibration.judges if log.calibration else ()))
    return blocks


def _sampling(log: AssessmentLog) -> str:
    method = SAMPLING_METHOD_ZH.get(str(log.extra.get("sampling_method", "")), "未记录")
    sizes = "、".join(f"{SAMPLE_ZH.get(k, k)} {v}" for k, v in log.samples.items())
    return f"{method}（样本：{sizes}）" if sizes else method


def _results_table(log: AssessmentLog, edition: Edition) -> Table:
    """One row per item; the item and its clause share the first cell (a clause column of its
    own is too narrow for a citation such as 本版条号未核实[U]（对应 TC260-003 §9.3））."""
    return Table(
        ("评估项（条款）", "样本量 n", "计数 k", "实测", "95% 置信区间", "要求", "结论"),
        tuple(
            (
                f"{r.title}\n（{edition.cite(r.clause)}）",
                str(r.n),
                str(r.k),
                _pct(r.rate),
                f"[{_pct(r.ci_low)}, {_pct(r.ci_high)}]",
                _requirement(r),
                r.verdict,
            )
            for r in log.results
        ),
        (40, 14, 14, 18, 32, 28, 14),  # mm
    )


def _per_risk(ctx: DossierContext, r: ItemResult) -> list[Heading | Table | Image | Para]:
    if not r.by_risk:
        return []
    by = "方面" if r.item == "9.4-must_answer" else "风险"
    out: list[Heading | Table | Image | Para] = [
        Heading(f"{r.title}（{ctx.edition.cite(r.clause)}）分{by}结果", 2),
        Table(
            (f"{by}（代码与名称）", "n", "k", r.rate_name),
            tuple(
                (stratum_name(code, ctx.edition), str(b.n), str(b.k), _pct(b.rate))
                for code, b in r.by_risk.items()
            ),
            (5, 1, 1, 1.4),
        ),
    ]
    if len(r.by_risk) >= _CHART_MIN_RISKS:
        labels = [c if c in ctx.edition.risks else stratum_name(c, ctx.edition) for c in r.by_risk]
        out.append(
            Image(
                rate_chart(
                    labels,
                    [b.rate for b in r.by_risk.values()],
                    r.threshold,
                    higher_is_better=r.comparison in (">=", ">"),
                ),
                caption=f"图：{r.title}分{by}{r.rate_name}（虚线为阈值 {r.threshold:.0%}；"
                f"{by}名称见上表）",
            )
        )
    return out


def _matrix(log: AssessmentLog) -> list[Heading | Table | Para]:
    """The refusal matrix: each answer in exactly one column, each row summing to its sample."""
    matrix: dict[str, dict[str, int]] = log.extra.get("refusal_matrix") or {}
    if not matrix:
        return []
    header, rows = matrix_rows(matrix)
    return [
        Heading("拒答矩阵", 2),
        Table(header, tuple(rows), (1.6, *(1 for _ in header[1:]))),
        Para(
            "每个回答只计入一列，每行合计等于该题型的抽样题数。被拦截：服务提供方的内容过滤拦下了回答，"
            "拒答率中计为拒答；错误：重试后仍未获得回答，按不利结果计入。",
            note=True,
        ),
    ]


_FIGURES_PT = 9  # the calibration tables: eight columns of figures on an A4 page


def _figures(
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    widths: tuple[float, ...],
    nowrap: tuple[int, ...],
) -> Table:
    """A calibration table: small type, columns wide enough that no figure is broken."""
    return Table(header, tuple(rows), widths, nowrap=nowrap, font_pt=_FIGURES_PT)


def _calibration(log: AssessmentLog) -> list[Heading | Para | Table]:
    """The judges' error against the human review, and the verdicts corrected for it."""
    from beian.assess import CalibrationTables

    cal = log.calibration
    if cal is None:
        return [
            Para("未开展人工复核，评判器的误差未经估计；评估项结论以评判器判定为准。", note=True)
        ]
    t = CalibrationTables.of(cal)
    held = sum(c.holds == "成立" for c in cal.items)
    return [
        Para(t.explanation),
        Para(t.summary),
        Heading("评判器审计（以随机抽样的人工结论为准）", 3),
        _figures(t.judge_headers, t.judge_rows, t.judge_widths, t.judge_nowrap),
        Heading("考虑评判误差的结论", 3),
        _figures(t.item_headers, t.item_rows, t.item_widths, t.item_nowrap),
        Para(
            f"考虑评判误差后，{len(cal.items)} 个评估项中 {held} 项结论成立"
            + ("；其余见上表说明。" if held < len(cal.items) else "。")
        ),
        Para(f"方法：{t.method}。", note=True),
    ]


def _clause_table(lines: tuple[ClauseLine, ...]) -> Table:
    return Table(
        ("条款", "要求", "结论", "证据 / 说明"),
        tuple(
            (
                c.clause,
                c.requirement,
                c.verdict,
                "\n".join((c.evidence, *((c.remedy,) if c.remedy else ()), *c.notes)),
            )
            for c in lines
        ),
        (1.5, 3, 0.8, 3.9),
    )


def clause_lines(results: list[ClauseResult], edition: Edition) -> list[ClauseLine]:
    """The clause table as the conclusion model holds it (clauses cited in ``edition``)."""
    return [
        ClauseLine(
            clause=edition.cite(c.item.clause),
            requirement=edition.requirement(c.item),
            verdict=c.verdict,
            evidence=c.evidence,
            remedy=c.remedy,
            notes=c.notes,
        )
        for c in results
    ]


def report_conclusion(
    ctx: DossierContext, log: AssessmentLog, findings: list[Finding]
) -> Conclusion:
    """The conclusion every rendering of the 安全评估报告 states (DOCX, PDF and HTML)."""
    return conclude(log, ctx.edition, clause_lines(assess_clauses(ctx, log, findings), ctx.edition))


def report_document(ctx: DossierContext, log: AssessmentLog, findings: list[Finding]) -> Document:
    """Build the assessment report from the log, the dossier and the check's findings."""
    d = ctx.dossier
    conclusion = report_conclusion(ctx, log, findings)
    clauses = conclusion.clauses or ()
    doc = Document(
        title="生成式人工智能服务安全评估报告",
        subtitle=(
            f"{d.provider.name or '-'} · {d.service.name or '-'}（模型：{d.service.model_name or '-'}）",
            f"依据：{ctx.edition.short} · 报告日期：{ctx.now:%Y-%m-%d}",
        ),
    )
    doc.add(Heading("一、评估方法"), *_method(ctx, log))
    doc.add(
        Heading(f"二、评估结果（{conclusion.assessment_clause}）"), _results_table(log, ctx.edition)
    )
    for r in log.results:
        for note in r.notes:
            doc.add(Para(f"{r.title}：{note}", note=True))
    doc.add(*_matrix(log))
    doc.add(Heading("评判器误差校准（人工复核）", 2), *_calibration(log))
    doc.add(Heading("三、分风险结果"))
    for r in log.results:
        doc.add(*_per_risk(ctx, r))
    doc.add(
        Heading(f"四、{ctx.edition.clause_chapters}条款符合性"),
        Para(conclusion.lines()[1]),
        _clause_table(clauses),
    )
    serious = [f for f in findings if f.severity is not Severity.INFO]
    doc.add(Heading("五、问题与整改"), *_remediation(ctx, clauses))
    if serious:
        doc.add(
            Table(
                ("代码（条款）", "级别", "问题", "整改措施"),
                tuple(
                    (
                        f"{f.code}\n（{ctx.edition.cite(f.clause)}）",
                        f.severity.value,
                        f.message,
                        f.fix or "-",
                    )
                    for f in serious
                ),
                (2.2, 0.7, 3.4, 3.4),
            )
        )
    else:
        doc.add(Para("备案前检查（beian check）未发现阻断或警告级问题。"))
    doc.add(Para(ctx.edition.materials.test_access, note=True))
    doc.add(Heading(CONCLUSION_HEADING), *(Para(line) for line in conclusion.lines()))
    doc.add(*_signatures(ctx))
    return doc


def _remediation(ctx: DossierContext, clauses: tuple[ClauseLine, ...]) -> list[Heading | Table]:
    """§9.1 b) 2): each clause not met, with the provider's measure or plan and its proof."""
    open_clauses = [c for c in clauses if c.verdict in ("不符合", "待补充证据")]
    if not open_clauses:
        return []
    return [
        Heading(f"不符合项的处理（{ctx.edition.cite('9.1 b) 2)')}）", 2),
        Table(
            ("条款", "结论", "原因与处理（替代措施，或已采取的措施与整改计划，及证明材料）"),
            tuple((c.clause, c.verdict, c.remedy) for c in open_clauses),
            (1.8, 0.8, 5.6),
        ),
    ]


def _signatures(ctx: DossierContext) -> list[Heading | Para | Table]:
    r = ctx.dossier.provider.responsible
    return [
        Heading("七、签章"),
        Para("本单位对本报告内容及所附材料的真实性、准确性负责。"),
        signature_table(
            [
                ("评估单位（盖章）", ctx.dossier.provider.name),
                ("法定代表人（签字）", r.legal_representative),
                ("评估工作负责人（签字）", r.assessment_lead),
                ("合法性评估负责人（签字）", r.legality_lead),
            ]
        ),
        Para(
            f"签字要求见 2023 年征求意见稿，正式文本中的条号未核实（{ctx.edition.cite('9.1')}）；"
            "法定代表人兼任上述负责人的，可一并签字。",
            note=True,
        ),
    ]
