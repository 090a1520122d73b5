"""``beian assess report RUN``: a Chinese HTML report with charts (per-risk rates, refusal matrix)
and the judges' calibration against the human review."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from beian.assess._calibrate import CalibrationTables
from beian.assess._items import ITEMS
from beian.assess._log import AssessmentLog, ItemResult
from beian.assess._score import assessment_findings
from beian.io import atomic_write_text
from beian.standards import Edition

_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>安全评估报告 · {{ name }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0;width:100%}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.ok{color:#137333;font-weight:bold}.bad{color:#c5221f;font-weight:bold}
.warn{color:#b06000}.note{font-size:90%;color:#555}svg text{font-size:12px}
</style></head><body>
<h1>生成式人工智能服务安全评估报告</h1>
<p>评估名称：{{ name }}　·　{{ edition_label }}　·　生成时间：{{ log.created_at.strftime('%Y-%m-%d %H:%M:%S') }} UTC　·　{{ log.tool }}</p>
<p>被测对象：{{ target }}</p>
<p>结论：{% if log.passed and not missing %}<span class="ok">全部评估项符合</span>{% elif log.passed %}<span class="ok">已评估项全部符合</span>{% else %}<span class="bad">存在不符合的评估项</span>{% endif %}</p>
{% if fragile %}<p class="warn">考虑评判器误差后：{% for c in fragile %}{{ c.item }} 的结论{{ c.holds }}{% if not loop.last %}、{% endif %}{% endfor %}（见第六节）</p>{% endif %}
{% if missing %}<p class="warn">尚未评估（第9章要求逐项评估）：{{ missing|join('、') }}</p>{% endif %}
<h2>一、评估项结果（TC260-003 第9章）</h2>
<table><tr><th>评估项</th><th>条款</th><th>样本量</th><th>指标</th><th>实测</th><th>95% 置信区间</th><th>要求</th><th>结论</th><th>说明</th></tr>
{% for r in log.results %}<tr><td>{{ r.item }} {{ r.title }}</td><td>{{ r.clause }}</td><td>{{ r.n }}（要求 ≥ {{ '%g' % r.sample_min }}）</td>
<td>{{ r.rate_name }}</td><td>{{ '%.2f%%' % (r.rate*100) }}</td><td>[{{ '%.2f%%' % (r.ci_low*100) }}, {{ '%.2f%%' % (r.ci_high*100) }}]</td>
<td>{{ r.comparison }} {{ '%g%%' % (r.threshold*100) }}</td><td class="{{ 'ok' if r.verdict == '符合' else 'bad' }}">{{ r.verdict }}</td>
<td class="note">{% if r.straddles %}<span class="warn">区间跨越阈值</span> {% endif %}{{ r.notes|join('；') }}</td></tr>{% endfor %}
</table>
<h2>二、分风险结果</h2>
{% for chart in charts %}<h3>{{ chart.title }}</h3>{{ chart.svg|safe }}{% endfor %}
<h2>三、拒答矩阵</h2>
<table><tr><th>题型</th>{% for g in grades %}<th>{{ g }}</th>{% endfor %}</tr>
{% for kind, row in matrix.items() %}<tr><td>{{ kinds[kind] }}</td>{% for g in grades %}<td>{{ row.get(g, 0) }}</td>{% endfor %}</tr>{% endfor %}
</table>
{{ matrix_svg|safe }}
<h2>四、检查结果</h2>
{% if findings %}<table><tr><th>代码</th><th>级别</th><th>条款</th><th>说明</th><th>修复建议</th></tr>
{% for f in findings %}<tr><td>{{ f.code }}</td><td>{{ f.severity.value }}</td><td>{{ f.clause }}</td><td>{{ f.message }}</td><td>{{ f.fix or '' }}</td></tr>{% endfor %}</table>
{% else %}<p>无。</p>{% endif %}
<h2>五、评估方法</h2>
<table><tr><th>评判器</th><th>说明</th></tr>{% for j in log.judges %}<tr><td>{{ j.name }}</td><td>{{ j.title }}</td></tr>{% endfor %}</table>
<p class="note">抽样：{{ samples }}；随机种子：{{ seeds }}；抽样方法：{{ method }}。</p>
{% if log.overrides %}<p class="warn">已覆盖的标准参数：{% for o in log.overrides %}{{ o.name }}={{ o.value }}（默认 {{ o.default }}）{% endfor %}</p>{% endif %}
<h2 id="calibration">六、评判器误差校准</h2>
{% if cal %}<p>{{ cal.summary }}</p>
<h3>评判器审计（随机抽样的人工结论为准）</h3>
<table><tr>{% for h in cal.judge_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in cal.judge_rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<h3>考虑评判误差的结论</h3>
<table><tr>{% for h in cal.item_headers %}<th>{{ h }}</th>{% endfor %}</tr>
{% for row in cal.item_rows %}<tr>{% for c in row %}<td{% if loop.index == 7 %} class="{{ 'ok' if c == '成立' else 'warn' }}"{% endif %}>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
<p class="note">方法：{{ cal.method }}。</p>
{% else %}<p class="note">尚未导入人工结论，评判器误差未知：用 <code>beian assess review export</code> 导出人工抽检表（评判器分歧的回答在前），标注后 <code>beian assess review import</code> 导入。</p>{% endif %}
</body></html>
"""
_KINDS = {"must_refuse": "应拒答", "must_answer": "非拒答", "generation": "生成内容"}
_GRADES = ["拒答", "拒答并正向引导", "正常回答", "空回答", "被拦截", "错误"]


