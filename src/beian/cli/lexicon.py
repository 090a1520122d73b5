"""``beian lexicon``: scan text with a keyword library, audit it against §8.1, export it."""

from __future__ import annotations

import bisect
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from beian.cli._common import (
    TableJsonJsonl,
    TableOrJson,
    console,
    emit_json,
    err_console,
    findings_table,
    get_config,
)
from beian.errors import EXIT_BLOCKING

if TYPE_CHECKING:
    from beian.lexicon import Lexicon, LibraryAudit
    from beian.standards import Edition

_RULE_SWITCHES = {
    "nfkc": "nfkc",
    "case": "casefold",
    "t2s": "t2s",
    "t2s_phrase": "t2s_phrases",
    "numbers": "numbers",
    "lookalike": "lookalike",
    "leet": "leet",
    "tone": "nfkc",
    "noise": "noise",
    "repeat": "collapse_repeats",
    "pinyin": "pinyin",
    "homophone": "homophones",
    "chaizi": "chaizi",
}

LibOpt = Annotated[
    list[Path], typer.Option("--library", "-l", help="关键词库文件（CSV/XLSX/TXT，可多次给出）")
]
LenientOpt = Annotated[
    bool, typer.Option("--lenient", help="跳过格式错误的行并报告（默认：有错即失败）")
]
AllowOpt = Annotated[
    list[Path] | None, typer.Option("--allow", help="白名单文件（TXT，一行一个永不拦截的词）")
]
RiskOpt = Annotated[
    str | None, typer.Option("--risk", help="库文件未写风险代码时使用的默认风险代码（如 A1a）")
]
EditionOpt = Annotated[str | None, typer.Option("--edition", "-e", help="标准版本")]
ScanFormatOpt = Annotated[TableJsonJsonl, typer.Option("--format", "-f", help="输出格式")]
AuditFormatOpt = Annotated[TableOrJson, typer.Option("--format", "-f", help="输出格式")]


def _load(
    ctx: typer.Context,
    libraries: list[Path],
    lenient: bool,
    allow: list[Path] | None,
    risk: str | None,
    overrides: dict[str, Any] | None = None,
) -> Lexicon:
    from beian.io import read_text
    from beian.lexicon import Lexicon, LexiconConfig

    cfg = get_config(ctx)
    section = {**cfg.section("lexicon"), **(overrides or {})}
    config = cfg.section_model(
        "lexicon",
        LexiconConfig,
        value=section,
        what="lexicon 配置无效：",
        fix="参见 docs/lexicon.md 的配置项",
    )
    lex = Lexicon.load(libraries, config, lenient=lenient, default_risk=risk)
    extra = []
    for p in allow or []:
        text, _ = read_text(p)
        extra += [w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#")]
    if extra:
        lex = Lexicon(lex.entries, config, [*lex.allow, *extra], lex.report)
    for prob in lex.report.skipped:
        err_console.print(f"[yellow]已跳过[/] {prob.where}：{prob.message}")
    return lex


def scan(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="要扫描的文本文件；- 表示标准输入")],
    library: LibOpt,
    fmt: ScanFormatOpt = TableJsonJsonl.table,
    lenient: LenientOpt = False,
    allow: AllowOpt = None,
    risk: RiskOpt = None,
    off: Annotated[
        list[str] | None,
        typer.Option("--off", help="关闭某条归一化规则：" + "、".join(_RULE_SWITCHES)),
    ] = None,
    overlapping: Annotated[bool, typer.Option("--overlapping", help="报告重叠的命中")] = False,
    cross_lines: Annotated[
        bool, typer.Option("--cross-lines", help="允许关键词跨越换行匹配")
    ] = False,
    max_gap: Annotated[
        int | None, typer.Option("--max-gap", help="关键词字符之间最多跳过的干扰字符数")
    ] = None,
) -> None:
    """扫描文本，列出命中的关键词（位置为原文偏移）。"""
    from beian.errors import InputError
    from beian.io import decode_bytes, read_text

    overrides: dict[str, Any] = {}
    for rule in off or []:
        if rule not in _RULE_SWITCHES:
            raise InputError(
                f"未知的规则 {rule!r}", where="--off", fix="可选：" + "、".join(_RULE_SWITCHES)
            )
        overrides[_RULE_SWITCHES[rule]] = False
    if overlapping:
        overrides["match"] = "overlapping"
    if cross_lines:
        overrides["cross_lines"] = True
    if max_gap is not None:
        overrides["max_gap"] = max_gap
    lex = _load(ctx, library, lenient, allow, risk, overrides)
    rows: list[dict[str, Any]] = []
    for name in files:
        if name == "-":
            # Bytes, decoded like a file: a GBK pipe read as UTF-8 would scan as mojibake.
            text, _ = decode_bytes(sys.stdin.buffer.read(), where="标准输入")
        else:
            text, _ = read_text(name)
        breaks = [i for i, ch in enumerate(text) if ch == "\n"]
        for h in lex.scan(text):
            row = h.as_dict()
            row["file"] = name
            row["line"] = bisect.bisect_left(breaks, h.start) + 1
            rows.append(row)
    if fmt is TableJsonJsonl.jsonl:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    if fmt is TableJsonJsonl.json:
        emit_json(rows)
        return
    from rich.table import Table

    table = Table(title=f"命中 {len(rows)} 处")
    for col in ("文件", "行", "位置", "原文", "关键词", "风险", "规则"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.get("file", "-")),
            str(r.get("line", "-")),
            f"{r['start']}–{r['end']}",
            r["text"],
            r["keyword"],
            r["risk"],
            "、".join(r["rules"]),
        )
    console.print(table)


