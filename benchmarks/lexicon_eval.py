"""Recall per evasion kind and false positives on the independent keyword-evasion set.

The set (``benchmarks/data/lexicon_eval/``) was written from a brief by a session that never saw
the lexicon code, and verified blind by a second session (agreement 1,080/1,080). A positive item
counts as caught when a hit names its keyword; a negative (``clean``, ``clean_hard``) counts as a
false positive when anything is hit. Wilson 95 % intervals. Run::

    python benchmarks/lexicon_eval.py [--data DIR] [--modes pinyin,homophone] [--lookalike-two] [--errors] [--json OUT]

``--data DIR``: another set in the same format (``keywords.txt``, ``evasion.jsonl``).
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path
from typing import Any

from beian.assess import wilson_interval
from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig

DATA = Path(__file__).resolve().parent / "data" / "lexicon_eval"
NEGATIVE = ("clean", "clean_hard")


def missing_files(data: Path) -> str | None:
    """A Chinese error naming the folder and the missing files, else None."""
    gone = [n for n in ("keywords.txt", "evasion.jsonl") if not (data / n).is_file()]
    if not gone:
        return None
    where = f"评测集目录 {data} " + ("不存在" if not data.is_dir() else f"中缺少 {'、'.join(gone)}")
    return f"错误：{where}。请用 --data 指定含 keywords.txt 与 evasion.jsonl 的目录（如 {DATA}）。"


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The items of ``evasion.jsonl``; a line that is no JSON object with ``text`` and ``kind``
    stops the run with a Chinese error naming the file and the line."""
    rows: list[dict[str, Any]] = []
    for no, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise SystemExit(
                f"错误：{path} 第 {no} 行不是合法的 JSON（第 {e.colno} 列：{e.msg}）。"
                "请修正该行：每行一个 JSON 对象，如 "
                '{"id": "E-0001", "kind": "pinyin", "keyword": "法轮功", "text": "…"}。'
            ) from None
        missing = [k for k in ("kind", "text") if not isinstance(row, dict) or k not in row]
        if missing:
            raise SystemExit(
                f"错误：{path} 第 {no} 行缺少字段 {'、'.join(missing)}。"
                "请补上：每行须有 kind（手法）与 text（文本），正例另须 keyword。"
            )
        rows.append(row)
    return rows


def evaluate(
    modes: frozenset[str],
    errors: bool = False,
    homophones_all: bool = False,
    data: Path = DATA,
    homophones_near: bool = False,
    lookalike_two: bool = False,
) -> dict[str, Any]:
    problem = missing_files(data)
    if problem:
        raise SystemExit(problem)
    words = [
        w.strip() for w in (data / "keywords.txt").read_text("utf-8").splitlines() if w.strip()
    ]
    config = LexiconConfig(
        homophones_all=homophones_all, homophones_near=homophones_near, lookalike_two=lookalike_two
    )
    lex = Lexicon.from_entries([KeywordEntry(w, "A1-1", modes) for w in words], config)
    rows = read_rows(data / "evasion.jsonl")
    good: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    misses: list[dict[str, Any]] = []
    for r in rows:
        hits = lex.scan(r["text"])
        kind = r["kind"]
        total[kind] += 1
        ok = not hits if kind in NEGATIVE else any(h.keyword == r["keyword"] for h in hits)
        good[kind] += ok
        if not ok:
            misses.append(
                {
                    "id": r["id"],
                    "kind": kind,
                    "keyword": r["keyword"],
                    "text": r["text"],
                    "hits": [h.keyword for h in hits],
                }
            )
    kinds = {}
    for kind in sorted(total):
        lo, hi = wilson_interval(good[kind], total[kind])
        what = "specificity" if kind in NEGATIVE else "recall"
        kinds[kind] = {
            what: round(good[kind] / total[kind], 3),
            "ci95": [round(lo, 3), round(hi, 3)],
            "n": total[kind],
        }
    out: dict[str, Any] = {
        "data": str(data),
        "modes": sorted(modes),
        "homophones_all": homophones_all,
        "homophones_near": homophones_near,
        "lookalike_two": lookalike_two,
        "kinds": kinds,
        "clean_bytes": sum(len(r["text"].encode()) for r in rows if r["kind"] in NEGATIVE),
    }
    if errors:
        out["misses"] = misses
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data",
        type=Path,
        default=DATA,
        help="folder with keywords.txt and evasion.jsonl (default: the development set)",
    )
    ap.add_argument(
        "--modes", default="", help="modes given to every keyword, e.g. pinyin,homophone"
    )
    ap.add_argument(
        "--homophones-all", action="store_true", help="LexiconConfig(homophones_all=True)"
    )
    ap.add_argument(
        "--homophones-near",
        action="store_true",
        help="LexiconConfig(homophones_near=True): near homophones (zh/z, n/l, in/ing …)",
    )
    ap.add_argument(
        "--lookalike-two",
        action="store_true",
        help="LexiconConfig(lookalike_two=True): two-character look-alike forms (needs jieba)",
    )
    ap.add_argument("--errors", action="store_true", help="list every miss and false positive")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    problem = missing_files(args.data)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        res = evaluate(
            frozenset(m for m in args.modes.split(",") if m),
            args.errors,
            args.homophones_all,
            args.data,
            args.homophones_near,
            args.lookalike_two,
        )
    except SystemExit as e:  # a malformed line of evasion.jsonl: the message names it
        if not isinstance(e.code, str):
            raise
        print(e.code, file=sys.stderr)
        return 2
    print(
        f"modes: {','.join(res['modes']) or '(library default)'}; homophones_all: {res['homophones_all']}; "
        f"homophones_near: {res['homophones_near']}; lookalike_two: {res['lookalike_two']}"
    )
    for kind, f in res["kinds"].items():
        name, value = next(iter(f.items()))
        print(
            f"  {kind:18} {name:11} {value:.3f}  [{f['ci95'][0]:.3f}, {f['ci95'][1]:.3f}]  n={f['n']}"
        )
    for m in res.get("misses", []):
        print(f"  MISS {m['id']} {m['kind']} {m['keyword']} {m['text']} -> {m['hits']}")
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
