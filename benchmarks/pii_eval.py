"""Figures of beian.pii on the independent evaluation set (``benchmarks/data/pii_eval/``).

    .venv/bin/python benchmarks/pii_eval.py                       # P1 (development set)
    .venv/bin/python benchmarks/pii_eval.py --errors NAME         # P1: list NAME misses / extras
    .venv/bin/python benchmarks/pii_eval.py --set P2-holdout      # P2 (development data since its
                                                                  # final figure was reported)
    .venv/bin/python benchmarks/pii_eval.py --set P3-holdout      # P3 (development data since 2026-12-07)
    .venv/bin/python benchmarks/pii_eval.py --set P4-holdout      # P4 (development data since its
                                                                  # figure was reported, 2026-12-07)
    .venv/bin/python benchmarks/pii_eval.py --set P5-holdout      # development since its one held-back figure (2026-12-07)
    .venv/bin/python benchmarks/pii_eval.py --tagger              # with the learned tagger (pii.tagger: true;
                                                                  # trained on P1–P5, so only P6 is a fair figure)

The set was written from ``data/pii_eval/BRIEF.md`` by writers who never saw the recognizers;
each entity is marked inline as ``【TYPE|text】``. Per type: precision and recall with Wilson 95 %
intervals, counted two ways:

* *overlap*: a predicted span and a marked span of the same type match when they share at least
  half of the longer of the two (one-to-one, best overlap first);
* *exact*: the same start and end.

Recall is also given per kind of case (compound surname, transliterated, surname + title, glued
label, rural address, wrong check digit…), computed from the marked text alone (see
:func:`kinds_of`). ``--errors`` prints the misses and false alarms, and refuses to do so on the
held-back set, which is only ever measured (counts and ratios, never its text).

``pii_bench.py`` imports :func:`evaluate_set` and reports these figures next to throughput.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beian.pii import compound_surnames

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.judge_metrics import prop as _prop

DATA = Path(__file__).resolve().parent / "data" / "pii_eval"
# P9 … P12 were measured once (sessions 13, 14, 15 and 16) and are development data now (the
# tagger is trained on P11 from p23aa on; P12, measured once on 2026-12-08 and reported in
# results/pii_holdout_P12.json, is not trained on yet: scripts/train_pii_tagger.py lists it in
# NOT_YET_TRAINED). P13 is the clean held-back set, never read here.
_HELD = 13
HELD_BACK = f"P{_HELD}-holdout"
# Every development set (each set but HELD_BACK): P1 and the held-back sets measured once.
DEV_SETS = ("P1", *(f"P{i}-holdout" for i in range(2, _HELD)))
_MARK = re.compile(r"【([A-Z_]+)\|([^】]*)】")

Span = tuple[str, int, int]


@dataclass(frozen=True)
class Item:
    """One text of the set with its marked spans (offsets in the plain text)."""

    id: str
    genre: str
    text: str
    spans: tuple[Span, ...]
    note: str


def parse_marked(marked: str) -> tuple[str, tuple[Span, ...]]:
    """The plain text of a marked text and its ``(type, start, end)`` spans."""
    out: list[str] = []
    spans: list[Span] = []
    pos = last = 0
    for m in _MARK.finditer(marked):
        out.append(marked[last : m.start()])
        pos += m.start() - last
        value = m.group(2)
        spans.append((m.group(1), pos, pos + len(value)))
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(marked[last:])
    return "".join(out), tuple(spans)


def set_path(name: str) -> Path:
    return DATA / f"{name}.jsonl"


def missing_set(name: str) -> str | None:
    """A Chinese error naming the file when set ``name`` is not there, else None."""
    path = set_path(name)
    if path.is_file():
        return None
    have = "、".join(sorted(p.stem for p in DATA.glob("*.jsonl"))) or "（无）"
    held = "保留集尚未写成或不在此检出中；" if name == HELD_BACK else ""
    return f"错误：找不到评测集 {name}（{path}）。{held}请用 --set 指定 {DATA} 中已有的集：{have}。"


def read_set(name: str) -> list[Item]:
    path = set_path(name)
    items = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            text, spans = parse_marked(row["marked"])
            items.append(Item(row["id"], row["genre"], text, spans, row.get("note", "")))
    return items


# --- kinds of case, read from the marked text only ------------------------------------------

# Compound surnames, to sort marked names into kinds (the shipped table of 复姓).
_COMPOUND = compound_surnames()
_TITLE_AFTER = re.compile(
    r"(?:先生|女士|小姐|老师|医生|经理|主任|同学|律师|警官|教授|师傅|阿姨|大爷|大妈|"
    r"总|工|姐|哥|叔|伯|婶|局长|处长|科长|所长|院长|校长|书记|队长|护士|老板|董|主管|助理)"
)
_ADMIN = re.compile(r"省|市|区|县|自治|州|旗|盟")
_RURAL = re.compile(r"村|组|屯|镇|乡|嘎查|社区")
_LABELS = (
    "IP",
    "ip",
    "手机",
    "电话",
    "身份证",
    "卡号",
    "号码",
    "号",
    "证",
    "码",
    "机",
    "话",
    "箱",
    "址",
    "照",
    "牌",
)


def kinds_of(item: Item, span: Span) -> list[str]:
    """The kinds of case a marked span is (for recall by kind)."""
    t, a, b = span
    value, text = item.text[a:b], item.text
    before = text[max(0, a - 1) : a]
    after = text[b : b + 3]
    kinds: list[str] = []
    if t == "NAME":
        if re.search(r"[A-Za-z]", value):
            kinds.append("latin")
        elif "·" in value or "•" in value:
            kinds.append("dot-joined")
        if value[:2] in _COMPOUND:
            kinds.append("compound surname")
        if len(value) == 1 or (b - a <= 2 and value[:2] in _COMPOUND and len(value) == 2):
            kinds.append("surname only (title or nickname)")
        if _TITLE_AFTER.match(after):
            kinds.append("title after")
        if before in ("老", "小", "阿"):
            kinds.append("老/小/阿 + surname")
        if len(value) >= 4 and not re.search(r"[A-Za-z·•]", value) and value[:2] not in _COMPOUND:
            kinds.append("4+ characters (minority)")
    elif t == "ADDRESS":
        kinds.append("rural" if _RURAL.search(value) else "urban")
        if not _ADMIN.search(value):
            kinds.append("no administrative word")
        if re.search(r"(?:地址|住址|住|寄到|送到|送至|位于)[:：]?\s*$", text[max(0, a - 5) : a]):
            kinds.append("after a label")
        else:
            kinds.append("in running text")
    else:
        if "wrong checksum" in item.note and t == "ID_CARD":
            kinds.append("wrong check digit")
        if a > 0 and (text[a - 1].isalnum() or text[a - 1] in "号码"):
            kinds.append("glued to a label")
        if "http" in text[max(0, a - 40) : a] and "/" in text[max(0, a - 8) : a]:
            kinds.append("inside a URL")
        if "|" in text[max(0, a - 3) : a] or "\t" in text[max(0, a - 2) : a]:
            kinds.append("in a table")
    return kinds


# --- matching ------------------------------------------------------------------------------


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match(gold: Sequence[Span], pred: Sequence[Span]) -> list[tuple[int, int]]:
    """One-to-one pairs ``(gold index, pred index)`` of the same type sharing at least half of
    the longer span, best overlap first."""
    pairs = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if g[0] != p[0]:
                continue
            ov = _overlap(g[1:], p[1:])
            if ov * 2 >= max(g[2] - g[1], p[2] - p[1]) and ov > 0:
                pairs.append((ov, i, j))
    pairs.sort(key=lambda x: -x[0])
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, i, j in pairs:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j))
    return out


@dataclass
class Tally:
    tp: Counter[str] = field(default_factory=Counter)
    exact: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)
    pred: Counter[str] = field(default_factory=Counter)
    kind_hit: Counter[tuple[str, str]] = field(default_factory=Counter)
    kind_all: Counter[tuple[str, str]] = field(default_factory=Counter)

    def figures(self) -> dict[str, Any]:
        per_type: dict[str, Any] = {}
        for t in sorted(set(self.gold) | set(self.pred)):
            kinds = {
                k: _prop(self.kind_hit[(t, k)], n)
                for (tt, k), n in sorted(self.kind_all.items())
                if tt == t
            }
            per_type[t] = {
                "support": self.gold[t],
                "predicted": self.pred[t],
                "precision": _prop(self.tp[t], self.pred[t]),
                "recall": _prop(self.tp[t], self.gold[t]),
                "exact_precision": _prop(self.exact[t], self.pred[t]),
                "exact_recall": _prop(self.exact[t], self.gold[t]),
                "recall_by_kind": kinds,
            }
        return per_type


Predict = Callable[[str], Iterable[Any]]


def predictions(analyze: Predict, text: str) -> list[Span]:
    return [(str(e[0]), int(e[1]), int(e[2])) for e in analyze(text)]


def evaluate_set(items: Sequence[Item], analyze: Predict) -> tuple[Tally, list[dict[str, Any]]]:
    """Score ``analyze`` on ``items``; also return each miss and false alarm (for --errors)."""
    tally = Tally()
    errors: list[dict[str, Any]] = []
    for item in items:
        pred = predictions(analyze, item.text)
        pairs = match(item.spans, pred)
        hit_g = {i: j for i, j in pairs}
        hit_p = {j for _, j in pairs}
        for i, g in enumerate(item.spans):
            tally.gold[g[0]] += 1
            kinds = kinds_of(item, g)
            found = i in hit_g
            for k in kinds:
                tally.kind_all[(g[0], k)] += 1
                tally.kind_hit[(g[0], k)] += found
            if found:
                tally.tp[g[0]] += 1
                p = pred[hit_g[i]]
                if p[1:] == g[1:]:
                    tally.exact[g[0]] += 1
                else:
                    errors.append({"id": item.id, "kind": "boundary", "gold": g, "pred": p})
            else:
                errors.append({"id": item.id, "kind": "miss", "gold": g, "kinds": kinds})
        for j, p in enumerate(pred):
            tally.pred[p[0]] += 1
            if j not in hit_p:
                errors.append({"id": item.id, "kind": "false alarm", "pred": p})
    return tally, errors


def summary(tally: Tally, types: Iterable[str]) -> dict[str, Any]:
    """Micro figures over ``types`` (overlap rule)."""
    types = list(types)
    tp = sum(tally.tp[t] for t in types)
    return {
        "precision": _prop(tp, sum(tally.pred[t] for t in types)),
        "recall": _prop(tp, sum(tally.gold[t] for t in types)),
    }


def _ci(prop: dict[str, Any]) -> str:
    lo, hi = prop["ci95"]
    return f"[{lo:.3f}, {hi:.3f}]"


def print_table(per_type: dict[str, Any]) -> None:
    print(
        f"{'type':<12}{'n':>6}{'P':>8}{'P 95% CI':>17}{'R':>8}{'R 95% CI':>17}{'exact P':>9}{'exact R':>9}"
    )
    for t, row in per_type.items():
        p, r = row["precision"], row["recall"]
        print(
            f"{t:<12}{row['support']:>6}{p['value'] or 0:>8.3f}"
            f"{_ci(p):>17}{r['value'] or 0:>8.3f}"
            f"{_ci(r):>17}"
            f"{row['exact_precision']['value'] or 0:>9.3f}{row['exact_recall']['value'] or 0:>9.3f}"
        )
        for k, f in row["recall_by_kind"].items():
            print(f"    recall {k:<34}{f['k']:>5}/{f['n']:<5}{f['value'] or 0:.3f}")


def _show(item: Item, span: Span) -> str:
    _, a, b = span
    return f"{item.text[max(0, a - 12) : a]}[{item.text[a:b]}]{item.text[b : b + 12]}".replace(
        "\n", "⏎"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--set",
        default="P1",
        help="P1, P2-holdout … P12-holdout (development) or P13-holdout (held back: measure once per change)",
    )
    ap.add_argument("--errors", metavar="TYPE", help="print misses and false alarms of a type")
    ap.add_argument("--output", type=Path, help="write the figures as JSON")
    ap.add_argument(
        "--context", action="store_true", help="with pii.context_names: true (slower, more names)"
    )
    ap.add_argument(
        "--tagger",
        action="store_true",
        help="with pii.tagger: true (the learned name/address tagger)",
    )
    args = ap.parse_args(argv)
    if args.errors and args.set == HELD_BACK:
        print("错误：保留集只能计量，不能查看其内容（去掉 --errors）。", file=sys.stderr)
        return 2
    problem = missing_set(args.set)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from beian.pii import PiiConfig, PiiEngine

    items = read_set(args.set)
    engine = PiiEngine(PiiConfig(context_names=args.context, tagger=args.tagger))
    tally, errors = evaluate_set(items, engine.analyze)
    per_type = tally.figures()
    print(f"== {args.set}: {len(items)} texts")
    print_table(per_type)
    if args.errors:
        by_id = {i.id: i for i in items}
        for e in errors:
            span = e.get("gold") or e["pred"]
            if span[0] != args.errors:
                continue
            item = by_id[e["id"]]
            extra = f" got {_show(item, e['pred'])}" if e["kind"] == "boundary" else ""
            kinds = ",".join(e.get("kinds", []))
            print(f"{e['kind']:<11} {e['id']} {_show(item, span)}{extra} {kinds}")
    if args.output:
        args.output.write_text(json.dumps(per_type, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
