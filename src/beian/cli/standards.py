"""``beian standards``: browse the catalogue of risks, aspects, figures and clauses."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from beian.cli._common import (
    TableOrJson,
    console,
    emit_json,
    err_console,
    findings_table,
    get_config,
)
from beian.standards import (
    CONFIDENCE_ZH,
    ClauseItem,
    Edition,
    Figure,
    Risk,
    list_editions,
    override_findings,
)

_EDITION_HELP = (
    "标准版本：" + " / ".join(list_editions()) + "（默认取配置文件，否则 gbt-45654-2025）"
)


def _edition(ctx: typer.Context, edition: str | None) -> Edition:
    return get_config(ctx).edition(edition)


def _overrides_json(ed: Edition) -> list[dict[str, object]]:
    return [o.model_dump() for o in ed.overrides]


def list_cmd(
    ctx: typer.Context,
    edition: Annotated[str | None, typer.Option("--edition", "-e", help=_EDITION_HELP)] = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
) -> None:
    """列出附录A的 31 种安全风险与 13 个非拒答方面。"""
    ed = _edition(ctx, edition)
    if fmt is TableOrJson.json:
        emit_json(
            {
                "edition": ed.id,
                "overrides": _overrides_json(ed),
                "risks": [r.model_dump() for r in ed.risks.values()],
                "aspects": [a.model_dump() for a in ed.aspects.values()],
            }
        )
        return
    console.print(ed.label())
    table = Table(
        title=f"附录A 安全风险（{len(ed.risks)} 种，其中 A.1+A.2 共 {len(ed.core_risks())} 种）"
    )
    for col in ("代码", "条款", "类别", "风险", "17种之一"):
        table.add_column(col)
    for r in ed.risks.values():
        table.add_row(r.code, r.clause, r.category_name, r.name, "是" if r.core else "")
    console.print(table)
    aspects = Table(title=f"非拒答测试题须覆盖的方面（{len(ed.aspects)} 个，§8.3）")
    for col in ("代码", "方面", "分组"):
        aspects.add_column(col)
    for a in ed.aspects.values():
        aspects.add_row(a.code, a.name, a.group)
    console.print(aspects)


def _rows(obj: Risk | Figure | ClauseItem, ed: Edition) -> list[tuple[str, str]]:
    """The item as Chinese field names and readable values (``--format json`` keeps the
    model's own field names)."""
    if isinstance(obj, Risk):
        return [("代码", obj.code), ("风险", obj.name),
                ("类别", f"{obj.category}（{obj.category_name}）"), ("条款", obj.clause),
                ("17种之一", "是" if obj.core else "否")]  # fmt: skip
    if isinstance(obj, Figure):
        return [("参数", obj.name), ("条款", ed.cite(obj.clause)), ("要求", obj.title),
                ("数值", obj.display()),
                ("可信度", f"{obj.confidence}（{CONFIDENCE_ZH[obj.confidence]}）"),
                ("来源", obj.source), ("标准原值", f"{obj.default:g}"),
                ("覆盖", obj.override_source or "-")]  # fmt: skip
    return [("编号", obj.id), ("条款", ed.cite(obj.clause)), ("章", obj.chapter),
            ("要求", ed.requirement(obj)),
            ("证据", "、".join(e.zh for e in obj.evidence))]  # fmt: skip


def show_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="风险代码（如 A1a）、数值参数名或条款编号（如 8.1）")],
    edition: Annotated[str | None, typer.Option("--edition", "-e", help=_EDITION_HELP)] = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
) -> None:
    """显示一项风险、数值参数或条款的详细信息。"""
    from beian.errors import InputError
    from beian.standards import parse_risk_code

    ed = _edition(ctx, edition)
    obj: Risk | Figure | ClauseItem
    if code in ed.figures:
        obj = ed.figures[code]
    elif any(c.id == code for c in ed.clauses):
        obj = next(c for c in ed.clauses if c.id == code)
    else:
        try:
            obj = ed.risk(parse_risk_code(code))
        except InputError:
            raise InputError(
                f"找不到 {code!r}：既不是风险代码，也不是数值参数或条款编号",
                fix="风险代码如 A1a；参数见 `beian standards thresholds`；条款如 5.1-a、8.1",
            ) from None
    data = obj.model_dump(mode="json")
    if fmt is TableOrJson.json:
        emit_json({"edition": ed.id, "overrides": _overrides_json(ed), "item": data})
        return
    console.print(ed.label())
    table = Table(show_header=False)
    table.add_column("字段", style="bold")
    table.add_column("值", overflow="fold")
    for k, v in _rows(obj, ed):
        table.add_row(k, v)
    console.print(table)


def thresholds_cmd(
    ctx: typer.Context,
    edition: Annotated[str | None, typer.Option("--edition", "-e", help=_EDITION_HELP)] = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
) -> None:
    """列出标准中的全部数值要求（条款、数值、比较方式、单位、可信度、来源）。"""
    ed = _edition(ctx, edition)
    if fmt is TableOrJson.json:
        emit_json(
            {
                "edition": ed.id,
                "edition_title": ed.short,
                "overrides": _overrides_json(ed),
                "figures": [
                    {**f.model_dump(mode="json"), "overridden": f.overridden}
                    for f in ed.figures.values()
                ],
            }
        )
        return
    console.print(ed.label())
    table = Table(title=f"{ed.short} 数值要求")
    for col in ("参数", "条款", "要求", "数值", "可信度", "覆盖"):
        table.add_column(col, overflow="fold")
    for f in ed.figures.values():
        table.add_row(
            f.name,
            ed.cite(f.clause),
            f.title,
            f.display(),
            f"{f.confidence}（{CONFIDENCE_ZH[f.confidence]}）",
            f"是（默认 {f.default:g}）" if f.overridden else "",
        )
    console.print(table)
    warnings = override_findings(ed)
    if warnings:
        err_console.print(findings_table(warnings, title="配置覆盖提示", edition=ed))


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="标准目录：风险、方面、数值要求、条款清单。", no_args_is_help=True)
    sub.command("list")(list_cmd)
    sub.command("show")(show_cmd)
    sub.command("thresholds")(thresholds_cmd)
    app.add_typer(sub, name="standards")