def bar_chart(rows: list[tuple[str, float, int]], threshold: float, higher_is_better: bool) -> str:
    """A horizontal SVG bar chart of rates (0–1) with the threshold as a red line."""
    width, left, bar_h = 760, 170, 16
    height = 20 + len(rows) * (bar_h + 4)
    scale = width - left - 120  # room for the "100.0%（n=1000）" label
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">'
    ]
    for i, (label, rate, n) in enumerate(rows):
        y = 10 + i * (bar_h + 4)
        good = rate >= threshold if higher_is_better else rate <= threshold
        color = "#34a853" if good else "#ea4335"
        parts.append(f'<text x="0" y="{y + 12}">{_esc(label)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y}" width="{rate * scale:.1f}" height="{bar_h}" fill="{color}"/>'
        )
        parts.append(
            f'<text x="{left + rate * scale + 4:.1f}" y="{y + 12}">{rate:.1%}（n={n}）</text>'
        )
    x = left + threshold * scale
    parts.append(
        f'<line x1="{x:.1f}" y1="5" x2="{x:.1f}" y2="{height - 5}" stroke="#c5221f" stroke-dasharray="4"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _risk_chart(r: ItemResult, edition: Edition) -> dict[str, str]:
    rows = []
    for code, b in r.by_risk.items():
        name = (
            edition.risks[code].name
            if code in edition.risks
            else (edition.aspects[code].name if code in edition.aspects else code)
        )
        rows.append((f"{code} {name}"[:14], b.rate, b.n))
    return {
        "title": f"{r.item} {r.title}：分{'方面' if r.item == '9.4-must_answer' else '风险'}{r.rate_name}",
        "svg": bar_chart(rows, r.threshold, r.comparison in (">=", ">")),
    }


def _matrix_svg(matrix: dict[str, dict[str, int]]) -> str:
    colors = ["#1a73e8", "#34a853", "#fbbc04", "#9aa0a6", "#a142f4", "#ea4335"]
    width, left, h = 760, 90, 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{30 + len(matrix) * (h + 6) + 20}">'
    ]
    for i, (kind, row) in enumerate(matrix.items()):
        total = sum(row.get(g, 0) for g in _GRADES if g != "被拦截") or 1
        y, x = 10 + i * (h + 6), float(left)
        parts.append(f'<text x="0" y="{y + 15}">{_KINDS.get(kind, kind)}</text>')
        for g, c in zip(_GRADES, colors, strict=True):
            if g == "被拦截":
                continue
            w = row.get(g, 0) / total * (width - left - 10)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{c}"><title>{g} {row.get(g, 0)}</title></rect>'
            )
            x += w
    y = 16 + len(matrix) * (h + 6)
    for j, (g, c) in enumerate(zip(_GRADES, colors, strict=True)):
        if g != "被拦截":
            parts.append(
                f'<rect x="{left + j * 110}" y="{y}" width="10" height="10" fill="{c}"/><text x="{left + j * 110 + 14}" y="{y + 10}">{g}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def render_report(log: AssessmentLog, edition: Edition) -> str:
    import jinja2

    env = jinja2.Environment(autoescape=True)
    matrix: dict[str, dict[str, int]] = log.extra.get("refusal_matrix") or {}
    t = log.target or {}
    ctx: dict[str, Any] = {
        "log": log,
        "name": log.extra.get("name", ""),
        "edition_label": edition.label(),
        "target": f"{t.get('type', '')} {t.get('model', '')} {t.get('base_url', t.get('path', ''))}",
        "charts": [_risk_chart(r, edition) for r in log.results if r.by_risk],
        "matrix": matrix,
        "matrix_svg": _matrix_svg(matrix) if matrix else "",
        "grades": _GRADES,
        "kinds": _KINDS,
        "findings": assessment_findings(log),
        "samples": "，".join(f"{_KINDS.get(k, k)} {v}" for k, v in log.samples.items()),
        "seeds": "，".join(f"{_KINDS.get(k, k)} {v}" for k, v in log.seeds.items()),
        "method": log.extra.get("sampling_method", ""),
        "missing": [f"{i} {spec.title}" for i, spec in ITEMS.items() if log.result(i) is None],
        "cal": CalibrationTables.of(log.calibration) if log.calibration else None,
        "fragile": [
            c for c in (log.calibration.items if log.calibration else []) if c.holds != "成立"
        ],
    }
    return env.from_string(_TEMPLATE).render(**ctx)


def write_report(
    run_dir: str | os.PathLike[str], edition: Edition, target: str | os.PathLike[str] | None = None
) -> Path:
    from beian.assess._run import LOG

    log = AssessmentLog.load(Path(run_dir) / LOG)
    out = Path(target) if target else Path(run_dir) / "report.html"
    atomic_write_text(out, render_report(log, edition))
    return out
