"""Signature blocks (单位盖章、负责人签字、日期) for the filing form and the assessment report."""

from __future__ import annotations

from beian.dossier._schema import Person
from beian.dossier.render._blocks import Table

__all__ = ["signature_table"]

_BLANK = "\n\n"  # room to sign or stamp
_DATE = "　　年　　月　　日"


def _who(p: Person | str | None) -> str:
    if isinstance(p, str):
        return p.strip() or "（未填写）"
    name = (p.name or "").strip() if p is not None else ""
    if p is None or not name:
        return "（未填写）"
    return name + (f"（{p.title}）" if p.title else "")


def signature_table(signers: list[tuple[str, Person | str | None]]) -> Table:
    """One row per signer: what they sign as, their name (from the dossier), blank space to
    sign or stamp, and the date written by hand."""
    return Table(
        ("签章项", "单位 / 姓名（职务）", "签字 / 盖章", "日期"),
        tuple((role, _who(p), _BLANK, _DATE) for role, p in signers),
        (1.8, 2.4, 1.6, 2.2),
        keep_together=True,
    )