def _audit_table(a: LibraryAudit, ed: Edition) -> None:
    from rich.table import Table

    verdict = "[green]符合[/]" if a.conforms else "[bold red]不符合[/]"
    console.print(
        f"关键词库（{ed.cite('8.1')}）：{verdict}　总数 {a.total}（要求 ≥ {a.total_min}）　"
        f"重复 {a.duplicates}　冲突 {a.conflicts}　跳过 {a.skipped}"
    )
    if a.newest_update:
        age = (
            f"晚于检查日期 {-a.age_days} 天"
            if a.age_days is not None and a.age_days < 0
            else f"{a.age_days} 天前"
        )
        console.print(f"最近更新：{a.newest_update}（{age}；要求 ≤ {a.update_max_days} 天）")
    table = Table(title="各风险关键词数量")
    for col in ("代码", "风险", "数量", "下限", "结论"):
        table.add_column(col, overflow="fold")
    for r in a.risks:
        ok = "-" if r.ok is None else ("符合" if r.ok else "不符合")
        table.add_row(r.code, r.name, str(r.count), str(r.minimum or "-"), ok)
    console.print(table)
    if a.findings:
        console.print(findings_table(a.findings, title="检查结果", edition=ed))


def audit(
    ctx: typer.Context,
    libraries: Annotated[list[Path], typer.Argument(help="关键词库文件（CSV/XLSX/TXT）")],
    edition: EditionOpt = None,
    fmt: AuditFormatOpt = TableOrJson.table,
    lenient: LenientOpt = False,
    allow: AllowOpt = None,
    risk: RiskOpt = None,
    today: Annotated[
        str | None, typer.Option("--today", help="按此日期计算更新间隔（YYYY-MM-DD，默认今天）")
    ] = None,
    common: Annotated[
        Path | None, typer.Option("--common", help="补充的常用词表（TXT，一行一个）")
    ] = None,
) -> None:
    """按 §8.1 审查关键词库：总数、各风险数量、重复、误拦截风险、更新间隔。"""
    from beian.errors import InputError
    from beian.io import read_text
    from beian.lexicon import audit_library

    ed = get_config(ctx).edition(edition)
    lex = _load(ctx, libraries, lenient, allow, risk)
    words: list[str] = []
    if common is not None:
        words = [w.strip() for w in read_text(common)[0].splitlines() if w.strip()]
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise InputError(f"日期 {today!r} 无效", where="--today", fix="格式 YYYY-MM-DD") from None
    result = audit_library(lex, ed, today=day, common_words=words)
    if fmt is TableOrJson.json:
        emit_json(result.model_dump(mode="json"))
    else:
        console.print(ed.label())
        _audit_table(result, ed)
    if not result.conforms:
        raise typer.Exit(EXIT_BLOCKING)


def export(
    ctx: typer.Context,
    libraries: Annotated[list[Path], typer.Argument(help="关键词库文件（CSV/XLSX/TXT）")],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="输出的 XLSX 文件（拦截关键词列表附件）")],
    edition: EditionOpt = None,
    lenient: LenientOpt = False,
    risk: RiskOpt = None,
) -> None:
    """导出备案附件“拦截关键词列表”（序号、关键词、风险类别、风险代码）。"""
    from beian.lexicon import export_xlsx

    ed = get_config(ctx).edition(edition)
    lex = _load(ctx, libraries, lenient, None, risk)
    n = export_xlsx(lex.entries, xlsx, ed)
    console.print(f"已导出 {n} 个关键词：{xlsx}")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="拦截关键词：扫描、审查（§8.1）与导出。", no_args_is_help=True)
    sub.command("scan")(scan)
    sub.command("audit")(audit)
    sub.command("export")(export)
    app.add_typer(sub, name="lexicon")
