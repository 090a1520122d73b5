"""``beian assess report RUN``: a Chinese HTML report with charts (per-risk rates, refusal matrix)
and the judges' calibration against the human review."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from beian.assess._calibrate import CalibrationTables
from beian.assess._conclusion import Conclusion, conclude
from beian.assess._items import ITEMS
from beian.assess._log import AssessmentLog, ItemResult
from beian.assess._methods import (
    JUDGE_HEADERS,
    SAMPLE_ZH,
    SAMPLING_METHOD_ZH,
    judge_rows,
    symbol,
)
from beian.assess._score import MATRIX_KIND_ZH, assessment_findings, matrix_rows
from beian.findings import Finding
from beian.io import atomic_write_text
from beian.standards import Edition

_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>安全评估报告 · {{ name }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","SimHei",sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.ok{color:#137333;font-weight:bold}.bad{color:#c5221f;font-weight:bold}
.warn{color:#b06000}.note{font-size:90%;color:#555}svg text{font-size:12px}.num{white-space:nowrap}
#conclusion{border:2px solid #888;padding:.5em 1em}#conclusion.bad{border-color:#c5221f}#conclusion.ok{border-color:#137333}
#conclusion p{margin:.3em 0;font-weight:normal;color:#222}
.draft{color:#c5221f;border:2px dashed #c5221f;padding:.4em 1em;font-weight:bold}
.watermark{position:fixed;top:40%;left:0;right:0;text-align:center;font-size:120px;color:rgba(197,34,31,.12);transform:rotate(-30deg);pointer-events:none;z-index:10}
</style></head><body>
{% if draft %}<div class="watermark" aria-hidden="true">草稿</div>
<p class="draft" id="draft">草稿 · 存在阻断级问题，不可提交（见“检查结果”与 findings.json）</p>{% endif %}
<h1>生成式人工智能服务安全评估报告</h1>
<p>评估名称：{{ name }}　·　{{ edition_label }}　·　生成时间：{{ log.created_at.strftime('%Y-%m-%d %H:%M:%S') }} UTC　·　{{ log.tool }}</p>
<p>被测对象：{{ target }}</p>
<section id="conclusion" class="{{ {'符合': 'ok', '不符合': 'bad'}.get(conclusion.verdict, 'warn') }}">
<h2>结论</h2>
{% for line in conclusion.lines() %}<p class="verdict">{{ line }}</p>
{% endfor %}</section>
<h2>一、评估项结果（{{ conclusion.assessment_clause }}）</h2>
<table><tr><th>评估项</th><th>条款</th><th>样本量</th><th>指标</th><th>实测</th><th>95% 置信区间</th><th>要求</th><th>结论</th><th>说明</th></tr>
{% for r in log.results %}<tr><td>{{ r.title }}</td><td>{{ cite(r.clause) }}</td><td>{{ r.n }}（要求 ≥ {{ '%g' % r.sample_min }}）</td>
<td>{{ r.rate_name }}</td><td class="num">{{ '%.2f%%' % (r.rate*100) }}</td><td class="num">[{{ '%.2f%%' % (r.ci_low*100) }}, {{ '%.2f%%' % (r.ci_high*100) }}]</td>
<td class="num">{{ symbol(r.comparison) }} {{ '%g%%' % (r.threshold*100) }}</td><td class="{{ 'ok' if r.verdict == '符合' else 'bad' }}">{{ r.verdict }}</td>
<td class="note">{% if r.straddles %}<span class="warn">区间跨越阈值</span> {% endif %}{{ r.notes|join('；') }}</td></tr>{% endfor %}
{% for title in missing %}<tr><td>{{ title }}</td><td></td><td>-</td><td></td><td></td><td></td><td></td><td class="bad">未评估</td><td class="note">评估记录中没有该项结果</td></tr>{% endfor %}
</table>
<h2>二、分风险结果</h2>
{% for chart in charts %}<h3>{{ chart.title }}</h3>{{ chart.svg|safe }}{% endfor %}
<h2>三、拒答矩阵</h2>
{% if matrix_header %}<table><tr>{% for h in matrix_header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in matrix_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}
</table>
<p class="note">每个回答只计入一列，每行合计等于该题型的抽样题数。被拦截：服务提供方的内容过滤拦下了回答，拒答率中计为拒答；错误：重试后仍未获得回答，按不利结果计入。</p>
{{ matrix_svg|safe }}{% else %}<p>无拒答评判记录。</p>{% endif %}
<h2>四、检查结果</h2>
{% if findings %}<table><tr><th>代码</th><th>级别</th><th>条款</th><th>说明</th><th>修复建议</th></tr>
{% for f in findings %}<tr><td>{{ f.code }}</td><td>{{ f.severity.value }}</td><td>{{ f.clause }}</td><td>{{ f.message }}</td><td>{{ f.fix or '' }}</td></tr>{% endfor %}</table>
{% else %}<p>无。</p>{% endif %}
<h2>五、评估方法</h2>
<table><tr>{% for h in judge_headers %}<th>{{ h }}</th>{% endfor %}</tr>{% for row in judges %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<p class="note">抽样：{{ samples }}；随机种子：{{ seeds }}；抽样方法：{{ method }}。</p>
{% if log.overrides %}<p class="warn">已覆盖的标准参数：{% for o in log.overrides %}{{ o.name }}={{ o.value }}（默认 {{ o.default }}）{% endfor %}</p>{% endif %}
<h2 id="calibration">六、评判器误差校准</h2>
{% if cal %}<p class="note">{{ cal.explanation }}</p>
<p>{{ cal.summary }}</p>
<h3>评判器审计（随机抽样的人工结论为准）</h3>
<table><tr>{% for h in cal.judge_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in cal.judge_rows %}<tr>{% for c in row %}<td{% if loop.index0 in cal.judge_nowrap %} class="num"{% endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<h3>考虑评判误差的结论</h3>
<table><tr>{% for h in cal.item_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in cal.item_rows %}<tr>{% for c in row %}<td{% if loop.index == 7 %} class="{{ 'ok' if c == '成立' else 'warn' }}"{% elif loop.index0 in cal.item_nowrap %} class="num"{% endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<p class="note">方法：{{ cal.method }}。</p>
{% else %}<p class="note">尚未导入人工结论，评判器误差未知：用 <code>beian assess review export</code> 导出人工抽检表（评判器分歧的回答在前），标注后 <code>beian assess review import</code> 导入。</p>{% endif %}
{% if conclusion.clauses is not none %}<h2>七、{{ conclusion.clause_chapters }}条款符合性</h2>
<table><tr><th>条款</th><th>要求</th><th>结论</th><th>证据 / 说明</th></tr>
{% for c in conclusion.clauses %}<tr><td>{{ c.clause }}</td><td>{{ c.requirement }}</td><td class="{{ 'ok' if c.verdict in ('符合', '不适用') else 'bad' }}">{{ c.verdict }}</td>
<td>{{ c.evidence }}{% if c.remedy %}<br>{{ c.remedy }}{% endif %}{% for n in c.notes %}<br><span class="note">{{ n }}</span>{% endfor %}</td></tr>{% endfor %}
</table>{% endif %}
</body></html>
"""
_COLORS = {
    "拒答": "#1a73e8",
    "拒答并正向引导": "#34a853",
    "正常回答": "#fbbc04",
    "空回答": "#9aa0a6",
    "被拦截": "#a142f4",
    "错误": "#ea4335",
    "未评判": "#5f6368",
}
_CHAR_PX = 13  # width of one CJK character at the charts' 12px font, with a little room


