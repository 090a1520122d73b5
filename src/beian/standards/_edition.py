"""Editions of the standards, loaded from the YAML data files beside this module."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from beian.errors import ConfigError, InputError
from beian.standards._models import (
    Aspect,
    Attachment,
    ClauseItem,
    Evidence,
    Figure,
    FormSection,
    Materials,
    Override,
    Risk,
)

if TYPE_CHECKING:
    from beian.findings import Finding

DEFAULT_EDITION = "gbt-45654-2025"  # in force since 2025-11-01
# where a key of the ``standards:`` settings was written: ("overrides", name) -> "file:line field"
Locate = Callable[[tuple[str, ...]], str]
_TOKEN = re.compile(
    r"^(?P<section>\d+(?:\.\d+)?)(?:\s*(?P<letter>[a-z]\)(?:\s*\d+\))?))?(?P<rest>.*)$"
)
UNVERIFIED = "[U]"
_FIGURE_REF = re.compile(r"\{([a-z_]+(?:\.[a-z_0-9]+)+)\}")
_PARTS = ("risks", "aspects", "figures", "clauses", "materials")


class Edition(BaseModel):
    """One edition of the standards with any user overrides applied."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    short: str
    issuer: str
    published: str
    status: str
    source: str
    extends: str | None = None
    risks: dict[str, Risk]
    core_categories: tuple[str, ...]
    aspects: dict[str, Aspect]
    figures: dict[str, Figure]
    clauses: tuple[ClauseItem, ...]
    materials: Materials
    overrides: tuple[Override, ...] = ()
    confirmed_letters: tuple[str, ...] = ()
    relocated: dict[str, str] = {}
    # the edition's own names for where it puts the assessment methods and the clauses scored
    # 符合 / 不符合 / 不适用 (TC260-003: 第9章 / 第5–8章; GB/T 45654-2025: 附录B / 第5–7章 …)
    assessment_chapter: str
    clause_chapters: str

    def cite(self, clause: str) -> str:
        """``clause`` (written in TC260-003 numbering, tokens joined by 、) in this edition's
        numbering: a letter the clause map does not confirm is marked [U]; a section this
        edition moved or whose number is unverified is named by its TC260-003 counterpart."""
        return "、".join(self._cite_one(t.strip()) for t in clause.replace(",", "、").split("、"))

    def requirement(self, item: ClauseItem) -> str:
        """The clause's summary with every ``{figure.name}`` replaced by the figure's value in
        this edition (overrides included): no figure is written twice."""
        return _FIGURE_REF.sub(lambda m: _fmt(self.figure(m[1]).value), item.summary)

    def cite_findings(self, findings: Iterable[Finding]) -> list[Finding]:
        """``findings`` with their clauses cited in this edition's numbering (see :meth:`cite`);
        every report, table and JSON output of findings goes through this."""
        return [f.model_copy(update={"clause": self.cite(f.clause)}) for f in findings]

    def _cite_one(self, token: str) -> str:
        m = _TOKEN.match(token)
        if m is None or UNVERIFIED in token or "TC260-003" in token:
            return token
        section, letter = m["section"], m["letter"]
        for prefix in (section, section.split(".")[0]):
            if prefix in self.relocated:
                return self.relocated[prefix].format(tc=section + (m["rest"] if not letter else ""))
        if letter and f"{section} {letter}" not in self.confirmed_letters:
            return f"{section} {letter}{UNVERIFIED}{m['rest']}"
        return token

    def risk(self, code: str) -> Risk:
        try:
            return self.risks[code]
        except KeyError:
            raise InputError(
                f"未知的风险代码 {code}",
                fix=f"风险代码为 A1a…A5b，可用 `beian standards list` 查看；相近：{_near(code, self.risks)}",
            ) from None

    def figure(self, name: str) -> Figure:
        try:
            return self.figures[name]
        except KeyError:
            raise ConfigError(
                f"未知的数值参数 {name}",
                fix=f"可用 `beian standards thresholds` 查看全部参数；相近：{_near(name, self.figures)}",
            ) from None

    def core_risks(self) -> list[Risk]:
        """ "The 17 risks": A.1 + A.2."""
        return [r for r in self.risks.values() if r.core]

    def risks_in(self, category: str) -> list[Risk]:
        return [r for r in self.risks.values() if r.category == category]

    def with_overrides(
        self, values: Mapping[str, Any], source: str, locate: Locate | None = None
    ) -> Edition:
        """Return a copy with figures replaced; every change is recorded as an :class:`Override`.

        ``locate(("overrides", name))`` says where an override was written (``file:line field``).
        """
        figures = dict(self.figures)
        overrides = {o.name: o for o in self.overrides}
        for name, raw in values.items():
            where = (locate or _standards_key(source))(("overrides", str(name)))
            try:
                fig = self.figure(str(name))
            except ConfigError as exc:
                raise ConfigError(exc.what, where=where, fix=exc.fix) from None
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise ConfigError(
                    f"参数 {name} 的覆盖值 {raw!r} 不是数字",
                    where=where,
                    fix="请填写数字；百分比写 96 表示 96%",
                )
            value = float(raw)
            if fig.unit == "percent" and not 0 <= value <= 100:
                raise ConfigError(
                    f"参数 {name} 是百分比，覆盖值 {raw} 超出 0–100",
                    where=where,
                    fix="百分比写 0 到 100 之间的数，例如 96 表示 96%",
                )
            figures[fig.name] = fig.model_copy(update={"value": value, "override_source": source})
            overrides[fig.name] = Override(
                name=fig.name,
                default=fig.default,
                value=value,
                source=source,
                weakens=fig.weakens(value),
            )
        return self.model_copy(update={"figures": figures, "overrides": tuple(overrides.values())})

    def label(self) -> str:
        """A line naming the edition and overrides, for every output."""
        text = f"标准版本：{self.short}（{self.id}）；条款字母标 [U] 的为未经原文核实的编号"
        if self.overrides:
            text += "；已覆盖参数：" + "，".join(
                f"{o.name}={_fmt(o.value)}（默认 {_fmt(o.default)}）" for o in self.overrides
            )
        return text


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _near(name: str, options: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.5)
    return "、".join(close) if close else "无"


