"""The :class:`Lexicon`: a compiled keyword library that scans, redacts and blocks text."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from beian.lexicon._compile import STYLED, compile_entries
from beian.lexicon._fold import FoldFlags, cache_dir, fold_table
from beian.lexicon._leet import LEET, leet_possible, leet_runs, unleet
from beian.lexicon._matcher import (
    Matcher,
    latin_matches,
    latin_sets,
    make_matcher,
    window_sets,
)
from beian.lexicon._models import ALLOW, RULES, Hit, KeywordEntry, LexiconConfig, LoadReport
from beian.lexicon._normalize import Normalized, normalize, raw, separated
from beian.lexicon._pending import original_start
from beian.lexicon._readings import syllable_table
from beian.lexicon._resolve import (
    OPEN,
    _prepared,
    _repeated,
    _repeats_only,
    plain_letter_at,
    resolve,
)
from beian.lexicon._spans import (
    _Covered,
    _leftmost_longest,
    _visible,
    _word_char,
)
from beian.lexicon._state import _State, _StreamIndex, _syllable_text
from beian.lexicon._stream import (
    build_stream_index,
    gap_last,
    gap_possible,
    leet_digits,
    tail_start,
)

__all__ = ["Lexicon"]

_RULE_ORDER = {r: i for i, r in enumerate(RULES)}


class Lexicon:
    """A keyword library compiled for matching.

    Build with :meth:`load` (files) or :meth:`from_entries` (in memory). The compiled matcher is
    built lazily on first use, once, under a lock; after that :meth:`scan` only reads shared
    immutable state, so one instance can serve many threads. Pickling keeps only the entries and
    the configuration; a worker process recompiles on first use (the fold table is cached on disk).
    """

    def __init__(
        self,
        entries: Iterable[KeywordEntry],
        config: LexiconConfig | None = None,
        allow: Iterable[str] = (),
        report: LoadReport | None = None,
    ) -> None:
        self._entries = tuple(entries)
        self.config = config or LexiconConfig()
        extra: list[str] = []
        if self.config.allow_files:
            from beian.lexicon._loader import read_allow_files

            extra = read_allow_files(self.config.allow_files)
        self._allow = tuple(dict.fromkeys([*allow, *extra]))
        self.report = report or LoadReport()
        self._lock = threading.Lock()
        self._state: _State | None = None
        self._prefixes: _StreamIndex | None = None

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        paths: Sequence[str | Path],
        config: LexiconConfig | None = None,
        *,
        lenient: bool = False,
        default_risk: str | None = None,
    ) -> Lexicon:
        """Load library files (CSV, XLSX, TXT). Malformed lines fail the load unless ``lenient``."""
        from beian.lexicon._loader import load_files

        entries, report = load_files(paths, lenient=lenient, default_risk=default_risk)
        keywords = [e for e in entries if e.risk != ALLOW]
        allow = [e.keyword for e in entries if e.risk == ALLOW]
        lex = cls(keywords, config, allow, report)
        lex._allow_entries = tuple(e for e in entries if e.risk == ALLOW)
        return lex

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[KeywordEntry | tuple[str, str]],
        config: LexiconConfig | None = None,
        allow: Iterable[str] = (),
    ) -> Lexicon:
        """Build in memory; a tuple is ``(keyword, risk code)``."""
        out: list[KeywordEntry] = []
        extra_allow: list[str] = []
        for e in entries:
            entry = e if isinstance(e, KeywordEntry) else KeywordEntry(str(e[0]), str(e[1]))
            (extra_allow.append(entry.keyword) if entry.risk == ALLOW else out.append(entry))
        return cls(out, config, [*allow, *extra_allow])

    @property
    def entries(self) -> tuple[KeywordEntry, ...]:
        """The keyword entries (allow-list words excluded)."""
        return self._entries

    @property
    def allow(self) -> tuple[str, ...]:
        """Words that are never hit."""
        return self._allow

    @property
    def allow_entries(self) -> tuple[KeywordEntry, ...]:
        return getattr(self, "_allow_entries", ()) or tuple(
            KeywordEntry(w, ALLOW) for w in self._allow
        )

    def __len__(self) -> int:
        return len(self._entries)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "entries": self._entries,
            "allow": self._allow,
            "config": self.config,
            "report": self.report,
            "allow_entries": getattr(self, "_allow_entries", ()),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["entries"], state["config"], state["allow"], state["report"])  # type: ignore[misc]
        self._allow_entries = state["allow_entries"]

    # -- compilation -----------------------------------------------------------------------
    def _compiled(self) -> _State:
        state = self._state
        if state is not None:
            return state
        with self._lock:
            if self._state is None:
                self._state = self._build()
            return self._state

    def _build(self) -> _State:
        c = self.config
        flags = FoldFlags(
            c.nfkc,
            c.casefold,
            c.t2s,
            c.numbers,
            c.noise,
            c.cross_lines,
            c.barriers,
            c.lookalike,
            c.join_lines,
        )
        ft = fold_table(flags)
        plain = fold_table(replace(flags, lookalike=False)) if c.lookalike else ft
        pats = compile_entries(self._entries, self._allow, ft, c, plain)
        main, latin, homo = pats.main, pats.latin, pats.homo
        steps = (c.nfkc, c.casefold, c.t2s, c.numbers, c.noise, c.collapse_repeats, c.lookalike)
        raw_mode = homo is None and not any(steps)
        cache = cache_dir()
        ac = make_matcher(main.patterns, c.matcher, cache) if main.patterns else None
        # the pinyin forms: scanned on the windows around Latin letters only
        lac = make_matcher(latin.patterns, c.matcher, cache) if latin.patterns else None
        hac = make_matcher(homo.patterns, c.matcher, cache) if homo else None
        hl = pats.hlatin
        hlac = make_matcher(hl.patterns, c.matcher, cache) if hl.patterns and not raw_mode else None
        hg = pats.hgap
        hgac = make_matcher(hg.patterns, c.matcher, cache) if hg.patterns and not raw_mode else None
        syl = syllable_table(c.homophones_near) if homo or hlac or hgac else None
        return _State(
            ft,
            main,
            ac,
            latin,
            lac,
            homo,
            hac,
            syl,
            raw_mode,
            hl,
            hlac,
            hg,
            hgac,
            _repeats_only(main),
            _repeats_only(latin),
        )

    def compile(self) -> Lexicon:
        """Build the matcher now (otherwise it is built on first use); returns ``self``."""
        self._compiled()
        return self

    @property
    def matcher_name(self) -> str:
        """The matcher backend in use (``hyperscan`` or ``ahocorasick``)."""
        st = self._compiled()
        return st.ac.name if st.ac is not None else "none"

    @property
    def max_span(self) -> int:
        """Upper bound, in original characters, of the span of any hit.

        A streaming caller that holds back the last ``max_span - 1`` characters of what it has
        seen (and rescans them with the next chunk) cannot miss a keyword split across chunks.
        """
        st = self._compiled()
        kept = max(
            st.main.max_kept,
            st.latin.max_kept,
            st.homo.max_kept if st.homo else 0,
            st.hlatin.max_kept if st.hlac else 0,
            st.hgap.max_kept if st.hgac else 0,
        )
        gap = self.config.max_gap if self.config.noise else 0
        return max(0, kept + (kept - 1) * gap)

    # -- matching --------------------------------------------------------------------------
    overlaps = True  # scan and scan_stream take ``overlapping`` (see beian.gateway.Scanner)

    def scan(self, text: str, *, overlapping: bool | None = None) -> list[Hit]:
        """Every hit in ``text``, ordered by position; offsets index the original ``text``.

        ``overlapping`` overrides the configured ``match``: True reports every hit, those that
        overlap or lie inside another included (what a decision per risk code needs: a longer
        keyword of one code must not hide a shorter one of another), False the leftmost-longest
        selection."""
        st = self._compiled()
        if not text or st.ac is None:
            return []
        idx = self._prefixes
        if idx is not None and idx.state is st and self._quiet(st, idx, text):
            return []  # no character can start a match (the stream screener's first check)
        return self._scan(st, text, None, overlapping)[0]

    @staticmethod
    def _quiet(st: _State, idx: _StreamIndex, text: str) -> bool:
        """No hit can lie in ``text``: none of its characters folds to the start of a keyword
        form (pinyin forms and homophones included) and no digit or symbol stands beside a
        letter (a pinyin form read with letters, k@nr3n)."""
        if not idx.quiet.quiet_raw(text) or gap_possible(st, idx, text):
            return False
        return idx.leet is None or not leet_possible(text, st.ft)

    def scan_stream(self, text: str, *, overlapping: bool | None = None) -> tuple[list[Hit], int]:
        """For the text of a stream so far: its hits (as :meth:`scan`) and the original offset
        where its unfinished tail begins — the shortest ending that text still to come could
        turn into a hit (``len(text)`` when no ending is the start of a keyword form).

        A streaming screener may release everything before that offset once the hits are
        checked, and then only needs to rescan the held tail with what arrives next: no hit
        can start in text that was released this way. Typically the tail is empty or a few
        characters, where a window of :attr:`max_span` characters would hold much more.
        ``overlapping`` as in :meth:`scan` (it costs nothing on text without hits).
        """
        st = self._compiled()
        if not text or st.ac is None:
            return [], len(text)
        idx = self._stream_index(st)
        quiet = idx.quiet
        # a digit or symbol beside a letter may be a letter of a pinyin form (k@nr3n), and
        # one at the very end may still get its letters (2 -> 2h1k35hu1)
        on = idx.leet is not None
        if self._quiet(st, idx, text):
            # the last character may still start a homophone form broken up by separators
            gap = gap_last(st, idx, text)
            if not (on and text[-1] in LEET):
                return [], gap  # the usual stream chunk: nothing can start a match here
            # digits or symbols at the end and no letter beside them (第2、20): only they can
            # start a pinyin form, read with letters once letters follow
            return [], min(gap, leet_digits(st, idx, text, self._norm(st), self.max_span))
        n = self._normalize(st, text)
        norm = n.text
        if not norm:  # only noise, which a symbol at the end may still not be ($eq1ng)
            return [], tail_start(st, idx, text, n, self._norm(st), self.max_span)
        syl = _syllable_text(n, st) if quiet.homophones else None
        if (
            quiet.matchless(norm, syl)
            and not (on and leet_possible(text, st.ft))
            and not gap_possible(st, idx, text)
        ):
            # no pattern occurs: no hit, only the tail to find
            return [], tail_start(st, idx, text, n, self._norm(st), self.max_span, possible=False)
        return self._scan_stream_full(text, n, overlapping)

    def _scan_stream_full(
        self, text: str, n: Normalized | None = None, overlapping: bool | None = None
    ) -> tuple[list[Hit], int]:
        """:meth:`scan_stream` without the quiet-text fast path (the reference it must equal)."""
        st = self._compiled()
        if not text or st.ac is None:
            return [], len(text)
        idx = self._stream_index(st)
        open_ends: set[tuple[int, int, str]] = set()
        hits, n = self._scan(st, text, n, overlapping, open_ends)
        allow = idx.allow
        tail = tail_start(st, idx, text, n, self._norm(st), self.max_span)
        if hits:  # hits the text to come may still undo stay held (they are in the tail)
            k = allow.first(n.text) if allow.longest else None
            inside_allow = len(text) if k is None else original_start(n, k)
            # an ASCII keyword's end is not yet known when only invisible characters follow it
            ft = st.ft
            open_end = _word_char(ft, _visible(ft, text, len(text) - 1, -1))
            # a form that counts only where it makes no word with the next character (睹博,
            # 在睹博得了) is not yet a hit at the end of the text: held, with all after its start
            held = [h for h in hits if (h.start, h.end, h.keyword) in open_ends]
            tail = min([tail, *(h.start for h in held)])
            hits = [
                h
                for h in hits
                if h.start < inside_allow
                and not (open_end and not _visible(ft, text, h.end, 1))
                and (h.start, h.end, h.keyword) not in open_ends
            ]
        return hits, tail

    def _stream_index(self, st: _State) -> _StreamIndex:
        idx = self._prefixes
        if idx is None or idx.state is not st:
            with self._lock:  # built on first use: only stream screening needs them
                idx = self._prefixes = build_stream_index(st, leet=self.config.leet)
        return idx

    def _norm(self, st: _State) -> Callable[[str], Normalized]:
        return lambda text: self._normalize(st, text)

    def _normalize(self, st: _State, text: str) -> Normalized:
        if st.raw:
            return raw(text)
        c = self.config
        return normalize(
            text, st.ft, max_gap=c.max_gap if c.noise else None, collapse=c.collapse_repeats
        )

    def _scan(
        self,
        st: _State,
        text: str,
        n: Normalized | None = None,
        overlapping: bool | None = None,
        open_ends: set[tuple[int, int, str]] | None = None,
    ) -> tuple[list[Hit], Normalized]:
        """The hits in ``text``; ``open_ends`` gets those whose condition on the words around
        them looked past the end of the text (start, end, keyword)."""
        assert st.ac is not None  # callers return early without a matcher
        c = self.config
        if n is None:
            n = self._normalize(st, text)
        found: dict[tuple[int, int, int], set[str]] = {}
        allow_spans: list[tuple[int, int]] = []
        # the matchers read the code array; only raw mode (no codes) reads the text itself
        if n.codes is None:
            for pid, s, e in st.ac.find(text, None):
                for var in st.main.variants[pid]:
                    resolve(c, self._entries, text, n, s, e, var, st.ft, found, allow_spans)
        else:
            prepared = _prepared(st.ac.find_array(n.codes), n, st.main_repeats)
            for pid, s, e, start, end in prepared:
                span = (start, end) if start >= 0 else None
                for var in st.main.variants[pid]:
                    resolve(c, self._entries, text, n, s, e, var, st.ft, found, allow_spans, span)
        sets: list[tuple[Matcher, npt.NDArray[np.uint32] | None]] = []
        if st.lac is not None:
            sets.append((st.lac, None))
        if st.hlac is not None:
            sets.append((st.hlac, st.syl))
        longest = max(st.latin.longest, st.hlatin.longest if st.hlac is not None else 0)
        got_sets = (
            latin_sets(sets, text, n.codes, longest, None if n.codes is None else n.letters_at())
            if sets
            else []
        )
        if st.lac is not None:
            latin_got = got_sets[0]
            if not n.identity and st.latin_repeats is not None and latin_got:
                latin_got = _repeated(latin_got, n, st.latin_repeats)
            for pid, s, e in latin_got:
                plain: bool | None = None  # asked once per match, where a variant needs it
                for var in st.latin.variants[pid]:
                    if var[1] is not None and var[1].endswith(STYLED):
                        if plain is None:
                            plain = plain_letter_at(text, n, s, e)
                        if plain:  # a form in styled letters only (ⓢⓠ), written plain (sq)
                            continue
                    resolve(c, self._entries, text, n, s, e, var, st.ft, found, allow_spans)
            if c.leet and n.codes is not None:
                for a, b in leet_runs(text, st.ft, n):
                    self._scan_leet(st, text, a, b, found, allow_spans)
        if st.hlac is not None:  # 堵gou: only what the forms missed
            hl, seen = st.hlatin, set(found)
            got: dict[tuple[int, int, int], set[str]] = {}
            for pid, s, e in got_sets[-1]:
                for var in hl.variants[pid]:
                    resolve(c, self._entries, text, n, s, e, var, st.ft, got, allow_spans)
            found.update((k, v | {"pinyin"}) for k, v in got.items() if k not in seen)
        if st.hac is not None and st.homo is not None and st.syl is not None:
            sc = n.syllables(st.syl)  # pending_start reuses it
            seen = set(found)
            homo: dict[tuple[int, int, int], set[str]] = {}
            for pid, s, e in st.hac.find("", sc):
                for var in st.homo.variants[pid]:
                    resolve(c, self._entries, text, n, s, e, var, st.ft, homo, allow_spans)
            found.update((k, v) for k, v in homo.items() if k not in seen)
        if st.hgac is not None and st.syl is not None and n.codes is not None:
            self._scan_gaps(st, text, n, found, allow_spans)
        if not found:  # the usual case for a stream chunk
            return [], n
        return self._hits(text, found, allow_spans, overlapping, open_ends), n

    def _hits(
        self,
        text: str,
        found: dict[tuple[int, int, int], set[str]],
        allow_spans: list[tuple[int, int]],
        overlapping: bool | None,
        open_ends: set[tuple[int, int, str]] | None,
    ) -> list[Hit]:
        """The hits of what :meth:`_scan` found, ordered (and selected) as configured."""
        c = self.config
        hits: list[Hit] = []
        allowed = _Covered(allow_spans) if allow_spans else None
        for (start, end, idx), rules in found.items():
            if allowed is not None and allowed(start, end):
                continue
            entry = self._entries[idx]
            if OPEN in rules:
                rules = rules - {OPEN}
                if open_ends is not None:
                    open_ends.add((start, end, entry.keyword))
            if "exact" in entry.modes and rules != {"exact"}:
                continue
            ordered = (
                tuple(rules)
                if len(rules) == 1
                else tuple(sorted(rules, key=_RULE_ORDER.__getitem__))
            )
            hits.append(Hit(start, end, text[start:end], entry.keyword, entry.risk, ordered))
        hits.sort(key=lambda h: (h.start, -h.end, h.keyword, h.risk))
        if not (c.match == "overlapping" if overlapping is None else overlapping):
            hits = _leftmost_longest(hits)
        return hits

    def _scan_gaps(
        self,
        st: _State,
        text: str,
        n: Normalized,
        found: dict[tuple[int, int, int], set[str]],
        allow_spans: list[tuple[int, int]],
    ) -> None:
        """Homophone forms broken up by separators (堵~博): scanned, in syllable codes, only
        on the runs of characters with a separator before each; what other forms found is kept
        as it is."""
        assert st.hgac is not None and n.codes is not None
        ft = st.ft
        centers, before = separated(n, text, ft.separators)
        if not centers.size:
            return
        # two characters need a symbol, emoji or zero-width character between them, not a
        # joining space or dot (the condition of GAP, vectorized: most need no closer look); a
        # lone joiner (a space between two words) is no place of any form
        firm = ~ft.joiners[before]
        if not firm.all():
            run = np.zeros(len(centers), dtype=bool)
            step = np.diff(centers) == 1
            run[1:] |= step
            run[:-1] |= step
            centers, firm = centers[firm | run], firm[firm | run]
            if not centers.size:
                return
        # only the runs of characters with a separator before each (but the first) can hold one
        found_all = window_sets([(st.hgac, st.syl)], n.codes, centers, 0, runs=True)[0]
        if not found_all:
            return
        m = np.array(found_all, dtype=np.int64)
        strong = np.zeros(len(n.codes) + 1, dtype=bool)
        strong[centers[firm]] = True
        size = m[:, 2] - m[:, 1]
        m = m[(size > 2) | ((size == 2) & strong[m[:, 1] + 1])]
        got: dict[tuple[int, int, int], set[str]] = {}
        codes, main = n.codes, st.main.index
        for pid, s, e in m.tolist():
            i = main.get("".join(map(chr, codes[s:e].tolist())))
            # a keyword written as it is (or another of its forms that holds however written):
            # the main scan resolved it; a conditional form (睹博, unbroken only) may have failed
            done = (
                {v[0] for v in st.main.variants[i] if v[1] is None or "~" not in v[1]}
                if i is not None
                else ()
            )
            for var in st.hgap.variants[pid]:
                if var[0] in done:
                    continue
                resolve(self.config, self._entries, text, n, s, e, var, st.ft, got, allow_spans)
        found.update((k, v) for k, v in got.items() if k not in found)

    def _scan_leet(
        self,
        st: _State,
        text: str,
        a: int,
        b: int,
        found: dict[tuple[int, int, int], set[str]],
        allow_spans: list[tuple[int, int]],
    ) -> None:
        """Pinyin forms in ``text[a:b]`` read with letters for its digits and symbols."""
        assert st.lac is not None
        w = 2 * st.latin.longest
        wa, wb = max(0, a - w), min(len(text), b + w)
        window = text[wa:a] + unleet(text[a:b]) + text[b:wb]
        m = self._normalize(st, window)
        got: dict[tuple[int, int, int], set[str]] = {}
        spans: list[tuple[int, int]] = []
        for pid, s, e in latin_matches(st.lac, window, m.codes, st.latin.longest):
            for var in st.latin.variants[pid]:
                if not (var[1] or "").startswith("initials"):  # b2b is not 不知不
                    resolve(self.config, self._entries, window, m, s, e, var, st.ft, got, spans)
        for (s, e, entry), rules in got.items():
            if s < b - wa and e > a - wa:  # the reading changed something in the hit
                found.setdefault((s + wa, e + wa, entry), set()).update(rules | {"leet"})
        allow_spans.extend((s + wa, e + wa) for s, e in spans)

    def is_blocked(self, text: str) -> bool:
        """Whether ``text`` contains any keyword."""
        return bool(self.scan(text))

    def redact(self, text: str, replacement: str = "*") -> str:
        """Replace every hit: a one-character ``replacement`` per character, else once per span."""
        spans: list[list[int]] = []
        for h in self.scan(text):
            if spans and h.start <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], h.end)
            else:
                spans.append([h.start, h.end])
        out, pos = [], 0
        for a, b in spans:
            out.append(text[pos:a])
            out.append(replacement * (b - a) if len(replacement) == 1 else replacement)
            pos = b
        out.append(text[pos:])
        return "".join(out)