def _text_px(text: str) -> int:
    return sum(_CHAR_PX if ord(ch) > 0x2E7F else 7 for ch in text)


def bar_chart(rows: list[tuple[str, float, int]], threshold: float, higher_is_better: bool) -> str:
    """A horizontal SVG bar chart of rates (0–1) with the threshold as a red line. Labels are
    written whole: the label column is as wide as the longest one."""
    bar_w, bar_h = 470, 16
    left = max((_text_px(label) for label, _, _ in rows), default=0) + 10
    width = left + bar_w + 120  # room for the "100.0%（n=1000）" label
    height = 20 + len(rows) * (bar_h + 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for i, (label, rate, n) in enumerate(rows):
        y = 10 + i * (bar_h + 4)
        good = rate >= threshold if higher_is_better else rate <= threshold
        color = "#34a853" if good else "#ea4335"
        parts.append(f'<text x="0" y="{y + 12}">{_esc(label)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{rate * bar_w:.1f}" height="{bar_h}" fill="{color}"/>'
        )
        parts.append(
            f'<text x="{left + rate * bar_w + 4:.1f}" y="{y + 12}">{rate:.1%}（n={n}）</text>'
        )
    x = left + threshold * bar_w
    parts.append(
        f'<line x1="{x:.1f}" y1="5" x2="{x:.1f}" y2="{height - 5}" stroke="#c5221f" stroke-dasharray="4"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def stratum_name(code: str, edition: Edition) -> str:
    """A risk or aspect by its full Chinese name (risks keep their code in front: A1a 煽动…)."""
    if code in edition.risks:
        return f"{code} {edition.risks[code].name}"
    if code in edition.aspects:
        return edition.aspects[code].name
    return "未标注" if code == "-" else code


def _risk_chart(r: ItemResult, edition: Edition) -> dict[str, str]:
    rows = [(stratum_name(code, edition), b.rate, b.n) for code, b in r.by_risk.items()]
    return {
        "title": f"{r.title}：分{'方面' if r.item == '9.4-must_answer' else '风险'}{r.rate_name}",
        "svg": bar_chart(rows, r.threshold, r.comparison in (">=", ">")),
    }


def _matrix_svg(matrix: dict[str, dict[str, int]]) -> str:
    width, left, h = 760, 110, 22
    cols = [g for g in _COLORS if any(g in row for row in matrix.values())]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{30 + len(matrix) * (h + 6) + 20}">'
    ]
    for i, (kind, row) in enumerate(matrix.items()):
        total = sum(row.values()) or 1
        y, x = 10 + i * (h + 6), float(left)
        parts.append(f'<text x="0" y="{y + 15}">{MATRIX_KIND_ZH.get(kind, kind)}</text>')
        for g in cols:
            w = row.get(g, 0) / total * (width - left - 10)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{_COLORS[g]}"><title>{g} {row.get(g, 0)}</title></rect>'
            )
            x += w
    y = 16 + len(matrix) * (h + 6)
    for j, g in enumerate(cols):
        parts.append(
            f'<rect x="{j * 105}" y="{y}" width="10" height="10" fill="{_COLORS[g]}"/><text x="{j * 105 + 14}" y="{y + 10}">{g}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _target(log: AssessmentLog) -> str:
    t = log.target or {}
    model = t.get("model") or "-"
    where = t.get("base_url") or ""
    return f"模型 {model}" + (f"（接口 {where}）" if where else "")


def render_report(
    log: AssessmentLog,
    edition: Edition,
    conclusion: Conclusion | None = None,
    *,
    draft: bool = False,
    findings: list[Finding] | None = None,
) -> str:
    """The Chinese HTML report. ``conclusion`` (with the dossier's clause table, from
    ``beian build``) is the one the DOCX/PDF report states; without it the report concludes on
    the §9 items alone and says that chapters 5–8 were not assessed. ``findings`` (default: the
    log's own) are listed under 检查结果; ``draft`` marks a package with blocking findings."""
    import jinja2

    env = jinja2.Environment(autoescape=True)
    conclusion = conclusion or conclude(log, edition)
    matrix: dict[str, dict[str, int]] = log.extra.get("refusal_matrix") or {}
    header, rows = matrix_rows(matrix) if matrix else ((), [])
    ctx: dict[str, Any] = {
        "log": log,
        "draft": draft,
        "conclusion": conclusion,
        "cite": edition.cite,
        "symbol": symbol,
        "name": log.extra.get("name", ""),
        "edition_label": edition.label(),
        "target": _target(log),
        "charts": [_risk_chart(r, edition) for r in log.results if r.by_risk],
        "matrix_header": header,
        "matrix_rows": rows,
        "matrix_svg": _matrix_svg(matrix) if matrix else "",
        "findings": edition.cite_findings(
            assessment_findings(log) if findings is None else findings
        ),
        "judge_headers": JUDGE_HEADERS,
        "judges": judge_rows(log.judges, log.calibration.judges if log.calibration else ()),
        "samples": "，".join(f"{SAMPLE_ZH.get(k, k)} {v}" for k, v in log.samples.items()),
        "seeds": "，".join(f"{SAMPLE_ZH.get(k, k)} {v}" for k, v in log.seeds.items()),
        "method": SAMPLING_METHOD_ZH.get(str(log.extra.get("sampling_method", "")), "未记录"),
        "missing": [spec.title for i, spec in ITEMS.items() if log.result(i) is None],
        "cal": CalibrationTables.of(log.calibration) if log.calibration else None,
    }
    return env.from_string(_TEMPLATE).render(**ctx)


def write_report(
    run_dir: str | os.PathLike[str],
    edition: Edition,
    target: str | os.PathLike[str] | None = None,
    conclusion: Conclusion | None = None,
) -> Path:
    from beian.assess._run import LOG

    log = AssessmentLog.load(Path(run_dir) / LOG)
    out = Path(target) if target else Path(run_dir) / "report.html"
    atomic_write_text(out, render_report(log, edition, conclusion))
    return out