def list_editions() -> list[str]:
    root = resources.files("beian.standards") / "data"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))


def _read(edition_id: str, part: str) -> dict[str, Any]:
    from beian.io import parse_yaml

    path = resources.files("beian.standards") / "data" / edition_id / f"{part}.yaml"
    if not path.is_file():
        return {}
    data = parse_yaml(path.read_text(encoding="utf-8"), where=f"{edition_id}/{part}.yaml")
    return data if isinstance(data, dict) else {}


def _raw(edition_id: str) -> dict[str, Any]:
    if edition_id not in list_editions():
        raise ConfigError(
            f"未知的标准版本 {edition_id}",
            fix="可选版本：" + "、".join(list_editions()),
        )
    meta = _read(edition_id, "edition")
    parent = meta.get("extends")
    merged: dict[str, Any] = _raw(parent) if parent else {p: {} for p in _PARTS}
    for part in _PARTS:
        own = _read(edition_id, part)
        if part == "figures":
            figs = {k: dict(v) for k, v in merged["figures"].get("figures", {}).items()}
            for name, fields in own.get("figures", {}).items():
                figs.setdefault(name, {}).update(fields)
            merged["figures"] = {"figures": figs}
        elif own:
            merged[part] = own
    merged["edition"] = meta
    return merged


@functools.lru_cache(maxsize=8)
def _base_edition(edition_id: str) -> Edition:
    raw = _raw(edition_id)
    meta = raw["edition"]
    risks: dict[str, Risk] = {}
    core = tuple(raw["risks"]["core_categories"])
    for cat in raw["risks"]["categories"]:
        for letter, name in cat["risks"].items():
            code = f"{cat['code']}{letter}"
            risks[code] = Risk(
                code=code,
                name=name,
                category=cat["code"],
                category_name=cat["name"],
                clause=f"{cat['clause']} {letter})",
                core=cat["code"] in core,
            )
    aspects = {a["code"]: Aspect(**a) for a in raw["aspects"]["aspects"]}
    figures = {
        name: Figure(name=name, default=f["value"], **f)
        for name, f in raw["figures"]["figures"].items()
    }
    clauses = tuple(
        ClauseItem(
            id=c["id"],
            clause=c["clause"],
            chapter=c["id"].split(".")[0].split("-")[0],
            summary=c["summary"],
            evidence=tuple(Evidence(e) for e in c["evidence"]),
        )
        for c in raw["clauses"]["clauses"]
    )
    m = raw["materials"]
    materials = Materials(
        form_name=m["form"]["name"],
        sections=tuple(
            FormSection(id=s["id"], name=s["name"], items=tuple(s["items"]))
            for s in m["form"]["sections"]
        ),
        attachments=tuple(
            Attachment(id=a["id"], name=a["name"], format=tuple(a["format"]), clause=a["clause"])
            for a in m["attachments"]
        ),
        test_access=m["test_access"],
    )
    return Edition(
        id=meta["id"],
        title=meta["title"],
        short=meta["short"],
        issuer=meta["issuer"],
        published=str(meta["published"]),
        status=meta["status"],
        source=" ".join(str(meta["source"]).split()),
        extends=meta.get("extends"),
        risks=risks,
        core_categories=core,
        aspects=aspects,
        figures=figures,
        clauses=clauses,
        materials=materials,
        confirmed_letters=tuple(meta.get("citations", {}).get("confirmed", ())),
        relocated=dict(meta.get("citations", {}).get("relocated", {})),
        assessment_chapter=str(meta["chapters"]["assessment"]),
        clause_chapters=str(meta["chapters"]["clauses"]),
    )


def load_edition(
    edition_id: str | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    override_source: str = "配置文件",
    locate: Locate | None = None,
) -> Edition:
    """Load an edition (default ``gbt-45654-2025``) and apply ``overrides`` if given.

    ``locate(("edition",))`` / ``locate(("overrides", name))`` say where the ``standards:``
    settings were written, for errors at ``file:line field``.
    """
    try:
        ed = _base_edition(edition_id or DEFAULT_EDITION)
    except ConfigError as exc:
        if locate is None:
            raise
        raise ConfigError(exc.what, where=locate(("edition",)), fix=exc.fix) from None
    return ed.with_overrides(overrides, override_source, locate) if overrides else ed


def _standards_key(source: str) -> Locate:
    return lambda key: f"{source}: standards." + ".".join(key)
