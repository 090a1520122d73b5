"""Counts of the tagger's NAME/ADDRESS errors on the development sets, by kind (never texts).

    python scripts/train_pii_tagger.py --loso --dump /tmp/dump.jsonl ...   # each text's spans
    python benchmarks/pii_tagger_errors.py /tmp/dump.jsonl [--json out.json]

Reads the tagged spans of a ``--loso --dump`` file (the tagger's own spans, before they are
merged with the rules') and the marked development sets (``pii_eval.DEV_SETS``; the held-back
set is never read), matches them as ``pii_eval`` does (same type, overlap ≥ half of the longer
span) and sorts every miss, false alarm and inexact hit into kinds read off the marked or
tagged span and its surroundings. Prints counts only, so that the kinds guide the choice of
features without tuning on single texts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import pii_eval as pe

TYPES = ("NAME", "ADDRESS")
_LATIN = re.compile(r"[A-Za-z]{2,}")
_STREET = re.compile(
    r"[路街巷弄道胡同里号]|\b(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Lu|Jie|No)\b", re.I
)
_ADMIN = re.compile(r"[省市区县镇乡村旗盟州]")
_LABEL = re.compile(r"(?:地址|住址|收货地址|寄件地址|住所|Address|ADDRESS|address)\s*[:：]?\s*$")


def _shape(text: str, a: int, b: int) -> list[str]:
    """Kinds of an address-like span: script, street word, administrative word, a label."""
    value = text[a:b]
    out = ["latin" if _LATIN.search(value) else "han"]
    out.append("street word" if _STREET.search(value) else "no street word")
    out.append("admin word" if _ADMIN.search(value) else "no admin word")
    if _LABEL.search(text[max(0, a - 8) : a]):
        out.append("after a label")
    return out


def _span_kinds(text: str, t: str, a: int, b: int) -> list[str]:
    """Kinds read off a span itself: an address's shape, a name's script or length."""
    if t == "ADDRESS":
        return _shape(text, a, b)
    return ["latin" if _LATIN.search(text[a:b]) else f"{min(b - a, 4)} chars"]


def _beside(t: str, a: int, b: int, others: list[tuple[str, int, int]], what: list[str]) -> str:
    """What the other side has over the span: the same type (overlapping less than half),
    another type (``what[0]``) or nothing (``what[1]``)."""
    over = [o for o in others if o[1] < b and a < o[2]]
    if any(o[0] == t for o in over):
        return "overlap < half (boundary)"
    return what[0] if over else what[1]


def _side(a: int, b: int, pa: int, pb: int) -> str:
    if pa <= a and pb >= b:
        return "longer"
    return "shorter" if pa >= a and pb <= b else "shifted"


def kinds(items: list[pe.Item], tagged: dict[str, list[list[Any]]]) -> Counter[str]:
    """The counts of each ``TYPE: error: kind``."""
    c: Counter[str] = Counter()
    for item in items:
        gold = [s for s in item.spans if s[0] in TYPES]
        pred = [(str(s[0]), int(s[1]), int(s[2])) for s in tagged.get(item.id, [])]
        pairs = pe.match(gold, pred)
        hit_g = dict(pairs)
        hit_p = {j for _, j in pairs}
        for i, (t, a, b) in enumerate(gold):
            c[f"{t}: gold"] += 1
            if i in hit_g:
                _, pa, pb = pred[hit_g[i]]
                if (pa, pb) != (a, b):
                    c[f"{t}: inexact hit: {_side(a, b, pa, pb)}"] += 1
                continue
            where = _beside(t, a, b, pred, ["tagged as the other type", "nothing tagged"])
            for k in ["", where, *_span_kinds(item.text, t, a, b)]:
                c[f"{t}: miss{': ' if k else ''}{k}"] += 1
        for j, (t, a, b) in enumerate(pred):
            if t not in TYPES or j in hit_p:
                continue
            where = _beside(t, a, b, gold, ["gold is the other type", "nothing marked"])
            if where == "nothing marked" and any(s[1] < b and a < s[2] for s in item.spans):
                where = "gold is another type"
            for k in ["", where, *_span_kinds(item.text, t, a, b)]:
                c[f"{t}: false alarm{': ' if k else ''}{k}"] += 1
    return c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump", type=Path, help="a --loso --dump file of train_pii_tagger.py")
    ap.add_argument("--json", type=Path, help="also write the counts here")
    args = ap.parse_args(argv)
    tagged = {}
    for line in args.dump.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            tagged[row["id"]] = row["spans"]
    items = [it for name in pe.DEV_SETS for it in pe.read_set(name) if it.id in tagged]
    counts = kinds(items, tagged)
    for key in sorted(counts):
        print(f"{counts[key]:6d}  {key}")
    if args.json:
        args.json.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
